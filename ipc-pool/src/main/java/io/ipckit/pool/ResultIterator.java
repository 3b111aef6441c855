package io.ipckit.pool;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Yields the results of a {@code imap}/{@code imapUnordered} call as they arrive: in submission order, or in
 * completion order. {@link #next()} blocks until the next result is in; a failed item is raised as a
 * {@link CompletionException} whose cause is the worker's exception, and a cancelled one (by
 * {@link ProcessPool#shutdownNow()}) as one whose cause is the {@link CancellationException}. {@link #next()} cannot throw
 * {@link InterruptedException}: interrupted, it throws {@link CompletionException} caused by it, with the interrupt
 * flag set again; the pool's own blocking calls use {@link #nextInterruptibly()}.
 *
 * @param <R> the result type.
 */
final class ResultIterator<R> implements Iterator<R>
{
    private final List<PoolTask> tasks;
    private final boolean ordered;
    private final BlockingQueue<PoolTask> completed = new LinkedBlockingQueue<>();
    private final int total;
    private int yielded;
    private PoolTask current;
    private int itemInCurrent;
    private int taskIndex;

    ResultIterator(final List<PoolTask> tasks, final boolean ordered)
    {
        this.tasks = tasks;
        this.ordered = ordered;
        int count = 0;
        for (final PoolTask task : tasks)
        {
            count += task.count;
            if (!ordered)
            {
                task.results.whenComplete((values, error) -> completed.add(task));
            }
        }
        this.total = count;
    }

    @Override
    public boolean hasNext()
    {
        return yielded < total;
    }

    @Override
    public R next()
    {
        try
        {
            return nextInterruptibly();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new CompletionException("interrupted while waiting for a pool result", ex);
        }
    }

    /**
     * As {@link #next()}, throwing {@link InterruptedException} when interrupted while waiting.
     *
     * @return the next result.
     * @throws CompletionException    whose cause is the failure of the item.
     * @throws InterruptedException   when interrupted while waiting.
     * @throws NoSuchElementException when every result was returned.
     */
    @SuppressWarnings("unchecked")
    R nextInterruptibly() throws InterruptedException
    {
        if (!hasNext())
        {
            throw new NoSuchElementException("all " + total + " results have been returned");
        }
        while (current == null || itemInCurrent == current.count)
        {
            current = nextTask();
            itemInCurrent = 0;
        }
        final Object[] values;
        try
        {
            values = current.results.get();
        }
        catch (final ExecutionException | CancellationException ex)
        {
            yielded += current.count - itemInCurrent;
            itemInCurrent = current.count;
            throw new CompletionException(causeOf(ex));
        }
        final int item = itemInCurrent++;
        yielded++;
        if (current.failed[item])
        {
            throw new CompletionException((Throwable)values[item]);
        }
        return (R)values[item];
    }

    /**
     * Every result in submission order, for {@code map}: waits for each task once and copies its results, instead of
     * one {@link #next()} per item. Only on an ordered iterator that has yielded nothing yet.
     *
     * @return the results in a new list.
     * @throws CompletionException  whose cause is the first failure, in item order.
     * @throws InterruptedException when interrupted while waiting.
     */
    @SuppressWarnings("unchecked")
    java.util.List<R> toList() throws InterruptedException
    {
        if (!ordered || yielded != 0)
        {
            throw new IllegalStateException("toList() needs an ordered iterator that yielded nothing yet");
        }
        awaitAllOrFirstFailure();
        final java.util.ArrayList<R> results = new java.util.ArrayList<>(total);
        for (final PoolTask task : tasks)
        {
            if (Thread.interrupted())
            {
                throw new InterruptedException("interrupted while collecting the results of a pool map");
            }
            final Object[] values;
            try
            {
                values = task.results.get();
            }
            catch (final ExecutionException | CancellationException ex)
            {
                throw new CompletionException(causeOf(ex));
            }
            final boolean[] failed = task.failed;
            for (int i = 0; i < task.count; i++)
            {
                if (failed[i])
                {
                    throw new CompletionException((Throwable)values[i]);
                }
                results.add((R)values[i]);
            }
        }
        yielded = total;
        taskIndex = tasks.size();
        return results;
    }

    /**
     * Waits until every task is done or one has failed, woken once for the whole map rather than once per task: the
     * thread that completes a task (a worker's reader) only counts down, and wakes this one at the end or at the
     * first failure (after which {@link #toList()} waits task by task, in order, as before).
     */
    private void awaitAllOrFirstFailure() throws InterruptedException
    {
        if (tasks.isEmpty())
        {
            return;
        }
        final CompletableFuture<Void> doneOrFailed = new CompletableFuture<>();
        final AtomicInteger remaining = new AtomicInteger(tasks.size());
        for (final PoolTask task : tasks)
        {
            // task.failed is written before results completes, so it is visible here
            task.results.whenComplete((values, error) ->
            {
                if (error != null || anyFailed(task.failed) || remaining.decrementAndGet() == 0)
                {
                    doneOrFailed.complete(null);
                }
            });
        }
        try
        {
            doneOrFailed.get();
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("unreachable: completed only normally", ex);
        }
    }

    /**
     * @param ex what {@link CompletableFuture#get()} threw for a task that did not complete normally.
     * @return the task's failure: the cause of an {@link ExecutionException}, or the cancellation (a task cancelled
     *         by {@code shutdownNow()}, or by its caller), which {@code get()} throws itself rather than wrapped.
     */
    static Throwable causeOf(final Exception ex)
    {
        if (ex instanceof ExecutionException)
        {
            return ex.getCause();
        }
        return ex.getCause() instanceof CancellationException original ? original : ex;
    }

    private static boolean anyFailed(final boolean[] failed)
    {
        for (final boolean f : failed)
        {
            if (f)
            {
                return true;
            }
        }
        return false;
    }

    private PoolTask nextTask() throws InterruptedException
    {
        return ordered ? tasks.get(taskIndex++) : completed.take();
    }
}
