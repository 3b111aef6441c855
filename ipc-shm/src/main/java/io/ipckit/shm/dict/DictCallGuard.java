package io.ipckit.shm.dict;

import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.internal.wait.AsymmetricFence;

import java.lang.invoke.MethodHandles;
import java.lang.ref.WeakReference;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps a dict's mapping until no thread of this process is inside a call of its handle: a {@link #close()} racing
 * calls on other threads (or made from inside a call, by a handler or a compute function) unmaps the file only once
 * the last of them has left, so no call reads unmapped memory, which would crash the JVM.
 * <p>
 * Each thread has a slot of its own, registered with the guard the first time the thread calls the handle, holding
 * how deep the thread is in calls of the handle. A call stores its depth with a release and then reads the closed
 * flag; the close sets the flag and then runs the waiting side of {@link AsymmetricFence} (a {@code membarrier}) before
 * it reads the slots, so either the close sees the call's depth (and leaves the unmapping to the last call out), or
 * the call sees the flag (and leaves without touching the memory). A call costs a thread-local look-up and two plain
 * stores, where a shared counter would cost two atomic operations on a line every thread of the process writes.
 * <p>
 * Thread-safe.
 */
final class DictCallGuard
{
    private static final int MIN_PRUNE_AT = 64;
    private static final VarHandle DEPTH;

    static
    {
        try
        {
            DEPTH = MethodHandles.lookup().findVarHandle(Slot.class, "depth", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String description;
    private final Runnable release;
    private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Slot> slot = ThreadLocal.withInitial(this::register);
    private volatile boolean closed;
    /** Guarded by this. */
    private boolean released;
    /** The number of slots at which {@link #register()} next drops those of threads that ended; guarded by this. */
    private int pruneAt = MIN_PRUNE_AT;

    /**
     * One thread's depth in calls of the handle.
     */
    static final class Slot
    {
        /** Written by its thread only, with a release; read by a closing thread. */
        int depth;
        /** Its thread, so that the slots of threads that ended can be dropped. */
        final WeakReference<Thread> thread = new WeakReference<>(Thread.currentThread());
    }

    /**
     * @param description the dict, for messages.
     * @param release     unmaps the file; run once, by the close or by the last call to leave after it.
     */
    DictCallGuard(final String description, final Runnable release)
    {
        this.description = description;
        this.release = release;
    }

    /**
     * Enters a call: from here to {@link #exit(Slot)} the mapping stays. Pair it with {@code exit} in a
     * {@code finally}.
     *
     * @return this thread's slot, for {@link #exit(Slot)}.
     * @throws ResourceClosedException when the handle is closed (the call must not touch the memory).
     */
    Slot enter()
    {
        final Slot s = slot.get();
        final int depth = s.depth;
        DEPTH.setRelease(s, depth + 1);
        AsymmetricFence.progressSide();
        if (closed)
        {
            exit(s);
            throw closedException();
        }
        return s;
    }

    /**
     * Leaves a call entered with {@link #enter()}; the last call out of a closed handle unmaps it.
     *
     * @param s the slot {@link #enter()} returned.
     */
    void exit(final Slot s)
    {
        final int depth = s.depth - 1;
        DEPTH.setRelease(s, depth);
        if (depth == 0)
        {
            AsymmetricFence.progressSide();
            if (closed)
            {
                releaseIfIdle();
            }
        }
    }

    /**
     * @throws ResourceClosedException when closed.
     */
    void checkOpen()
    {
        if (closed)
        {
            throw closedException();
        }
    }

    /**
     * Closes the handle: calls that begin from now throw {@link ResourceClosedException}, and the file is unmapped
     * now when no thread is inside a call, or else by the last to leave. Idempotent; never waits.
     */
    void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        AsymmetricFence.waitingSide();
        releaseIfIdle();
    }

    private synchronized void releaseIfIdle()
    {
        if (released)
        {
            return;
        }
        for (final Slot s : slots)
        {
            if ((int)DEPTH.getAcquire(s) != 0)
            {
                return; // that thread's exit releases
            }
        }
        released = true;
        release.run();
    }

    private synchronized Slot register()
    {
        if (slots.size() >= pruneAt)
        {
            // slots of threads that ended are idle for good: drop them, so short-lived threads do not pile up
            slots.removeIf((s) -> (int)DEPTH.getAcquire(s) == 0 && !isAlive(s.thread.get()));
            pruneAt = Math.max(MIN_PRUNE_AT, 2 * slots.size());
        }
        final Slot s = new Slot();
        slots.add(s);
        return s;
    }

    private static boolean isAlive(final Thread thread)
    {
        return thread != null && thread.isAlive();
    }

    private ResourceClosedException closedException()
    {
        return new ResourceClosedException(description + " is closed in this process; open it again to use it");
    }
}
