package io.ipckit.manager.internal;

import io.ipckit.manager.ManagedSemaphore;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A counting semaphore in the manager, optionally bounded by its initial count (Python's BoundedSemaphore).
 * Thread-safe.
 */
final class ServerSemaphore implements ManagedSemaphore, java.io.Serializable
{
    private static final long serialVersionUID = 1L;

    private final ReentrantLock guard = new ReentrantLock();
    private final Condition available = guard.newCondition();
    private final int bound;
    private int permits;

    ServerSemaphore(final int permits, final boolean bounded)
    {
        if (permits < 0)
        {
            throw new IllegalArgumentException("semaphore initial value must be >= 0: " + permits);
        }
        this.permits = permits;
        this.bound = bounded ? permits : Integer.MAX_VALUE;
    }

    @Override
    public void acquire() throws InterruptedException
    {
        tryAcquire(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean tryAcquire(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        long remaining = unit.toNanos(timeout);
        guard.lockInterruptibly();
        try
        {
            while (permits == 0)
            {
                if (remaining <= 0)
                {
                    return false;
                }
                if (remaining == Long.MAX_VALUE)
                {
                    available.await();
                }
                else
                {
                    remaining = available.awaitNanos(remaining);
                }
            }
            permits--;
            return true;
        }
        finally
        {
            guard.unlock();
        }
    }

    @Override
    public void release()
    {
        guard.lock();
        try
        {
            if (permits >= bound)
            {
                throw new IllegalStateException("semaphore released too many times (bounded at " + bound + ")");
            }
            permits++;
            available.signal();
        }
        finally
        {
            guard.unlock();
        }
    }

    @Override
    public int availablePermits()
    {
        guard.lock();
        try
        {
            return permits;
        }
        finally
        {
            guard.unlock();
        }
    }

    @Override
    public String toString()
    {
        return "Semaphore[permits=" + availablePermits() + "]";
    }
}
