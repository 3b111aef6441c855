package io.ipckit.manager.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock in the manager owned by a client thread (connection + thread id from {@link CallContext}), not by the
 * manager thread that runs the call: Python's {@code manager.Lock()} and {@code manager.RLock()}. When the owning
 * client's lease ends, the lock is released ({@link #releaseAll}). A non-reentrant lock acquired again by its owner
 * fails with {@link IllegalStateException} instead of deadlocking. Thread-safe.
 * <p>
 * Note to maintainers: {@code owner} and {@code holds} change only under {@code guard}; {@code free} is signalled
 * whenever {@code owner} becomes null; conditions ({@link ServerCondition}) are conditions of {@code guard}.
 */
final class ServerLock implements Lock, OwnedResource
{
    final ReentrantLock guard = new ReentrantLock();
    private final Condition free = guard.newCondition();
    private final boolean reentrant;
    private CallContext owner;
    private int holds;

    ServerLock(final boolean reentrant)
    {
        this.reentrant = reentrant;
    }

    @Override
    public void lock()
    {
        try
        {
            acquire(Long.MAX_VALUE);
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException("lock() abandoned: the caller went away", ex);
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException
    {
        acquire(Long.MAX_VALUE);
    }

    @Override
    public boolean tryLock()
    {
        try
        {
            return acquire(0);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public boolean tryLock(final long time, final TimeUnit unit) throws InterruptedException
    {
        return acquire(unit.toNanos(time));
    }

    private boolean acquire(final long timeoutNs) throws InterruptedException
    {
        final CallContext me = CallContext.current();
        guard.lockInterruptibly();
        try
        {
            if (me.equals(owner))
            {
                if (!reentrant)
                {
                    throw new IllegalStateException("this thread already holds this lock, which is not reentrant " +
                        "(acquiring it again would deadlock); use Manager.rlock()");
                }
                holds++;
                return true;
            }
            long remaining = timeoutNs;
            while (owner != null)
            {
                if (remaining <= 0)
                {
                    return false;
                }
                if (remaining == Long.MAX_VALUE)
                {
                    free.await();
                }
                else
                {
                    remaining = free.awaitNanos(remaining);
                }
            }
            take(me, 1);
            return true;
        }
        finally
        {
            guard.unlock();
        }
    }

    private void take(final CallContext me, final int count)
    {
        owner = me;
        holds = count;
        if (me.session() != null)
        {
            me.session().own(this);
        }
    }

    @Override
    public void unlock()
    {
        guard.lock();
        try
        {
            checkOwner(CallContext.current());
            if (--holds == 0)
            {
                owner = null;
                free.signal();
            }
        }
        finally
        {
            guard.unlock();
        }
    }

    void checkOwner(final CallContext me)
    {
        if (!me.equals(owner))
        {
            throw new IllegalMonitorStateException("this thread does not hold the lock");
        }
    }

    /**
     * Waits on a condition of this lock: releases it fully, waits, takes it back with the same hold count. Call
     * under {@code guard}, as the owner.
     */
    long awaitOn(final Condition condition, final long timeoutNs) throws InterruptedException
    {
        final CallContext me = CallContext.current();
        checkOwner(me);
        final int saved = holds;
        owner = null;
        holds = 0;
        free.signal();
        try
        {
            return timeoutNs == Long.MAX_VALUE ? signalledForever(condition) : condition.awaitNanos(timeoutNs);
        }
        finally
        {
            while (owner != null)
            {
                free.awaitUninterruptibly();
            }
            if (me.session() == null || !me.session().ended())
            {
                take(me, saved);
            }
            else
            {
                free.signal();
            }
        }
    }

    private static long signalledForever(final Condition condition) throws InterruptedException
    {
        condition.await();
        return 1;
    }

    @Override
    public Condition newCondition()
    {
        return new ServerCondition(this);
    }

    /**
     * @param session a client connection.
     * @return true when one of its threads owns this lock now.
     */
    boolean heldBy(final ServerSession session)
    {
        guard.lock();
        try
        {
            return owner != null && owner.session() == session;
        }
        finally
        {
            guard.unlock();
        }
    }

    @Override
    public void releaseAll(final ServerSession session)
    {
        guard.lock();
        try
        {
            if (owner != null && owner.session() == session)
            {
                owner = null;
                holds = 0;
                free.signal();
            }
        }
        finally
        {
            guard.unlock();
        }
    }

    @Override
    public String toString()
    {
        guard.lock();
        try
        {
            return (reentrant ? "RLock" : "Lock") + (owner == null ? "[unlocked]" : "[locked, holds=" + holds + "]");
        }
        finally
        {
            guard.unlock();
        }
    }
}
