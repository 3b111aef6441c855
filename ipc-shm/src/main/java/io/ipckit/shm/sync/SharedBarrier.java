package io.ipckit.shm.sync;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.shm.ShmOptions;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.ipckit.shm.sync.BarrierDescriptor.ARRIVED_MASK;
import static io.ipckit.shm.sync.BarrierDescriptor.BROKEN_BY_OFFSET;
import static io.ipckit.shm.sync.BarrierDescriptor.DOORBELL_OFFSET;
import static io.ipckit.shm.sync.BarrierDescriptor.GENERATION_SHIFT;
import static io.ipckit.shm.sync.BarrierDescriptor.PARTIES_OFFSET;
import static io.ipckit.shm.sync.BarrierDescriptor.REASON_SHIFT;
import static io.ipckit.shm.sync.BarrierDescriptor.RELEASED_OFFSET;
import static io.ipckit.shm.sync.BarrierDescriptor.SLOTS_OFFSET;
import static io.ipckit.shm.sync.BarrierDescriptor.STATE_OFFSET;
import static io.ipckit.shm.sync.BarrierDescriptor.TABLE_OFFSET;

/**
 * Python's {@code multiprocessing.Barrier} (and {@link java.util.concurrent.CyclicBarrier}) across JVMs: a named
 * barrier for a fixed number of parties, in any mix of processes and threads, reusable generation after generation.
 * <p>
 * {@link #await} returns the arrival index as Python does: 0 for the first party to arrive, {@code parties - 1} for
 * the last. The last party runs the action its process gave to {@link #create}/{@link #open}, if any, before the
 * others are released; if the action throws, the barrier breaks and the exception propagates to that party.
 * <p>
 * <b>Broken state.</b> Every waiter and every later {@link #await} fails with {@link BrokenBarrierException}, whose
 * message says why, until {@link #reset()}: after {@link #abort()}, a timed-out {@link #await} (that party gets
 * {@link TimeoutException}), an interrupted one (that party gets {@link InterruptedException}), a failed action, a
 * reset while parties wait, the close of a handle that a party waits in, or the death of an attached process. A
 * party whose time runs out or that is interrupted once every party of its round has arrived (while the last one runs
 * the action) breaks nothing: as with {@link java.util.concurrent.CyclicBarrier}, it waits for the round to trip and
 * returns normally, its interrupt kept. Every process that opens the barrier is recorded
 * as attached until it {@link #close() closes} it; waiters check every
 * {@link LivenessCheckInterval#INTERVAL_DEFAULT_MS} ms (property {@value LivenessCheckInterval#INTERVAL_PROP_NAME})
 * whether an attached process died, and break the barrier if
 * one did, so close the barrier before a process exits normally.
 * <p>
 * Waiters spin briefly, then sleep on a {@link Doorbell} (the kit's {@link Waiter}); the last arrival wakes them all, entering the kernel only when
 * some sleep. Everything a party wrote before {@link #await} happens-before every party's return from it.
 * <p>
 * <b>Note to maintainers.</b> A waiter learns how its generation ended from the released-generations bit set, bit
 * (generation mod 64); it would misread it only if 64 more generations ended before it woke up, which resets alone
 * could cause (a reset moves on only from a generation that some party arrived in or that is broken). How a
 * generation ends is decided by one compare-and-set of the state: the last party's mark of the round as released
 * (arrived = parties + 1), a break (a reason set) or a reset (the next generation), whichever comes first. The bit
 * follows that decision: it is cleared before the generation starts, by whoever moves into it and only while the
 * state is still in the generation before ({@link #clearNextReleased}), and set only after the round was marked
 * released, before the move out of it. Whoever finds a round marked released completes that move, so a last party
 * that dies between the mark and the move holds nobody up.
 * <p>
 * Thread-safe and process-safe. {@link #close()} wakes this object's blocked threads, which then throw
 * {@link ResourceClosedException}; a thread that had arrived breaks the round for the other parties.
 */
public final class SharedBarrier implements AutoCloseable
{
    private static final int ABORTED = 1;
    private static final int TIMED_OUT = 2;
    private static final int INTERRUPTED = 3;
    private static final int ACTION_FAILED = 4;
    private static final int PARTY_DIED = 5;
    private static final int CLOSED = 6;
    /** One below the arrived count's mask: a round whose parties have all arrived is marked released as one more. */
    private static final int MAX_PARTIES = (int)ARRIVED_MASK - 1;
    /** The most processes that may have a barrier open at once: the size of its table of attached processes. */
    private static final int MAX_SLOTS = 4096;

    private final ResourceFile file;
    private final AtomicBuffer buffer;
    private final int stateOffset;
    private final int releasedOffset;
    private final int parties;
    private final Runnable action;
    private final Doorbell doorbell = new Doorbell();
    private final ProcessTable attached;
    private final long self = OwnerToken.current();
    private final int slot;
    private final CloseGuard guard;
    /** One waiter per thread that blocks on this object (a {@link Waiter} serves one thread). */
    private final ThreadLocal<Waiter> waiters;

    private SharedBarrier(final ResourceFile file, final Runnable action)
    {
        final int base = file.headerLength();
        this.file = file;
        this.buffer = file.buffer();
        this.action = action;
        this.stateOffset = base + STATE_OFFSET;
        this.releasedOffset = base + RELEASED_OFFSET;
        this.parties = buffer.getInt(base + PARTIES_OFFSET);
        final int slots = buffer.getInt(base + SLOTS_OFFSET);
        if (parties < 1 || parties > MAX_PARTIES || slots < 1 || slots > MAX_SLOTS)
        {
            file.close();
            throw new CorruptResourceException("Barrier \"" + file.name() + "\" has a corrupt configuration (" +
                parties + " parties, " + slots + " slots); unlink it and create it again");
        }
        SyncFiles.checkLength(file, BarrierDescriptor.length(slots));
        doorbell.wrap(buffer, base + DOORBELL_OFFSET);
        this.guard = new CloseGuard("Barrier \"" + file.name() + "\"");
        this.waiters = ThreadLocal.withInitial(() -> new Waiter(doorbell, null, guard));
        this.attached = new ProcessTable(buffer, base + TABLE_OFFSET, slots);
        this.slot = attach();
        doorbell.ring(); // waiters that watch the attached processes look at the table again
    }

    /**
     * Creates a barrier, as Python's {@code Barrier(parties, action)}. Up to {@code 2 * parties} processes (at
     * least 64, at most 4096) may have it open at once.
     *
     * @param name    a valid resource name, unique in the shared directory.
     * @param parties the number of parties that must arrive, at least 1.
     * @param action  run by the last arriving party when it is of this process, or null.
     * @return the barrier, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws IllegalArgumentException when {@code parties} is out of range.
     */
    public static SharedBarrier create(final String name, final int parties, final Runnable action)
    {
        return create(name, parties, action, new ShmOptions());
    }

    /**
     * Creates a barrier, as {@link #create(String, int, Runnable)}.
     *
     * @param name    a valid resource name, unique in the shared directory.
     * @param parties the number of parties that must arrive, at least 1.
     * @param action  run by the last arriving party when it is of this process, or null.
     * @param options {@link ShmOptions#persistent} to keep it when this process dies without unlinking it; no other
     *                option applies.
     * @return the barrier, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws IllegalArgumentException when {@code parties} is out of range, or an option that does not apply is set.
     */
    public static SharedBarrier create(
        final String name, final int parties, final Runnable action, final ShmOptions options)
    {
        final boolean persistent = SyncFiles.persistent(options, ResourceKind.BARRIER, name);
        if (parties < 1 || parties > MAX_PARTIES)
        {
            throw new IllegalArgumentException("cannot create Barrier \"" + name + "\" for " + parties +
                " parties: 1.." + MAX_PARTIES + " parties");
        }
        final int slots = Math.min(Math.max(64, 2 * parties), MAX_SLOTS);
        return new SharedBarrier(SyncFiles.create(name, ResourceKind.BARRIER, BarrierDescriptor.length(slots),
            persistent, (file) ->
            {
                file.buffer().putInt(file.headerLength() + PARTIES_OFFSET, parties);
                file.buffer().putInt(file.headerLength() + SLOTS_OFFSET, slots);
            }), action);
    }

    /**
     * Creates a barrier without an action.
     *
     * @param name    a valid resource name, unique in the shared directory.
     * @param parties the number of parties, at least 1.
     * @return the barrier, to be closed by the caller.
     */
    public static SharedBarrier create(final String name, final int parties)
    {
        return create(name, parties, null);
    }

    /**
     * Opens a barrier created by {@link #create}, attaching this process to it.
     *
     * @param name   the barrier's name.
     * @param action run by the last arriving party when it is of this process, or null.
     * @return the barrier, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException  when there is no such name.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a barrier.
     * @throws IpcException when the attached process table is full.
     */
    public static SharedBarrier open(final String name, final Runnable action)
    {
        return new SharedBarrier(SyncFiles.open(name, ResourceKind.BARRIER, BarrierDescriptor.length(1)), action);
    }

    /**
     * Opens a barrier without an action.
     *
     * @param name the barrier's name.
     * @return the barrier, to be closed by the caller.
     */
    public static SharedBarrier open(final String name)
    {
        return open(name, null);
    }

    /**
     * Waits until every party has arrived, as long as it takes.
     *
     * @return the arrival index: 0 for the first to arrive, {@code parties - 1} for the last.
     * @throws BrokenBarrierException when the barrier is or becomes broken.
     * @throws InterruptedException   when interrupted while waiting before every party arrived (the barrier is then
     *                                broken for the others).
     */
    public int await() throws InterruptedException, BrokenBarrierException
    {
        try
        {
            try
            {
                return await(-1);
            }
            catch (final TimeoutException ex)
            {
                throw new IllegalStateException("unreachable: a wait without timeout timed out", ex);
            }
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Python's {@code wait(timeout)}: waits until every party has arrived or the timeout passes; a timeout breaks
     * the barrier for every other party. A party that comes while the previous round's action still runs first
     * waits for that round to end, however long that takes, as in Python and
     * {@link java.util.concurrent.CyclicBarrier}; that time counts against its timeout. Should the process running
     * that action die, the round breaks ({@link BrokenBarrierException}).
     *
     * @param time the most to wait.
     * @param unit its unit.
     * @return the arrival index: 0 for the first to arrive, {@code parties - 1} for the last.
     * @throws TimeoutException       when the time passed before every party arrived.
     * @throws BrokenBarrierException when the barrier is or becomes broken.
     * @throws InterruptedException   when interrupted while waiting before every party arrived.
     */
    public int await(final long time, final TimeUnit unit)
        throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        try
        {
            return await(Math.max(0, unit.toNanos(time)));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Python's {@code abort()}: breaks the barrier, failing every waiter and later wait until {@link #reset()}.
     */
    public void abort()
    {
        try
        {
            ensureOpen();
            breakCurrentGeneration(ABORTED);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Returns the barrier to its initial state for a new generation; parties waiting now fail with
     * {@link BrokenBarrierException}. A barrier that is not broken and that no party waits in is left as it is.
     */
    public void reset()
    {
        try
        {
            ensureOpen();
            while (true)
            {
                final long state = buffer.getLongVolatile(stateOffset);
                if (isMarkedReleased(state))
                {
                    completeRelease(state); // that round's parties all arrived and go free: reset the next one
                    continue;
                }
                if (state == generation(state) << GENERATION_SHIFT)
                {
                    return; // nobody arrived and it is not broken: a new generation would only age the released bits
                }
                if (clearNextReleased(state) &&
                    buffer.compareAndSetLong(stateOffset, state, (generation(state) + 1) << GENERATION_SHIFT))
                {
                    break;
                }
            }
            doorbell.ring();
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return true when the barrier is broken.
     */
    public boolean isBroken()
    {
        try
        {
            ensureOpen();
            return reason(buffer.getLongVolatile(stateOffset)) != 0;
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return the number of parties.
     */
    public int getParties()
    {
        return parties;
    }

    /**
     * @return the number of parties waiting now (Python's {@code n_waiting}); 0 when broken.
     */
    public int getNumberWaiting()
    {
        try
        {
            ensureOpen();
            final long state = buffer.getLongVolatile(stateOffset);
            return reason(state) != 0 ? 0 : (int)Math.min(state & ARRIVED_MASK, parties - 1);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return the resource name.
     */
    public String name()
    {
        return file.name();
    }

    /**
     * Removes the name; processes that have it open keep using it.
     *
     * @return true when this call removed it.
     */
    public boolean unlink()
    {
        return file.unlink();
    }

    /**
     * Detaches this process (when this was its last open object) and unmaps the barrier. Idempotent.
     */
    @Override
    public void close()
    {
        if (guard.closeAndAwait(doorbell))
        {
            try
            {
                if (file.isIntact())
                {
                    attached.detach(slot, self);
                }
            }
            catch (final InternalError ex)
            {
                // truncated by another process since the check: there is no slot left to free
            }
            finally
            {
                file.close();
            }
        }
    }

    /**
     * @return name, parties and state, for diagnostics.
     */
    @Override
    public String toString()
    {
        return "Barrier{" + file.name() + ", " + parties + " parties" +
            (guard.isClosed() ? ", closed}" : isBroken() ? ", broken}" : ", " + getNumberWaiting() + " waiting}");
    }

    int sleepers()
    {
        return doorbell.waiters();
    }

    private int await(final long timeoutNs) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        ensureOpen();
        final Waiter waiter = waiters.get();
        // counted by the close guard from before the arrival to the end of the wait: a close meanwhile waits for this
        // thread to take its arrival back (by breaking the round) before it unmaps
        waiter.begin(timeoutNs);
        long generation;
        int index;
        // an interrupt that came while the round before ran its action: it breaks this party's round once that
        // round has ended (as CyclicBarrier's does), not the round whose parties have all arrived
        boolean interrupted = false;
        // the time ran out while the round before ran its action, which is waited for without a limit
        boolean expired = false;
        try
        {
            while (true)
            {
                final int sequence = waiter.sequence();
                final long state = buffer.getLongVolatile(stateOffset);
                generation = generation(state);
                if (reason(state) != 0)
                {
                    throw broken(reason(state));
                }
                index = (int)(state & ARRIVED_MASK);
                if (index > parties)
                {
                    completeRelease(state);
                    continue;
                }
                if (index < parties)
                {
                    if (interrupted || Thread.interrupted())
                    {
                        interrupted = false; // the exception reports it
                        breakBarrier(generation, INTERRUPTED);
                        throw new InterruptedException();
                    }
                    if (buffer.compareAndSetLong(stateOffset, state, state + 1))
                    {
                        break;
                    }
                    continue;
                }
                interrupted |= Thread.interrupted();
                // the last party of this generation is running the action: arrive in the next generation, without
                // a limit (as CyclicBarrier and Python's Barrier wait for the round before to end), but looking at
                // the attached processes: when that party dies in the action and nobody waits in its round, no one
                // else would break it
                if (waiter.livenessCheckDue())
                {
                    lookAtAttachedProcesses(waiter);
                    continue;
                }
                try
                {
                    if (!waiter.pause(sequence))
                    {
                        expired = true;
                        waiter.end(); // not arrived yet: a close now leaves nothing behind
                        waiter.begin(-1);
                    }
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            if (index == parties - 1)
            {
                waiter.end(); // a close need not wait for the action
                trip(generation);
                return index;
            }
            awaitTrip(waiter, generation, timeoutNs, expired);
            return index;
        }
        finally
        {
            waiter.end();
            if (interrupted)
            {
                Thread.currentThread().interrupt(); // kept, as CyclicBarrier does, when the round before broke
            }
        }
    }

    private void trip(final long generation) throws BrokenBarrierException
    {
        if (action != null)
        {
            try
            {
                action.run();
            }
            catch (final RuntimeException | Error ex)
            {
                breakBarrier(generation, ACTION_FAILED);
                throw ex;
            }
        }
        final long tripped = (generation << GENERATION_SHIFT) | parties;
        // full fence CAS -> the round is decided released: everything the parties wrote is visible to whoever sees
        // the mark or, after it, the new generation
        if (buffer.getLongVolatile(stateOffset) != tripped ||
            !buffer.compareAndSetLong(stateOffset, tripped, tripped + 1))
        {
            final long state = buffer.getLongVolatile(stateOffset);
            throw broken(generation(state) == generation ? reason(state) : 0);
        }
        completeRelease(tripped + 1);
    }

    /**
     * Ends a round marked released: sets its released bit, then moves to the next generation, unless someone else
     * (another process that found the mark) did.
     *
     * @param marked the state of the marked round: its generation with parties + 1 arrived.
     */
    private void completeRelease(final long marked)
    {
        setReleased(generation(marked));
        // full fence CAS -> the released bit is visible to whoever sees the new generation
        if (clearNextReleased(marked) &&
            buffer.compareAndSetLong(stateOffset, marked, (generation(marked) + 1) << GENERATION_SHIFT))
        {
            doorbell.ring();
        }
    }

    /**
     * Clears the released bit of the generation after {@code state}'s, for a move into it from {@code state}: only
     * while the state is still {@code state}, so that a caller that read it long ago never clears the bit of a round
     * that has begun, let alone ended, since. The bit word is read before the state: a round that ends after that read
     * has set its bit, and the compare-and-set fails.
     *
     * @param state the state the caller moves on from.
     * @return true when the bit is clear and the state was still {@code state}; false when the state has changed.
     */
    private boolean clearNextReleased(final long state)
    {
        final long bit = 1L << ((generation(state) + 1) & 63);
        while (true)
        {
            final long bits = buffer.getLongVolatile(releasedOffset);
            if (buffer.getLongVolatile(stateOffset) != state)
            {
                return false;
            }
            if ((bits & bit) == 0 || buffer.compareAndSetLong(releasedOffset, bits, bits & ~bit))
            {
                return true;
            }
        }
    }

    private boolean isMarkedReleased(final long state)
    {
        return reason(state) == 0 && (state & ARRIVED_MASK) > parties;
    }

    /**
     * The wait of a party that arrived, not last, until its round trips.
     *
     * @param expired true when the time ran out before the arrival: the round trips at this party's first look or
     *                times out; the waiter then has no limit.
     */
    private void awaitTrip(final Waiter waiter, final long generation, final long timeoutNs, final boolean expired)
        throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        boolean interrupted = false;
        try
        {
            while (true)
            {
                final int sequence = waiter.sequence();
                final long state = buffer.getLongVolatile(stateOffset);
                if (tripped(state, generation))
                {
                    return;
                }
                if (interrupted)
                {
                    if (breakBarrier(generation, INTERRUPTED))
                    {
                        interrupted = false; // the exception reports it
                        throw new InterruptedException();
                    }
                    awaitTripOfFullRound(waiter, generation);
                    return;
                }
                if (waiter.livenessCheckDue())
                {
                    lookAtAttachedProcesses(waiter);
                    continue;
                }
                final boolean timeLeft;
                try
                {
                    timeLeft = !expired && waiter.pause(sequence);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                    continue;
                }
                catch (final ResourceClosedException ex)
                {
                    // this handle was closed: take the arrival back by breaking the round, while the close waits for
                    // this thread to leave (the mapping is still there)
                    breakBarrier(generation, CLOSED);
                    throw ex;
                }
                if (!timeLeft)
                {
                    if (breakBarrier(generation, TIMED_OUT))
                    {
                        throw new TimeoutException("Barrier \"" + file.name() + "\": timed out after " +
                            TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms with " + (state & ARRIVED_MASK) +
                            " of " + parties + " parties arrived; the barrier is now broken for every party");
                    }
                    if (!expired)
                    {
                        waiter.end(); // every party arrived: a close now leaves no arrival behind
                        waiter.begin(-1);
                    }
                    awaitTripOfFullRound(waiter, generation);
                    return;
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt(); // kept when the wait ends otherwise (tripped, broken, timed out)
            }
        }
    }

    /**
     * The rest of a wait whose party gave up (its time ran out, or it was interrupted) when it could no longer break
     * its round, because every party had arrived: as with {@link java.util.concurrent.CyclicBarrier}, such a round
     * ends as its last party ends it, so this party waits for that without a limit and returns normally when it
     * trips. An interrupt meanwhile is kept for the caller.
     */
    private void awaitTripOfFullRound(final Waiter waiter, final long generation) throws BrokenBarrierException
    {
        boolean interrupted = false;
        try
        {
            while (true)
            {
                final int sequence = waiter.sequence();
                if (tripped(buffer.getLongVolatile(stateOffset), generation))
                {
                    return;
                }
                if (waiter.livenessCheckDue())
                {
                    lookAtAttachedProcesses(waiter); // a last party that dies in the action breaks the round
                    continue;
                }
                try
                {
                    waiter.pause(sequence);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * @param state      the state read.
     * @param generation the generation this party arrived in.
     * @return true when that round was released (or marked released), false while it runs.
     * @throws BrokenBarrierException when it broke or was reset.
     */
    private boolean tripped(final long state, final long generation) throws BrokenBarrierException
    {
        if (generation(state) != generation)
        {
            if (isReleased(generation))
            {
                return true;
            }
            throw broken(0);
        }
        if (reason(state) != 0)
        {
            throw broken(reason(state));
        }
        return (state & ARRIVED_MASK) > parties; // marked released: the move to the next generation follows
    }

    /**
     * A wait's look at the attached processes: breaks the current generation when one died, then hands the live ones
     * to the kernel's watch so that the wait sleeps until one exits or the doorbell rings.
     */
    private void lookAtAttachedProcesses(final Waiter waiter)
    {
        breakIfAttachedProcessDied();
        if (attached.watchAll(waiter))
        {
            waiter.peersWatched();
        }
    }

    /**
     * Breaks the barrier's current generation for each attached process that died, then frees its slot. The current
     * one, not the generation the caller waits in: a party that died after that one tripped never arrives in the
     * next. The slot is freed last: a caller killed before leaves it seized under its own token, and the next look
     * seizes it again and breaks.
     */
    private void breakIfAttachedProcessDied()
    {
        for (int i = 0; i < attached.slots(); i++)
        {
            final long dead = attached.seizeIfDead(i);
            if (dead != 0)
            {
                buffer.putLongVolatile(file.headerLength() + BROKEN_BY_OFFSET, dead);
                breakCurrentGeneration(PARTY_DIED);
                attached.free(i);
            }
        }
    }

    private void breakCurrentGeneration(final int reason)
    {
        while (true)
        {
            final long state = buffer.getLongVolatile(stateOffset);
            if (isMarkedReleased(state))
            {
                completeRelease(state); // that round was released: the break is the next one's
                continue;
            }
            if (reason(state) != 0 ||
                buffer.compareAndSetLong(stateOffset, state, state | (long)reason << REASON_SHIFT))
            {
                break;
            }
        }
        doorbell.ring();
    }

    /**
     * Breaks generation {@code generation} unless it has ended, or, but for a failed action, all its parties have
     * arrived.
     *
     * @return true when that generation is broken now, false when it was released or reset or all arrived.
     */
    private boolean breakBarrier(final long generation, final int reason)
    {
        while (true)
        {
            final long state = buffer.getLongVolatile(stateOffset);
            if (generation(state) != generation || isMarkedReleased(state) ||
                reason != ACTION_FAILED && reason(state) == 0 && (state & ARRIVED_MASK) >= parties)
            {
                return false;
            }
            if (reason(state) != 0 ||
                buffer.compareAndSetLong(stateOffset, state, state | (long)reason << REASON_SHIFT))
            {
                break;
            }
        }
        doorbell.ring();
        return true;
    }

    private void setReleased(final long generation)
    {
        final long bit = 1L << (generation & 63);
        while (true)
        {
            final long bits = buffer.getLongVolatile(releasedOffset);
            final long updated = bits | bit;
            if (bits == updated || buffer.compareAndSetLong(releasedOffset, bits, updated))
            {
                return;
            }
        }
    }

    private boolean isReleased(final long generation)
    {
        return (buffer.getLongAcquire(releasedOffset) & (1L << (generation & 63))) != 0;
    }

    private BrokenBarrierException broken(final int reason)
    {
        final String why = switch (reason)
        {
            case ABORTED -> "it was aborted";
            case TIMED_OUT -> "a party timed out waiting";
            case INTERRUPTED -> "a waiting party was interrupted";
            case ACTION_FAILED -> "the barrier action threw";
            case CLOSED -> "a waiting party's handle was closed";
            case PARTY_DIED -> "attached process " +
                "pid " + OwnerToken.pid(buffer.getLongVolatile(file.headerLength() + BROKEN_BY_OFFSET)) + " died";
            default -> "it was reset while this party waited";
        };
        return new BrokenBarrierException("Barrier \"" + file.name() + "\" is broken: " + why +
            "; call reset() to use it again");
    }

    private int attach()
    {
        int claimed = attached.attach(self);
        if (claimed < 0)
        {
            breakIfAttachedProcessDied(); // a full table's dead processes, which no generation waits for in vain
            claimed = attached.attach(self);
        }
        if (claimed < 0)
        {
            file.close();
            throw new IpcException("Barrier \"" + file.name() + "\": its table of attached processes is full (" +
                attached.slots() + "); close the barrier in processes that no longer use it");
        }
        return claimed;
    }

    private void ensureOpen()
    {
        if (guard.isClosed())
        {
            throw SyncFiles.closed(file);
        }
    }

    private static long generation(final long state)
    {
        return state >>> GENERATION_SHIFT;
    }

    private static int reason(final long state)
    {
        return (int)((state >>> REASON_SHIFT) & 0xFF);
    }
}
