package io.ipckit.manager.internal;

import io.ipckit.manager.ManagedPool;
import io.ipckit.pool.ProcessPool;
import io.ipckit.pool.SerializableCallable;
import io.ipckit.pool.SerializableFunction;

import java.util.List;
import java.util.concurrent.Future;

/**
 * The manager side of {@code pool(n)}: a {@link ProcessPool} of worker JVMs started by the manager's JVM, which
 * ends with the manager (its workers are daemon children). Thread-safe (the pool is).
 */
final class ServerPool implements ManagedPool
{
    private final ProcessPool pool;

    ServerPool(final int workers)
    {
        if (workers < 1)
        {
            throw new IllegalArgumentException("a pool needs at least one worker: " + workers);
        }
        pool = ProcessPool.create(workers);
    }

    @Override
    public <T, R> R apply(final SerializableFunction<T, R> fn, final T argument) throws InterruptedException
    {
        return pool.apply(fn, argument);
    }

    @Override
    public <T, R> List<R> map(final SerializableFunction<T, R> fn, final List<? extends T> items)
        throws InterruptedException
    {
        return pool.map(fn, items);
    }

    @Override
    public <T> Future<T> submit(final SerializableCallable<T> task)
    {
        return pool.submit(task);
    }

    @Override
    public int workerCount()
    {
        return pool.workerCount();
    }

    @Override
    public void close()
    {
        pool.close();
    }

    @Override
    public String toString()
    {
        return "Pool[" + pool.workerCount() + " workers]";
    }
}
