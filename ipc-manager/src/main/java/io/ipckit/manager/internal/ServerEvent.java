package io.ipckit.manager.internal;

import io.ipckit.manager.ManagedEvent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An event flag in the manager. Thread-safe.
 */
final class ServerEvent implements ManagedEvent, java.io.Serializable
{
    private static final long serialVersionUID = 1L;

    private final ReentrantLock guard = new ReentrantLock();
    private final Condition changed = guard.newCondition();
    private boolean flag;

    @Override
    public void set()
    {
        guard.lock();
        try
        {
            flag = true;
            changed.signalAll();
        }
        finally
        {
            guard.unlock();
        }
    }

    @Override
    public void clear()
    {
        guard.lock();
        try
        {
            flag = false;
        }
        finally
        {
            guard.unlock();
        }
    }

    @Override
    public boolean isSet()
    {
        guard.lock();
        try
        {
            return flag;
        }
        finally
        {
            guard.unlock();
        }
    }

    @Override
    public void await() throws InterruptedException
    {
        await(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean await(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        long remaining = unit.toNanos(timeout);
        guard.lockInterruptibly();
        try
        {
            while (!flag)
            {
                if (remaining <= 0)
                {
                    return false;
                }
                if (remaining == Long.MAX_VALUE)
                {
                    changed.await();
                }
                else
                {
                    remaining = changed.awaitNanos(remaining);
                }
            }
            return true;
        }
        finally
        {
            guard.unlock();
        }
    }

    @Override
    public String toString()
    {
        return "Event[" + (isSet() ? "set" : "unset") + "]";
    }
}
