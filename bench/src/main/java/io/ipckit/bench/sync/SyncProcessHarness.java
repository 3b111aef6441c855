package io.ipckit.bench.sync;

import io.ipckit.core.file.MappedFile;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.shm.sync.SharedEvent;
import io.ipckit.shm.sync.SharedLock;
import io.ipckit.shm.sync.SharedSemaphore;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Multi-process measurements of the sync primitives, each verifying its own result (a fast but wrong run fails):
 * <ul>
 *     <li>{@code counter [increments]}: two child JVMs increment a plain shared counter under a {@link SharedLock},
 *     released together by a {@link SharedEvent}; prints increments per second (Python's {@code Value} with its lock:
 *     0.57 M/s; target at least 10x) and checks the counter is exactly the sum.</li>
 *     <li>{@code event [round trips]}: set-to-wake latency across processes: this JVM writes
 *     {@link System#nanoTime()} and sets event "ping"; the child, asleep in {@code await}, wakes, records the delay,
 *     clears "ping" and sets "pong". Prints p50/p99/max of the one-way wake-up in microseconds.</li>
 *     <li>{@code semaphore [handoffs]}: two processes hand a permit back and forth through two semaphores; prints
 *     handoffs per second.</li>
 * </ul>
 * Run: {@code java <ipckit flags> -cp <bench classpath> io.ipckit.bench.sync.SyncProcessHarness counter 2000000}.
 */
public final class SyncProcessHarness
{
    private static final int COUNTER_OFFSET = 0;
    private static final int DONE_OFFSET = 64;
    private static final int STAMP_OFFSET = 128;
    private static final int LATENCIES_OFFSET = 4096;

    private SyncProcessHarness()
    {
    }

    /**
     * @param args the measurement and its count, or a child role (used by the harness itself).
     * @throws Exception when a measurement fails its check.
     */
    public static void main(final String[] args) throws Exception
    {
        final String prefix = args.length > 2 ? args[2] : "bench-sync-" + ProcessHandle.current().pid();
        switch (args[0])
        {
            case "counter" -> counter(prefix, Integer.parseInt(args[1]));
            case "event" -> event(prefix, Integer.parseInt(args[1]));
            case "semaphore" -> semaphore(prefix, Integer.parseInt(args[1]));
            case "counter-child" -> counterChild(prefix, Integer.parseInt(args[1]));
            case "event-child" -> eventChild(prefix, Integer.parseInt(args[1]));
            case "semaphore-child" -> semaphoreChild(prefix, Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException("counter|event|semaphore <count>");
        }
    }

    private static void counter(final String prefix, final int increments) throws Exception
    {
        try (SharedLock lock = SharedLock.create(prefix + ".lock");
            SharedEvent start = SharedEvent.create(prefix + ".start");
            MappedFile shared = MappedFile.create(prefix + ".data", 8192))
        {
            final JvmProcess a = child("counter-child", increments, prefix);
            final JvmProcess b = child("counter-child", increments, prefix);
            awaitValue(shared.buffer(), DONE_OFFSET, 2, "children ready");
            final long startNs = System.nanoTime();
            start.set();
            joinAll(a, b);
            final long elapsedNs = System.nanoTime() - startNs;
            final long total = shared.buffer().getLongVolatile(COUNTER_OFFSET);
            check(total == 2L * increments, "counter " + total + " != " + 2L * increments + ": exclusion broken");
            System.out.printf("lock counter, 2 JVMs: %.2f M increments/s (%d in %d ms)%n",
                total * 1e3 / elapsedNs, total, TimeUnit.NANOSECONDS.toMillis(elapsedNs));
            cleanUp(lock::unlink, start::unlink, shared::unlink);
        }
    }

    private static void counterChild(final String prefix, final int increments) throws Exception
    {
        try (SharedLock lock = SharedLock.open(prefix + ".lock");
            SharedEvent start = SharedEvent.open(prefix + ".start");
            MappedFile shared = MappedFile.open(prefix + ".data"))
        {
            final AtomicBuffer buffer = shared.buffer();
            buffer.getAndAddLong(DONE_OFFSET, 1);
            start.await();
            for (int i = 0; i < increments; i++)
            {
                lock.lock();
                try
                {
                    buffer.putLong(COUNTER_OFFSET, buffer.getLong(COUNTER_OFFSET) + 1);
                }
                finally
                {
                    lock.unlock();
                }
            }
        }
    }

    private static void event(final String prefix, final int roundTrips) throws Exception
    {
        check(roundTrips <= 500_000, "at most 500000 round trips (latencies are kept in the shared file)");
        try (SharedEvent ping = SharedEvent.create(prefix + ".ping");
            SharedEvent pong = SharedEvent.create(prefix + ".pong");
            MappedFile shared = MappedFile.create(prefix + ".data", LATENCIES_OFFSET + 8L * roundTrips))
        {
            final AtomicBuffer buffer = shared.buffer();
            final JvmProcess echo = child("event-child", roundTrips, prefix);
            awaitValue(buffer, DONE_OFFSET, 1, "child ready");
            for (int i = 0; i < roundTrips; i++)
            {
                buffer.putLongRelease(STAMP_OFFSET, System.nanoTime());
                ping.set();
                check(pong.await(10, TimeUnit.SECONDS), "no pong within 10 s at round trip " + i);
                pong.clear();
            }
            joinAll(echo);
            final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            for (int i = 0; i < roundTrips; i++)
            {
                final long latencyNs = buffer.getLongVolatile(LATENCIES_OFFSET + 8 * i);
                check(latencyNs > 0, "round trip " + i + " has no recorded wake-up");
                histogram.recordValue(latencyNs);
            }
            System.out.printf("event set-to-wake across processes: p50 %.2f us, p99 %.2f us, max %.2f us (%d)%n",
                histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
                histogram.getMaxValue() / 1e3, histogram.getTotalCount());
            cleanUp(ping::unlink, pong::unlink, shared::unlink);
        }
    }

    private static void eventChild(final String prefix, final int roundTrips) throws Exception
    {
        try (SharedEvent ping = SharedEvent.open(prefix + ".ping");
            SharedEvent pong = SharedEvent.open(prefix + ".pong");
            MappedFile shared = MappedFile.open(prefix + ".data"))
        {
            final AtomicBuffer buffer = shared.buffer();
            buffer.putLongVolatile(DONE_OFFSET, 1);
            for (int i = 0; i < roundTrips; i++)
            {
                check(ping.await(10, TimeUnit.SECONDS), "no ping within 10 s at round trip " + i);
                buffer.putLong(LATENCIES_OFFSET + 8 * i, System.nanoTime() - buffer.getLongAcquire(STAMP_OFFSET));
                ping.clear();
                pong.set();
            }
        }
    }

    private static void semaphore(final String prefix, final int handoffs) throws Exception
    {
        try (SharedSemaphore there = SharedSemaphore.create(prefix + ".there", 0);
            SharedSemaphore back = SharedSemaphore.create(prefix + ".back", 0);
            MappedFile shared = MappedFile.create(prefix + ".data", 8192))
        {
            final JvmProcess peer = child("semaphore-child", handoffs, prefix);
            awaitValue(shared.buffer(), DONE_OFFSET, 1, "child ready");
            final long startNs = System.nanoTime();
            for (int i = 0; i < handoffs; i++)
            {
                there.release();
                check(back.tryAcquire(10, TimeUnit.SECONDS), "no permit back within 10 s at handoff " + i);
            }
            final long elapsedNs = System.nanoTime() - startNs;
            joinAll(peer);
            check(there.availablePermits() == 0 && back.availablePermits() == 0, "permits left over");
            System.out.printf("semaphore handoff across processes: %.2f M handoffs/s (%d round trips in %d ms)%n",
                2.0 * handoffs * 1e3 / elapsedNs, handoffs, TimeUnit.NANOSECONDS.toMillis(elapsedNs));
            cleanUp(there::unlink, back::unlink, shared::unlink);
        }
    }

    private static void semaphoreChild(final String prefix, final int handoffs) throws Exception
    {
        try (SharedSemaphore there = SharedSemaphore.open(prefix + ".there");
            SharedSemaphore back = SharedSemaphore.open(prefix + ".back");
            MappedFile shared = MappedFile.open(prefix + ".data"))
        {
            shared.buffer().putLongVolatile(DONE_OFFSET, 1);
            for (int i = 0; i < handoffs; i++)
            {
                check(there.tryAcquire(10, TimeUnit.SECONDS), "no permit within 10 s at handoff " + i);
                back.release();
            }
        }
    }

    private static JvmProcess child(final String role, final int count, final String prefix)
    {
        return JvmProcess.start(SyncProcessHarness.class, new ProcessOptions()
            .args(role, Integer.toString(count), prefix)
            .daemon(true));
    }

    private static void awaitValue(final AtomicBuffer buffer, final int offset, final long value, final String what)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (buffer.getLongVolatile(offset) != value)
        {
            check(System.nanoTime() - deadlineNs < 0, "timed out waiting for " + what);
            Thread.sleep(1);
        }
    }

    private static void joinAll(final JvmProcess... children) throws InterruptedException
    {
        for (final JvmProcess child : children)
        {
            check(child.join(120, TimeUnit.SECONDS), child + " did not finish");
            check(child.exitCode().orElseThrow() == 0, child + " failed");
        }
    }

    private static void cleanUp(final Runnable... unlinks)
    {
        for (final Runnable unlink : unlinks)
        {
            unlink.run();
        }
    }

    private static void check(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalStateException(message);
        }
    }
}
