package io.ipckit.manager.internal;

import io.ipckit.manager.ManagedCondition;

import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A condition variable in the manager, over a {@link ServerLock} (its own reentrant one, as Python's
 * {@code Condition()} makes, or the lock whose {@code newCondition()} made it). Waiting releases the client's
 * ownership of the lock and takes it back. Thread-safe.
 */
final class ServerCondition implements ManagedCondition
{
    private final ServerLock lock;
    private final Condition condition;

    ServerCondition()
    {
        this(new ServerLock(true));
    }

    ServerCondition(final ServerLock lock)
    {
        this.lock = lock;
        this.condition = lock.guard.newCondition();
    }

    @Override
    public void lock()
    {
        lock.lock();
    }

    @Override
    public void lockInterruptibly() throws InterruptedException
    {
        lock.lockInterruptibly();
    }

    @Override
    public boolean tryLock()
    {
        return lock.tryLock();
    }

    @Override
    public boolean tryLock(final long time, final TimeUnit unit) throws InterruptedException
    {
        return lock.tryLock(time, unit);
    }

    @Override
    public void unlock()
    {
        lock.unlock();
    }

    @Override
    public Condition newCondition()
    {
        return lock.newCondition();
    }

    @Override
    public void await() throws InterruptedException
    {
        awaitNanos(Long.MAX_VALUE);
    }

    @Override
    public void awaitUninterruptibly()
    {
        try
        {
            awaitNanos(Long.MAX_VALUE);
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException("wait abandoned: the caller went away", ex);
        }
    }

    @Override
    public long awaitNanos(final long nanosTimeout) throws InterruptedException
    {
        lock.guard.lockInterruptibly();
        try
        {
            return lock.awaitOn(condition, nanosTimeout);
        }
        finally
        {
            lock.guard.unlock();
        }
    }

    @Override
    public boolean await(final long time, final TimeUnit unit) throws InterruptedException
    {
        return awaitNanos(unit.toNanos(time)) > 0;
    }

    @Override
    public boolean awaitUntil(final Date deadline) throws InterruptedException
    {
        return awaitNanos(TimeUnit.MILLISECONDS.toNanos(deadline.getTime() - System.currentTimeMillis())) > 0;
    }

    @Override
    public void signal()
    {
        lock.guard.lock();
        try
        {
            lock.checkOwner(CallContext.current());
            condition.signal();
        }
        finally
        {
            lock.guard.unlock();
        }
    }

    @Override
    public void signalAll()
    {
        lock.guard.lock();
        try
        {
            lock.checkOwner(CallContext.current());
            condition.signalAll();
        }
        finally
        {
            lock.guard.unlock();
        }
    }
}
