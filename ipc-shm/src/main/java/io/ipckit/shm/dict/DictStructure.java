package io.ipckit.shm.dict;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.SharedMemoryExhaustedException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.internal.kit.OwnerToken;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import static io.ipckit.shm.dict.SharedDictDescriptor.*;

/**
 * The structure of a {@link SharedDict}: the geometry of its file, the directory, the segment locks and the
 * structure lock with dead-owner takeover and repair, each segment's seqlock sequence, and growth by split and
 * compaction with the segment allocator. {@link DictCore} works on the entries inside the segments this class
 * hands out.
 * <p>
 * <b>Note to maintainers: the invariants that keep the structure whole when a process dies.</b>
 * <ol>
 * <li>A segment serves a hash only while its state is {@code LIVE} and its prefix equals the hash's low
 * {@code depth} bits; readers and writers check both after finding it through the directory, so a stale directory
 * entry or a reused segment is noticed and the lookup redone. A writer that holds a live segment's lock is the
 * only writer of those hashes: a rebuild holds the old segment's lock and the new ones' until the old is
 * retired.</li>
 * <li>A rebuild holds the old segment's lock, the structure lock and the locks of the new segments for its whole
 * length, and is journaled: {@code ALLOCATED} (new segments taken, nothing visible) is undone by a takeover,
 * {@code BUILT} (new segments complete copies of the frozen old one) is finished by a takeover. Every step of the
 * finish (doubling the directory, re-pointing its entries, retiring and freeing the old segment) is idempotent.
 * A segment's state says where it is: {@code FREE} on the free list, {@code RETIRED} in nobody's hands or being
 * built, {@code LIVE} serving; so finishing twice never frees a segment twice.</li>
 * <li>Takeovers go through the structure lock: whoever takes over a segment lock first holds (and so has repaired)
 * the structure, so no one works on a half-switched directory. Lock order: segment, then structure; the takeover
 * path only tries segment locks while it holds the structure lock, so the two orders cannot deadlock.</li>
 * <li>Sequences are never reset: a segment reused after retirement goes on counting, so a reader that started on
 * its former life always sees the sequence move.</li>
 * <li>A writer killed between taking a segment from the allocator and recording it in the journal leaks that
 * segment (at most two per kill in that window): space, never consistency.</li>
 * </ol>
 * Thread-safe and process-safe: a lock word names the process, and a compare-and-set from free admits one thread
 * of one process.
 * <p>
 * Longer than 600 lines on purpose: the locks, their takeover, the journal and the rebuild it protects are one
 * protocol, and its invariants are easier to check in one place than across classes.
 */
final class DictStructure
{
    static final int SPIN_LIMIT = 200;
    static final int LIVENESS_SPINS = 1024;

    private final ResourceFile file;
    private final AtomicBuffer buffer;
    private final String name;
    private final long token = OwnerToken.current();
    final int segmentBytes;
    final int slotCount;
    final int slotMask;
    final int maxLoad;
    final int heapStart;
    final int maxDepth;
    private final int maxSegments;
    private final int directoryOffset;
    private final int segmentsOffset;
    /** The file's identity (its file key), the same for every handle of this process on it. */
    private final Object fileIdentity;

    DictStructure(final ResourceFile file)
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
        this.fileIdentity = fileIdentity(file);
    }

    private static Object fileIdentity(final ResourceFile file)
    {
        try
        {
            final Object key = java.nio.file.Files.readAttributes(file.file().path(),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            return key != null ? key : file.file().path().toAbsolutePath();
        }
        catch (final java.io.IOException ex)
        {
            return new Object(); // the name is gone already: this handle's own identity
        }
    }

    /**
     * A segment index held by one thread, updated when a rebuild moves the thread to a new segment.
     */
    static final class Held
    {
        int segment = -1;
        /** The hold is in {@link HeldByThread}: user code runs under it. */
        boolean recorded;
    }

    /**
     * The segment locks a thread holds while user code runs under them, in every handle of every dict of this process:
     * a thread that would wait for a lock it holds itself (a compute function changing the dict through another
     * handle, or two levels down) is told so instead of waiting for good. Holds that run no user code are not
     * recorded: no call can come back into the dict from under them. Each entry is a file's identity and the {@link Held} that follows the segment
     * through rebuilds. One per thread; allocation-free after the first few nestings.
     */
    private static final class HeldByThread
    {
        Object[] files = new Object[4];
        Held[] helds = new Held[4];
        int count;

        void add(final Object file, final Held held)
        {
            if (count == helds.length)
            {
                files = java.util.Arrays.copyOf(files, count * 2);
                helds = java.util.Arrays.copyOf(helds, count * 2);
            }
            files[count] = file;
            helds[count++] = held;
        }

        void remove(final Held held)
        {
            for (int i = count - 1; i >= 0; i--)
            {
                if (helds[i] == held)
                {
                    System.arraycopy(files, i + 1, files, i, count - i - 1);
                    System.arraycopy(helds, i + 1, helds, i, count - i - 1);
                    count--;
                    files[count] = null;
                    helds[count] = null;
                    return;
                }
            }
        }

        boolean holds(final Object file, final int segment)
        {
            for (int i = 0; i < count; i++)
            {
                if (helds[i].segment == segment && files[i].equals(file))
                {
                    return true;
                }
            }
            return false;
        }
    }

    private static final ThreadLocal<HeldByThread> HELD_BY_THREAD = ThreadLocal.withInitial(HeldByThread::new);

    /**
     * @return the largest entry (key and value with the entry header) a segment can hold.
     */
    int maxEntryBytes()
    {
        return segmentBytes - heapStart;
    }

    int segmentOffset(final int segment)
    {
        return segmentsOffset + segment * segmentBytes;
    }

    int directoryLookup(final long hash)
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

    boolean serves(final int so, final long hash)
    {
        final int depth = buffer.getInt(so + SEG_DEPTH_OFFSET);
        return buffer.getInt(so + SEG_STATE_OFFSET) == STATE_LIVE && depth >= 0 && depth <= maxDepth &&
            buffer.getInt(so + SEG_PREFIX_OFFSET) == ((int)hash & ((1 << depth) - 1));
    }

    boolean validEntry(final int so, final int entry)
    {
        if (entry < heapStart || entry > segmentBytes - ENTRY_KEY_OFFSET || (entry & (ENTRY_ALIGNMENT - 1)) != 0)
        {
            return false;
        }
        final int keyLength = buffer.getInt(so + entry);
        final int valueLength = buffer.getInt(so + entry + ENTRY_VALUE_LENGTH_OFFSET);
        return keyLength >= 0 && valueLength >= 0 && entry + entryLength(keyLength, valueLength) <= segmentBytes;
    }

    static void spin(final int spins)
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
        lockServing(hash, held, heldOuter, false);
    }

    /**
     * As {@link #lockServing(long, Held, int)}, recording the hold for this thread when user code (a compute function,
     * a value writer) will run under it, so that a call of that code which would wait for this very lock is refused.
     */
    void lockServing(final long hash, final Held held, final int heldOuter, final boolean runsUserCode)
    {
        for (int misses = 1; ; misses++)
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
                if (runsUserCode)
                {
                    HELD_BY_THREAD.get().add(fileIdentity, held);
                    held.recorded = true;
                }
                return;
            }
            unlock(so);
            checkDirectory(hash, misses);
            spin(misses);
        }
    }

    /**
     * For a lookup that has found, {@code misses} times in a row, a segment that does not serve {@code hash} (which
     * a rebuild under way explains, for a moment): every {@link #LIVENESS_SPINS} misses, looks under the structure
     * lock, while no rebuild runs, whether the directory's segment serves the hash.
     *
     * @throws CorruptResourceException when it does not: the lookup would otherwise retry for good.
     */
    void checkDirectory(final long hash, final int misses)
    {
        if (misses % LIVENESS_SPINS != 0)
        {
            return;
        }
        lockStructure();
        try
        {
            final int segment = directoryLookup(hash);
            if (!serves(segmentOffset(segment), hash))
            {
                throw corrupt("the directory names segment " + segment + " for hash prefix " +
                    ((int)hash & ((1 << buffer.getInt(GLOBAL_DEPTH_OFFSET)) - 1)) + ", which does not serve it");
            }
        }
        finally
        {
            unlockStructure();
        }
    }

    void unlock(final Held held)
    {
        if (held.segment >= 0)
        {
            unlock(segmentOffset(held.segment));
            held.segment = -1;
            if (held.recorded)
            {
                HELD_BY_THREAD.get().remove(held);
                held.recorded = false;
            }
        }
    }

    private void unlock(final int so)
    {
        // release store -> publishes the segment's changes to the next holder
        buffer.putLongRelease(so + SEG_LOCK_OFFSET, OwnerToken.NONE);
    }

    private void lock(final int so)
    {
        // a read before the compare-and-set: on a page of a file another process truncated, a read faults safely
        // (an InternalError the public call names as corruption), a compare-and-set crashes the JVM (MappedFile)
        final int at = so + SEG_LOCK_OFFSET;
        if (buffer.getLongVolatile(at) != OwnerToken.NONE || !buffer.compareAndSetLong(at, OwnerToken.NONE, token))
        {
            lockSlow(so);
        }
    }

    private void lockSlow(final int so)
    {
        final int at = so + SEG_LOCK_OFFSET;
        if (buffer.getLongVolatile(at) == token && HELD_BY_THREAD.get().holds(fileIdentity, (so - segmentsOffset) /
            segmentBytes))
        {
            throw new IllegalStateException("SharedDict \"" + name + "\": recursive update: this thread already " +
                "holds the lock of the segment it asks for (a compute or merge function changed the dict, through " +
                "this handle or another); functions must not change the dict");
        }
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
            try
            {
                repairSegment(so);
            }
            catch (final RuntimeException | Error ex)
            {
                // found corrupt (or a page of it gone): the lock goes back to the dead holder, so every later writer
                // takes it over and finds the same corruption (and readers read the frozen segment), where a lock
                // left with this live process would make them all wait for good
                buffer.putLongRelease(so + SEG_LOCK_OFFSET, dead);
                throw ex;
            }
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
                try
                {
                    repairJournal(holder);
                }
                catch (final RuntimeException | Error ex)
                {
                    // found corrupt: back to the dead holder, as in takeOverSegment, so nobody waits for this process
                    buffer.putLongRelease(STRUCTURE_LOCK_OFFSET, holder);
                    throw ex;
                }
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

    void beginWrite(final int so)
    {
        final long seq = buffer.getLong(so + SEG_SEQUENCE_OFFSET);
        buffer.putLong(so + SEG_SEQUENCE_OFFSET, seq + 1);
        // store-store fence -> readers see the odd sequence before any change that follows
        VarHandle.storeStoreFence();
    }

    void endWrite(final int so)
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
    void rebuild(final Held held, final long hash, final int need)
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
                    // one free segment left: no split, but a compaction into it when the live entries fit
                    if (liveBytes + need > maxEntryBytes() || count + 1 >= maxLoad)
                    {
                        pushFree(a);
                        throw full();
                    }
                    compact = true;
                }
            }
            buffer.putInt(JOURNAL_OLD_OFFSET, old);
            buffer.putInt(JOURNAL_A_OFFSET, a);
            buffer.putInt(JOURNAL_B_OFFSET, b);
            // release store -> a takeover finds the segments to give back
            buffer.putIntRelease(JOURNAL_PHASE_OFFSET, PHASE_ALLOCATED);
            try
            {
                if (compact)
                {
                    build(a, oo, depth, prefix);
                }
                else
                {
                    build(a, oo, depth + 1, prefix);
                    build(b, oo, depth + 1, prefix | (1 << depth));
                }
            }
            catch (final RuntimeException ex)
            {
                undoAllocated(a, b, token); // a corrupt entry in the old segment: it stays as it was
                throw ex;
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
            if (!validEntry(oo, (int)slot))
            {
                throw corrupt("segment at " + oo + " has an entry outside its heap");
            }
            final int entry = oo + (int)slot;
            final int keyLength = buffer.getInt(entry);
            final long h = DictCore.hash(buffer, entry + ENTRY_KEY_OFFSET, keyLength);
            if (((int)h & mask) != prefix)
            {
                continue;
            }
            final int length = (int)entryLength(keyLength, buffer.getInt(entry + ENTRY_VALUE_LENGTH_OFFSET));
            if (top + length > segmentBytes)
            {
                throw corrupt("segment at " + oo + " has entries longer than a segment in all"); // slots share one
            }
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
        undoAllocated(a, b, dead);
    }

    /**
     * Under the structure lock: gives back the new segments of a rebuild journaled {@code ALLOCATED} (a dead
     * rebuilder's, or this process's own whose build found the old segment corrupt), whose locks {@code owner} may
     * hold, and ends the journal.
     */
    private void undoAllocated(final int a, final int b, final long owner)
    {
        for (final int segment : new int[]{a, b})
        {
            if (segment >= 0)
            {
                final int so = segmentOffset(segment);
                if (buffer.getLongVolatile(so + SEG_LOCK_OFFSET) == owner)
                {
                    forceEvenSequence(so);
                }
                if (buffer.getInt(so + SEG_STATE_OFFSET) != STATE_FREE)
                {
                    buffer.putInt(so + SEG_STATE_OFFSET, STATE_RETIRED);
                    pushFree(segment);
                }
                buffer.compareAndSetLong(so + SEG_LOCK_OFFSET, owner, OwnerToken.NONE);
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

    CorruptResourceException corrupt(final String what)
    {
        return new CorruptResourceException("SharedDict \"" + name + "\" is corrupt (" + what + "); unlink it and " +
            "create it again");
    }
}
