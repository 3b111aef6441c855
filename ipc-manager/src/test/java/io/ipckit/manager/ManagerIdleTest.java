package io.ipckit.manager;

import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.IdleCpuWindow;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An idle manager server costs next to nothing: its ipckit threads (the workers that serve calls, the lease loop, the
 * watchdog of its parent) use less than 20 ms of CPU per 2 s without calls, the bound of a blocked waiter, once its
 * start is behind it. Read from the kernel's per-thread run time ({@code /proc/<pid>/task/<tid>/schedstat}, ns) over
 * 4 s.
 */
@Timeout(60)
class ManagerIdleTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldUseNoMeasurableCpuInTheServerWhileNoCallComes() throws Exception
    {
        try (Manager manager = Manager.start("idle"))
        {
            final ConcurrentMap<Integer, Integer> map = manager.dict();
            map.put(1, 1);
            final long pid = manager.process().pid();
            // the server's start behind it: its system calls bound, its watchdog parked on the kernel's watch
            Eventually.await("the server's peer watch running", Duration.ofSeconds(30),
                () -> hasThread(pid, "ipckit-peer-wat"));
            final long startNs = ipckitThreadsRunNs(pid);
            final long wallStartNs = System.nanoTime();
            Thread.sleep(4_000); // the measured idle period, long enough that the server's first seconds weigh little
            IdleCpuWindow.assertCpuBelow(ipckitThreadsRunNs(pid) - startNs, System.nanoTime() - wallStartNs, 20,
                "idle manager, its ipckit threads");
            assertEquals(1, map.get(1), "still serves after the idle time");
        }
    }

    private static boolean hasThread(final long pid, final String comm)
    {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task")))
        {
            for (final Path task : tasks.toList())
            {
                if (Files.readString(task.resolve("comm")).trim().equals(comm))
                {
                    return true;
                }
            }
            return false;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static long ipckitThreadsRunNs(final long pid) throws IOException
    {
        long sum = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task")))
        {
            for (final Path task : tasks.toList())
            {
                try
                {
                    if (Files.readString(task.resolve("comm")).startsWith("ipckit-"))
                    {
                        sum += Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
                    }
                }
                catch (final IOException threadEnded)
                {
                    // a thread that ended between the listing and the read: not an ipckit worker
                }
            }
        }
        return sum;
    }
}
