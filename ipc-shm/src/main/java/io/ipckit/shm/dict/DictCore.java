package io.ipckit.shm.dict;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.SharedMemoryExhaustedException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.internal.kit.OwnerToken;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import static io.ipckit.shm.dict.SharedDictDescriptor.*;

/**
 * The engine of a {@link SharedDict}: segments found through an extendible-hashing directory, a seqlock per segment
 * for readers, an owner-recording lock per segment for writers, and the split and compaction that let the dict grow
 * and reuse space. Works on key and value bytes only; {@link SharedDict} adds codecs and the {@code Map} views.
 * <p>
 * <b>Note to maintainers: the invariants that make a writer killed anywhere harmless.</b>
 * <ol>
 * <li>Entries are immutable while a slot refers to them. A put writes the new entry out of place, above the heap
 * top, then publishes it with one release store of its slot; a remove publishes a tombstone (or an empty slot when
 * the next slot is empty) with one store. So at every instant each key has exactly its old or its new entry, and a
 * writer killed at any point leaves one of the two. The counters (count, tombstones, garbage) are written after the
 * slot and may be stale after a kill: the takeover recounts them from the slots ({@link #repairSegment}).</li>
 * <li>Segment memory is reused by a rebuild (split or compaction, into other segments), by {@link #clear}, and
 * through the segment's freed blocks: a block replaced or removed is linked (inside the odd-sequence window, since
 * linking overwrites it) and a later entry of the same length is written into it. A block is popped before it is
 * written, so a writer killed then leaks it; the takeover drops the links and counts every unreachable byte as
 * garbage. The segment's sequence is odd during every change a reader could trip over, and never reset, so a
 * reader that raced with a change (or read a block freed since) retries. Readers validate every offset against the segment before they dereference it: a
 * torn read never leaves the mapping.</li>
 * <li>A segment serves a hash only while its state is {@code LIVE} and its prefix equals the hash's low
 * {@code depth} bits; readers and writers check both after finding it through the directory, so a stale directory
 * entry or a reused segment is noticed and the lookup redone.</li>
 * <li>A rebuild holds the old segment's lock, the structure lock and the locks of the new segments for its whole
 * length, and is journaled: {@code ALLOCATED} (new segments taken, nothing visible) is undone by a takeover,
 * {@code BUILT} (new segments complete copies of the frozen old one) is finished by a takeover. Every step of the
 * finish (doubling the directory, re-pointing its entries, retiring and freeing the old segment) is idempotent.</li>
 * <li>Takeovers go through the structure lock: whoever takes over a segment lock first holds (and so has repaired)
 * the structure, so no one works on a half-switched directory. Lock order: segment, then structure; the takeover
 * path only tries segment locks while it holds the structure lock, so the two orders cannot deadlock.</li>
 * <li>A writer killed between taking a segment from the allocator and recording it in the journal leaks that
 * segment (at most two per kill in that window): space, never consistency.</li>
 * </ol>
 * Thread-safe and process-safe: the lock word names the process, and a compare-and-set from free admits one thread
 * of one process; nothing here is per thread except what callers pass in.
 */
final class DictCore
{
    /** Returned by {@link #findSlot} for a probe that met invalid data (torn or corrupt). */
    static final int INVALID = Integer.MIN_VALUE;
    /** Returned by a read that must be retried. */
    private static final int RETRY = -2;
    private static final int SPIN_LIMIT = 200;
    private static final int LIVENESS_SPINS = 1024;

    private final ResourceFile file;
    private final AtomicBuffer buffer;
    private final String name;
    private final long token = OwnerToken.current();
    final int segmentBytes;
    final int slotCount;
    private final int slotMask;
    private final int maxLoad;
    private final int heapStart;
    final int maxDepth;
    private final int maxSegments;
    private final int directoryOffset;
    private final int segmentsOffset;

    /**
     * A segment index held by one thread, updated when a rebuild moves the thread to a new segment.
     */
    static final class Held
    {
        int segment = -1;
    }

    DictCore(final ResourceFile file)
    {
        this.file = file;
        this.buffer = file.buffer();
        this.name = file.name();
        this.segmentBytes = buffer.getInt(SEGMENT_LENGTH_OFFSET);
        this.slotCount = buffer.getInt(SLOT_COUNT_OFFSET);
        this.slotMask = slotCount - 1;
        this.maxLoad = slotCount - (slotCount >> 2);
        this.heapStart = SEG_SLOTS_OFFSET + 8 * slotCount;
        this.maxDepth = buffer.getInt(MAX_DEPTH_OFFSET);
        this.maxSegments = buffer.getInt(MAX_SEGMENTS_OFFSET);
        this.directoryOffset = buffer.getInt(DIRECTORY_OFFSET_OFFSET);
        this.segmentsOffset = buffer.getInt(SEGMENTS_OFFSET_OFFSET);
    }

    AtomicBuffer buffer()
    {
        return buffer;
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

    int segmentOffset(final int segment)
    {
        return segmentsOffset + segment * segmentBytes;
    }

    private int directoryLookup(final long hash)
    {
        final int depth = buffer.getIntAcquire(GLOBAL_DEPTH_OFFSET);
        if (depth < 0 || depth > maxDepth)
        {
            throw corrupt("global depth " + depth);
        }
        // acquire -> the segment was built before its directory entry was published
        final int segment = buffer.getIntAcquire(directoryOffset + 4 * ((int)hash & ((1 << depth) - 1)));
        if (segment < 0 || segment >= maxSegments)
        {
            throw corrupt("directory entry " + segment);
        }
        return segment;
    }

    private boolean serves(final int so, final long hash)
    {
        final int depth = buffer.getInt(so + SEG_DEPTH_OFFSET);
        return buffer.getInt(so + SEG_STATE_OFFSET) == STATE_LIVE && depth >= 0 && depth <= maxDepth &&
            buffer.getInt(so + SEG_PREFIX_OFFSET) == ((int)hash & ((1 << depth) - 1));
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
                if (!validEntry(so, entry))
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

    private boolean validEntry(final int so, final int entry)
    {
        if (entry < heapStart || entry > segmentBytes - ENTRY_KEY_OFFSET || (entry & (ENTRY_ALIGNMENT - 1)) != 0)
        {
            return false;
        }
        final int keyLength = buffer.getInt(so + entry);
        final int valueLength = buffer.getInt(so + entry + ENTRY_VALUE_LENGTH_OFFSET);
        return keyLength >= 0 && valueLength >= 0 && entry + entryLength(keyLength, valueLength) <= segmentBytes;
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

    // ---------------------------------------------------------------- readers (never write)

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
        while (true)
        {
            final int so = segmentOffset(directoryLookup(hash));
            final long seq = buffer.getLongAcquire(so + SEG_SEQUENCE_OFFSET);
            if ((seq & 1) != 0 && !mayReadFrozen(so, ++spins))
            {
                continue;
            }
            int result = RETRY;
            boolean invalid = false;
            if (serves(so, hash))
            {
                final int slot = findSlot(so, key, keyOffset, keyLength, hash);
                if (slot >= 0)
                {
                    final int entry = (int)buffer.getLong(slotAddress(so, slot));
                    if (validEntry(so, entry))
                    {
                        final int at = so + entry;
                        final int valueLength = valueLengthOf(at);
                        final int valueAt = valueOffsetOf(at);
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
                    else
                    {
                        invalid = true;
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
                    throw corrupt("segment at " + so + " has an entry outside its heap");
                }
            }
            spin(++spins);
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
        while (true)
        {
            final int so = segmentOffset(directoryLookup(virtual));
            final long seq = buffer.getLongAcquire(so + SEG_SEQUENCE_OFFSET);
            if ((seq & 1) != 0 && !mayReadFrozen(so, ++spins))
            {
                continue;
            }
            long result = -1;
            boolean invalid = false;
            if (serves(so, virtual))
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
                            if (validEntry(so, entry))
                            {
                                final int length = (int)entryLength(buffer.getInt(so + entry),
                                    buffer.getInt(so + entry + ENTRY_VALUE_LENGTH_OFFSET));
                                out.putBytes(value, buffer, so + entry, length);
                                value += length;
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
            // load-load fence -> the copy happens before the sequence is read again
            VarHandle.acquireFence();
            if (buffer.getLong(so + SEG_SEQUENCE_OFFSET) == seq)
            {
                if (invalid)
                {
                    throw corrupt("segment at " + so + " has an entry outside its heap");
                }
                if (result >= 0)
                {
                    return result;
                }
            }
            spin(++spins);
        }
    }

    /**
     * A reader met an odd sequence: a writer is changing the segment. Spins, then, when the writer is dead, lets
     * the reader read the frozen segment (its state is before or after each key's mutation) without waiting for a
     * takeover, so a dead writer stalls no reader beyond a liveness check.
     */
    private boolean mayReadFrozen(final int so, final int spins)
    {
        if (spins > SPIN_LIMIT && spins % LIVENESS_SPINS == 0)
        {
            final long holder = buffer.getLongVolatile(so + SEG_LOCK_OFFSET);
            if (holder != OwnerToken.NONE && !OwnerToken.isAlive(holder))
            {
                return true;
            }
        }
        spin(spins);
        return false;
    }

    private static void spin(final int spins)
    {
        if (spins < SPIN_LIMIT)
        {
            Thread.onSpinWait();
        }
        else if (spins < 20 * SPIN_LIMIT)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(20_000);
        }
    }

    // ---------------------------------------------------------------- locks

    /**
     * Locks the segment serving {@code hash}, recording it in {@code held}.
     *
     * @param heldOuter a segment this thread already holds (a compute function calling the dict), or -1.
     * @throws IllegalStateException when that is the segment to lock, which would wait forever.
     */
    void lockServing(final long hash, final Held held, final int heldOuter)
    {
        while (true)
        {
            final int segment = directoryLookup(hash);
            if (segment == heldOuter)
            {
                throw new IllegalStateException("SharedDict \"" + name + "\": recursive update: a compute or merge " +
                    "function changed a key of the segment its own key locks; functions must not change the dict");
            }
            final int so = segmentOffset(segment);
            lock(so);
            if (serves(so, hash))
            {
                held.segment = segment;
                return;
            }
            unlock(so);
            Thread.onSpinWait();
        }
    }

    void unlock(final Held held)
    {
        if (held.segment >= 0)
        {
            unlock(segmentOffset(held.segment));
            held.segment = -1;
        }
    }

    private void unlock(final int so)
    {
        // release store -> publishes the segment's changes to the next holder
        buffer.putLongRelease(so + SEG_LOCK_OFFSET, OwnerToken.NONE);
    }

    private void lock(final int so)
    {
        if (!buffer.compareAndSetLong(so + SEG_LOCK_OFFSET, OwnerToken.NONE, token))
        {
            lockSlow(so);
        }
    }

    private void lockSlow(final int so)
    {
        final int at = so + SEG_LOCK_OFFSET;
        for (int spins = 1; ; spins++)
        {
            final long holder = buffer.getLongVolatile(at);
            if (holder == OwnerToken.NONE)
            {
                if (buffer.compareAndSetLong(at, OwnerToken.NONE, token))
                {
                    return;
                }
            }
            else if (spins % LIVENESS_SPINS == 0 && !OwnerToken.isAlive(holder) && takeOverSegment(so))
            {
                return;
            }
            spin(spins);
        }
    }

    /**
     * Takes a segment lock over from a dead holder, under the structure lock (which first repairs a half-done
     * rebuild), and repairs the segment.
     */
    private boolean takeOverSegment(final int so)
    {
        lockStructure();
        try
        {
            final long dead = buffer.getLongVolatile(so + SEG_LOCK_OFFSET);
            if (dead == OwnerToken.NONE || OwnerToken.isAlive(dead) ||
                !buffer.compareAndSetLong(so + SEG_LOCK_OFFSET, dead, token))
            {
                return false;
            }
            buffer.getAndAddLong(TAKEOVER_COUNT_OFFSET, 1);
            repairSegment(so);
            return true;
        }
        finally
        {
            unlockStructure();
        }
    }

    private void lockStructure()
    {
        for (int spins = 1; ; spins++)
        {
            final long holder = buffer.getLongVolatile(STRUCTURE_LOCK_OFFSET);
            if (holder == OwnerToken.NONE)
            {
                if (buffer.compareAndSetLong(STRUCTURE_LOCK_OFFSET, OwnerToken.NONE, token))
                {
                    return;
                }
            }
            else if ((spins == 1 || spins % LIVENESS_SPINS == 0) && !OwnerToken.isAlive(holder) &&
                buffer.compareAndSetLong(STRUCTURE_LOCK_OFFSET, holder, token))
            {
                buffer.getAndAddLong(TAKEOVER_COUNT_OFFSET, 1);
                repairJournal(holder);
                return;
            }
            spin(spins);
        }
    }

    private void unlockStructure()
    {
        // release store -> publishes directory and allocator changes to the next holder
        buffer.putLongRelease(STRUCTURE_LOCK_OFFSET, OwnerToken.NONE);
    }

    /**
     * Locks a segment just taken from the allocator; a stale writer may hold it for a moment (it finds the segment
     * not serving and lets go), or may have died holding it.
     */
    private void lockFresh(final int so)
    {
        final int at = so + SEG_LOCK_OFFSET;
        for (int spins = 1; ; spins++)
        {
            final long holder = buffer.getLongVolatile(at);
            if (holder == OwnerToken.NONE && buffer.compareAndSetLong(at, OwnerToken.NONE, token))
            {
                return;
            }
            if (holder != OwnerToken.NONE && spins % LIVENESS_SPINS == 0 && !OwnerToken.isAlive(holder) &&
                buffer.compareAndSetLong(at, holder, token))
            {
                buffer.getAndAddLong(TAKEOVER_COUNT_OFFSET, 1);
                forceEvenSequence(so);
                return;
            }
            spin(spins);
        }
    }

    private void beginWrite(final int so)
    {
        final long seq = buffer.getLong(so + SEG_SEQUENCE_OFFSET);
        buffer.putLong(so + SEG_SEQUENCE_OFFSET, seq + 1);
        // store-store fence -> readers see the odd sequence before any change that follows
        VarHandle.storeStoreFence();
    }

    private void endWrite(final int so)
    {
        // release store -> the changes happen before readers see the even sequence
        buffer.putLongRelease(so + SEG_SEQUENCE_OFFSET, buffer.getLong(so + SEG_SEQUENCE_OFFSET) + 1);
    }

    private void forceEvenSequence(final int so)
    {
        final long seq = buffer.getLongVolatile(so + SEG_SEQUENCE_OFFSET);
        if ((seq & 1) != 0)
        {
            buffer.putLongRelease(so + SEG_SEQUENCE_OFFSET, seq + 1);
        }
    }

    /**
     * @return locks taken over from dead processes, in every process, since creation.
     */
    long takeovers()
    {
        return buffer.getLongVolatile(TAKEOVER_COUNT_OFFSET);
    }

    // ---------------------------------------------------------------- writers (hold the segment lock)

    /**
     * Inserts or replaces the entry of a key in the held segment, rebuilding (and so moving {@code held}) when it
     * has no room. The value comes from {@code value} or, when {@code writer} is not null, is written in place.
     *
     * @return true when the key was new.
     */
    boolean store(
        final Held held, final long hash, final DirectBuffer key, final int keyOffset, final int keyLength,
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
            so = segmentOffset(held.segment);
            slot = findSlot(so, key, keyOffset, keyLength, hash);
            if (slot == INVALID)
            {
                throw corrupt("segment at " + so + " has an entry outside its heap");
            }
            final boolean slotRoom = slot >= 0 ||
                buffer.getLong(slotAddress(so, -1 - slot)) == SLOT_TOMBSTONE ||
                buffer.getInt(so + SEG_COUNT_OFFSET) + buffer.getInt(so + SEG_TOMBSTONES_OFFSET) < maxLoad;
            if (slotRoom)
            {
                final int block = freeBlock(so);
                if (block != 0 && buffer.getInt(so + block) == need)
                {
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
            rebuild(held, hash, (int)need);
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
        beginWrite(so);
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
        endWrite(so);
        return slot < 0;
    }

    /**
     * Removes the entry of a found slot from the held segment.
     */
    void delete(final Held held, final int slot)
    {
        final int so = segmentOffset(held.segment);
        final int address = slotAddress(so, slot);
        final int old = (int)buffer.getLong(address);
        final int oldLength = (int)entryLength(buffer.getInt(so + old), valueLengthOf(so + old));
        final boolean last = buffer.getLong(slotAddress(so, (slot + 1) & slotMask)) == SLOT_EMPTY;
        beginWrite(so);
        // release store -> the key is gone; an empty slot only where no probe goes on past it
        buffer.putLongRelease(address, last ? SLOT_EMPTY : SLOT_TOMBSTONE);
        pushBlock(so, old, oldLength);
        addInt(so + SEG_COUNT_OFFSET, -1);
        if (!last)
        {
            addInt(so + SEG_TOMBSTONES_OFFSET, 1);
        }
        addInt(so + SEG_GARBAGE_OFFSET, oldLength);
        endWrite(so);
    }

    /**
     * Empties the held segment in place (readers retry on its sequence).
     */
    void clear(final Held held)
    {
        final int so = segmentOffset(held.segment);
        beginWrite(so);
        buffer.setMemory(so + SEG_SLOTS_OFFSET, 8 * slotCount, (byte)0);
        // release fence -> every slot is empty before the heap can be reused
        VarHandle.releaseFence();
        buffer.putInt(so + SEG_HEAP_TOP_OFFSET, heapStart);
        buffer.putInt(so + SEG_FREE_BLOCK_OFFSET, 0);
        buffer.putInt(so + SEG_COUNT_OFFSET, 0);
        buffer.putInt(so + SEG_TOMBSTONES_OFFSET, 0);
        buffer.putInt(so + SEG_GARBAGE_OFFSET, 0);
        endWrite(so);
    }

    /**
     * @return the local depth of the held segment.
     */
    int depthOf(final Held held)
    {
        return buffer.getInt(segmentOffset(held.segment) + SEG_DEPTH_OFFSET);
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
            throw corrupt("segment at " + so + " has free block " + block);
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

    /**
     * Recounts a segment taken over from a dead writer and makes its sequence even.
     */
    private void repairSegment(final int so)
    {
        final long seq = buffer.getLongVolatile(so + SEG_SEQUENCE_OFFSET);
        if ((seq & 1) == 0)
        {
            beginWrite(so);
        }
        if (buffer.getInt(so + SEG_STATE_OFFSET) == STATE_LIVE)
        {
            final int top = buffer.getInt(so + SEG_HEAP_TOP_OFFSET);
            if (top < heapStart || top > segmentBytes)
            {
                throw corrupt("segment at " + so + " has heap top " + top);
            }
            int count = 0;
            int tombstones = 0;
            long live = 0;
            for (int i = 0; i < slotCount; i++)
            {
                final long slot = buffer.getLong(so + SEG_SLOTS_OFFSET + 8 * i);
                if (slot == SLOT_TOMBSTONE)
                {
                    tombstones++;
                }
                else if (slot != SLOT_EMPTY)
                {
                    final int entry = (int)slot;
                    if (!validEntry(so, entry) || entry >= top)
                    {
                        throw corrupt("segment at " + so + " has an entry outside its heap");
                    }
                    count++;
                    live += entryLength(buffer.getInt(so + entry), buffer.getInt(so + entry + 4));
                }
            }
            // the freed blocks' links may be half-made: they become plain garbage, recovered by compaction
            buffer.putInt(so + SEG_FREE_BLOCK_OFFSET, 0);
            buffer.putInt(so + SEG_COUNT_OFFSET, count);
            buffer.putInt(so + SEG_TOMBSTONES_OFFSET, tombstones);
            buffer.putInt(so + SEG_GARBAGE_OFFSET, (int)(top - heapStart - live));
        }
        endWrite(so);
    }

    // ---------------------------------------------------------------- growth: split and compaction

    /**
     * Replaces the held, full segment by two halves (split) or one compacted copy, and leaves {@code held} on the
     * new segment that serves {@code hash}, locked.
     *
     * @throws SharedMemoryExhaustedException when the dict has reached its bound; nothing has changed then.
     */
    private void rebuild(final Held held, final long hash, final int need)
    {
        final int old = held.segment;
        final int oo = segmentOffset(old);
        final int depth = buffer.getInt(oo + SEG_DEPTH_OFFSET);
        final int prefix = buffer.getInt(oo + SEG_PREFIX_OFFSET);
        final int count = buffer.getInt(oo + SEG_COUNT_OFFSET);
        final int garbage = buffer.getInt(oo + SEG_GARBAGE_OFFSET);
        final int liveBytes = buffer.getInt(oo + SEG_HEAP_TOP_OFFSET) - heapStart - garbage;
        // compact only when that leaves a quarter of the segment free, so compactions cannot follow each other
        boolean compact = liveBytes + need <= maxEntryBytes() - (maxEntryBytes() >> 2) &&
            count < maxLoad - (maxLoad >> 2);
        lockStructure();
        try
        {
            if (!compact && depth >= maxDepth)
            {
                if (liveBytes + need > maxEntryBytes() || count + 1 >= maxLoad)
                {
                    throw full();
                }
                compact = true;
            }
            final int a = takeSegment();
            if (a < 0)
            {
                throw full();
            }
            int b = -1;
            if (!compact)
            {
                try
                {
                    b = takeSegment();
                }
                catch (final RuntimeException ex)
                {
                    pushFree(a);
                    throw ex;
                }
                if (b < 0)
                {
                    pushFree(a);
                    throw full();
                }
            }
            buffer.putInt(JOURNAL_OLD_OFFSET, old);
            buffer.putInt(JOURNAL_A_OFFSET, a);
            buffer.putInt(JOURNAL_B_OFFSET, b);
            // release store -> a takeover finds the segments to give back
            buffer.putIntRelease(JOURNAL_PHASE_OFFSET, PHASE_ALLOCATED);
            if (compact)
            {
                build(a, oo, depth, prefix);
            }
            else
            {
                build(a, oo, depth + 1, prefix);
                build(b, oo, depth + 1, prefix | (1 << depth));
            }
            // release store -> a takeover finishes the switch to the complete new segments
            buffer.putIntRelease(JOURNAL_PHASE_OFFSET, PHASE_BUILT);
            final int keep = compact || ((hash >>> depth) & 1) == 0 ? a : b;
            finishSwitch(old, a, b, keep, token);
            held.segment = keep;
        }
        finally
        {
            unlockStructure();
        }
    }

    /**
     * Copies the entries of the frozen segment at {@code oo} whose hashes have {@code prefix} as their low
     * {@code depth} bits into the new segment {@code target}, which is left locked and live.
     */
    private void build(final int target, final int oo, final int depth, final int prefix)
    {
        final int to = segmentOffset(target);
        lockFresh(to);
        beginWrite(to);
        buffer.setMemory(to + SEG_SLOTS_OFFSET, 8 * slotCount, (byte)0);
        final int mask = (1 << depth) - 1;
        int top = heapStart;
        int count = 0;
        for (int i = 0; i < slotCount; i++)
        {
            final long slot = buffer.getLong(oo + SEG_SLOTS_OFFSET + 8 * i);
            if (slot == SLOT_EMPTY || slot == SLOT_TOMBSTONE)
            {
                continue;
            }
            final int entry = oo + (int)slot;
            final int keyLength = buffer.getInt(entry);
            final long h = hash(buffer, entry + ENTRY_KEY_OFFSET, keyLength);
            if (((int)h & mask) != prefix)
            {
                continue;
            }
            final int length = (int)entryLength(keyLength, valueLengthOf(entry));
            buffer.putBytes(to + top, buffer, entry, length);
            int j = (int)(h >>> 24) & slotMask;
            while (buffer.getLong(to + SEG_SLOTS_OFFSET + 8 * j) != SLOT_EMPTY)
            {
                j = (j + 1) & slotMask;
            }
            buffer.putLong(to + SEG_SLOTS_OFFSET + 8 * j, (h & 0xFFFF_FFFF_0000_0000L) | top);
            top += length;
            count++;
        }
        buffer.putInt(to + SEG_HEAP_TOP_OFFSET, top);
        buffer.putInt(to + SEG_FREE_BLOCK_OFFSET, 0);
        buffer.putInt(to + SEG_COUNT_OFFSET, count);
        buffer.putInt(to + SEG_TOMBSTONES_OFFSET, 0);
        buffer.putInt(to + SEG_GARBAGE_OFFSET, 0);
        buffer.putInt(to + SEG_DEPTH_OFFSET, depth);
        buffer.putInt(to + SEG_PREFIX_OFFSET, prefix);
        buffer.putInt(to + SEG_STATE_OFFSET, STATE_LIVE);
        endWrite(to);
    }

    /**
     * Points the directory at the new segments, retires and frees the old one and lets go of the locks that
     * {@code owner} holds on them, except {@code keep}. Idempotent, so a takeover can run it again.
     */
    private void finishSwitch(final int old, final int a, final int b, final int keep, final long owner)
    {
        final int oo = segmentOffset(old);
        final int depth = buffer.getInt(oo + SEG_DEPTH_OFFSET);
        final int prefix = buffer.getInt(oo + SEG_PREFIX_OFFSET);
        if (b >= 0 && buffer.getInt(GLOBAL_DEPTH_OFFSET) == depth)
        {
            final int entries = 1 << depth;
            buffer.putBytes(directoryOffset + 4 * entries, buffer, directoryOffset, 4 * entries);
            // release store -> the copied upper half is visible before readers use it
            buffer.putIntRelease(GLOBAL_DEPTH_OFFSET, depth + 1);
        }
        final int entries = 1 << buffer.getInt(GLOBAL_DEPTH_OFFSET);
        for (int i = prefix; i < entries; i += 1 << depth)
        {
            final int at = directoryOffset + 4 * i;
            if (buffer.getInt(at) == old)
            {
                // release store -> the new segment, complete, serves this entry from now
                buffer.putIntRelease(at, b < 0 || ((i >>> depth) & 1) == 0 ? a : b);
            }
        }
        if (buffer.getInt(oo + SEG_STATE_OFFSET) == STATE_LIVE)
        {
            if ((buffer.getLong(oo + SEG_SEQUENCE_OFFSET) & 1) == 0)
            {
                beginWrite(oo);
            }
            buffer.putInt(oo + SEG_STATE_OFFSET, STATE_RETIRED);
            endWrite(oo);
        }
        if (buffer.getInt(oo + SEG_STATE_OFFSET) == STATE_RETIRED)
        {
            pushFree(old);
        }
        buffer.putIntRelease(JOURNAL_PHASE_OFFSET, PHASE_IDLE);
        releaseIfHeld(oo, owner);
        if (a != keep)
        {
            releaseIfHeld(segmentOffset(a), owner);
        }
        if (b >= 0 && b != keep)
        {
            releaseIfHeld(segmentOffset(b), owner);
        }
    }

    private void releaseIfHeld(final int so, final long owner)
    {
        if (buffer.getLongVolatile(so + SEG_LOCK_OFFSET) == owner)
        {
            if (owner != token)
            {
                forceEvenSequence(so);
            }
            buffer.compareAndSetLong(so + SEG_LOCK_OFFSET, owner, OwnerToken.NONE);
        }
    }

    /**
     * Undoes or finishes the rebuild a dead holder of the structure lock left, as its journal says.
     */
    private void repairJournal(final long dead)
    {
        final int phase = buffer.getIntVolatile(JOURNAL_PHASE_OFFSET);
        final int old = buffer.getInt(JOURNAL_OLD_OFFSET);
        final int a = buffer.getInt(JOURNAL_A_OFFSET);
        final int b = buffer.getInt(JOURNAL_B_OFFSET);
        if (phase == PHASE_IDLE)
        {
            return;
        }
        if (old < 0 || old >= maxSegments || a < 0 || a >= maxSegments || b >= maxSegments)
        {
            throw corrupt("rebuild journal " + phase + "/" + old + "/" + a + "/" + b);
        }
        if (phase == PHASE_BUILT)
        {
            finishSwitch(old, a, b, -1, dead);
            return;
        }
        for (final int segment : new int[]{a, b})
        {
            if (segment >= 0)
            {
                final int so = segmentOffset(segment);
                if (buffer.getLongVolatile(so + SEG_LOCK_OFFSET) == dead)
                {
                    forceEvenSequence(so);
                }
                if (buffer.getInt(so + SEG_STATE_OFFSET) != STATE_FREE)
                {
                    buffer.putInt(so + SEG_STATE_OFFSET, STATE_RETIRED);
                    pushFree(segment);
                }
                buffer.compareAndSetLong(so + SEG_LOCK_OFFSET, dead, OwnerToken.NONE);
            }
        }
        buffer.putIntRelease(JOURNAL_PHASE_OFFSET, PHASE_IDLE);
    }

    /**
     * Takes a segment from the free list, or a never-used one (allocating its pages), under the structure lock.
     *
     * @return the segment, state {@code RETIRED} (neither free nor serving), or -1 when the bound is reached.
     */
    private int takeSegment()
    {
        final int head = buffer.getInt(FREE_HEAD_OFFSET);
        if (head > 0)
        {
            final int segment = head - 1;
            if (segment >= maxSegments)
            {
                throw corrupt("free list head " + head);
            }
            final int so = segmentOffset(segment);
            buffer.putInt(FREE_HEAD_OFFSET, buffer.getInt(so + SEG_NEXT_FREE_OFFSET));
            buffer.putInt(so + SEG_STATE_OFFSET, STATE_RETIRED);
            return segment;
        }
        final int used = buffer.getInt(SEGMENTS_USED_OFFSET);
        if (used >= maxSegments)
        {
            return -1;
        }
        DictFile.allocate(file, segmentOffset(used), segmentBytes);
        buffer.putInt(segmentOffset(used) + SEG_STATE_OFFSET, STATE_RETIRED);
        buffer.putInt(SEGMENTS_USED_OFFSET, used + 1);
        return used;
    }

    private void pushFree(final int segment)
    {
        final int so = segmentOffset(segment);
        buffer.putInt(so + SEG_NEXT_FREE_OFFSET, buffer.getInt(FREE_HEAD_OFFSET));
        buffer.putInt(so + SEG_STATE_OFFSET, STATE_FREE);
        buffer.putInt(FREE_HEAD_OFFSET, segment + 1);
    }

    private SharedMemoryExhaustedException full()
    {
        return new SharedMemoryExhaustedException("SharedDict \"" + name + "\" is full: its " + maxSegments +
            " segments of " + segmentBytes + " bytes are in use; remove entries, or create it with a larger " +
            "maxBytes (SharedDictOptions)");
    }

    private CorruptResourceException corrupt(final String what)
    {
        return new CorruptResourceException("SharedDict \"" + name + "\" is corrupt (" + what + "); unlink it and " +
            "create it again");
    }
}
