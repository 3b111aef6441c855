package io.ipckit.pool;

import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.IdleCpuWindow;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A pool with nothing to do costs its caller's JVM next to nothing: the threads that read the workers' results and
 * the dispatcher, together, use less than 20 ms of CPU over 2 s idle (the bound of a blocked waiter), once the
 * workers' start is a second behind.
 */
@Timeout(60)
class IdlePoolTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldUseNoMeasurableCpuInItsCallersJvmWhileIdle() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(2).name("idle")))
        {
            assertEquals(List.of(1, 4, 9, 16), pool.map((Integer x) -> x * x, List.of(1, 2, 3, 4)));
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final long[] ids = poolThreads(threads);
            assertEquals(3, ids.length, "two readers and the dispatcher");
            // a second after starting a child, this JVM's waits sleep in short slices (Waiter.expectStartingPeer)
            Eventually.await("the workers' start behind", Duration.ofSeconds(10),
                () -> !Waiter.isExpectingStartingPeer());
            final long cpuStartNs = cpuNs(threads, ids);

            final long wallStartNs = System.nanoTime();
            Thread.sleep(2_000); // the measured idle period
            IdleCpuWindow.assertCpuBelow(cpuNs(threads, ids) - cpuStartNs, System.nanoTime() - wallStartNs, 20,
                "idle pool, its threads in the caller's JVM");
            assertEquals(List.of(25), pool.map((Integer x) -> x * x, List.of(5)), "still serves after the idle time");
        }
    }

    private static long[] poolThreads(final ThreadMXBean threads)
    {
        return java.util.Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
            .filter(info -> info != null && info.getThreadName().startsWith("ipckit-pool-") &&
                info.getThreadName().contains("idle"))
            .mapToLong(ThreadInfo::getThreadId)
            .toArray();
    }

    private static long cpuNs(final ThreadMXBean threads, final long[] ids)
    {
        long sum = 0;
        for (final long id : ids)
        {
            sum += Math.max(0, threads.getThreadCpuTime(id));
        }
        return sum;
    }
}
