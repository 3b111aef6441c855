package io.ipckit.core.process;

import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a child JVM ends: as {@code java} would run its target.
 */
class JvmProcessExitTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    /**
     * A target that started a non-daemon thread and returned was cut short by an unconditional System.exit(0): the
     * thread never finished (and the main thread never ended, blocked in the exit).
     */
    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldWaitForTheNonDaemonThreadsOfATargetThatReturned() throws Exception
    {
        final String returned = dir.path().resolve("returned").toString();
        final String go = dir.path().resolve("go").toString();
        final String done = dir.path().resolve("done").toString();
        final JvmProcess child = dir.start((SerializableRunnable)() ->
        {
            final Thread main = Thread.currentThread();
            new Thread(() ->
            {
                try
                {
                    main.join();
                    Files.writeString(Paths.get(returned), "main returned");
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!Files.exists(Paths.get(go)) && System.nanoTime() - deadline < 0)
                    {
                        Thread.sleep(1);
                    }
                    Files.writeString(Paths.get(done), "done");
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }, "user-non-daemon").start();
        }, new ProcessOptions().daemon(true));

        Eventually.await("the child's main to return while its thread runs", Duration.ofSeconds(30),
            () -> Files.exists(Paths.get(returned)));
        assertTrue(child.isAlive(), "the child waits for its non-daemon thread");
        Files.writeString(Paths.get(go), "go");
        assertEquals(0, child.join());
        assertEquals("done", Files.readString(Path.of(done)));
    }
}
