package io.ipckit.pipe;

import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.wait.AsymmetricFence;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Marks the calls of one half of a {@link Connection} (its sending or its receiving side) while they run, so that a
 * {@link Connection#close()} on another thread never unmaps the file under them: the close looks at both gates, and
 * the mapping of a half found in a call is released by that call as it leaves ({@link EndMapping}).
 * <p>
 * A half has one thread at a time (the connection's contract), so the gate is a depth that only that thread writes:
 * a call costs two release stores of it and two loads of the guard's closed flag (one of which every call made
 * before), with no atomic instruction. The Dekker pair is the depth against the guard's closed flag: a call stores
 * its depth, then loads the flag; the close stores the flag, runs the waiting side of {@link AsymmetricFence}, then
 * loads the depths. So either the call sees the close (and leaves without touching the file), or the close sees the
 * call (and leaves the unmap to it). Where the kernel lacks the barrier, {@link AsymmetricFence#progressSide()} is a
 * full fence, twice per call.
 * <p>
 * The depth counts nested calls of the same half (a handler that calls its own half again): the mapping is released
 * when the outermost one leaves.
 * <p>
 * Thread-safety: {@link #tryEnter()}, {@link #enter()} and {@link #exit()} by the half's one thread;
 * {@link #isInCall()} by any thread.
 */
final class HalfGate
{
    private static final VarHandle DEPTH;

    static
    {
        try
        {
            DEPTH = MethodHandles.lookup().findVarHandle(HalfGate.class, "depth", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final CloseGuard guard;
    private final EndMapping mapping;
    /** Calls of this half under way on its thread; written by that thread only, read by a close. */
    @SuppressWarnings("unused") // through DEPTH, and plainly by the writing thread
    private int depth;

    HalfGate(final CloseGuard guard, final EndMapping mapping)
    {
        this.guard = guard;
        this.mapping = mapping;
    }

    /**
     * Enters a call of this half.
     *
     * @return true when entered; false when the connection is closed (the caller is then not inside, and must not
     * touch the file).
     */
    boolean tryEnter()
    {
        DEPTH.setRelease(this, depth + 1);
        AsymmetricFence.progressSide(); // the depth store before the load of the closed flag
        if (guard.isClosed())
        {
            exit();
            return false;
        }
        return true;
    }

    /**
     * Enters a call of this half.
     *
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the connection is closed (not entered then).
     */
    void enter()
    {
        if (!tryEnter())
        {
            guard.checkOpen(); // throws: closed for good
        }
    }

    /**
     * Leaves a call entered by {@link #tryEnter()} or {@link #enter()}; after a close, the outermost call hands the
     * mapping back, and the last of the end's calls to leave unmaps it.
     */
    void exit()
    {
        DEPTH.setRelease(this, depth - 1);
        AsymmetricFence.progressSide(); // the depth store before the load of the closed flag
        if (guard.isClosed())
        {
            mapping.callLeft(this);
        }
    }

    /**
     * @return true while a call of this half runs; for a close, after its closed flag and the waiting side of
     * {@link AsymmetricFence}.
     */
    boolean isInCall()
    {
        return (int)DEPTH.getVolatile(this) > 0;
    }
}
