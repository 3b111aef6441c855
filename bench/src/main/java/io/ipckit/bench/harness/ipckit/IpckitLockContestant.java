package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.Contestant;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.VerificationException;
import io.ipckit.bench.harness.Workload;
import io.ipckit.core.ResourceName;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.sync.SharedLock;
import io.ipckit.shm.value.SharedValue;
import org.agrona.concurrent.AtomicBuffer;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * ipckit's {@link SharedLock} on the lock-contention workload, as the Python peer runs {@code Value(lock=True)}:
 * two JVMs increment a plain (non-atomic) shared counter under the lock until a common deadline; the figure is
 * increments per second in total. The counter must equal the sum of both processes' own counts, so broken mutual
 * exclusion fails the run.
 * <p>
 * Two contestants: the counter as a plain word of a mapped file ({@code ipckit-lock}), and as a
 * {@link SharedValue} read and written under the lock ({@code ipckit-lock-value}), what a user porting
 * {@code with v.get_lock(): v.value += 1} writes (each {@code get} and {@code set} a volatile access).
 */
public final class IpckitLockContestant implements Contestant
{
    static final int READY_OFFSET = 0;
    static final int GO_OFFSET = 64;
    static final int COUNTER_OFFSET = 128;
    static final int COUNTS_OFFSET = 192;

    private final boolean sharedValue;

    /**
     * The counter as a plain word of a mapped file.
     */
    public IpckitLockContestant()
    {
        this(false);
    }

    /**
     * @param sharedValue true for the counter in a {@link SharedValue}.
     */
    public IpckitLockContestant(final boolean sharedValue)
    {
        this.sharedValue = sharedValue;
    }

    @Override
    public String id()
    {
        return sharedValue ? "ipckit-lock-value" : "ipckit-lock";
    }

    @Override
    public String label()
    {
        return sharedValue ? "ipckit SharedLock + SharedValue, 2 JVMs incrementing a shared counter" :
            "ipckit SharedLock, 2 JVMs incrementing a shared counter";
    }

    @Override
    public Set<Workload> workloads()
    {
        return EnumSet.of(Workload.LOCK_INCREMENT_2_PROCESSES);
    }

    @Override
    public Measurement measure(final Workload workload, final RunContext context)
    {
        final String prefix = ResourceName.random("bench-lock-");
        try (SharedLock lock = SharedLock.create(prefix + ".lock");
             MappedFile shared = MappedFile.create(prefix + ".data", 4096);
             SharedValue value = SharedValue.create(prefix + ".value", DType.INT64))
        {
            java.nio.file.Files.createDirectories(context.logs()); // the first measurement of a run may come first
            final AtomicBuffer buffer = shared.buffer();
            final long measureNs = context.maxMessages() > 0 ? 0 : context.warmup().toNanos() + context.measure().toNanos();
            final String max = Long.toString(context.maxMessages());
            try (JvmProcess a = start(prefix, 0, measureNs, max, context, sharedValue);
                 JvmProcess b = start(prefix, 1, measureNs, max, context, sharedValue))
            {
                final long deadline = System.nanoTime() + context.timeout().toNanos();
                while (buffer.getLongVolatile(READY_OFFSET) < 2)
                {
                    if (System.nanoTime() > deadline || !a.isAlive() && !b.isAlive())
                    {
                        throw new VerificationException("the lock workers did not start: " + a + ", " + b);
                    }
                    Thread.onSpinWait();
                }
                final long start = System.nanoTime();
                buffer.putLongRelease(GO_OFFSET, 1);
                final boolean done = a.join(context.timeout().toSeconds(), TimeUnit.SECONDS) &
                    b.join(context.timeout().toSeconds(), TimeUnit.SECONDS);
                final long elapsed = System.nanoTime() - start;
                if (!done || a.exitCode().orElse(-1) != 0 || b.exitCode().orElse(-1) != 0)
                {
                    throw new VerificationException("a lock worker failed: " + a + ", " + b);
                }
                final long countA = buffer.getLongVolatile(COUNTS_OFFSET);
                final long countB = buffer.getLongVolatile(COUNTS_OFFSET + 64);
                final long counts = countA + countB;
                final long counter = sharedValue ? value.get() : buffer.getLongVolatile(COUNTER_OFFSET);
                if (counter != counts || counts == 0)
                {
                    throw new VerificationException("shared counter " + counter + " but the workers counted " + counts +
                        ": mutual exclusion broken");
                }
                return new Measurement(id(), workload, context.repeat(), counts * 1e9 / elapsed,
                    Map.of("increments", (double)counts, "smaller_share_pct", 100.0 * Math.min(countA, countB) / counts),
                    null);
            }
            finally
            {
                lock.unlink();
                shared.unlink();
                value.unlink();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the lock", ex);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot create the log directory " + context.logs(), ex);
        }
    }

    private static JvmProcess start(final String prefix, final int index, final long measureNs, final String max,
        final RunContext context, final boolean sharedValue)
    {
        return JvmProcess.start(LockWorker.class, new ProcessOptions()
            .args(prefix, Integer.toString(index), Long.toString(measureNs), max, Boolean.toString(sharedValue))
            .daemon(true)
            .redirectOutput(context.logs().resolve(prefix + "-" + index + ".log")).redirectErrorStream(true));
    }

    /**
     * A worker: waits for the start flag, then locks, increments, unlocks until its time or count is up.
     */
    public static final class LockWorker
    {
        private LockWorker()
        {
        }

        /**
         * @param args prefix, index, measured nanoseconds (0: use the count), count, true for the
         *             {@link SharedValue} counter.
         */
        public static void main(final String[] args)
        {
            final int index = Integer.parseInt(args[1]);
            final long measureNs = Long.parseLong(args[2]);
            final long max = Long.parseLong(args[3]);
            final boolean sharedValue = Boolean.parseBoolean(args[4]);
            try (SharedLock lock = SharedLock.open(args[0] + ".lock");
                 MappedFile shared = MappedFile.open(args[0] + ".data");
                 SharedValue value = SharedValue.open(args[0] + ".value"))
            {
                final AtomicBuffer buffer = shared.buffer();
                buffer.getAndAddLong(READY_OFFSET, 1);
                while (buffer.getLongAcquire(GO_OFFSET) == 0)
                {
                    Thread.onSpinWait();
                }
                final long end = System.nanoTime() + measureNs;
                long count = 0;
                while (measureNs > 0 ? (count & 255) != 0 || System.nanoTime() < end : count < max)
                {
                    lock.lock();
                    try
                    {
                        if (sharedValue)
                        {
                            value.set(value.get() + 1);
                        }
                        else
                        {
                            buffer.putLong(COUNTER_OFFSET, buffer.getLong(COUNTER_OFFSET) + 1);
                        }
                    }
                    finally
                    {
                        lock.unlock();
                    }
                    count++;
                }
                buffer.putLongRelease(COUNTS_OFFSET + 64 * index, count);
            }
        }
    }
}
