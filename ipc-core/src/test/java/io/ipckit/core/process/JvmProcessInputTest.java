package io.ipckit.core.process;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child's standard input: /dev/null unless the options say otherwise, as Python's Process gives os.devnull.
 */
class JvmProcessInputTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    /**
     * The child's input was a pipe nobody wrote or closed: a child that read it waited forever.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldGiveAChildEndOfFileOnItsInputByDefault() throws Exception
    {
        final Path out = dir.path().resolve("stdin.out");
        final JvmProcess child = dir.start(ReadInput.class, new ProcessOptions().redirectOutput(out).daemon(true));
        assertTrue(child.join(30, TimeUnit.SECONDS), "a child reading its input was not given end of file");
        assertEquals(0, child.exitCode().getAsInt());
        assertEquals("-1", Files.readString(out).strip());
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldPipeAChildsInputWhenAsked() throws Exception
    {
        final Path out = dir.path().resolve("stdin.out");
        final JvmProcess child = dir.start(ReadInput.class, new ProcessOptions().redirectInput(ProcessBuilder.Redirect.PIPE)
            .redirectOutput(out).daemon(true));
        try (OutputStream in = child.process().getOutputStream())
        {
            in.write('x');
        }
        assertEquals(0, child.join());
        assertEquals(Integer.toString('x'), Files.readString(out).strip());
    }

    @Test
    void shouldRefuseAnInputRedirectToWriteTo()
    {
        final ProcessOptions options = new ProcessOptions();
        assertEquals(ProcessOptions.NO_INPUT, options.redirectInput());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> options.redirectInput(ProcessBuilder.Redirect.DISCARD));
        assertTrue(ex.getMessage().startsWith("redirectInput: "), ex.getMessage());
    }

    static final class ReadInput
    {
        public static void main(final String[] args) throws IOException
        {
            System.out.println(System.in.read());
        }
    }
}
