package io.ipckit.pipe.support;

import io.ipckit.core.wait.AsymmetricFence;
import org.agrona.concurrent.AtomicBuffer;

import static io.ipckit.pipe.support.BiasedLockDescriptor.ACTIVE_OFFSET;
import static io.ipckit.pipe.support.BiasedLockDescriptor.BIASED;
import static io.ipckit.pipe.support.BiasedLockDescriptor.FLAGS;
import static io.ipckit.pipe.support.BiasedLockDescriptor.LOCK_OFFSET;
import static io.ipckit.pipe.support.BiasedLockDescriptor.OTHERS_OFFSET;
import static io.ipckit.pipe.support.BiasedLockDescriptor.REVOKING;
import static io.ipckit.pipe.support.BiasedLockDescriptor.SLOT_OFFSET;

/**
 * A process-level lock in shared memory ({@link BiasedLockDescriptor}) that stays with one handle while nobody else
 * takes it, so that the handle's holds cost two plain stores and a load instead of a compare-and-set each.
 * <p>
 * Without bias it is an {@link OwnerLock}: a compare-and-set of the owner token into the lock word, a release store
 * to free it, and a takeover from a dead holder. One handle at a time owns the lock's <em>slot</em>; after
 * {@code threshold} holds of the slot owner in a row with no other handle's hold in between, the slot owner takes the
 * lock <em>biased</em> and keeps it between its holds. A biased hold is a Dekker pair with
 * {@link AsymmetricFence}: the slot owner stores 1 in the active word, then loads the lock word and finds its bias
 * still there; another handle that wants the lock marks the bias {@code REVOKING} with a compare-and-set, runs the
 * asymmetric fence's waiting side (a {@code membarrier}) once, and takes the lock as soon as the active word reads 0.
 * Either the slot owner saw the mark (and drops its bias), or the revoker saw it active (and waits for its release,
 * which rings the caller's doorbell). A revocation left half-done by a dead revoker is completed by whoever comes
 * next, the slot owner included. Each revocation multiplies the slot owner's threshold by 8 (up to 2^20), so a
 * lock that several handles really share stays unbiased and a revocation's cost (a few microseconds, an interrupt on
 * every core) is paid rarely.
 * <p>
 * Only the slot owner writes the active word, and it gives the slot up only when its handle closes (or its process
 * dies), so no stale holder can clear another's mark.
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
    private int lockOffset;
    private int slotOffset;
    private int activeOffset;
    private int othersOffset;
    private boolean slotOwner;
    private boolean biased;
    private boolean held;
    private long lastOthers = -1;
    private int streak;
    private int threshold = INITIAL_BIAS_THRESHOLD;
    private long fencedLock;
    private long fencedOthers;
    private int slotChecks;

    /**
     * Points this flyweight at a lock's words. Call it once: the handle's state belongs to that lock.
     *
     * @param buffer the shared memory.
     * @param offset the offset of the lock's words, 8-byte aligned.
     * @return this.
     */
    public BiasedOwnerLock wrap(final AtomicBuffer buffer, final int offset)
    {
        buffer.boundsCheck(offset, BiasedLockDescriptor.LENGTH);
        this.buffer = buffer;
        this.lockOffset = offset + LOCK_OFFSET;
        this.slotOffset = offset + SLOT_OFFSET;
        this.activeOffset = offset + ACTIVE_OFFSET;
        this.othersOffset = offset + OTHERS_OFFSET;
        return this;
    }

    /**
     * Takes the lock if it is free or biased to this handle. Never waits.
     *
     * @return true when this handle now holds it.
     */
    public boolean tryAcquire()
    {
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
        if (buffer.compareAndSetLong(lockOffset, OwnerToken.NONE, self))
        {
            countOtherHold();
            held = true;
            return true;
        }
        return false;
    }

    /**
     * Takes the lock if it is biased to this handle: two plain stores and a load, and no other handle has held it
     * since this handle's last hold. Never waits.
     *
     * @return true when this handle now holds it; false when it is not biased to this handle (any more).
     */
    public boolean tryAcquireBiased()
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
        buffer.putLongRelease(activeOffset, 1L);
        AsymmetricFence.progressSide(); // the active store before the load of the lock word
        if (buffer.getLongVolatile(lockOffset) == biasedValue)
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
        buffer.putLongRelease(activeOffset, 0L);
    }

    private void lostBias()
    {
        // revoked: another handle took it (or is taking it) since this handle's last hold
        biased = false;
        streak = 0;
        threshold = Math.min(threshold * 8, MAX_BIAS_THRESHOLD);
        buffer.putLongRelease(activeOffset, 0L);
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
            // active before the lock word: a revoker that sees the bias must also see this handle inside
            buffer.putLongRelease(activeOffset, 1L);
            if (buffer.compareAndSetLong(lockOffset, OwnerToken.NONE, biasedValue))
            {
                biased = true;
                held = true;
                return true;
            }
            buffer.putLongRelease(activeOffset, 0L);
            return false;
        }
        if (buffer.compareAndSetLong(lockOffset, OwnerToken.NONE, self))
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
     * Takes the lock from a bias that another handle holds but is not using: marks it revoking, fences once, and
     * takes it when the biased handle is out of its hold. Call it when {@link #tryAcquire()} failed; it returns false
     * at once when the lock is not biased. A caller that gets false waits on the doorbell the holder rings on release
     * and tries again.
     *
     * @return true when this handle now holds the lock.
     */
    public boolean tryRevoke()
    {
        long lock = buffer.getLongVolatile(lockOffset);
        if ((lock & BIASED) != 0)
        {
            final long revoking = (lock & ~FLAGS) | REVOKING;
            if (!buffer.compareAndSetLong(lockOffset, lock, revoking))
            {
                return false;
            }
            lock = revoking;
        }
        if ((lock & REVOKING) == 0)
        {
            return false;
        }
        // one barrier per revocation: afterwards the biased handle either is seen active or sees the mark. The hold
        // count tells a later revocation of the same process's bias from this one
        final long others = buffer.getLongVolatile(othersOffset);
        if (lock != fencedLock || others != fencedOthers)
        {
            if (!AsymmetricFence.waitingSide())
            {
                return false;
            }
            fencedLock = lock;
            fencedOthers = others;
        }
        if (buffer.getLongVolatile(activeOffset) != 0L && !slotOwner)
        {
            return false;
        }
        if (buffer.compareAndSetLong(lockOffset, lock, self))
        {
            if (!slotOwner)
            {
                countOtherHold();
            }
            held = true;
            return true;
        }
        return false;
    }

    /**
     * Takes the lock over if its holder (or the process it is biased to) is no longer alive. Reads {@code /proc}:
     * call it on slow paths.
     *
     * @return the dead holder's token when this handle took the lock over, or {@link OwnerToken#NONE}.
     */
    public long tryTakeOverFromDead()
    {
        final long lock = buffer.getLongVolatile(lockOffset);
        final long holder = lock & ~FLAGS;
        if (holder != OwnerToken.NONE && holder != self && !OwnerToken.isAlive(holder) &&
            buffer.compareAndSetLong(lockOffset, lock, self))
        {
            if (!slotOwner)
            {
                countOtherHold();
                final long slot = buffer.getLongVolatile(slotOffset);
                if (slot == holder)
                {
                    takeSlot(holder);
                }
            }
            held = true;
            return holder;
        }
        return OwnerToken.NONE;
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
     * Gives up the bias and the slot, for a handle that closes. The caller holds no hold and no thread of the
     * handle is in a call.
     */
    public void close()
    {
        if (held)
        {
            release();
        }
        if (biased)
        {
            biased = false;
            buffer.compareAndSetLong(lockOffset, biasedValue, OwnerToken.NONE);
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
