package io.ipckit.cli;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code ipckit ls --kind} with a kind that does not exist is a usage error listing the kinds, not an empty table.
 */
class LsKindTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseAnUnknownKindWithTheValidOnes()
    {
        final Cli ls = Cli.run("ls", "--kind", "Nope");
        assertEquals(Ipckit.EXIT_USAGE, ls.code(), ls::toString);
        assertTrue(ls.err().contains("no kind or state named \"Nope\"; --kind takes one of "), ls::toString);
        assertTrue(ls.err().contains("Manager") && ls.err().contains("Queue") && ls.err().contains("corrupt"),
            ls::toString);
        assertEquals(Ipckit.EXIT_OK, Cli.run("ls", "--kind", "queue").code(), "a valid kind, any case");
        assertEquals(Ipckit.EXIT_OK, Cli.run("ls", "--kind", "DEAD").code(), "a state");
    }
}
