package io.ipckit.pool;

import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The iterator of {@link ProcessPool#asCompleted}: yields each future once, in the order they complete.
 * {@link #next()} blocks until another future is done; interrupted, it throws {@link CompletionException} caused by
 * the {@link InterruptedException}, with the thread's interrupt flag set again ({@link Iterator#next()} cannot
 * throw it).
 * <p>
 * Not thread-safe: one thread iterates.
 *
 * @param <T> the futures' value type.
 */
final class CompletionOrder<T> implements Iterator<CompletableFuture<T>>
{
    private final BlockingQueue<CompletableFuture<T>> done = new LinkedBlockingQueue<>();
    private final int total;
    private int yielded;

    CompletionOrder(final Collection<? extends CompletableFuture<T>> futures)
    {
        for (final CompletableFuture<T> future : futures)
        {
            future.whenComplete((v, e) -> done.add(future));
        }
        this.total = futures.size();
    }

    @Override
    public boolean hasNext()
    {
        return yielded < total;
    }

    @Override
    public CompletableFuture<T> next()
    {
        if (!hasNext())
        {
            throw new NoSuchElementException("all " + total + " futures have been returned");
        }
        try
        {
            final CompletableFuture<T> next = done.take();
            yielded++;
            return next;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new CompletionException("interrupted while waiting for a future", ex);
        }
    }
}
