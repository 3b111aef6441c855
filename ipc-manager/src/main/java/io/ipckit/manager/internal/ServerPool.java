package io.ipckit.manager.internal;

import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.manager.ManagedPool;
import io.ipckit.pool.PoolOptions;
import io.ipckit.pool.ProcessPool;
import io.ipckit.pool.SerializableCallable;
import io.ipckit.pool.SerializableFunction;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The manager side of {@code pool(n)}: a {@link ProcessPool} of worker JVMs started by the manager's JVM, which
 * ends with the manager (its workers are daemon children). Its result filter admits the manager's allow-list
 * besides the pool's defaults (the results go on to the clients through the same allow-list).
 * <p>
 * Note to maintainers: a {@link Callable} goes to the pool inside a {@link PoolCallable}, which is also a
 * {@link Runnable}, so that {@link #shutdownNow} gets it back as it was submitted (the pool hands a never-run
 * {@code Callable} back in a {@link java.util.concurrent.FutureTask}, which cannot travel to a client); the worker
 * calls it as a {@code Callable}. The futures of {@link #invokeAll} are complete when it returns and travel as
 * {@link DoneFuture}s. Thread-safe (the pool is).
 */
final class ServerPool implements ManagedPool
{
    private final ProcessPool pool;

    /**
     * @param workers        the number of worker JVMs.
     * @param allowedClasses the manager's allow-list patterns.
     */
    ServerPool(final int workers, final List<String> allowedClasses)
    {
        if (workers < 1)
        {
            throw new IllegalArgumentException("a pool needs at least one worker: " + workers);
        }
        pool = ProcessPool.create(new PoolOptions().workers(workers)
            .allowClasses(allowedClasses.toArray(new String[0])));
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
        return pool.submit((Callable<T>)new PoolCallable<>(task));
    }

    @Override
    public Future<?> submit(final SerializableRunnable task)
    {
        return pool.submit(task);
    }

    @Override
    public <T> Future<T> submit(final Callable<T> task)
    {
        return pool.submit((Callable<T>)new PoolCallable<>(task));
    }

    @Override
    public Future<?> submit(final Runnable task)
    {
        return pool.submit(task);
    }

    @Override
    public <T> Future<T> submit(final Runnable task, final T result)
    {
        return pool.submit(task, result);
    }

    @Override
    public void execute(final Runnable command)
    {
        pool.execute(command);
    }

    @Override
    public <T> List<Future<T>> invokeAll(final Collection<? extends Callable<T>> tasks) throws InterruptedException
    {
        return done(pool.invokeAll(tasks));
    }

    @Override
    public <T> List<Future<T>> invokeAll(final Collection<? extends Callable<T>> tasks, final long timeout,
        final TimeUnit unit) throws InterruptedException
    {
        return done(pool.invokeAll(tasks, timeout, unit));
    }

    private static <T> List<Future<T>> done(final List<Future<T>> futures)
    {
        final List<Future<T>> done = new ArrayList<>(futures.size());
        for (final Future<T> future : futures)
        {
            done.add(DoneFuture.of(future));
        }
        return done;
    }

    @Override
    public <T> T invokeAny(final Collection<? extends Callable<T>> tasks)
        throws InterruptedException, ExecutionException
    {
        return pool.invokeAny(tasks);
    }

    @Override
    public <T> T invokeAny(final Collection<? extends Callable<T>> tasks, final long timeout, final TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        return pool.invokeAny(tasks, timeout, unit);
    }

    @Override
    public void shutdown()
    {
        pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow()
    {
        final List<Runnable> neverRun = new ArrayList<>();
        for (final Runnable task : pool.shutdownNow())
        {
            // a Runnable as submitted, or a PoolCallable; never a FutureTask, since every Callable is wrapped
            if (task instanceof java.io.Serializable)
            {
                neverRun.add(task);
            }
        }
        return neverRun;
    }

    @Override
    public boolean isShutdown()
    {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated()
    {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return pool.awaitTermination(timeout, unit);
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
        return "Pool[" + pool.workerCount() + " workers" + (pool.isShutdown() ? ", shut down" : "") + "]";
    }
}
