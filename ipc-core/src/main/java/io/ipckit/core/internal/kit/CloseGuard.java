package io.ipckit.core.internal.kit;

import io.ipckit.core.exceptions.ResourceClosedException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes closing a handle safe while other threads of the process are blocked in it: blocked threads are counted
 * ({@link Waiter} enters and exits), notice the close within one sleep slice and leave with
 * {@link ResourceClosedException}, and {@link #closeAndAwait} waits for them to leave before the caller unmaps the
 * file — so a late waiter never touches unmapped memory.
 * <p>
 * Thread-safe.
 */
public final class CloseGuard
{
    private static final long AWAIT_LIMIT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final VarHandle CLOSED;

    static
    {
        try
        {
            CLOSED = MethodHandles.lookup().findVarHandle(CloseGuard.class, "closed", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Read on every call of the guarded handle: a field of its own, not an object to reach through a reference. */
    private volatile boolean closed;
    private final AtomicInteger waiters = new AtomicInteger();
    private final String description;

    /**
     * @param description the guarded resource, for messages.
     */
    public CloseGuard(final String description)
    {
        this.description = description;
    }

    /**
     * @return true once {@link #closeAndAwait} was called.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * @throws ResourceClosedException when closed.
     */
    public void checkOpen()
    {
        if (closed)
        {
            throw new ResourceClosedException(description + " is closed in this process: open it again");
        }
    }

    void enter()
    {
        waiters.incrementAndGet();
        if (closed)
        {
            waiters.decrementAndGet();
            checkOpen();
        }
    }

    void exit()
    {
        waiters.decrementAndGet();
    }

    /**
     * Marks the handle closed, rings the doorbells so that sleepers wake, and waits (at most 5 s) until every blocked
     * thread has left.
     *
     * @param doorbells the doorbells this handle's threads may sleep on.
     * @return true when this call closed the handle, false when it was already closed.
     */
    public boolean closeAndAwait(final Doorbell... doorbells)
    {
        if (!CLOSED.compareAndSet(this, false, true))
        {
            return false;
        }
        final long startNs = System.nanoTime();
        while (waiters.get() > 0 && System.nanoTime() - startNs < AWAIT_LIMIT_NS)
        {
            try
            {
                for (final Doorbell doorbell : doorbells)
                {
                    doorbell.ring();
                }
            }
            catch (final InternalError ex)
            {
                // the file was truncated under us (SIGBUS on a read): its sleepers fault on their own next read
            }
            Thread.yield();
        }
        return true;
    }
}
