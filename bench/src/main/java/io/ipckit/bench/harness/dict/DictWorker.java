package io.ipckit.bench.harness.dict;

import io.ipckit.shm.value.SharedValue;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * A worker JVM of {@link DictContestant}: opens the map, reports ready, waits for the start flag, runs its role and
 * writes its counts to the control value (and, on the dict workloads, its latency histogram to a file). Exits 0
 * after a run, 2 when a value did not belong to its key, 1 when it could not run.
 */
public final class DictWorker
{
    /** Control slot: the start flag. */
    static final int GO = 0;
    /** Control slot: how many workers are ready. */
    static final int READY = 1;
    /** Control slot of the first worker's results; each worker has {@link #SLOTS} from there. */
    static final int RESULTS = 8;
    /** Result slots per worker. */
    static final int SLOTS = 8;
    /** Result slot offsets. */
    static final int OPS = 0, ERRORS = 1, WINDOW_OPS = 2, WINDOW_START = 3, WINDOW_END = 4, CPU_NS = 5, DONE = 6;
    /** Roles. */
    static final String CLIENT = "client", WRITER = "writer", READER = "reader";
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);

    private DictWorker()
    {
    }

    /**
     * @param args chronicle (true/false), role, map spec, control name, index, warm-up ns, measure ns, max ops,
     *             budget ns, histogram file.
     */
    public static void main(final String[] args) throws IOException
    {
        final boolean chronicle = Boolean.parseBoolean(args[0]);
        final String role = args[1];
        final int index = Integer.parseInt(args[4]);
        final long warmupNs = Long.parseLong(args[5]);
        final long measureNs = Long.parseLong(args[6]);
        final long max = Long.parseLong(args[7]);
        final long deadline = System.nanoTime() + Long.parseLong(args[8]);
        try (SharedValue control = SharedValue.open(args[3]);
             DictStore store = DictStore.open(chronicle, CLIENT.equals(role), args[2]))
        {
            control.getAndAdd(READY, 1);
            while (control.getLong(GO) == 0)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    System.err.println("no start flag before the deadline");
                    System.exit(1);
                }
                Thread.onSpinWait();
            }
            final int base = RESULTS + SLOTS * index;
            final long errors;
            if (CLIENT.equals(role))
            {
                errors = client(store.longs(), warmupNs, measureNs, max, control, base);
            }
            else
            {
                errors = dict(store, WRITER.equals(role), index, warmupNs, measureNs, max, control, base,
                    Path.of(args[9]));
            }
            control.setLong(base + ERRORS, errors);
            control.setLong(base + DONE, 1);
            if (errors > 0)
            {
                System.err.println(errors + " values did not belong to their key");
                System.exit(2);
            }
        }
    }

    /**
     * The manager workload, as {@code mp_bench.py}'s {@code manager_client}: set then get of key
     * {@code ops & 1023}, value {@code ops}, counting two operations per pair; the window starts at the first pair
     * after the warm-up.
     */
    private static long client(
        final ConcurrentMap<Long, Long> map, final long warmupNs, final long measureNs, final long max,
        final SharedValue control, final int base)
    {
        final long warmEnd = System.nanoTime() + warmupNs;
        final long end = warmEnd + measureNs;
        long ops = 0, errors = 0, windowOps = 0, windowStart = 0, windowEnd = 0, cpuStart = 0;
        while (max > 0 ? ops < max : System.nanoTime() < end)
        {
            final Long key = ops & (DictStore.MANAGER_KEYS - 1);
            map.put(key, ops);
            final Long got = map.get(key);
            if (got == null || got != ops)
            {
                errors++;
            }
            ops += 2;
            final long t = System.nanoTime();
            if (t >= warmEnd)
            {
                if (windowStart == 0)
                {
                    windowStart = t;
                    cpuStart = cpuNs();
                }
                else
                {
                    windowOps += 2;
                }
                windowEnd = t;
            }
        }
        report(control, base, ops, windowOps, windowStart, windowEnd, cpuNs() - cpuStart);
        return errors;
    }

    /**
     * The dict workloads: a writer puts random keys (the value's first word is the key, the second a stamp), a
     * reader gets random keys and checks the first word; every operation after the warm-up is timed.
     */
    private static long dict(
        final DictStore store, final boolean writer, final int index, final long warmupNs, final long measureNs,
        final long max, final SharedValue control, final int base, final Path histogramFile) throws IOException
    {
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        final SplittableRandom random = new SplittableRandom(index * 7919L + 1);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[DictStore.VALUE_BYTES]);
        final long warmEnd = System.nanoTime() + warmupNs;
        final long end = warmEnd + measureNs;
        long ops = 0, errors = 0, windowOps = 0, windowStart = 0, windowEnd = 0, cpuStart = 0, stamp = 0;
        while (true)
        {
            final long now = System.nanoTime();
            if (max > 0 ? ops >= max : now - end > 0)
            {
                break;
            }
            final int k = random.nextInt(DictStore.KEYS);
            final long start = System.nanoTime();
            if (writer)
            {
                value.putLong(0, k);
                value.putLong(8, ++stamp);
                store.put(k, value);
            }
            else if (!store.get(k, value) || value.getLong(0) != k)
            {
                errors++;
            }
            final long stop = System.nanoTime();
            ops++;
            if (start - warmEnd >= 0)
            {
                histogram.recordValue(Math.min(stop - start, HIGHEST_TRACKABLE_NS));
                if (windowStart == 0)
                {
                    windowStart = start;
                    cpuStart = cpuNs();
                }
                windowOps++;
                windowEnd = stop;
            }
        }
        final ByteBuffer encoded = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        histogram.encodeIntoByteBuffer(encoded);
        Files.write(histogramFile, java.util.Arrays.copyOf(encoded.array(), encoded.position()));
        report(control, base, ops, windowOps, windowStart, windowEnd, cpuNs() - cpuStart);
        return errors;
    }

    private static void report(
        final SharedValue control, final int base, final long ops, final long windowOps, final long windowStart,
        final long windowEnd, final long cpuNs)
    {
        control.setLong(base + OPS, ops);
        control.setLong(base + WINDOW_OPS, windowOps);
        control.setLong(base + WINDOW_START, windowStart);
        control.setLong(base + WINDOW_END, windowEnd);
        control.setLong(base + CPU_NS, cpuNs);
    }

    private static long cpuNs()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }
}
