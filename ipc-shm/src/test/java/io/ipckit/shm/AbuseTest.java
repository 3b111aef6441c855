package io.ipckit.shm;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No sequence of public calls may crash the JVM: every public method of every shm and sync structure (and of the
 * views, iterators and conditions that hang off it) is called in a child JVM after the structure is closed, and
 * after the test truncates its file to 0 bytes ({@code truncate -s 0}) while a thread of the child uses it; each must return or refuse with ResourceClosedException /
 * CorruptResourceException, and the child must exit normally.
 */
@Timeout(300)
class AbuseTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    static java.util.List<String> kinds()
    {
        return AbuseChild.KINDS;
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void shouldRefuseEveryCallAfterCloseWithoutCrashing(final String kind) throws Exception
    {
        run("close", kind);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void shouldRefuseEveryCallAfterTruncationWithoutCrashing(final String kind) throws Exception
    {
        run("truncate", kind);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void shouldNotCrashWhenTruncatedWhileInUse(final String kind) throws Exception
    {
        run("truncate-in-use", kind);
    }

    private void run(final String mode, final String kind) throws Exception
    {
        final Path output = dir.path().resolve(".abuse-" + mode + "-" + kind + ".out");
        final Path crashLog = dir.path().resolve(".hs_err-" + mode + "-" + kind + ".log");
        final JvmProcess child = dir.start(AbuseChild.class, new ProcessOptions().args(mode, kind)
            .jvmOptions("-XX:ErrorFile=" + crashLog).redirectOutput(output).redirectErrorStream(true));
        if (mode.startsWith("truncate"))
        {
            final String name = kind.toLowerCase() + "-" + mode;
            Eventually.await(kind + " in use", Duration.ofSeconds(60),
                () -> Files.exists(dir.path().resolve(name + ".ready")) || !child.isAlive());
            final Process truncate = new ProcessBuilder("truncate", "-s", "0", dir.path().resolve(name).toString())
                .inheritIO().start();
            assertTrue(truncate.waitFor(30, TimeUnit.SECONDS) && truncate.exitValue() == 0, "truncate failed");
        }
        assertTrue(child.join(240, TimeUnit.SECONDS), "the child did not finish");
        final String log = Files.readString(output);
        final String crash = Files.exists(crashLog) ?
            String.join("\n", Files.readAllLines(crashLog).subList(0, 40)) : "no crash log";
        assertFalse(Files.exists(crashLog), kind + " after " + mode + " crashed the JVM:\n" + crash + "\n" + log);
        assertEquals(0, child.exitCode().orElseThrow(), kind + " after " + mode + ":\n" + log);
        assertTrue(log.contains("BAD 0"), log);
    }
}
