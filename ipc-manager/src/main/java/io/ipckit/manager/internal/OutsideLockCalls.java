package io.ipckit.manager.internal;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The journaled calls a durable manager applies outside its journal's lock ({@link JournalModes.Mode#AFTER}: the
 * blocking methods of registered types, journaled when they return), counted between the start of their effect and
 * their entry, so that a snapshot is taken only while none is in between: else it could hold a call's effect while the
 * call's entry comes after the entry the snapshot covers, and a replay would apply the call twice (or, should the
 * manager die before the entry, the call sent again after the restart would). A snapshot waits for them with a
 * deadline and keeps new ones from starting meanwhile ({@link #awaitNone}).
 * <p>
 * Every method is called by a thread that holds the lock given at construction, except {@link #enter}, which takes
 * it. Thread-safe under that lock.
 */
final class OutsideLockCalls
{
    private final ReentrantLock lock;
    /** Signalled when the count reaches 0 while a snapshot waits. */
    private final Condition noneLeft;
    /** Signalled when a snapshot stops waiting: the calls held meanwhile go on. */
    private final Condition snapshotDone;
    /** The calls between the start of their effect and their entry. Under {@code lock}. */
    private int applying;
    /** A snapshot waits for {@link #applying} to reach 0: new calls wait. Under {@code lock}. */
    private boolean snapshotWaiting;

    /**
     * @param lock the journal's lock, under which entries are appended and snapshots taken.
     */
    OutsideLockCalls(final ReentrantLock lock)
    {
        this.lock = lock;
        this.noneLeft = lock.newCondition();
        this.snapshotDone = lock.newCondition();
    }

    /**
     * Counts a call in before its effect, taking the lock for it: first it waits while a snapshot waits for the calls
     * under way.
     *
     * @throws InterruptedException when interrupted while it waits for the lock or the snapshot; it is not counted.
     */
    void enter() throws InterruptedException
    {
        lock.lockInterruptibly();
        try
        {
            while (snapshotWaiting)
            {
                snapshotDone.await();
            }
            applying++;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Counts a call out, holding the lock: once it is journaled, in the same hold of the lock as its append, so that
     * a snapshot sees its effect with its entry or neither; or once it failed before its entry.
     */
    void leave()
    {
        if (--applying == 0 && snapshotWaiting)
        {
            noneLeft.signalAll();
        }
    }

    /**
     * Waits, holding the lock (let go of while it waits), until no call is between its effect and its entry, keeping
     * new ones from starting meanwhile.
     *
     * @param timeoutNs the most it waits, in nanoseconds.
     * @return true when none is under way now, the lock held since; false when one still was at the deadline, or
     * the wait was interrupted (the interrupt flag set again).
     */
    boolean awaitNone(final long timeoutNs)
    {
        if (applying == 0)
        {
            return true;
        }
        snapshotWaiting = true;
        try
        {
            long remainingNs = timeoutNs;
            while (applying > 0)
            {
                if (remainingNs <= 0)
                {
                    return false;
                }
                remainingNs = noneLeft.awaitNanos(remainingNs);
            }
            return true;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
        finally
        {
            snapshotWaiting = false;
            snapshotDone.signalAll();
        }
    }

    /**
     * @return true while a snapshot waits for the calls under way ({@link #awaitNone}). Takes the lock.
     */
    boolean snapshotWaiting()
    {
        lock.lock();
        try
        {
            return snapshotWaiting;
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public String toString()
    {
        return "OutsideLockCalls{applying=" + applying + ", snapshotWaiting=" + snapshotWaiting + "}";
    }
}
