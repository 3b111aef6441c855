package io.ipckit.shm.dict;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.internal.kit.OwnerToken;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.invoke.VarHandle;

import static io.ipckit.shm.dict.SharedDictDescriptor.*;

/**
 * The entries of a {@link SharedDict}: hashing, probing a segment's slots, reading under the segment's seqlock,
 * and the writes (store, delete, clear) made while holding the segment's lock. Works on key and value bytes only;
 * {@link SharedDict} adds codecs and the {@code Map} methods, {@link DictStructure} the directory, the locks and
 * growth.
 * <p>
 * <b>Note to maintainers: the invariants that make a writer killed anywhere harmless.</b>
 * <ol>
 * <li>Entries are immutable while a slot refers to them. A put writes the new entry out of place (above the heap
 * top or into a freed block), then publishes it with one release store of its slot; a remove publishes a tombstone
 * (or an empty slot when the next slot is empty, which ends no other probe) with one store. So at every instant
 * each key has exactly its old or its new entry, and a writer killed at any point leaves one of the two. The
 * counters (count, tombstones, garbage) are written after the slot and may be stale after a kill: the takeover
 * recounts them from the slots ({@code DictStructure.repairSegment}).</li>
 * <li>Segment memory is reused by a rebuild (split or compaction, into other segments), by {@link #clear}, and
 * through the segment's freed blocks: a block replaced or removed is linked (inside the odd-sequence window, since
 * linking overwrites it) and a later entry of the same length is written into it. A block is popped before it is
 * written, so a writer killed then leaks it; the takeover drops the links and counts every unreachable byte as
 * garbage. The sequence is odd during every change a reader could trip over, so a reader that raced with a change
 * (or read a block freed since) retries.</li>
 * <li>Readers never write and validate every offset against the segment before they dereference it: a torn read
 * never leaves the mapping. A reader that finds a segment mid-write by a dead process reads it as it is (each key
 * before or after), so a dead writer stalls readers only for a liveness check.</li>
 * <li>At most three quarters of the slots are used or tombstones, so every probe ends at an empty slot.</li>
 * </ol>
 * Thread-safe and process-safe; nothing here is per thread except what callers pass in.
 */
final class DictCore
{
    /** Returned by {@link #findSlot} for a probe that met invalid data (torn or corrupt). */
    static final int INVALID = Integer.MIN_VALUE;
    /** Returned by a read that must be retried. */
    private static final int RETRY = -2;
    /** Liveness looks in a row that find a segment mid-change with no writer before it is called corrupt. */
    private static final int OWNERLESS_LOOKS_LIMIT = 8;
    private static final long OWNERLESS_SEQUENCE_MASK = (1L << 56) - 1;

    private final DictStructure structure;
    private final AtomicBuffer buffer;
    private final String name;
    private final int segmentBytes;
    private final int slotCount;
    private final int slotMask;
    private final int maxLoad;
    private final int heapStart;
    final int maxDepth;

    DictCore(final ResourceFile file)
    {
        this.structure = new DictStructure(file);
        this.buffer = file.buffer();
        this.name = file.name();
        this.segmentBytes = structure.segmentBytes;
        this.slotCount = structure.slotCount;
        this.slotMask = structure.slotMask;
        this.maxLoad = structure.maxLoad;
        this.heapStart = structure.heapStart;
        this.maxDepth = structure.maxDepth;
    }

    AtomicBuffer buffer()
    {
        return buffer;
    }

    int segmentOffset(final int segment)
    {
        return structure.segmentOffset(segment);
    }

    void lockServing(final long hash, final DictStructure.Held held, final int heldOuter)
    {
        structure.lockServing(hash, held, heldOuter);
    }

    void lockServing(final long hash, final DictStructure.Held held, final int heldOuter, final boolean runsUserCode)
    {
        structure.lockServing(hash, held, heldOuter, runsUserCode);
    }

    void unlock(final DictStructure.Held held)
    {
        structure.unlock(held);
    }

    long takeovers()
    {
        return structure.takeovers();
    }

    /**
     * @return the largest entry (key and value with the entry header) a segment can hold.
     */
    int maxEntryBytes()
    {
        return segmentBytes - heapStart;
    }

    // ---------------------------------------------------------------- hashing and lookup

    /**
     * A 64-bit hash of key bytes: the low bits pick the directory entry, bits 24 and up the first slot, the high 32
     * bits are the slot's tag.
     */
    static long hash(final DirectBuffer key, final int offset, final int length)
    {
        long h = 0x9E3779B97F4A7C15L ^ (length * 0xC2B2AE3D27D4EB4FL);
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            h = Long.rotateLeft(h ^ mix(key.getLong(offset + i)), 27) * 0x9E3779B97F4A7C15L + 0x52DCE729L;
        }
        if (i < length)
        {
            long tail = 0;
            for (int shift = 0; i < length; i++, shift += 8)
            {
                tail |= (key.getByte(offset + i) & 0xFFL) << shift;
            }
            h = Long.rotateLeft(h ^ mix(tail), 27) * 0x9E3779B97F4A7C15L + 0x52DCE729L;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    private static long mix(final long k)
    {
        return Long.rotateLeft(k * 0x87C37B91114253D5L, 31) * 0x4CF5AD432745937FL;
    }

    /**
     * Probes a segment for a key; safe on torn data (bounded probe, offsets validated).
     *
     * @return the slot index when found; {@code -1 - slot} of the slot to insert at when absent; {@link #INVALID}
     * when the data is inconsistent.
     */
    int findSlot(final int so, final DirectBuffer key, final int keyOffset, final int keyLength, final long hash)
    {
        final int tag = (int)(hash >>> 32);
        int firstFree = -1;
        int i = (int)(hash >>> 24) & slotMask;
        for (int n = 0; n < slotCount; n++, i = (i + 1) & slotMask)
        {
            final long slot = buffer.getLong(so + SEG_SLOTS_OFFSET + 8 * i);
            if (slot == SLOT_EMPTY)
            {
                return -1 - (firstFree >= 0 ? firstFree : i);
            }
            if (slot == SLOT_TOMBSTONE)
            {
                if (firstFree < 0)
                {
                    firstFree = i;
                }
            }
            else if ((int)(slot >>> 32) == tag)
            {
                final int entry = (int)slot;
                if (!structure.validEntry(so, entry))
                {
                    return INVALID;
                }
                if (buffer.getInt(so + entry) == keyLength && keyEquals(so + entry + ENTRY_KEY_OFFSET, key, keyOffset,
                    keyLength))
                {
                    return i;
                }
            }
        }
        return firstFree >= 0 ? -1 - firstFree : INVALID;
    }

    private boolean keyEquals(final int at, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        int i = 0;
        for (; i + 8 <= keyLength; i += 8)
        {
            if (buffer.getLong(at + i) != key.getLong(keyOffset + i))
            {
                return false;
            }
        }
        for (; i < keyLength; i++)
        {
            if (buffer.getByte(at + i) != key.getByte(keyOffset + i))
            {
                return false;
            }
        }
        return true;
    }

    int slotAddress(final int so, final int slot)
    {
        return so + SEG_SLOTS_OFFSET + 8 * slot;
    }

    /**
     * @return the absolute offset of the entry a found slot refers to.
     */
    int entryAt(final int so, final int slot)
    {
        return so + (int)buffer.getLong(slotAddress(so, slot));
    }

    int valueOffsetOf(final int entryAbs)
    {
        return entryAbs + valueOffset(buffer.getInt(entryAbs + ENTRY_KEY_LENGTH_OFFSET));
    }

    int valueLengthOf(final int entryAbs)
    {
        return buffer.getInt(entryAbs + ENTRY_VALUE_LENGTH_OFFSET);
    }

    // ---------------------------------------------------------------- readers (write nothing but, after 1024
    // lookups that miss in a row, the structure lock, to look whether the directory is corrupt: checkDirectory)

    /**
     * Copies the value of a key into {@code dst}, or, when {@code handler} is not null, passes it in place.
     *
     * @return the value length, or -1 when the key is absent.
     */
    int read(
        final DirectBuffer key, final int keyOffset, final int keyLength, final long hash,
        final MutableDirectBuffer dst, final int dstOffset, final ValueHandler handler)
    {
        int spins = 0;
        int misses = 0;
        long ownerless = 0;
        while (true)
        {
            final int so = structure.segmentOffset(structure.directoryLookup(hash));
            final long seq = buffer.getLongAcquire(so + SEG_SEQUENCE_OFFSET);
            if ((seq & 1) != 0 && !mayReadFrozen(so, ++spins))
            {
                ownerless = ownerlessLooks(so, seq, spins, ownerless);
                continue;
            }
            int result = RETRY;
            boolean invalid = false;
            int tooSmall = -1;
            if (structure.serves(so, hash))
            {
                final int slot = findSlot(so, key, keyOffset, keyLength, hash);
                if (slot >= 0)
                {
                    final int entry = (int)buffer.getLong(slotAddress(so, slot));
                    final int at = so + entry;
                    // the entry's lengths are read once and checked before use: a writer replacing or freeing it
                    // meanwhile (the free list's link overwrites the value length) makes them anything
                    final int valueLength = structure.validEntry(so, entry) ? valueLengthOf(at) : -1;
                    final int valueAt = valueLength < 0 ? 0 : valueOffsetOf(at);
                    if (valueLength < 0 || valueAt - so < heapStart || (long)valueAt - so + valueLength > segmentBytes)
                    {
                        invalid = true;
                    }
                    else if (dst != null && !dst.isExpandable() && (long)dstOffset + valueLength > dst.capacity())
                    {
                        tooSmall = valueLength; // thrown only when the sequence says the length was not torn
                    }
                    else
                    {
                        if (handler != null)
                        {
                            handler.onValue(buffer, valueAt, valueLength);
                        }
                        else if (dst != null)
                        {
                            dst.putBytes(dstOffset, buffer, valueAt, valueLength);
                        }
                        result = valueLength;
                    }
                }
                else if (slot == INVALID)
                {
                    invalid = true;
                }
                else
                {
                    result = -1;
                }
            }
            else
            {
                structure.checkDirectory(hash, ++misses); // a rebuild under way, or a corrupt directory
            }
            // load-load fence -> every read above happens before the sequence is read again
            VarHandle.acquireFence();
            if (buffer.getLong(so + SEG_SEQUENCE_OFFSET) == seq)
            {
                if (result != RETRY)
                {
                    return result;
                }
                if (invalid)
                {
                    throw structure.corrupt("segment at " + so + " has an entry outside its heap");
                }
                if (tooSmall >= 0)
                {
                    throw new IndexOutOfBoundsException("the value of " + tooSmall + " bytes does not fit in dst " +
                        "from index " + dstOffset + " (capacity " + dst.capacity() + ")");
                }
            }
            DictStructure.spin(++spins);
        }
    }

    /**
     * Reads a segment's consistent count, or copies its entries, for the walk over hash ranges.
     *
     * @param virtual a hash whose low {@link #maxDepth} bits pick the range.
     * @param out     where to copy the entries (each as in the heap, packed), or null to count only.
     * @return {@code depth << 32 | (out == null ? count : bytes copied)} of the segment serving the range.
     */
    long snapshot(final long virtual, final MutableDirectBuffer out)
    {
        int spins = 0;
        int misses = 0;
        long ownerless = 0;
        while (true)
        {
            final int so = structure.segmentOffset(structure.directoryLookup(virtual));
            final long seq = buffer.getLongAcquire(so + SEG_SEQUENCE_OFFSET);
            if ((seq & 1) != 0 && !mayReadFrozen(so, ++spins))
            {
                ownerless = ownerlessLooks(so, seq, spins, ownerless);
                continue;
            }
            long result = -1;
            boolean invalid = false;
            if (structure.serves(so, virtual))
            {
                final int depth = buffer.getInt(so + SEG_DEPTH_OFFSET);
                int value = 0;
                if (out == null)
                {
                    value = buffer.getInt(so + SEG_COUNT_OFFSET);
                }
                else
                {
                    for (int i = 0; i < slotCount && !invalid; i++)
                    {
                        final long slot = buffer.getLong(so + SEG_SLOTS_OFFSET + 8 * i);
                        if (slot != SLOT_EMPTY && slot != SLOT_TOMBSTONE)
                        {
                            final int entry = (int)slot;
                            // the lengths read once and checked: a writer may change them between two reads
                            final long length = structure.validEntry(so, entry) ? entryLength(
                                buffer.getInt(so + entry), buffer.getInt(so + entry + ENTRY_VALUE_LENGTH_OFFSET)) : -1;
                            if (length >= 0 && entry + length <= segmentBytes)
                            {
                                out.putBytes(value, buffer, so + entry, (int)length);
                                value += (int)length;
                            }
                            else
                            {
                                invalid = true;
                            }
                        }
                    }
                }
                result = ((long)depth << 32) | (value & 0xFFFF_FFFFL);
            }
            else
            {
                structure.checkDirectory(virtual, ++misses); // a rebuild under way, or a corrupt directory
            }
            // load-load fence -> the copy happens before the sequence is read again
            VarHandle.acquireFence();
            if (buffer.getLong(so + SEG_SEQUENCE_OFFSET) == seq)
            {
                if (invalid)
                {
                    throw structure.corrupt("segment at " + so + " has an entry outside its heap");
                }
                if (result >= 0)
                {
                    return result;
                }
            }
            DictStructure.spin(++spins);
        }
    }

    /**
     * A reader that keeps meeting an odd sequence looks, at each liveness interval, whether any writer holds the
     * segment's lock. A writer makes the sequence odd only while it holds the lock, and moves it on each time; so the
     * same odd sequence with no holder at {@link #OWNERLESS_LOOKS_LIMIT} looks in a row (about half a second) is a
     * word another program overwrote, and the reader stops there instead of waiting for good. (A reader may see a
     * live writer's odd sequence and then its lock free, when the writer ended between the two loads; the next
     * writer's sequence is another one.)
     *
     * @param looks the previous result: the low 56 bits of the sequence met (bits 8 and up) and how many looks in a
     *              row found it with no holder (bits 0 to 7); 0 at first.
     * @return the new state, for the next call.
     * @throws io.ipckit.core.exceptions.CorruptResourceException when the limit is passed.
     */
    private long ownerlessLooks(final int so, final long seq, final int spins, final long looks)
    {
        if (spins <= DictStructure.SPIN_LIMIT || spins % DictStructure.LIVENESS_SPINS != 0)
        {
            return looks;
        }
        if (buffer.getLongVolatile(so + SEG_LOCK_OFFSET) != OwnerToken.NONE)
        {
            return 0;
        }
        final long seen = seq & OWNERLESS_SEQUENCE_MASK; // sequences 2^56 writes apart are never both met
        final int inRow = looks >>> 8 == seen ? (int)(looks & 0xFF) + 1 : 1;
        if (inRow > OWNERLESS_LOOKS_LIMIT)
        {
            throw structure.corrupt("segment at " + so + " is marked mid-change (sequence " + seq + ") while no " +
                "writer holds its lock");
        }
        return seen << 8 | inRow;
    }

    /**
     * A reader met an odd sequence: a writer is changing the segment. Spins, then, when the writer is dead, lets
     * the reader read the frozen segment (its state is before or after each key's mutation) without waiting for a
     * takeover, so a dead writer stalls no reader beyond a liveness check.
     */
    private boolean mayReadFrozen(final int so, final int spins)
    {
        if (spins > DictStructure.SPIN_LIMIT && spins % DictStructure.LIVENESS_SPINS == 0)
        {
            final long holder = buffer.getLongVolatile(so + SEG_LOCK_OFFSET);
            if (holder != OwnerToken.NONE && !OwnerToken.isAlive(holder))
            {
                return true;
            }
        }
        DictStructure.spin(spins);
        return false;
    }

    // ---------------------------------------------------------------- writers (hold the segment lock)

    /**
     * Inserts or replaces the entry of a key in the held segment, rebuilding (and so moving {@code held}) when it
     * has no room. The value comes from {@code value} or, when {@code writer} is not null, is written in place.
     *
     * @return true when the key was new.
     */
    boolean store(
        final DictStructure.Held held, final long hash, final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength, final ValueWriter writer)
    {
        final long need = entryLength(keyLength, valueLength);
        if (need > maxEntryBytes())
        {
            throw new IllegalArgumentException("SharedDict \"" + name + "\": an entry of a " + keyLength +
                "-byte key and a " + valueLength + "-byte value takes " + need + " bytes, more than a segment's " +
                maxEntryBytes() + "; create the dict with a larger segmentBytes");
        }
        int so;
        int slot;
        int at;
        boolean reused = false;
        while (true)
        {
            so = structure.segmentOffset(held.segment);
            slot = findSlot(so, key, keyOffset, keyLength, hash);
            if (slot == INVALID)
            {
                throw structure.corrupt("segment at " + so + " has an entry outside its heap");
            }
            final boolean slotRoom = slot >= 0 ||
                buffer.getLong(slotAddress(so, -1 - slot)) == SLOT_TOMBSTONE ||
                buffer.getInt(so + SEG_COUNT_OFFSET) + buffer.getInt(so + SEG_TOMBSTONES_OFFSET) < maxLoad;
            if (slotRoom)
            {
                final int block = freeBlock(so);
                if (block != 0 && buffer.getInt(so + block) == need)
                {
                    if (block + need > segmentBytes)
                    {
                        throw structure.corrupt("segment at " + so + " has a free block of " + need +
                            " bytes at " + block + ", past its end");
                    }
                    at = block;
                    reused = true;
                    break;
                }
                at = buffer.getInt(so + SEG_HEAP_TOP_OFFSET);
                if (at >= heapStart && at + need <= segmentBytes)
                {
                    break;
                }
            }
            structure.rebuild(held, hash, (int)need);
        }
        final int entry = so + at;
        if (reused)
        {
            // pop before the block is written: a writer killed from here on leaks the block, never links it twice
            buffer.putInt(so + SEG_FREE_BLOCK_OFFSET, buffer.getInt(entry + 4));
        }
        buffer.putInt(entry + ENTRY_KEY_LENGTH_OFFSET, keyLength);
        buffer.putInt(entry + ENTRY_VALUE_LENGTH_OFFSET, valueLength);
        buffer.putBytes(entry + ENTRY_KEY_OFFSET, key, keyOffset, keyLength);
        final int valueAt = entry + valueOffset(keyLength);
        if (writer != null)
        {
            try
            {
                writer.write(buffer, valueAt, valueLength);
            }
            catch (final RuntimeException | Error ex)
            {
                if (reused)
                {
                    pushBlock(so, at, (int)need);
                }
                throw ex;
            }
        }
        else
        {
            buffer.putBytes(valueAt, value, valueOffset, valueLength);
        }
        if (!reused)
        {
            buffer.putInt(so + SEG_HEAP_TOP_OFFSET, at + (int)need);
        }
        final long newSlot = (hash & 0xFFFF_FFFF_0000_0000L) | at;
        structure.beginWrite(so);
        if (slot >= 0)
        {
            final int address = slotAddress(so, slot);
            final int old = (int)buffer.getLong(address);
            final int oldLength = (int)entryLength(buffer.getInt(so + old), valueLengthOf(so + old));
            // release store -> publishes the new entry; the old one is garbage from here
            buffer.putLongRelease(address, newSlot);
            pushBlock(so, old, oldLength);
            addInt(so + SEG_GARBAGE_OFFSET, oldLength);
        }
        else
        {
            final int address = slotAddress(so, -1 - slot);
            final boolean tombstone = buffer.getLong(address) == SLOT_TOMBSTONE;
            // release store -> publishes the new entry
            buffer.putLongRelease(address, newSlot);
            addInt(so + SEG_COUNT_OFFSET, 1);
            if (tombstone)
            {
                addInt(so + SEG_TOMBSTONES_OFFSET, -1);
            }
        }
        if (reused)
        {
            addInt(so + SEG_GARBAGE_OFFSET, -(int)need);
        }
        structure.endWrite(so);
        return slot < 0;
    }

    /**
     * Removes the entry of a found slot from the held segment.
     */
    void delete(final DictStructure.Held held, final int slot)
    {
        final int so = structure.segmentOffset(held.segment);
        final int address = slotAddress(so, slot);
        final int old = (int)buffer.getLong(address);
        final int oldLength = (int)entryLength(buffer.getInt(so + old), valueLengthOf(so + old));
        final boolean last = buffer.getLong(slotAddress(so, (slot + 1) & slotMask)) == SLOT_EMPTY;
        structure.beginWrite(so);
        // release store -> the key is gone; an empty slot only where no probe goes on past it
        buffer.putLongRelease(address, last ? SLOT_EMPTY : SLOT_TOMBSTONE);
        pushBlock(so, old, oldLength);
        addInt(so + SEG_COUNT_OFFSET, -1);
        if (!last)
        {
            addInt(so + SEG_TOMBSTONES_OFFSET, 1);
        }
        addInt(so + SEG_GARBAGE_OFFSET, oldLength);
        structure.endWrite(so);
    }

    /**
     * Empties the held segment in place (readers retry on its sequence).
     */
    void clear(final DictStructure.Held held)
    {
        final int so = structure.segmentOffset(held.segment);
        structure.beginWrite(so);
        // first every entry becomes a tombstone, one store each: a writer killed here leaves each key present or
        // removed, and never an empty slot in the middle of a probe that would hide the keys after it
        for (int i = 0; i < slotCount; i++)
        {
            final int address = so + SEG_SLOTS_OFFSET + 8 * i;
            final long slot = buffer.getLong(address);
            if (slot != SLOT_EMPTY && slot != SLOT_TOMBSTONE)
            {
                buffer.putLong(address, SLOT_TOMBSTONE);
            }
        }
        // release fence -> no live slot is left before the slots are emptied
        VarHandle.releaseFence();
        buffer.setMemory(so + SEG_SLOTS_OFFSET, 8 * slotCount, (byte)0);
        // release fence -> every slot is empty before the heap can be reused
        VarHandle.releaseFence();
        buffer.putInt(so + SEG_HEAP_TOP_OFFSET, heapStart);
        buffer.putInt(so + SEG_FREE_BLOCK_OFFSET, 0);
        buffer.putInt(so + SEG_COUNT_OFFSET, 0);
        buffer.putInt(so + SEG_TOMBSTONES_OFFSET, 0);
        buffer.putInt(so + SEG_GARBAGE_OFFSET, 0);
        structure.endWrite(so);
    }

    /**
     * @return the local depth of the held segment.
     */
    int depthOf(final DictStructure.Held held)
    {
        return buffer.getInt(structure.segmentOffset(held.segment) + SEG_DEPTH_OFFSET);
    }

    /**
     * @return the offset of the first freed block of a segment, or 0; validated.
     */
    private int freeBlock(final int so)
    {
        final int block = buffer.getInt(so + SEG_FREE_BLOCK_OFFSET);
        if (block != 0 && (block < heapStart || block > segmentBytes - ENTRY_KEY_OFFSET ||
            (block & (ENTRY_ALIGNMENT - 1)) != 0))
        {
            throw structure.corrupt("segment at " + so + " has free block " + block);
        }
        return block;
    }

    /**
     * Links a block no slot refers to any more into the segment's free blocks. Called inside a write (odd
     * sequence), because it overwrites the block that a racing reader may still be reading.
     */
    private void pushBlock(final int so, final int block, final int length)
    {
        buffer.putInt(so + block, length);
        buffer.putInt(so + block + 4, buffer.getInt(so + SEG_FREE_BLOCK_OFFSET));
        buffer.putInt(so + SEG_FREE_BLOCK_OFFSET, block);
    }

    private void addInt(final int at, final int delta)
    {
        buffer.putInt(at, buffer.getInt(at) + delta);
    }
}
