package io.ipckit.manager.internal;

import java.io.Serializable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A complete future as it travels from the manager to a client ({@link io.ipckit.manager.ManagedPool#invokeAll}):
 * its value, or what the task threw (as an {@link ErrorInfo}, so the client decodes only allow-listed classes), or
 * cancelled. Immutable, thread-safe.
 *
 * @param value     the result, when it succeeded.
 * @param error     what the task threw, or null.
 * @param cancelled true when it was cancelled.
 * @param <T>       the result's type.
 */
public record DoneFuture<T>(T value, ErrorInfo error, boolean cancelled) implements Future<T>, Serializable
{
    /**
     * @param future a complete future.
     * @param <T>    its result's type.
     * @return its outcome.
     * @throws IllegalStateException when it is not complete.
     */
    static <T> DoneFuture<T> of(final Future<T> future)
    {
        if (!future.isDone())
        {
            throw new IllegalStateException("not complete: " + future);
        }
        if (future.isCancelled())
        {
            return new DoneFuture<>(null, null, true);
        }
        try
        {
            return new DoneFuture<>(future.resultNow(), null, false);
        }
        catch (final IllegalStateException ex)
        {
            final Throwable failure = future.exceptionNow();
            return failure instanceof CancellationException ? new DoneFuture<>(null, null, true) :
                new DoneFuture<>(null, ErrorInfo.of(failure), false);
        }
    }

    /**
     * Does nothing: the future is complete.
     *
     * @return false.
     */
    @Override
    public boolean cancel(final boolean mayInterruptIfRunning)
    {
        return false;
    }

    @Override
    public boolean isCancelled()
    {
        return cancelled;
    }

    @Override
    public boolean isDone()
    {
        return true;
    }

    /**
     * @return the value.
     * @throws CancellationException when the task was cancelled.
     * @throws ExecutionException    whose cause is what the task threw (rebuilt, the manager-side trace as its cause).
     */
    @Override
    public T get() throws ExecutionException
    {
        if (cancelled)
        {
            throw new CancellationException("the task was cancelled");
        }
        if (error != null)
        {
            throw new ExecutionException(error.message(), error.toLocal(null));
        }
        return value;
    }

    /**
     * @return the value, without waiting: the future is complete.
     * @throws CancellationException when the task was cancelled.
     * @throws ExecutionException    whose cause is what the task threw.
     */
    @Override
    public T get(final long timeout, final TimeUnit unit) throws ExecutionException
    {
        return get();
    }
}
