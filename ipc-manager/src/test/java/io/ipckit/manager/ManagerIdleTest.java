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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An idle manager server costs next to nothing: its ipckit threads (the workers that serve calls, the lease loop, the
 * watchdog of its parent) use less than 20 ms of CPU per 2 s without calls, the bound of a blocked waiter, once its
 * start is behind it. Read from the kernel's per-thread run time ({@code /proc/<pid>/task/<tid>/schedstat}, ns) over
 * 4 s, once a half second has shown the start's one-off work done (on a loaded machine it ran into the window).
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
            // and its one-off work done (the futex call's binding, a first lease round): a half second at half the
            // bound; a steady cost never gets there and fails the wait, each half second's figure printed
            Eventually.await("half a second with the server's ipckit threads under 10 ms of CPU", Duration.ofSeconds(30),
                () -> cpuMsPer2s(pid, 500) < 10);
            final Map<String, Long> start = ipckitThreadsRunNs(pid);
            final long wallStartNs = System.nanoTime();
            Thread.sleep(4_000); // the measured idle period, long enough that the server's first seconds weigh little
            final Map<String, Long> used = usedSince(pid, start);
            IdleCpuWindow.assertCpuBelow(used.values().stream().mapToLong(Long::longValue).sum(),
                System.nanoTime() - wallStartNs, 20, "idle manager, its ipckit threads (ns by thread: " + used + ")");
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

    private static double cpuMsPer2s(final long pid, final long windowMs)
    {
        try
        {
            final Map<String, Long> start = ipckitThreadsRunNs(pid);
            final long wallStartNs = System.nanoTime();
            Thread.sleep(windowMs); // the window itself
            final long usedNs = usedSince(pid, start).values().stream().mapToLong(Long::longValue).sum();
            final double msPer2s = usedNs / 1e6 * 2e9 / (System.nanoTime() - wallStartNs);
            System.out.printf("idle manager settling: %.2f ms CPU per 2 s%n", msPer2s);
            return msPer2s;
        }
        catch (final IOException | InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @return the run time of each ipckit thread of {@code pid} since {@code start}; a thread that ended meanwhile is
     * not listed, one that started counts whole.
     */
    private static Map<String, Long> usedSince(final long pid, final Map<String, Long> start) throws IOException
    {
        final Map<String, Long> used = ipckitThreadsRunNs(pid);
        used.replaceAll((thread, ns) -> ns - start.getOrDefault(thread, 0L));
        return used;
    }

    /**
     * @return the kernel's run time of each ipckit thread of {@code pid}, in ns, by "name/tid".
     */
    private static Map<String, Long> ipckitThreadsRunNs(final long pid) throws IOException
    {
        final Map<String, Long> runNs = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task")))
        {
            for (final Path task : tasks.toList())
            {
                try
                {
                    final String comm = Files.readString(task.resolve("comm")).trim();
                    if (comm.startsWith("ipckit-"))
                    {
                        runNs.put(comm + "/" + task.getFileName(),
                            Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]));
                    }
                }
                catch (final IOException threadEnded)
                {
                    // a thread that ended between the listing and the read: not an ipckit worker
                }
            }
        }
        return runNs;
    }
}
