package io.ipckit.core.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Runs a step of a test with a system property set, and clears the property afterwards whatever happens.
 */
public final class SystemProperties
{
    private SystemProperties()
    {
    }

    /**
     * Sets {@code name} to {@code value}, asserts that {@code construct} refuses it, and clears the property.
     *
     * @param name      the system property.
     * @param value     its value for the step.
     * @param construct what must throw {@link IllegalArgumentException} (an options constructor).
     * @return the exception's message.
     */
    public static String refusal(final String name, final String value, final Runnable construct)
    {
        System.setProperty(name, value);
        try
        {
            return assertThrows(IllegalArgumentException.class, construct::run, "-D" + name + "=" + value).getMessage();
        }
        finally
        {
            System.clearProperty(name);
        }
    }
}
