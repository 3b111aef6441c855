package io.ipckit.bench.sync;

import io.ipckit.shm.sync.SharedEvent;
import io.ipckit.shm.sync.SharedLock;
import io.ipckit.shm.sync.SharedReentrantLock;
import io.ipckit.shm.sync.SharedSemaphore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Uncontended cost of the sync primitives in one thread, in ns per operation, with
 * {@link java.util.concurrent.locks.ReentrantLock} as the in-process baseline. Run with {@code -prof gc}: every
 * benchmark must show 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SyncUncontendedBenchmark
{
    private final ReentrantLock baseline = new ReentrantLock();
    private String prefix;
    private SharedLock lock;
    private SharedReentrantLock rlock;
    private SharedSemaphore semaphore;
    private SharedEvent event;
    private long guarded;

    /**
     * Creates the primitives under names unique to this fork.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        prefix = "bench-sync-" + ProcessHandle.current().pid();
        lock = SharedLock.create(prefix + ".lock");
        rlock = SharedReentrantLock.create(prefix + ".rlock");
        semaphore = SharedSemaphore.create(prefix + ".sem", 1);
        event = SharedEvent.create(prefix + ".event");
        event.set();
    }

    /**
     * Removes the primitives, after checking that the guarded counter moved (a benchmark that did nothing fails).
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        if (guarded == 0)
        {
            throw new IllegalStateException("no lock/unlock pair ran");
        }
        lock.unlink();
        lock.close();
        rlock.unlink();
        rlock.close();
        semaphore.unlink();
        semaphore.close();
        event.unlink();
        event.close();
    }

    /**
     * @return the guarded counter.
     */
    @Benchmark
    public long sharedLockUnlock()
    {
        lock.lock();
        try
        {
            return ++guarded;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return the guarded counter.
     */
    @Benchmark
    public long sharedReentrantLockUnlock()
    {
        rlock.lock();
        try
        {
            return ++guarded;
        }
        finally
        {
            rlock.unlock();
        }
    }

    /**
     * @return the guarded counter.
     */
    @Benchmark
    public long reentrantLockBaseline()
    {
        baseline.lock();
        try
        {
            return ++guarded;
        }
        finally
        {
            baseline.unlock();
        }
    }

    /**
     * @return whether the permit was taken (always true).
     */
    @Benchmark
    public boolean semaphoreAcquireRelease()
    {
        final boolean taken = semaphore.tryAcquire();
        semaphore.release();
        return taken;
    }

    /**
     * @return the flag (always true).
     */
    @Benchmark
    public boolean eventIsSet()
    {
        return event.isSet();
    }
}
