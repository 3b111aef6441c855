package io.ipckit.shm.dict;

import io.ipckit.core.file.ResourceHeaderDescriptor;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of a {@link SharedDict} file: the common ipckit header, the dict's metadata, the directory, then the
 * segments. All fields are little-endian; all offsets are from the start of the file.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |         Common header (64 bytes, ResourceHeaderDescriptor)    |
 *  +---------------------------------------------------------------+  64
 *  |                    Segment Length (bytes)                     |
 *  +---------------------------------------------------------------+
 *  |                   Slots per Segment (2^n)                     |
 *  +---------------------------------------------------------------+
 *  |              Max Depth (log2 of directory entries)            |
 *  +---------------------------------------------------------------+
 *  |                         Max Segments                          |
 *  +---------------------------------------------------------------+
 *  |                      Directory Offset                         |
 *  +---------------------------------------------------------------+
 *  |                      Segments Offset                          |
 *  +---------------------------------------------------------------+
 *  |                  Padding to the next cache line               |
 *  +---------------------------------------------------------------+ 128
 *  |          Structure Lock (OwnerToken of the splitter)          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Takeover Count (dead owners)                  |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Global Depth (published with release)            |
 *  +---------------------------------------------------------------+
 *  |               Segments Used (bump allocator)                  |
 *  +---------------------------------------------------------------+
 *  |            Free Segment Head (index + 1, 0 = none)            |
 *  +---------------------------------------------------------------+
 *  |   Journal Phase (0 idle, 1 allocated, 2 built: see DictCore)  |
 *  +---------------------------------------------------------------+
 *  |          Journal Old Segment (the one split or compacted)     |
 *  +---------------------------------------------------------------+
 *  |                 Journal New Segment A (low half)              |
 *  +---------------------------------------------------------------+
 *  |           Journal New Segment B (high half, -1 = compaction)  |
 *  +---------------------------------------------------------------+
 *  |              Padding to the header length (256)               |
 *  +---------------------------------------------------------------+ 256 = Directory Offset
 *  |   Directory: 2^Max Depth ints, each a segment index; entry i  |
 *  |   serves every hash whose low Global Depth bits are i         |
 *  +---------------------------------------------------------------+ Segments Offset (page aligned)
 *  |   Segment 0, Segment 1, ... each Segment Length bytes; the    |
 *  |   file is sparse past the segments in use and each segment's  |
 *  |   pages are allocated before it is first used                 |
 *  +---------------------------------------------------------------+
 * </pre>
 * A segment, at {@code Segments Offset + index * Segment Length}:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |             Lock (OwnerToken of the writing process)          |
 *  |                                                               |
 *  +---------------------------------------------------------------+  8
 *  |        Sequence (seqlock: odd while a writer changes it;      |
 *  |        never reset, so it also counts reuse of the segment)   |
 *  +---------------------------------------------------------------+ 16
 *  |                 State (0 free, 1 live, 2 retired)             |
 *  +---------------------------------------------------------------+ 20
 *  |                          Local Depth                          |
 *  +---------------------------------------------------------------+ 24
 *  |        Prefix (the low Local Depth bits of its hashes)        |
 *  +---------------------------------------------------------------+ 28
 *  |                     Count (live entries)                      |
 *  +---------------------------------------------------------------+ 32
 *  |                     Tombstones (slots)                        |
 *  +---------------------------------------------------------------+ 36
 *  |               Heap Top (offset in the segment)                |
 *  +---------------------------------------------------------------+ 40
 *  |          Garbage (heap bytes of replaced entries)             |
 *  +---------------------------------------------------------------+ 44
 *  |            Next Free (free list link, index + 1)              |
 *  +---------------------------------------------------------------+ 48
 *  |   Free Block Head (offset of a freed entry, 0 = none; freed   |
 *  |   blocks hold their length and the next block's offset)      |
 *  +---------------------------------------------------------------+ 52
 *  |                   Padding to 64 bytes                         |
 *  +---------------------------------------------------------------+ 64
 *  |   Slots: Slots per Segment longs, each 0 (empty), -1          |
 *  |   (tombstone) or (hash >>> 32) << 32 | entry offset; one      |
 *  |   release store publishes an entry                            |
 *  +---------------------------------------------------------------+ 64 + 8 * slots
 *  |   Heap: entries bump-allocated up to Heap Top or reused from  |
 *  |   the free blocks, never changed while a slot refers to them  |
 *  +---------------------------------------------------------------+ Segment Length
 * </pre>
 * An entry, 8-byte aligned, in a segment's heap:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                       Key Length (bytes)                      |
 *  +---------------------------------------------------------------+
 *  |                      Value Length (bytes)                     |
 *  +---------------------------------------------------------------+  8
 *  |                          Key bytes                           ...
 *  +---------------------------------------------------------------+  align(8 + key length, 8)
 *  |                         Value bytes                          ...
 *  +---------------------------------------------------------------+  padded to 8
 * </pre>
 */
public final class SharedDictDescriptor
{
    /** The layout version this class describes. */
    public static final int LAYOUT_VERSION = 1;

    /** Offset of the segment length in bytes (a power of two). */
    public static final int SEGMENT_LENGTH_OFFSET;
    /** Offset of the number of slots per segment (a power of two). */
    public static final int SLOT_COUNT_OFFSET;
    /** Offset of the directory's capacity as log2 of its entries. */
    public static final int MAX_DEPTH_OFFSET;
    /** Offset of the number of segments the file has room for. */
    public static final int MAX_SEGMENTS_OFFSET;
    /** Offset of the directory's offset. */
    public static final int DIRECTORY_OFFSET_OFFSET;
    /** Offset of the first segment's offset. */
    public static final int SEGMENTS_OFFSET_OFFSET;
    /** Offset of the structure lock, held while segments are allocated or the directory changes. */
    public static final int STRUCTURE_LOCK_OFFSET;
    /** Offset of the count of locks taken over from dead processes. */
    public static final int TAKEOVER_COUNT_OFFSET;
    /** Offset of the global depth: the directory uses its first 2^depth entries. */
    public static final int GLOBAL_DEPTH_OFFSET;
    /** Offset of the number of segments handed out by the bump allocator. */
    public static final int SEGMENTS_USED_OFFSET;
    /** Offset of the head of the free segment list (index + 1; 0 when empty). */
    public static final int FREE_HEAD_OFFSET;
    /** Offset of the phase of the split or compaction in progress. */
    public static final int JOURNAL_PHASE_OFFSET;
    /** Offset of the segment being split or compacted. */
    public static final int JOURNAL_OLD_OFFSET;
    /** Offset of the first new segment. */
    public static final int JOURNAL_A_OFFSET;
    /** Offset of the second new segment, -1 for a compaction. */
    public static final int JOURNAL_B_OFFSET;
    /** Length of the metadata after the common header. */
    public static final int METADATA_LENGTH;

    /** Offset in a segment of its lock. */
    public static final int SEG_LOCK_OFFSET;
    /** Offset in a segment of its seqlock sequence. */
    public static final int SEG_SEQUENCE_OFFSET;
    /** Offset in a segment of its state. */
    public static final int SEG_STATE_OFFSET;
    /** Offset in a segment of its local depth. */
    public static final int SEG_DEPTH_OFFSET;
    /** Offset in a segment of its hash prefix. */
    public static final int SEG_PREFIX_OFFSET;
    /** Offset in a segment of its count of live entries. */
    public static final int SEG_COUNT_OFFSET;
    /** Offset in a segment of its count of tombstone slots. */
    public static final int SEG_TOMBSTONES_OFFSET;
    /** Offset in a segment of its heap top. */
    public static final int SEG_HEAP_TOP_OFFSET;
    /** Offset in a segment of its garbage byte count. */
    public static final int SEG_GARBAGE_OFFSET;
    /** Offset in a segment of its free list link. */
    public static final int SEG_NEXT_FREE_OFFSET;
    /** Offset in a segment of the head of its freed entry blocks. */
    public static final int SEG_FREE_BLOCK_OFFSET;
    /** Offset in a segment of its first slot. */
    public static final int SEG_SLOTS_OFFSET = 64;

    /** Offset in an entry of the key length. */
    public static final int ENTRY_KEY_LENGTH_OFFSET = 0;
    /** Offset in an entry of the value length. */
    public static final int ENTRY_VALUE_LENGTH_OFFSET = 4;
    /** Offset in an entry of the key bytes. */
    public static final int ENTRY_KEY_OFFSET = 8;
    /** Alignment of entries and of values within them. */
    public static final int ENTRY_ALIGNMENT = 8;

    /** Segment state: on the free list or never used. */
    public static final int STATE_FREE = 0;
    /** Segment state: serves the hashes of its prefix. */
    public static final int STATE_LIVE = 1;
    /** Segment state: replaced by a split or compaction; readers must look again in the directory. */
    public static final int STATE_RETIRED = 2;

    /** Slot value of an empty slot: ends a probe. */
    public static final long SLOT_EMPTY = 0L;
    /** Slot value of a removed entry: a probe goes on past it. */
    public static final long SLOT_TOMBSTONE = -1L;

    /** Journal phase: no split in progress. */
    public static final int PHASE_IDLE = 0;
    /** Journal phase: new segments taken but not complete; a takeover gives them back. */
    public static final int PHASE_ALLOCATED = 1;
    /** Journal phase: new segments complete; a takeover finishes the directory switch. */
    public static final int PHASE_BUILT = 2;

    static
    {
        int offset = ResourceHeaderDescriptor.COMMON_HEADER_LENGTH;
        SEGMENT_LENGTH_OFFSET = offset;
        offset += SIZE_OF_INT;
        SLOT_COUNT_OFFSET = offset;
        offset += SIZE_OF_INT;
        MAX_DEPTH_OFFSET = offset;
        offset += SIZE_OF_INT;
        MAX_SEGMENTS_OFFSET = offset;
        offset += SIZE_OF_INT;
        DIRECTORY_OFFSET_OFFSET = offset;
        offset += SIZE_OF_INT;
        SEGMENTS_OFFSET_OFFSET = offset;
        offset += SIZE_OF_INT;

        offset = ResourceHeaderDescriptor.COMMON_HEADER_LENGTH + CACHE_LINE_LENGTH;
        STRUCTURE_LOCK_OFFSET = offset;
        offset += SIZE_OF_LONG;
        TAKEOVER_COUNT_OFFSET = offset;
        offset += SIZE_OF_LONG;
        GLOBAL_DEPTH_OFFSET = offset;
        offset += SIZE_OF_INT;
        SEGMENTS_USED_OFFSET = offset;
        offset += SIZE_OF_INT;
        FREE_HEAD_OFFSET = offset;
        offset += SIZE_OF_INT;
        JOURNAL_PHASE_OFFSET = offset;
        offset += SIZE_OF_INT;
        JOURNAL_OLD_OFFSET = offset;
        offset += SIZE_OF_INT;
        JOURNAL_A_OFFSET = offset;
        offset += SIZE_OF_INT;
        JOURNAL_B_OFFSET = offset;
        offset += SIZE_OF_INT;
        METADATA_LENGTH = 3 * CACHE_LINE_LENGTH;

        offset = 0;
        SEG_LOCK_OFFSET = offset;
        offset += SIZE_OF_LONG;
        SEG_SEQUENCE_OFFSET = offset;
        offset += SIZE_OF_LONG;
        SEG_STATE_OFFSET = offset;
        offset += SIZE_OF_INT;
        SEG_DEPTH_OFFSET = offset;
        offset += SIZE_OF_INT;
        SEG_PREFIX_OFFSET = offset;
        offset += SIZE_OF_INT;
        SEG_COUNT_OFFSET = offset;
        offset += SIZE_OF_INT;
        SEG_TOMBSTONES_OFFSET = offset;
        offset += SIZE_OF_INT;
        SEG_HEAP_TOP_OFFSET = offset;
        offset += SIZE_OF_INT;
        SEG_GARBAGE_OFFSET = offset;
        offset += SIZE_OF_INT;
        SEG_NEXT_FREE_OFFSET = offset;
        offset += SIZE_OF_INT;
        SEG_FREE_BLOCK_OFFSET = offset;
    }

    private SharedDictDescriptor()
    {
    }

    /**
     * @param keyLength the key length.
     * @return the offset of the value within an entry.
     */
    public static int valueOffset(final int keyLength)
    {
        return align8(ENTRY_KEY_OFFSET + keyLength);
    }

    /**
     * @param keyLength   the key length.
     * @param valueLength the value length.
     * @return the heap bytes an entry takes.
     */
    public static long entryLength(final int keyLength, final int valueLength)
    {
        return align8((long)valueOffset(keyLength) + valueLength);
    }

    private static int align8(final int value)
    {
        return (value + ENTRY_ALIGNMENT - 1) & -ENTRY_ALIGNMENT;
    }

    private static long align8(final long value)
    {
        return (value + ENTRY_ALIGNMENT - 1) & -ENTRY_ALIGNMENT;
    }
}
