package io.ipckit.core.internal.kit;

import io.ipckit.core.internal.wait.AsymmetricFence;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;

import static io.ipckit.core.internal.kit.BiasedLockDescriptor.ACTIVE_OFFSET;
import static io.ipckit.core.internal.kit.BiasedLockDescriptor.BIASED;
import static io.ipckit.core.internal.kit.BiasedLockDescriptor.LOCK_OFFSET;
import static io.ipckit.core.internal.kit.BiasedLockDescriptor.OTHERS_OFFSET;
import static io.ipckit.core.internal.kit.BiasedLockDescriptor.SLOT_OFFSET;

/**
 * A process-level lock in shared memory ({@link BiasedLockDescriptor}) that stays with one handle while nobody else
 * takes it, so that the handle's holds cost two plain stores and a load instead of a compare-and-set each.
 * <p>
 * Without bias it is an {@link OwnerLock}: a compare-and-set of the owner token into the lock word, a release store
 * to free it, and a takeover from a dead holder. One handle at a time owns the lock's <em>slot</em>; after
 * {@code threshold} holds of the slot owner in a row with no other handle's hold in between, the slot owner takes the
 * lock <em>biased</em> and keeps it between its holds. A biased hold is a Dekker pair with
 * {@link AsymmetricFence}: the slot owner stores 1 in the active word, then loads the lock word and finds its bias
 * still there. Another handle that wants the lock takes the lock word from the bias with a compare-and-set (to its
 * own token), runs the asymmetric fence's waiting side (a {@code membarrier}) once, and enters when the active word
 * reads 0. Either the slot owner's active store was before the barrier (the taker sees it and waits for the release,
 * which rings the caller's doorbell), or its load of the lock word comes after it and finds the bias gone. While the
 * taker waits the word is its own, so the slot owner cannot take a new bias in between. A taker that gives up puts
 * the word back as it found it ({@link #abandon()}); a taker that dies while waiting is a dead holder, and a takeover
 * from a dead holder also waits for the slot owner to be out of its hold (or dead). Each revocation multiplies the
 * slot owner's threshold by 8 (up to 2^20), so a lock that several handles really share stays unbiased and a
 * revocation's cost (a few microseconds, an interrupt on every core) is paid rarely.
 * <p>
 * Only the slot owner writes the active word, and it gives the slot up only when its handle closes (or its process
 * dies), so no stale holder can clear another's mark.
 * <p>
 * Processes must agree on the barrier: one whose kernel filter (seccomp) forbids {@code membarrier} while others
 * use it cannot revoke safely; every ipckit process on one kernel normally can.
 * <p>
 * A flyweight holding one handle's state for one lock: not thread-safe (the handle's gate serialises its threads);
 * process-safe. Allocation-free.
 */
public final class BiasedOwnerLock
{
    /** System property: holds in a row a slot owner needs before it takes a lock biased (default 1024). */
    public static final String BIAS_THRESHOLD_PROP_NAME = "ipckit.biasThreshold";
    /** Holds in a row a slot owner needs before it takes the lock biased. */
    public static final int INITIAL_BIAS_THRESHOLD =
        Math.max(1, Integer.getInteger(BIAS_THRESHOLD_PROP_NAME, 1024));
    /** The largest threshold revocations can raise it to. */
    public static final int MAX_BIAS_THRESHOLD = 1 << 20;
    private static final int SLOT_LIVENESS_INTERVAL = 4096;

    private final long self = OwnerToken.current();
    private final long biasedValue = self | BIASED;
    private AtomicBuffer buffer;
    private Doorbell bell;
    private int lockOffset;
    private int slotOffset;
    private int activeOffset;
    private int othersOffset;
    /** The memory's base object (null off-heap) and the absolute addresses of the active and lock words. */
    private Object base;
    private long activeAddress;
    private long lockAddress;
    private boolean slotOwner;
    private boolean biased;
    private boolean held;
    private long lastOthers = -1;
    private int streak;
    private int threshold = INITIAL_BIAS_THRESHOLD;
    private int slotChecks;
    /** The lock word is this handle's, but it waits for the slot owner to leave its hold before entering. */
    private boolean pending;
    /** The lock word this handle replaced when it began waiting, put back by {@link #abandon()}. */
    private long pendingPrior;
    private boolean pendingFenced;
    /** The dead holder this handle took the lock from, until {@link #takeOverNotice()} reads it. */
    private long deadPredecessor;

    /**
     * Points this flyweight at a lock's words. Call it once: the handle's state belongs to that lock.
     *
     * @param buffer the shared memory.
     * @param offset the offset of the lock's words, 8-byte aligned.
     * @return this.
     */
    public BiasedOwnerLock wrap(final AtomicBuffer buffer, final int offset)
    {
        return wrap(buffer, offset, null);
    }

    /**
     * Points this flyweight at a lock's words, with the doorbell its waiters sleep on: rung when this handle drops
     * a bias on finding it taken, or puts back a word it gave up taking, as its releases are rung by the caller.
     *
     * @param buffer the shared memory.
     * @param offset the offset of the lock's words, 8-byte aligned.
     * @param bell   the doorbell of the lock's waiters, or null.
     * @return this.
     */
    public BiasedOwnerLock wrap(final AtomicBuffer buffer, final int offset, final Doorbell bell)
    {
        buffer.boundsCheck(offset, BiasedLockDescriptor.LENGTH);
        this.buffer = buffer;
        this.bell = bell;
        this.lockOffset = offset + LOCK_OFFSET;
        this.slotOffset = offset + SLOT_OFFSET;
        this.activeOffset = offset + ACTIVE_OFFSET;
        this.othersOffset = offset + OTHERS_OFFSET;
        this.base = buffer.byteArray();
        this.activeAddress = buffer.addressOffset() + activeOffset;
        this.lockAddress = buffer.addressOffset() + lockOffset;
        return this;
    }

    /**
     * Takes the lock if it is free or biased to this handle, or finishes taking it from a bias when the biased
     * holder has left. Never waits.
     *
     * @return true when this handle now holds it.
     */
    public boolean tryAcquire()
    {
        if (pending)
        {
            return finishPending();
        }
        if (tryAcquireBiased())
        {
            return true;
        }
        if (buffer.getLongVolatile(lockOffset) != OwnerToken.NONE)
        {
            return false;
        }
        if (!slotOwner)
        {
            claimSlot();
        }
        if (slotOwner)
        {
            return acquireAsSlotOwner();
        }
        // every CAS here follows a read of its word: see MappedFile on truncation (a read faults safely, a CAS not)
        if (buffer.getLongVolatile(lockOffset) == OwnerToken.NONE &&
            buffer.compareAndSetLong(lockOffset, OwnerToken.NONE, self))
        {
            countOtherHold();
            held = true;
            return true;
        }
        return false;
    }

    /**
     * Takes the lock if it is biased to this handle: two plain stores and a load, and no other handle has held it
     * since this handle's last hold.
     */
    private boolean tryAcquireBiased()
    {
        if (enterBiased())
        {
            held = true;
            return true;
        }
        return false;
    }

    /**
     * The bare biased hold, for a caller that keeps no hold state of its own and ends it with {@link #exitBiased()}
     * whatever happens (a finally block): {@link #isHeld()} stays false.
     *
     * @return true when this handle now holds the lock biased.
     */
    public boolean enterBiased()
    {
        if (!biased)
        {
            return false;
        }
        // the words' addresses are read before the first ordered access, after which the JIT would read them again;
        // the release store and the volatile load stay in program order (HotSpot does not move a plain or release
        // access across a volatile one); the CPU's store-load reordering is what the taker's membarrier covers
        final Object base = this.base;
        final long lockAddress = this.lockAddress;
        final long biasedValue = this.biasedValue;
        UnsafeApi.putLongRelease(base, activeAddress, 1L);
        AsymmetricFence.progressSide(); // the active store before the load of the lock word
        if (UnsafeApi.getLongVolatile(base, lockAddress) == biasedValue)
        {
            return true;
        }
        lostBias();
        return false;
    }

    /**
     * Ends a hold begun by {@link #enterBiased()}: a release store of the active word. A caller then runs
     * {@link AsymmetricFence#progressSide()} and rings the doorbell waiters of the lock sleep on.
     */
    public void exitBiased()
    {
        UnsafeApi.putLongRelease(base, activeAddress, 0L);
    }

    /**
     * Turns a hold begun by {@link #enterBiased()} into a tracked one, as {@link #tryAcquire()} would have begun it:
     * {@link #isHeld()} then reads true and {@link #release()} ends it. For a caller whose bare hold outlives the call
     * that began it and is then handed to code that ends holds with {@link #release()}.
     */
    public void adoptBiasedHold()
    {
        held = true;
    }

    private void lostBias()
    {
        // taken: another handle holds the lock word (or waits on it) since this handle's last hold
        biased = false;
        streak = 0;
        threshold = Math.min(threshold * 8, MAX_BIAS_THRESHOLD);
        buffer.putLongRelease(activeOffset, 0L);
        ring(); // a taker may have seen the brief 1 and gone to sleep
    }

    private void ring()
    {
        if (bell != null)
        {
            bell.ring();
        }
    }

    private boolean acquireAsSlotOwner()
    {
        final long others = buffer.getLongVolatile(othersOffset);
        if (others != lastOthers)
        {
            lastOthers = others;
            streak = 0;
        }
        else if (streak < threshold)
        {
            streak++;
        }
        if (streak >= threshold)
        {
            // active before the lock word: a taker that sees the bias must also see this handle inside
            buffer.putLongRelease(activeOffset, 1L);
            if (buffer.getLongVolatile(lockOffset) == OwnerToken.NONE &&
                buffer.compareAndSetLong(lockOffset, OwnerToken.NONE, biasedValue))
            {
                biased = true;
                held = true;
                return true;
            }
            buffer.putLongRelease(activeOffset, 0L);
            return false;
        }
        if (buffer.getLongVolatile(lockOffset) == OwnerToken.NONE &&
            buffer.compareAndSetLong(lockOffset, OwnerToken.NONE, self))
        {
            held = true;
            return true;
        }
        return false;
    }

    private void claimSlot()
    {
        final long owner = buffer.getLongVolatile(slotOffset);
        if (owner == OwnerToken.NONE)
        {
            takeSlot(OwnerToken.NONE);
        }
        else if (owner != self && ++slotChecks >= SLOT_LIVENESS_INTERVAL)
        {
            slotChecks = 0;
            if (!OwnerToken.isAlive(owner))
            {
                takeSlot(owner);
            }
        }
    }

    private void takeSlot(final long expected)
    {
        if (buffer.compareAndSetLong(slotOffset, expected, self))
        {
            // the slot's previous owner is gone (closed or dead): the active word is this handle's from now on
            buffer.putLongRelease(activeOffset, 0L);
            slotOwner = true;
            lastOthers = -1;
            streak = 0;
        }
    }

    /**
     * Whether another handle holds the lock without bias right now: one read of the lock word, no hold taken. A
     * would-be taker that finds it so can wait on the lock alone instead of looking at what it guards (reads that
     * take those cache lines from the holder). A bias held by another handle reads false: {@link #tryRevoke()} may
     * take it.
     *
     * @return true when the lock word holds another handle's plain hold (or a dead holder's, until a takeover).
     */
    public boolean isHeldByAnother()
    {
        if (held || pending)
        {
            return false;
        }
        final long lock = buffer.getLongVolatile(lockOffset);
        return lock != OwnerToken.NONE && (lock & BIASED) == 0;
    }

    /**
     * Takes the lock from a bias that another handle holds: takes the lock word, fences once, and enters when the
     * biased handle is out of its hold. Call it when {@link #tryAcquire()} failed; it returns false at once when the
     * lock is not biased. A caller that gets false waits on the doorbell the holder rings on release and calls
     * {@link #tryAcquire()} or this again, or gives up with {@link #abandon()}.
     *
     * @return true when this handle now holds the lock.
     */
    public boolean tryRevoke()
    {
        if (pending)
        {
            return finishPending();
        }
        final long lock = buffer.getLongVolatile(lockOffset);
        if ((lock & BIASED) == 0 || !buffer.compareAndSetLong(lockOffset, lock, self))
        {
            return false;
        }
        beginPending(lock);
        return finishPending();
    }

    private void beginPending(final long prior)
    {
        pending = true;
        pendingPrior = prior;
        pendingFenced = false;
    }

    /**
     * Holding the lock word: enters once the slot owner is seen out of its hold after a barrier that follows the
     * taking of the word. From then on the slot owner cannot begin a biased hold, so the active word only falls.
     */
    private boolean finishPending()
    {
        if (!pendingFenced)
        {
            if (!AsymmetricFence.waitingSide())
            {
                return false; // the barrier failed: the check below would prove nothing; tried again next time
            }
            pendingFenced = true;
        }
        if (!slotOwner && buffer.getLongVolatile(activeOffset) != 0L)
        {
            return false; // the slot owner is inside a hold (or died inside one: see tryTakeOverFromDead)
        }
        pending = false;
        if (!slotOwner)
        {
            countOtherHold();
        }
        held = true;
        return true;
    }

    /**
     * Gives up a taking begun by {@link #tryRevoke()} or {@link #tryTakeOverFromDead()} that is still waiting for
     * the slot owner: puts the lock word back as it was. A caller that stops trying (its time ran out, it was
     * interrupted) calls it; it does nothing otherwise.
     */
    public void abandon()
    {
        if (pending)
        {
            pending = false;
            deadPredecessor = OwnerToken.NONE;
            if (buffer.getLongVolatile(lockOffset) == self && buffer.compareAndSetLong(lockOffset, self, pendingPrior))
            {
                ring(); // the word can be taken again (the slot owner may take its bias back)
            }
        }
    }

    /**
     * Takes the lock over if its holder (or the process it is biased to) is no longer alive, then enters once the
     * slot owner is out of its hold (a dead holder may have been taking the lock from a live bias); while it waits for
     * that it works as {@link #tryRevoke()} does. Reads {@code /proc}: call it on slow paths.
     *
     * @return true when this handle now holds the lock (whether this call or an earlier one began the taking);
     * {@link #takeOverNotice()} then tells whom it was taken over from.
     */
    public boolean tryTakeOverFromDead()
    {
        if (pending)
        {
            final long slot = buffer.getLongVolatile(slotOffset);
            if (!slotOwner && slot != OwnerToken.NONE && slot != self && !OwnerToken.isAlive(slot))
            {
                takeSlot(slot); // the slot owner died inside its hold: its active word will never fall
                deadPredecessor = slot;
                io.ipckit.core.internal.jfr.JfrEvents.lockTakenOver(slot);
            }
            return finishPending();
        }
        final long lock = buffer.getLongVolatile(lockOffset);
        final long holder = lock & ~BIASED;
        if (holder != OwnerToken.NONE && holder != self && !OwnerToken.isAlive(holder) &&
            buffer.compareAndSetLong(lockOffset, lock, self))
        {
            deadPredecessor = holder;
            io.ipckit.core.internal.jfr.JfrEvents.lockTakenOver(holder);
            beginPending(lock);
            if (!slotOwner && buffer.getLongVolatile(slotOffset) == holder)
            {
                takeSlot(holder);
            }
            return finishPending();
        }
        return false;
    }

    /**
     * @return the dead holder this handle's current hold was taken over from, once (then {@link OwnerToken#NONE}):
     * the caller repairs what the dead holder left half done.
     */
    public long takeOverNotice()
    {
        final long predecessor = deadPredecessor;
        if (predecessor != OwnerToken.NONE)
        {
            deadPredecessor = OwnerToken.NONE; // stored only when set: every hold of a queue's lane reads it
        }
        return predecessor;
    }

    /**
     * Releases a hold: a release store of the active word when biased (the bias stays), of the lock word otherwise.
     * A caller then runs {@link AsymmetricFence#progressSide()} and rings the doorbell waiters of the lock sleep on.
     */
    public void release()
    {
        if (held)
        {
            held = false;
            buffer.putLongRelease(biased ? activeOffset : lockOffset, biased ? 0L : OwnerToken.NONE);
        }
    }

    /**
     * Gives up any hold, a waiting taking, the bias and the slot, for a handle that closes. No thread of the handle
     * is in a call.
     */
    public void close()
    {
        if (held)
        {
            release();
        }
        abandon();
        if (biased)
        {
            biased = false;
            if (buffer.getLongVolatile(lockOffset) == biasedValue)
            {
                buffer.compareAndSetLong(lockOffset, biasedValue, OwnerToken.NONE);
            }
        }
        if (slotOwner)
        {
            slotOwner = false;
            buffer.putLongRelease(activeOffset, 0L);
            buffer.compareAndSetLong(slotOffset, self, OwnerToken.NONE);
        }
    }

    /**
     * @return true while this handle holds the lock.
     */
    public boolean isHeld()
    {
        return held;
    }

    /**
     * @return true while this handle holds the lock word but waits for the biased holder to leave.
     */
    public boolean isPending()
    {
        return pending;
    }

    /**
     * @return true when the lock is biased to this handle (as last seen by it). For tests and diagnostics.
     */
    public boolean isBiased()
    {
        return biased;
    }

    private void countOtherHold()
    {
        // under the lock: no other writer
        buffer.putLongRelease(othersOffset, buffer.getLong(othersOffset) + 1);
    }
}
