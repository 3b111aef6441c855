package io.ipckit.shm.sync;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.shm.ShmOptions;
import io.ipckit.shm.internal.ShmOptionsCheck;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.TimeUnit;

import static io.ipckit.shm.sync.SemaphoreDescriptor.DOORBELL_OFFSET;
import static io.ipckit.shm.sync.SemaphoreDescriptor.MAX_PERMITS_OFFSET;
import static io.ipckit.shm.sync.SemaphoreDescriptor.OWNER_SLOTS_OFFSET;
import static io.ipckit.shm.sync.SemaphoreDescriptor.OWNER_TABLE_OFFSET;
import static io.ipckit.shm.sync.SemaphoreDescriptor.PERMITS_OFFSET;
import static io.ipckit.shm.sync.SemaphoreDescriptor.RECOVERED_PERMITS_OFFSET;

/**
 * Python's {@code multiprocessing.Semaphore} and {@code BoundedSemaphore}: a named counting semaphore shared by every
 * process that opens it, with the methods of {@link java.util.concurrent.Semaphore}.
 * <p>
 * A <em>bounded</em> semaphore ({@link #createBounded}) refuses a {@link #release} that would raise the permits above
 * their initial number, as Python's {@code BoundedSemaphore} raises {@code ValueError}: here an
 * {@link IllegalStateException}, and the permits are unchanged.
 * <p>
 * With <em>owner tracking</em> ({@link #create(String, int, ShmOptions)} with {@link ShmOptions#ownerSlots}) each process's holding
 * is recorded in a table of (process, permits held), where a process has a slot only while it holds permits or is
 * acquiring some, so that {@link ShmOptions#ownerSlots} bounds the processes that do so at once. A slot is a resource
 * like a permit: an acquire of a process that has none, when every slot is taken by live processes, waits for one
 * as it waits for permits (within its timeout, and interruptibly) until a holder releases all its permits, an
 * acquiring process gives up, or a holder dies; {@link #tryAcquire()} and {@link #tryAcquire(int)}, which never wait,
 * return false then. A waiter looks for processes that died holding permits or slots when
 * this object has not looked for {@link LivenessCheckInterval#INTERVAL_DEFAULT_MS} ms (property
 * {@value LivenessCheckInterval#INTERVAL_PROP_NAME}), then at that interval, and gives their permits back ({@link #recoveredPermits()} counts them). Tracking assumes a process releases permits it
 * acquired (a pool of resources); a process that releases more than it holds is counted as holding none. A process
 * killed in the few instructions between changing the permits and recording the change in its slot leaks (or, on
 * release, may later return) those permits; a bounded semaphore never exceeds its bound by recovery.
 * <p>
 * Waiters spin briefly, then sleep on a {@link Doorbell} (the kit's {@link Waiter}); a release wakes the sleepers
 * (those that find no permit sleep again), and enters the kernel only when some sleep. A release happens-before an acquisition that takes its permits.
 * <p>
 * Thread-safe and process-safe. {@link #close()} wakes this object's blocked threads, which then throw
 * {@link io.ipckit.core.exceptions.ResourceClosedException}.
 */
public final class SharedSemaphore implements AutoCloseable
{
    /** The slot of a call without owner tracking: nothing to record. */
    private static final int UNTRACKED = -1;
    /** The slot of a call that found every slot of the owner table taken: it may take no permit. */
    private static final int NO_SLOT = -2;

    private final ResourceFile file;
    private final AtomicBuffer buffer;
    private final int permitsOffset;
    private final int maxPermits;
    private final Doorbell doorbell = new Doorbell();
    private final ProcessTable owners;
    /** This JVM's use of its slot in {@link #owners}, shared with its other handles of the file; null untracked. */
    private final OwnerSlot ownSlot;
    private final long self = OwnerToken.current();
    private final CloseGuard guard;
    /** One waiter per thread that blocks on this object (a {@link Waiter} serves one thread). */
    private final ThreadLocal<Waiter> waiters;
    /** This file's key for {@link #ownSlot}: the same for every handle of this JVM over this file. */
    private final String tableKey;
    /** Kept across calls, so that calls waiting less than the interval each still look once it has passed. */
    private final LivenessCheckInterval ownerCheck = new LivenessCheckInterval();

    private SharedSemaphore(final ResourceFile file)
    {
        final int base = file.headerLength();
        this.file = file;
        this.buffer = file.buffer();
        this.permitsOffset = base + PERMITS_OFFSET;
        this.maxPermits = buffer.getInt(base + MAX_PERMITS_OFFSET);
        final int slots = buffer.getInt(base + OWNER_SLOTS_OFFSET);
        if (slots < 0 || slots > ShmOptions.MAX_OWNER_SLOTS || maxPermits < 0)
        {
            file.close();
            throw new CorruptResourceException("Semaphore \"" + file.name() + "\" has a corrupt configuration (" +
                slots + " owner slots, bound " + maxPermits + "); unlink it and create it again");
        }
        final int permits = buffer.getIntVolatile(permitsOffset);
        if (permits < 0 || permits > maxPermits)
        {
            file.close();
            throw new CorruptResourceException("Semaphore \"" + file.name() + "\" has a corrupt state: " + permits +
                " permits available but a bound of " + maxPermits + " (overwritten by another program); unlink it " +
                "and create it again");
        }
        SyncFiles.checkLength(file, SemaphoreDescriptor.length(slots));
        doorbell.wrap(buffer, base + DOORBELL_OFFSET);
        this.guard = new CloseGuard("Semaphore \"" + file.name() + "\"");
        this.waiters = ThreadLocal.withInitial(() -> new Waiter(doorbell, null, guard));
        this.owners = slots == 0 ? null : new ProcessTable(buffer, base + OWNER_TABLE_OFFSET, slots);
        // the creation time too: a file this process unlinked and made again under the name is another table
        this.tableKey = file.file().path() + "@" + file.creator() + "@" +
            buffer.getLong(io.ipckit.core.file.ResourceHeaderDescriptor.CREATION_TIME_OFFSET);
        this.ownSlot = owners == null ? null : OwnerSlot.open(tableKey, owners, self);
    }

    /**
     * Creates a semaphore, as Python's {@code Semaphore(value)}.
     *
     * @param name    a valid resource name, unique in the shared directory.
     * @param permits the initial number of permits, at least 0.
     * @return the semaphore, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws IllegalArgumentException when {@code permits} is negative.
     */
    public static SharedSemaphore create(final String name, final int permits)
    {
        return create(name, permits, new ShmOptions());
    }

    /**
     * Creates a bounded semaphore, as Python's {@code BoundedSemaphore(value)}: releases above {@code permits} fail.
     *
     * @param name    a valid resource name, unique in the shared directory.
     * @param permits the initial and maximum number of permits, at least 0.
     * @return the semaphore, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     */
    public static SharedSemaphore createBounded(final String name, final int permits)
    {
        return create(name, permits, new ShmOptions().bounded(true));
    }

    /**
     * Creates a semaphore.
     *
     * @param name    a valid resource name, unique in the shared directory.
     * @param permits the initial number of permits, at least 0.
     * @param options {@link ShmOptions#bounded} to refuse releases above {@code permits};
     *                {@link ShmOptions#ownerSlots} (0 for no owner tracking) for the most processes that may hold
     *                permits at once; {@link ShmOptions#persistent} to keep the semaphore when this process dies
     *                without unlinking it. No other option applies.
     * @return the semaphore, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws IllegalArgumentException when {@code permits} is negative, or an option that does not apply is set.
     */
    public static SharedSemaphore create(final String name, final int permits, final ShmOptions options)
    {
        ShmOptionsCheck.applicableOnly(options, "Semaphore \"" + name + "\"",
            ShmOptions.PERSISTENT, ShmOptions.BOUNDED, ShmOptions.OWNER_SLOTS);
        if (permits < 0)
        {
            throw new IllegalArgumentException("cannot create Semaphore \"" + name + "\" with " + permits +
                " permits: permits must be at least 0");
        }
        final boolean bounded = options.bounded();
        final int ownerSlots = options.ownerSlots();
        final int lengthBytes = SemaphoreDescriptor.length(ownerSlots);
        return new SharedSemaphore(SyncFiles.create(name, ResourceKind.SEMAPHORE, lengthBytes, options.persistent(),
            (file) ->
            {
                final int base = file.headerLength();
                file.buffer().putInt(base + PERMITS_OFFSET, permits);
                file.buffer().putInt(base + MAX_PERMITS_OFFSET, bounded ? permits : Integer.MAX_VALUE);
                file.buffer().putInt(base + OWNER_SLOTS_OFFSET, ownerSlots);
            }));
    }

    /**
     * Opens a semaphore created by one of the {@code create} methods.
     *
     * @param name the semaphore's name.
     * @return the semaphore, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException  when there is no such name.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a semaphore.
     * @throws CorruptResourceException                              when the file is damaged.
     */
    public static SharedSemaphore open(final String name)
    {
        return new SharedSemaphore(SyncFiles.open(name, ResourceKind.SEMAPHORE, SemaphoreDescriptor.length(0)));
    }

    /**
     * Takes one permit, waiting as long as it takes: for a permit, and with owner tracking for a slot of the owner
     * table when this process has none and every slot is taken.
     *
     * @throws InterruptedException when interrupted before or while waiting; nothing is taken then.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this object is closed before or while waiting.
     */
    public void acquire() throws InterruptedException
    {
        try
        {
            acquire(1);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Takes {@code permits} permits at once, waiting as long as it takes: for the permits, and with owner tracking for
     * a slot of the owner table when this process has none and every slot is taken (a full table is waited out, never
     * an error). Taking 0 permits returns at once.
     *
     * @param permits how many, at least 0.
     * @throws InterruptedException     when interrupted before or while waiting; nothing is taken then.
     * @throws IllegalArgumentException when {@code permits} is negative.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this object is closed before or while waiting.
     */
    public void acquire(final int permits) throws InterruptedException
    {
        try
        {
            acquire(permits, -1);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Takes one permit if one is available now, without waiting: as {@link #tryAcquire(int)} with 1.
     *
     * @return true when taken; false when no permit is available, or (owner tracking) when this process has no slot
     * in the owner table and every slot is taken by live processes.
     */
    public boolean tryAcquire()
    {
        try
        {
            return tryAcquire(1);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Takes {@code permits} permits if they are available now, without waiting. With owner tracking, a process that
     * has no slot in the owner table needs one to record the permits: when every slot is taken by live processes
     * (after freeing those of dead ones) this returns false, as it does when too few permits are available, rather
     * than throwing; {@link #tryAcquire(int, long, TimeUnit)} waits for a slot.
     *
     * @param permits how many, at least 0.
     * @return true when taken (always for 0); false when too few permits are available, or no owner slot is free.
     * @throws IllegalArgumentException when {@code permits} is negative.
     */
    public boolean tryAcquire(final int permits)
    {
        try
        {
            checkPermits(permits);
            if (permits == 0)
            {
                return true;
            }
            if (owners != null && buffer.getIntVolatile(permitsOffset) < permits &&
                (!owners.isFull() || recoverDeadOwners() == 0 || buffer.getIntVolatile(permitsOffset) < permits))
            {
                return false; // takes nothing: no owner slot needed to say so (a full table's dead are looked at)
            }
            final int slot = ownerSlot();
            try
            {
                return slot != NO_SLOT && tryTake(permits, slot);
            }
            finally
            {
                endOwnerSlot(slot);
            }
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Python's {@code acquire(timeout=t)}: takes one permit, waiting at most the timeout, as
     * {@link #tryAcquire(int, long, TimeUnit)} with 1.
     *
     * @param time the most to wait.
     * @param unit its unit.
     * @return true when taken, false when the time passed first.
     * @throws InterruptedException when interrupted before or while waiting; nothing is taken then.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this object is closed before or while waiting.
     */
    public boolean tryAcquire(final long time, final TimeUnit unit) throws InterruptedException
    {
        try
        {
            return tryAcquire(1, time, unit);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Takes {@code permits} permits at once, waiting at most the timeout: for the permits, and with owner tracking
     * for a slot of the owner table when this process has none and every slot is taken. A timeout of 0 or less does
     * not wait, as {@link #tryAcquire(int)}.
     *
     * @param permits how many, at least 0.
     * @param time    the most to wait.
     * @param unit    its unit.
     * @return true when taken (always for 0), false when the time passed first (for permits or for a slot).
     * @throws InterruptedException     when interrupted before or while waiting; nothing is taken then.
     * @throws IllegalArgumentException when {@code permits} is negative.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this object is closed before or while waiting.
     */
    public boolean tryAcquire(final int permits, final long time, final TimeUnit unit) throws InterruptedException
    {
        try
        {
            return acquire(permits, Math.max(0, unit.toNanos(time)));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Gives back one permit and wakes a sleeping waiter, if any.
     *
     * @throws IllegalStateException when the semaphore is bounded and the release would exceed its bound.
     */
    public void release()
    {
        try
        {
            release(1);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Gives back {@code permits} permits and wakes as many sleeping waiters, if any.
     *
     * @param permits how many, at least 0.
     * @throws IllegalStateException when the semaphore is bounded and the release would exceed its bound; nothing
     *                               is released then.
     */
    public void release(final int permits)
    {
        try
        {
            checkPermits(permits);
            while (true)
            {
                final int available = buffer.getIntVolatile(permitsOffset);
                final long updated = (long)available + permits;
                if (updated > maxPermits)
                {
                    throw new IllegalStateException((maxPermits == Integer.MAX_VALUE ? "Semaphore \"" + file.name() +
                        "\" would overflow" : "BoundedSemaphore \"" + file.name() + "\" released too many times") +
                        ": " + available + " available + " + permits + " released > " + maxPermits +
                        "; release only permits that were acquired");
                }
                if (buffer.compareAndSetInt(permitsOffset, available, (int)updated))
                {
                    break;
                }
            }
            if (owners != null)
            {
                final int slot = ownSlot.enterHeld(); // none: this process holds no permit to count off
                if (slot >= 0)
                {
                    try
                    {
                        owners.subtractClamped(slot, permits);
                    }
                    finally
                    {
                        ownSlot.leave(owners, slot); // freed when this process holds none
                    }
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
     * @return the number of permits available now (a snapshot).
     */
    public int availablePermits()
    {
        try
        {
            ensureOpen();
            return buffer.getIntVolatile(permitsOffset);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return true when releases above the initial number of permits fail.
     */
    public boolean isBounded()
    {
        return maxPermits != Integer.MAX_VALUE;
    }

    /**
     * @return true when permits held by a dead process are recovered.
     */
    public boolean isTrackingOwners()
    {
        try
        {
            return owners != null;
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return the number of permits given back, over the semaphore's life, after their holder died.
     */
    public long recoveredPermits()
    {
        try
        {
            ensureOpen();
            return buffer.getLongVolatile(file.headerLength() + RECOVERED_PERMITS_OFFSET);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return the permits recorded as held by this process (0 without owner tracking).
     */
    public long permitsHeldByThisProcess()
    {
        try
        {
            ensureOpen();
            if (owners == null)
            {
                return 0;
            }
            final int slot = owners.find(self);
            return slot < 0 ? 0 : owners.addValue(slot, 0);
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
     * Unmaps the semaphore; permits this process holds stay held. Idempotent.
     */
    @Override
    public void close()
    {
        if (guard.closeAndAwait(doorbell))
        {
            if (ownSlot != null)
            {
                ownSlot.close(tableKey);
            }
            file.close();
        }
    }

    /**
     * @return name and permits, for diagnostics.
     */
    @Override
    public String toString()
    {
        return (isBounded() ? "BoundedSemaphore{" : "Semaphore{") + file.name() +
            (guard.isClosed() ? ", closed}" : ", " + buffer.getIntVolatile(permitsOffset) + " available}");
    }

    int sleepers()
    {
        return doorbell.waiters();
    }

    private boolean acquire(final int permits, final long timeoutNs) throws InterruptedException
    {
        checkPermits(permits);
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        if (permits == 0)
        {
            return true;
        }
        int slot = ownerSlot();
        final Waiter waiter = waiters.get();
        try
        {
            if (slot != NO_SLOT && tryTake(permits, slot))
            {
                return true;
            }
            waiter.begin(timeoutNs);
            while (true)
            {
                final int sequence = waiter.sequence();
                if (slot == NO_SLOT)
                {
                    slot = claimOwnerSlot(); // a full table: a freed slot rings, as a release does
                }
                if (slot != NO_SLOT && tryTake(permits, slot))
                {
                    return true;
                }
                if (owners == null)
                {
                    waiter.peersWatched(); // no owners tracked: only a release (a ring) ends this wait
                }
                else if (waiter.livenessCheckDue(ownerCheck))
                {
                    file.requireIntact(); // slow path: refuse a file truncated under a waiter before recovering
                    if (recoverDeadOwners() > 0)
                    {
                        continue;
                    }
                    if (owners.watchAll(waiter))
                    {
                        // an owner's exit wakes this wait; permits and slots come back otherwise only through a
                        // release or a freed slot, which ring
                        waiter.peersWatched();
                    }
                }
                if (!waiter.pause(sequence))
                {
                    return false;
                }
            }
        }
        finally
        {
            waiter.end();
            endOwnerSlot(slot);
        }
    }

    private boolean tryTake(final int permits, final int slot)
    {
        while (true)
        {
            final int available = buffer.getIntVolatile(permitsOffset);
            if (available < permits)
            {
                return false;
            }
            if (buffer.compareAndSetInt(permitsOffset, available, available - permits))
            {
                if (slot >= 0)
                {
                    owners.addValue(slot, permits);
                }
                return true;
            }
        }
    }

    /**
     * This process's slot in the owner table, counting the calling thread in flight in it ({@link OwnerSlot#enter}),
     * for a call that may take permits; when every slot is taken, the slots of dead processes are freed and the claim
     * tried once more.
     *
     * @return the slot; {@link #UNTRACKED} without owner tracking; {@link #NO_SLOT} when every slot is taken by live
     * processes (nothing is then counted).
     */
    private int ownerSlot()
    {
        ensureOpen();
        if (owners == null)
        {
            return UNTRACKED;
        }
        int slot = claimOwnerSlot();
        if (slot == NO_SLOT && recoverDeadOwners() > 0)
        {
            slot = claimOwnerSlot();
        }
        return slot;
    }

    /**
     * @return this process's slot, claimed now if it had none, with the calling thread counted in flight in it; or
     * {@link #NO_SLOT} when every slot is taken.
     */
    private int claimOwnerSlot()
    {
        final int slot = ownSlot.enter(owners);
        return slot < 0 ? NO_SLOT : slot;
    }

    /**
     * Ends the use of a slot that {@link #ownerSlot()} gave: it is freed when this process holds no permit and no
     * other thread of this JVM is taking some, and a freed slot rings for the acquires that wait for one.
     */
    private void endOwnerSlot(final int slot)
    {
        if (slot >= 0 && ownSlot.leave(owners, slot))
        {
            doorbell.ring();
        }
    }

    /**
     * Gives back the permits of every process in the owner table that died, and frees their slots. A survivor killed
     * here leaves the slot seized under its own token, which the next call seizes again: the slot and the permits not
     * yet taken from it are recovered then. The permits are taken out of the slot before they are given back, so a
     * kill between the two loses them rather than granting them twice.
     *
     * @return the number of slots freed (0 when no process in the table died); their permits are counted in
     * {@link #recoveredPermits()}.
     */
    private int recoverDeadOwners()
    {
        long recovered = 0;
        int freed = 0;
        for (int i = 0; i < owners.slots(); i++)
        {
            if (owners.seizeIfDead(i) != 0)
            {
                final long held = owners.takeValue(i);
                if (held > 0)
                {
                    addBounded(held);
                    recovered += held;
                }
                owners.free(i);
                freed++;
            }
        }
        if (recovered > 0)
        {
            buffer.getAndAddLong(file.headerLength() + RECOVERED_PERMITS_OFFSET, recovered);
        }
        if (freed > 0)
        {
            doorbell.ring(); // permits and slots given back: for the acquires that wait for either
        }
        return freed;
    }

    private void addBounded(final long permits)
    {
        while (true)
        {
            final int available = buffer.getIntVolatile(permitsOffset);
            final int updated = (int)Math.min((long)available + permits, maxPermits);
            if (buffer.compareAndSetInt(permitsOffset, available, updated))
            {
                return;
            }
        }
    }

    private void checkPermits(final int permits)
    {
        ensureOpen();
        if (permits < 0)
        {
            throw new IllegalArgumentException("Semaphore \"" + file.name() + "\": permits must be at least 0, not " +
                permits);
        }
    }

    private void ensureOpen()
    {
        if (guard.isClosed())
        {
            throw SyncFiles.closed(file);
        }
    }
}
