package io.ipckit.core.internal.kit;

import org.agrona.concurrent.AtomicBuffer;

/**
 * A process-level mutual-exclusion word in shared memory: 0 when free, otherwise the {@link OwnerToken} of the
 * holding process. Acquired with one compare-and-set; released with a release store (a {@link Doorbell} rung after
 * it orders the store before its load of the waiter count, see {@link io.ipckit.core.internal.wait.AsymmetricFence}). A holder that died is detected by its token and the lock taken
 * over with a compare-and-set from the dead token, so it is never held forever.
 * <p>
 * Data protected by the lock must be crash-consistent: every change published by a single store at the end of the
 * critical section, so that a takeover finds either the old or the new state, never a half-made one.
 * <p>
 * The token names a process, not a thread: callers serialise their own threads (e.g. with a
 * {@link java.util.concurrent.locks.ReentrantLock}) before taking it. A flyweight; process-safe.
 */
public final class OwnerLock
{
    /** How many times {@link #tryAcquireWithBackoff()} looks at the word. */
    static final int BACKOFF_POLLS = 8;
    /** The most pauses {@link #tryAcquireWithBackoff()} makes between two looks. */
    static final int MAX_PAUSES_PER_POLL = 64;

    private AtomicBuffer buffer;
    private int offset;

    /**
     * Points this flyweight at an 8-byte aligned lock word.
     *
     * @param buffer the shared memory.
     * @param offset the word's offset.
     * @return this.
     */
    public OwnerLock wrap(final AtomicBuffer buffer, final int offset)
    {
        buffer.boundsCheck(offset, Long.BYTES);
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * Takes the lock if it is free.
     *
     * @return true when this process now holds it.
     */
    public boolean tryAcquire()
    {
        // read first: on a page lost to truncation a read faults safely (InternalError), an interpreted CAS crashes
        return buffer.getLongVolatile(offset) == OwnerToken.NONE &&
            buffer.compareAndSetLong(offset, OwnerToken.NONE, OwnerToken.current());
    }

    /**
     * Takes the lock if it is free now or becomes free within a short spin: up to {@value #BACKOFF_POLLS} looks at
     * the word, with {@link Thread#onSpinWait()} pauses between them that double from 1 to
     * {@value #MAX_PAUSES_PER_POLL} (about 190 pauses in all, 2.5 µs on a recent x86 core). A waiter that read the
     * word at every pause would take its cache line from the holder each time, so every release and every new hold
     * of a holder that keeps the lock busy would wait for the line to come back; backing off leaves the line with the
     * holder between looks. Call it before an expensive wait (a clock read, a registration, a sleep), never instead
     * of one: it gives up after the spin.
     *
     * @return true when this process now holds it.
     */
    public boolean tryAcquireWithBackoff()
    {
        int pauses = 1;
        for (int poll = 0; poll < BACKOFF_POLLS; poll++)
        {
            for (int i = 0; i < pauses; i++)
            {
                Thread.onSpinWait();
            }
            if (tryAcquire())
            {
                return true;
            }
            pauses = Math.min(pauses << 1, MAX_PAUSES_PER_POLL);
        }
        return false;
    }

    /**
     * Takes the lock if it is held by a process that is no longer alive. Reads {@code /proc}: call it on slow paths.
     *
     * @return the dead holder's token when this process took the lock over from it, or {@link OwnerToken#NONE}.
     */
    public long tryTakeOverFromDead()
    {
        final long holder = buffer.getLongVolatile(offset);
        if (holder != OwnerToken.NONE && holder != OwnerToken.current() && !OwnerToken.isAlive(holder) &&
            buffer.compareAndSetLong(offset, holder, OwnerToken.current()))
        {
            io.ipckit.core.internal.jfr.JfrEvents.lockTakenOver(holder);
            return holder;
        }
        return OwnerToken.NONE;
    }

    /**
     * Releases the lock held by this process with a release store (no fence: a doorbell rung next orders it).
     */
    public void release()
    {
        // release store -> publishes the critical section to the next holder; a caller that rings a doorbell next
        // runs AsymmetricFence.progressSide() first (Doorbell.ring does)
        buffer.putLongRelease(offset, OwnerToken.NONE);
    }

    /**
     * @return the token of the holder, {@link OwnerToken#NONE} when free.
     */
    public long holder()
    {
        return buffer.getLongVolatile(offset);
    }
}
