package io.ipckit.manager.internal;

import io.ipckit.manager.ManagedJoinableQueue;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A joinable queue in the manager: every element accepted by {@code offer}/{@code put} (and so {@code add},
 * {@code addAll}) counts one unfinished task. Thread-safe.
 *
 * @param <E> the element type.
 */
final class ServerJoinableQueue<E> extends LinkedBlockingQueue<E> implements ManagedJoinableQueue<E>
{
    private static final long serialVersionUID = 1L;

    private final ReentrantLock guard = new ReentrantLock();
    private final Condition allDone = guard.newCondition();
    private long unfinished;

    ServerJoinableQueue(final int capacity)
    {
        super(capacity);
    }

    private void added()
    {
        guard.lock();
        try
        {
            unfinished++;
        }
        finally
        {
            guard.unlock();
        }
    }

    @Override
    public boolean offer(final E e)
    {
        if (guard == null)
        {
            // LinkedBlockingQueue's readObject re-adds the elements of a durable manager's snapshot before this
            // class's fields are read: the unfinished count comes back with them, so these adds count nothing
            return super.offer(e);
        }
        guard.lock();
        try
        {
            if (super.offer(e))
            {
                unfinished++;
                return true;
            }
            return false;
        }
        finally
        {
            guard.unlock();
        }
    }

    @Override
    public boolean offer(final E e, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        if (super.offer(e, timeout, unit))
        {
            added();
            return true;
        }
        return false;
    }

    @Override
    public void put(final E e) throws InterruptedException
    {
        super.put(e);
        added();
    }

    @Override
    public void taskDone()
    {
        guard.lock();
        try
        {
            if (unfinished <= 0)
            {
                throw new IllegalStateException("taskDone() called more times than there were items");
            }
            if (--unfinished == 0)
            {
                allDone.signalAll();
            }
        }
        finally
        {
            guard.unlock();
        }
    }

    @Override
    public void join() throws InterruptedException
    {
        join(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean join(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        long remaining = unit.toNanos(timeout);
        guard.lockInterruptibly();
        try
        {
            while (unfinished > 0)
            {
                if (remaining <= 0)
                {
                    return false;
                }
                if (remaining == Long.MAX_VALUE)
                {
                    allDone.await();
                }
                else
                {
                    remaining = allDone.awaitNanos(remaining);
                }
            }
            return true;
        }
        finally
        {
            guard.unlock();
        }
    }
}
