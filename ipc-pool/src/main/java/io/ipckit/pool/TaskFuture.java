package io.ipckit.pool;

import java.util.concurrent.CompletableFuture;

/**
 * The future of a task submitted to a {@link ProcessPool}: a {@link CompletableFuture}, so callers can chain on it
 * or {@code join} it. Cancelling a task that has not been sent to a worker yet removes it from the pool's queue;
 * cancelling a running task completes the future at once and discards the worker's later result (Python cannot
 * cancel a running task either).
 *
 * @param <V> the result type.
 */
final class TaskFuture<V> extends CompletableFuture<V>
{
    private final PoolScheduler scheduler;
    private final PoolTask task;

    TaskFuture(final PoolScheduler scheduler, final PoolTask task)
    {
        this.scheduler = scheduler;
        this.task = task;
    }

    @Override
    public boolean cancel(final boolean mayInterruptIfRunning)
    {
        final boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled)
        {
            scheduler.cancelPending(task);
        }
        return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture()
    {
        return new CompletableFuture<>();
    }
}
