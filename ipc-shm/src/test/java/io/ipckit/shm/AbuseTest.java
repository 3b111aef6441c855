package io.ipckit.shm;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
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

    /** Every kind in one child JVM, one after the other: a JVM's start costs more than its calls. */
    @Test
    void shouldRefuseEveryCallAfterCloseWithoutCrashing() throws Exception
    {
        run("close", kinds());
    }

    /**
     * One child JVM per kind: in a JVM where other kinds' calls compiled the shared code, a fault in that compiled
     * code raises its InternalError a little later, outside the method that met it (see MappedFile).
     */
    @ParameterizedTest
    @MethodSource("kinds")
    void shouldRefuseEveryCallAfterTruncationWithoutCrashing(final String kind) throws Exception
    {
        run("truncate", java.util.List.of(kind));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void shouldNotCrashWhenTruncatedWhileInUse(final String kind) throws Exception
    {
        run("truncate-in-use", java.util.List.of(kind));
    }

    private void run(final String mode, final java.util.List<String> kinds) throws Exception
    {
        final String what = kinds.size() == 1 ? kinds.getFirst() : "every kind";
        final Path output = dir.path().resolve(".abuse-" + mode + ".out");
        final Path crashLog = dir.path().resolve(".hs_err-" + mode + ".log");
        final java.util.List<String> args = new java.util.ArrayList<>(kinds);
        args.addFirst(mode);
        final JvmProcess child = dir.start(AbuseChild.class, new ProcessOptions().args(args.toArray(new String[0]))
            .jvmOptions("-XX:ErrorFile=" + crashLog).redirectOutput(output).redirectErrorStream(true));
        if (mode.startsWith("truncate"))
        {
            for (final String kind : kinds)
            {
                final String name = kind.toLowerCase() + "-" + mode;
                Eventually.await(kind + " in use", Duration.ofSeconds(60),
                    () -> Files.exists(dir.path().resolve(name + ".ready")) || !child.isAlive());
                if (!child.isAlive())
                {
                    break; // the assertions below say why
                }
                final Process truncate = new ProcessBuilder("truncate", "-s", "0", dir.path().resolve(name).toString())
                    .inheritIO().start();
                assertTrue(truncate.waitFor(30, TimeUnit.SECONDS) && truncate.exitValue() == 0, "truncate failed");
            }
        }
        assertTrue(child.join(240, TimeUnit.SECONDS), "the child did not finish");
        final String log = Files.readString(output);
        final String crash = Files.exists(crashLog) ?
            String.join("\n", Files.readAllLines(crashLog).subList(0, 40)) : "no crash log";
        assertFalse(Files.exists(crashLog), what + " after " + mode + " crashed the JVM:\n" + crash + "\n" + log);
        assertEquals(0, child.exitCode().orElseThrow(), what + " after " + mode + ":\n" + log);
        assertTrue(log.contains("BAD 0"), log);
        for (final String kind : kinds)
        {
            assertTrue(log.contains(kind + ": 0 bad"), kind + " was not abused to the end:\n" + log);
        }
    }
}
