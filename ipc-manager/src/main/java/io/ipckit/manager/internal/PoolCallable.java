package io.ipckit.manager.internal;

import io.ipckit.pool.SerializableCallable;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;

/**
 * A {@link Callable} submitted to a manager's pool, as it travels to a worker (which calls it) and as
 * {@link io.ipckit.manager.ManagedPool#shutdownNow} returns it when it never ran: a {@link Runnable} that calls it,
 * as {@link java.util.concurrent.ThreadPoolExecutor#shutdownNow} returns a {@code FutureTask}.
 *
 * @param task the task as submitted.
 * @param <T>  its result's type.
 */
public record PoolCallable<T>(Callable<T> task) implements SerializableCallable<T>, Runnable
{
    @Override
    public T call() throws Exception
    {
        return task.call();
    }

    /**
     * Calls the task and drops its result.
     *
     * @throws CompletionException around what the task threw, unless unchecked.
     */
    @Override
    public void run()
    {
        try
        {
            task.call();
        }
        catch (final RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new CompletionException(ex);
        }
    }
}
