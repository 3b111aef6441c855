package io.ipckit.shm.sync;

import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import org.agrona.concurrent.AtomicBuffer;

import static io.ipckit.core.internal.kit.OwnerToken.RECLAIM_MARK;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * A flyweight over a fixed table of per-process slots in shared memory: each slot is an owner token
 * ({@link OwnerToken}, {@link OwnerToken#NONE} when free) and a 64-bit value that the owning process keeps (permits held, attachments).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |               Owner Token (0 = free slot)                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Value                               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      ... more slots                          ...
 *  +---------------------------------------------------------------+
 * </pre>
 * A process claims a free slot with a compare-and-set of its token; a survivor that finds the token of a dead process
 * {@link #seizeIfDead seizes} the slot (compare-and-set to its own token with {@link OwnerToken#RECLAIM_MARK} set, so only one
 * survivor cleans up), takes the value and {@link #free}s it. A survivor killed while it cleans up leaves its marked
 * token, which names a dead process too: the next survivor seizes the slot from it and finishes the clean-up, so no
 * slot is lost to a death during another's recovery. (Files of earlier versions marked a seized slot with -1: the
 * mark over pid 2^31 - 1, which never runs; layout version 3 of the sync files refuses such files, but a slot word
 * naming no running process is seized again whatever it holds.)
 * <p>
 * Thread-safe and process-safe.
 */
final class ProcessTable
{
    /** Length of one slot in bytes. */
    static final int SLOT_LENGTH = 2 * SIZE_OF_LONG;

    /**
     * Serialises this JVM's {@link #claim}s, {@link #attach}es and {@link #detach}es, of every table (a barrier's): a
     * process's token then has one slot per table. A semaphore serialises its process's claims with its
     * {@link OwnerSlot} and never takes this lock. Package-private for the tests that show it.
     */
    static final Object CLAIM_LOCK = new Object();
    private final AtomicBuffer buffer;
    private final int offset;
    private final int slots;

    ProcessTable(final AtomicBuffer buffer, final int offset, final int slots)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.slots = slots;
        buffer.boundsCheck(offset, slots * SLOT_LENGTH);
    }

    /**
     * @param slots number of slots.
     * @return the table's length in bytes.
     */
    static int length(final int slots)
    {
        return slots * SLOT_LENGTH;
    }

    int slots()
    {
        return slots;
    }

    /**
     * @param word an owner token.
     * @return the slot that process holds, or -1.
     */
    int find(final long word)
    {
        for (int i = 0; i < slots; i++)
        {
            if (buffer.getLongVolatile(wordOffset(i)) == word)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return true when no slot is free.
     */
    boolean isFull()
    {
        for (int i = 0; i < slots; i++)
        {
            if (word(i) == OwnerToken.NONE)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Finds the slot of {@code word} or claims a free one for it.
     *
     * @param word an owner token.
     * @return the slot, or -1 when every slot is taken.
     */
    int claim(final long word)
    {
        final int existing = find(word);
        if (existing >= 0)
        {
            return existing;
        }
        // one claim at a time in this JVM: two threads of one process that both found no slot would otherwise each
        // claim one, and the values their process keeps would split between them (releases counted on the first)
        synchronized (CLAIM_LOCK)
        {
            return claimAlone(word);
        }
    }

    /**
     * Finds the slot of {@code word} or claims a free one for it, for a caller that makes sure no other thread of its
     * process claims in this table meanwhile (as {@link #claim} does with a lock).
     *
     * @param word an owner token.
     * @return the slot, or -1 when every slot is taken.
     */
    int claimAlone(final long word)
    {
        final int found = find(word);
        if (found >= 0)
        {
            return found;
        }
        for (int i = 0; i < slots; i++)
        {
            if (buffer.compareAndSetLong(wordOffset(i), 0, word))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param slot a slot.
     * @return its owner token, 0 when free, or a cleaning process's token with {@link OwnerToken#RECLAIM_MARK} set.
     */
    long word(final int slot)
    {
        return buffer.getLongVolatile(wordOffset(slot));
    }

    /**
     * Hands every process in the table to the kernel's watch for one wait ({@link Waiter#watchPeer(long)}).
     *
     * @param waiter the wait, within its liveness check.
     * @return true when every process in the table is watched.
     */
    boolean watchAll(final Waiter waiter)
    {
        for (int i = 0; i < slots; i++)
        {
            final long token = word(i) & ~RECLAIM_MARK; // a slot being cleaned up: watch the process cleaning it
            if (token != OwnerToken.NONE && !waiter.watchPeer(token))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Seizes a slot whose process died, or whose cleaning process died before it freed the slot, for the caller alone
     * to clean up and then {@link #free}: the slot's word becomes this process's token with {@link OwnerToken#RECLAIM_MARK}.
     *
     * @param slot a slot.
     * @return the dead process's token (the cleaning one's, for a slot seized again), or 0 when the slot is free, its
     * process alive or someone else seized it.
     */
    long seizeIfDead(final int slot)
    {
        final long word = buffer.getLongVolatile(wordOffset(slot));
        final long owner = word & ~RECLAIM_MARK;
        if (owner != OwnerToken.NONE && !OwnerToken.isAlive(owner) &&
            buffer.compareAndSetLong(wordOffset(slot), word, OwnerToken.current() | RECLAIM_MARK))
        {
            return owner;
        }
        return 0;
    }

    /**
     * Frees a slot: its value is cleared, then the word (release store).
     *
     * @param slot a slot its caller holds or has seized.
     */
    void free(final int slot)
    {
        buffer.putLongVolatile(valueOffset(slot), 0);
        // release store -> the cleared value is visible to whoever claims the slot next
        buffer.putLongRelease(wordOffset(slot), 0);
    }

    /**
     * Counts one more open object of this process in its slot: {@link #claim} and the count in one step against
     * {@link #detach} of this JVM, so that a close of another handle never frees the slot between the two.
     *
     * @param word an owner token.
     * @return the slot, or -1 when every slot is taken.
     */
    int attach(final long word)
    {
        synchronized (CLAIM_LOCK)
        {
            final int slot = claim(word);
            if (slot >= 0)
            {
                addValue(slot, 1);
            }
            return slot;
        }
    }

    /**
     * Counts one open object of this process fewer in its slot, and frees the slot with the last, in one step
     * against {@link #attach} of this JVM.
     *
     * @param slot a slot {@link #attach} gave.
     * @param word the same owner token.
     */
    void detach(final int slot, final long word)
    {
        synchronized (CLAIM_LOCK)
        {
            if (word(slot) == word && addValue(slot, -1) <= 0)
            {
                free(slot);
            }
        }
    }

    /**
     * @param slot a slot.
     * @return its value.
     */
    long value(final int slot)
    {
        return buffer.getLongVolatile(valueOffset(slot));
    }

    /**
     * @param slot  a slot.
     * @param delta added to its value.
     * @return the new value.
     */
    long addValue(final int slot, final long delta)
    {
        return buffer.getAndAddLong(valueOffset(slot), delta) + delta;
    }

    /**
     * Subtracts up to {@code amount} from a slot's value without going below 0.
     *
     * @param slot   a slot.
     * @param amount at least 0.
     * @return the new value.
     */
    long subtractClamped(final int slot, final long amount)
    {
        final int index = valueOffset(slot);
        while (true)
        {
            final long value = buffer.getLongVolatile(index);
            final long updated = Math.max(0, value - amount);
            if (buffer.compareAndSetLong(index, value, updated))
            {
                return updated;
            }
        }
    }

    /**
     * @param slot a slot.
     * @return its value, swapped for 0.
     */
    long takeValue(final int slot)
    {
        return buffer.getAndSetLong(valueOffset(slot), 0);
    }

    private int wordOffset(final int slot)
    {
        return offset + slot * SLOT_LENGTH;
    }

    private int valueOffset(final int slot)
    {
        return offset + slot * SLOT_LENGTH + SIZE_OF_LONG;
    }
}
