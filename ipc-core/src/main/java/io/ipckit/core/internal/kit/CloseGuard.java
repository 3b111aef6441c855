package io.ipckit.core.internal.kit;

import io.ipckit.core.exceptions.ResourceClosedException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes closing a handle safe while other threads of the process are blocked in it: blocked threads are counted
 * ({@link Waiter} enters and exits), notice the close within one sleep slice and leave with
 * {@link ResourceClosedException}, and {@link #closeAndAwait} waits for them to leave before the caller unmaps the
 * file — so a late waiter never touches unmapped memory.
 * <p>
 * A handle whose every call (not only its waits) reads memory the close frees counts each call with
 * {@link #enterCall} and {@link #exitCall}, and closes with {@link #closeThenRelease}: a call under way at the close
 * (a handler of the caller's that runs on, the closing thread's own call) frees that memory as it leaves, so no
 * thread reads freed memory and no close waits for a call to end.
 * <p>
 * Thread-safe.
 */
public final class CloseGuard
{
    private static final long AWAIT_LIMIT_NS = TimeUnit.SECONDS.toNanos(5);
    /** Added to the count of threads inside once the close handed its release to the last of them to leave. */
    private static final int RELEASE_DEFERRED = 1 << 30;
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
    /** Threads waiting (their wakes the close awaits). */
    private final AtomicInteger waiters = new AtomicInteger();
    /** Threads waiting or in a counted call, plus {@link #RELEASE_DEFERRED} once the release is theirs. */
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicBoolean released = new AtomicBoolean();
    private final String description;
    /** Written before the count is raised by {@link #RELEASE_DEFERRED}, read after a decrement that reads it. */
    private Runnable release;

    /**
     * @param description the guarded resource, for messages.
     */
    public CloseGuard(final String description)
    {
        this.description = description;
    }

    /**
     * @return true once {@link #closeAndAwait} or {@link #closeThenRelease} was called.
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

    /**
     * @return true while a thread waits in the handle ({@link Waiter#begin} to {@link Waiter#end}): a close that
     * frees the memory it sleeps on leaves that to the waiter.
     */
    public boolean hasWaiters()
    {
        return waiters.get() > 0;
    }

    void enter()
    {
        waiters.incrementAndGet();
        inside.incrementAndGet();
        if (closed)
        {
            exit();
            checkOpen();
        }
    }

    void exit()
    {
        waiters.decrementAndGet();
        exitCall();
    }

    /**
     * Counts the calling thread in a call of the handle until its {@link #exitCall}: a
     * {@link #closeThenRelease} meanwhile leaves its release to that thread.
     *
     * @throws ResourceClosedException when closed (the thread is then not counted).
     */
    public void enterCall()
    {
        inside.incrementAndGet();
        if (closed)
        {
            exitCall();
            checkOpen();
        }
    }

    /**
     * Ends the calling thread's {@link #enterCall}; the last thread to leave after a {@link #closeThenRelease} runs
     * that close's release, when the close could not.
     */
    public void exitCall()
    {
        if (inside.decrementAndGet() == RELEASE_DEFERRED)
        {
            runRelease();
        }
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
        awaitLeaving(0, doorbells);
        return true;
    }

    /**
     * Marks the handle closed, rings the doorbells, waits (at most 5 s) until every blocked thread has left, and runs
     * {@code release}: at once when no thread is in a counted call ({@link #enterCall}), otherwise in the last one to
     * leave. The release runs exactly once.
     *
     * @param release       frees what the handle's calls read (unmaps, closes the store).
     * @param callerWaiting 1 when the calling thread is itself counted as waiting (a close from a handler that runs
     *                      inside a wait of the handle), else 0: the close does not wait for itself.
     * @param doorbells     the doorbells this handle's threads may sleep on.
     * @return true when this call closed the handle, false when it was already closed (nothing is then run).
     */
    public boolean closeThenRelease(final Runnable release, final int callerWaiting, final Doorbell... doorbells)
    {
        if (!CLOSED.compareAndSet(this, false, true))
        {
            return false;
        }
        awaitLeaving(callerWaiting, doorbells);
        this.release = release;
        if (inside.addAndGet(RELEASE_DEFERRED) == RELEASE_DEFERRED)
        {
            runRelease();
        }
        return true;
    }

    private void awaitLeaving(final int remaining, final Doorbell... doorbells)
    {
        final long startNs = System.nanoTime();
        while (waiters.get() > remaining && System.nanoTime() - startNs < AWAIT_LIMIT_NS)
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
    }

    private void runRelease()
    {
        if (released.compareAndSet(false, true))
        {
            release.run();
        }
    }
}
