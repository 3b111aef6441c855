package io.ipckit.shm.sync;

import io.ipckit.core.file.MappedFile;
import io.ipckit.core.testing.IdleCpuWindow;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Child JVM for the sync tests: {@code main(command, args...)} runs one scenario against primitives the parent
 * created, and reports through a {@link MappedFile} laid out as in {@link SyncChild#COUNTER_OFFSET} and friends.
 */
public final class SyncChild
{
    /** Offset of the plain (non-atomic) shared counter in the report file. */
    static final int COUNTER_OFFSET = 0;
    /** Offset of the number of children ready to start. */
    static final int READY_OFFSET = 8;
    /** Offset of the number of times a child found another inside the critical section. */
    static final int OVERLAPS_OFFSET = 16;
    /** Offset of the inside-critical-section marker. */
    static final int INSIDE_OFFSET = 24;
    /** Offset of the result of a wait (command specific). */
    static final int RESULT_OFFSET = 32;
    /** Offset of the idle child's {@link IdleCpuWindow}. */
    static final int WINDOW_OFFSET = 2048;
    /** Offset of a per-child result array, 8 bytes each. */
    static final int PER_CHILD_OFFSET = 64;
    /** Length of the report file. */
    static final int REPORT_LENGTH = 4096;

    private SyncChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        switch (args[0])
        {
            case "count" -> count(args[1], args[2], Integer.parseInt(args[3]), args[4]);
            case "hold" -> hold(args[1], args[2]);
            case "cond-hold" -> conditionHold(args[1]);
            case "idle" -> idle(args[1], args[2], args[3]);
            case "sem-hold" -> semaphoreHold(args[1], Integer.parseInt(args[2]), args[3]);
            case "sem-acquire" -> semaphoreAcquire(args[1], Integer.parseInt(args[2]), args[3]);
            case "event-wait" -> eventWait(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
            case "cond-wait" -> conditionWait(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
            case "barrier" -> barrier(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
            case "barrier-attach" -> barrierAttach(args[1], args[2]);
            case "barrier-stuck-action" -> barrierStuckAction(args[1], args[2]);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    static SharedLock openLock(final String kind, final String name)
    {
        return "RLOCK".equals(kind) ? SharedReentrantLock.open(name) : SharedLock.open(name);
    }

    private static void count(final String kind, final String name, final int iterations, final String report)
        throws InterruptedException
    {
        try (MappedFile file = MappedFile.open(report))
        {
            final AtomicBuffer buffer = file.buffer();
            if ("SEMAPHORE".equals(kind))
            {
                try (SharedSemaphore semaphore = SharedSemaphore.open(name))
                {
                    buffer.getAndAddLong(READY_OFFSET, 1);
                    for (int i = 0; i < iterations; i++)
                    {
                        semaphore.acquire();
                        increment(buffer);
                        semaphore.release();
                    }
                }
                return;
            }
            try (SharedLock lock = openLock(kind, name))
            {
                buffer.getAndAddLong(READY_OFFSET, 1);
                for (int i = 0; i < iterations; i++)
                {
                    lock.lock();
                    try
                    {
                        increment(buffer);
                    }
                    finally
                    {
                        lock.unlock();
                    }
                }
            }
        }
    }

    /**
     * A deliberately non-atomic increment, with a marker that detects two processes inside at once.
     */
    private static void increment(final AtomicBuffer buffer)
    {
        if (buffer.getAndAddLong(INSIDE_OFFSET, 1) != 0)
        {
            buffer.getAndAddLong(OVERLAPS_OFFSET, 1);
        }
        final long value = buffer.getLong(COUNTER_OFFSET);
        for (int spin = 0; spin < 20; spin++)
        {
            Thread.onSpinWait();
        }
        buffer.putLong(COUNTER_OFFSET, value + 1);
        buffer.getAndAddLong(INSIDE_OFFSET, -1);
    }

    private static void semaphoreHold(final String name, final int permits, final String report) throws Exception
    {
        final SharedSemaphore semaphore = SharedSemaphore.open(name);
        semaphore.acquire(permits);
        try (MappedFile file = MappedFile.open(report))
        {
            file.buffer().getAndAddLong(READY_OFFSET, 1);
        }
        Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    }

    /**
     * Says it is ready, takes the permits with a blocking acquire, records 1 as the result, gives them back and
     * exits; an acquire that throws ends the process with a failure.
     */
    private static void semaphoreAcquire(final String name, final int permits, final String report) throws Exception
    {
        try (SharedSemaphore semaphore = SharedSemaphore.open(name); MappedFile file = MappedFile.open(report))
        {
            file.buffer().getAndAddLong(READY_OFFSET, 1);
            semaphore.acquire(permits);
            file.buffer().putLongVolatile(RESULT_OFFSET, 1);
            semaphore.release(permits);
        }
    }

    private static void eventWait(final String name, final String report, final int index, final long timeoutMs)
        throws Exception
    {
        try (SharedEvent event = SharedEvent.open(name); MappedFile file = MappedFile.open(report))
        {
            file.buffer().getAndAddLong(READY_OFFSET, 1);
            final boolean set = event.await(timeoutMs, TimeUnit.MILLISECONDS);
            file.buffer().putLongVolatile(PER_CHILD_OFFSET + 8 * index, set ? 1 : 2);
        }
    }

    private static void conditionWait(final String name, final String report, final int index, final long timeoutMs)
        throws Exception
    {
        try (SharedCondition condition = SharedCondition.open(name); MappedFile file = MappedFile.open(report))
        {
            final AtomicBuffer buffer = file.buffer();
            condition.lock().lock();
            try
            {
                buffer.getAndAddLong(READY_OFFSET, 1);
                final boolean satisfied = condition.waitFor(
                    () -> buffer.getLongVolatile(COUNTER_OFFSET) > index, timeoutMs, TimeUnit.MILLISECONDS);
                buffer.putLongVolatile(PER_CHILD_OFFSET + 8 * index, satisfied ? 1 : 2);
            }
            finally
            {
                condition.lock().unlock();
            }
        }
    }

    /**
     * Arrives at a barrier whose action (in this process) counts in the counter; records arrival index + 1, or
     * -1 broken (message on stderr), -2 timed out, -3 interrupted.
     */
    private static void barrier(final String name, final String report, final int index, final long timeoutMs)
        throws Exception
    {
        try (MappedFile file = MappedFile.open(report))
        {
            final AtomicBuffer buffer = file.buffer();
            try (SharedBarrier barrier = SharedBarrier.open(name, () -> buffer.getAndAddLong(COUNTER_OFFSET, 1)))
            {
                buffer.getAndAddLong(READY_OFFSET, 1);
                long result;
                try
                {
                    result = barrier.await(timeoutMs, TimeUnit.MILLISECONDS) + 1;
                }
                catch (final java.util.concurrent.BrokenBarrierException ex)
                {
                    System.err.println(ex.getMessage());
                    result = -1;
                }
                catch (final java.util.concurrent.TimeoutException ex)
                {
                    result = -2;
                }
                buffer.putLongVolatile(PER_CHILD_OFFSET + 8 * index, result);
            }
        }
    }

    private static void barrierAttach(final String name, final String report) throws Exception
    {
        SharedBarrier.open(name); // attached until this process dies
        try (MappedFile file = MappedFile.open(report))
        {
            file.buffer().getAndAddLong(READY_OFFSET, 1);
        }
        Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    }

    /**
     * Arrives last at a barrier whose action, in this process, reports and then never returns.
     */
    private static void barrierStuckAction(final String name, final String report) throws Exception
    {
        try (MappedFile file = MappedFile.open(report);
             SharedBarrier barrier = SharedBarrier.open(name, () ->
             {
                 file.buffer().getAndAddLong(READY_OFFSET, 1);
                 LockSupport.parkNanos(TimeUnit.MINUTES.toNanos(10));
             }))
        {
            barrier.await();
        }
    }

    private static void hold(final String kind, final String lockName) throws InterruptedException
    {
        final SharedLock lock = openLock(kind, lockName);
        lock.lock();
        Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    }

    private static void conditionHold(final String name) throws InterruptedException
    {
        final SharedCondition condition = SharedCondition.open(name);
        condition.lock().lock();
        condition.signalAll(); // the waiter wakes and blocks on the lock this process now holds until it dies
        Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    }

    private static void idle(final String kind, final String name, final String report) throws Exception
    {
        try (MappedFile file = MappedFile.open(report))
        {
            final AtomicBuffer buffer = file.buffer();
            final long result;
            switch (kind)
            {
                case "LOCK" ->
                {
                    try (SharedLock lock = SharedLock.open(name))
                    {
                        warmUp(lock.tryLock(300, TimeUnit.MILLISECONDS), buffer);
                        final IdleCpuWindow window = IdleCpuWindow.startForCurrentThread(buffer, WINDOW_OFFSET);
                        result = lock.tryLock(30, TimeUnit.SECONDS) ? 1 : 0;
                        window.join();
                    }
                }
                case "EVENT" ->
                {
                    try (SharedEvent event = SharedEvent.open(name))
                    {
                        warmUp(event.await(300, TimeUnit.MILLISECONDS), buffer);
                        final IdleCpuWindow window = IdleCpuWindow.startForCurrentThread(buffer, WINDOW_OFFSET);
                        result = event.await(30, TimeUnit.SECONDS) ? 1 : 0;
                        window.join();
                    }
                }
                case "SEMAPHORE" ->
                {
                    try (SharedSemaphore semaphore = SharedSemaphore.open(name))
                    {
                        warmUp(semaphore.tryAcquire(300, TimeUnit.MILLISECONDS), buffer);
                        final IdleCpuWindow window = IdleCpuWindow.startForCurrentThread(buffer, WINDOW_OFFSET);
                        result = semaphore.tryAcquire(30, TimeUnit.SECONDS) ? 1 : 0;
                        window.join();
                    }
                }
                case "CONDITION" ->
                {
                    try (SharedCondition condition = SharedCondition.open(name))
                    {
                        condition.lock().lock();
                        try
                        {
                            warmUp(condition.await(300, TimeUnit.MILLISECONDS), buffer);
                            final IdleCpuWindow window = IdleCpuWindow.startForCurrentThread(buffer, WINDOW_OFFSET);
                            result = condition.await(30, TimeUnit.SECONDS) ? 1 : 0;
                            window.join();
                        }
                        finally
                        {
                            condition.lock().unlock();
                        }
                    }
                }
                case "BARRIER" ->
                {
                    try (SharedBarrier barrier = SharedBarrier.open(name))
                    {
                        try
                        {
                            barrier.await(300, TimeUnit.MILLISECONDS);
                            throw new IllegalStateException("the warm-up wait should have timed out");
                        }
                        catch (final java.util.concurrent.TimeoutException expected)
                        {
                            barrier.reset();
                        }
                        warmUp(false, buffer);
                        final IdleCpuWindow window = IdleCpuWindow.startForCurrentThread(buffer, WINDOW_OFFSET);
                        result = barrier.await(30, TimeUnit.SECONDS) >= 0 ? 1 : 0;
                        window.join();
                    }
                }
                default -> throw new IllegalArgumentException("unknown kind " + kind);
            }
            buffer.putLongVolatile(RESULT_OFFSET, result);
        }
    }

    /**
     * A first short wait loads and links the classes of the wait path (FFM downcalls, /proc parsing), which costs
     * tens of ms of CPU once per JVM; the measured wait starts after it, when {@link #READY_OFFSET} says so.
     */
    private static void warmUp(final boolean acquired, final AtomicBuffer buffer)
    {
        if (acquired)
        {
            throw new IllegalStateException("the warm-up wait should have timed out: the parent holds the resource");
        }
        buffer.putLongVolatile(READY_OFFSET, 1);
    }
}
