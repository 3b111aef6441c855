package io.ipckit.pipe;

import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Asserts an exception's type and the fragments of its message.
 */
public final class Expect
{
    private Expect()
    {
    }

    /**
     * @param type      the expected exception type.
     * @param call      the call that must throw.
     * @param fragments texts the message must contain.
     * @return the exception.
     */
    public static <T extends Throwable> T thrown(final Class<T> type, final Executable call, final String... fragments)
    {
        final T ex = assertThrows(type, call);
        for (final String fragment : fragments)
        {
            assertTrue(String.valueOf(ex.getMessage()).contains(fragment),
                () -> "message \"" + ex.getMessage() + "\" lacks \"" + fragment + "\"");
        }
        return ex;
    }
}
