package io.ipckit.pool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The bulk methods of {@link ExecutorService} for {@link ProcessPool} ({@code invokeAll}, {@code invokeAny}), built
 * on its {@code submit}, with {@link ExecutorService}'s documented meaning.
 * <p>
 * Stateless and thread-safe.
 */
final class Invocations
{
    private Invocations()
    {
    }

    /**
     * {@link ExecutorService#invokeAll(Collection)}: submits every task, then waits for each.
     */
    static <T> List<Future<T>> invokeAll(final ProcessPool pool, final Collection<? extends Callable<T>> tasks)
        throws InterruptedException
    {
        final List<Future<T>> futures = new ArrayList<>(tasks.size());
        for (final Callable<T> task : tasks)
        {
            futures.add(pool.submit(task));
        }
        for (final Future<T> future : futures)
        {
            try
            {
                future.get();
            }
            catch (final ExecutionException | CancellationException ignore)
            {
                // invokeAll returns completed futures, failed ones included
            }
            catch (final InterruptedException ex)
            {
                cancelAll(futures);
                throw ex;
            }
        }
        return futures;
    }

    /**
     * Cancels every task not done, as {@link ExecutorService#invokeAll} does when the caller is interrupted or its time
     * runs out: those not yet sent to a worker never run, a running one runs to its end with its result dropped.
     */
    private static <T> void cancelAll(final List<Future<T>> futures)
    {
        futures.forEach((f) -> f.cancel(true));
    }

    /**
     * {@link ExecutorService#invokeAll(Collection, long, TimeUnit)}: as {@link #invokeAll(ProcessPool, Collection)},
     * cancelling every task not done when the time runs out.
     */
    static <T> List<Future<T>> invokeAll(
        final ProcessPool pool, final Collection<? extends Callable<T>> tasks, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        // elapsed time against the timeout: a deadline of now + timeout wraps for Long.MIN_VALUE (and MAX_VALUE)
        final long timeoutNs = Math.max(0, unit.toNanos(timeout));
        final long startNs = System.nanoTime();
        final List<Future<T>> futures = new ArrayList<>(tasks.size());
        for (final Callable<T> task : tasks)
        {
            futures.add(pool.submit(task));
        }
        for (final Future<T> future : futures)
        {
            try
            {
                future.get(Math.max(0, timeoutNs - (System.nanoTime() - startNs)), TimeUnit.NANOSECONDS);
            }
            catch (final ExecutionException | CancellationException ignore)
            {
                // completed with a failure
            }
            catch (final InterruptedException ex)
            {
                cancelAll(futures);
                throw ex;
            }
            catch (final TimeoutException ex)
            {
                cancelAll(futures);
                break;
            }
        }
        return futures;
    }

    /**
     * {@link ExecutorService#invokeAny(Collection)}: the result of the first task to succeed.
     */
    static <T> T invokeAny(final ProcessPool pool, final Collection<? extends Callable<T>> tasks)
        throws InterruptedException, ExecutionException
    {
        try
        {
            return invokeAny(pool, tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("unreachable: no timeout was set", ex);
        }
    }

    /**
     * {@link ExecutorService#invokeAny(Collection, long, TimeUnit)}: the result of the first task to succeed within
     * the timeout; the other tasks are cancelled.
     */
    static <T> T invokeAny(
        final ProcessPool pool, final Collection<? extends Callable<T>> tasks, final long timeout, final TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        if (tasks.isEmpty())
        {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        final List<CompletableFuture<T>> futures = new ArrayList<>(tasks.size());
        final BlockingQueue<CompletableFuture<T>> done = new LinkedBlockingQueue<>();
        for (final Callable<T> task : tasks)
        {
            final CompletableFuture<T> future = pool.submit(task);
            futures.add(future);
            future.whenComplete((v, e) -> done.add(future));
        }
        final long timeoutNs = Math.max(0, unit.toNanos(timeout)); // elapsed time against it: no deadline to wrap
        final long startNs = System.nanoTime();
        ExecutionException last = null;
        try
        {
            for (int i = 0; i < futures.size(); i++)
            {
                final CompletableFuture<T> future = timeoutNs == Long.MAX_VALUE ? done.take() :
                    done.poll(Math.max(0, timeoutNs - (System.nanoTime() - startNs)), TimeUnit.NANOSECONDS);
                if (future == null)
                {
                    throw new TimeoutException("no task of invokeAny completed within " + unit.toMillis(timeout) + " ms");
                }
                try
                {
                    return future.get();
                }
                catch (final ExecutionException | CancellationException ex)
                {
                    last = ex instanceof ExecutionException ee ? ee : new ExecutionException(ex);
                }
            }
            throw last;
        }
        finally
        {
            futures.forEach((f) -> f.cancel(true));
        }
    }
}
