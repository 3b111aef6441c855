package io.ipckit.shm.list;

import io.ipckit.core.file.ResourceHeaderDescriptor;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of a {@link ShareableList} file: the common ipckit header, the slot table, then the slots.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |         Common header (64 bytes, ResourceHeaderDescriptor)    |
 *  +---------------------------------------------------------------+  64
 *  |                          Item Count                           |
 *  +---------------------------------------------------------------+  68
 *  |                           Reserved                            |
 *  +---------------------------------------------------------------+  72
 *  |         Slot table: per item, Slot Offset (int64, from the    |
 *  |         start of the file), Capacity (int32), Reserved        |
 *  +---------------------------------------------------------------+  header length
 *  |                     Slots, each 8-aligned                     |
 *  +---------------------------------------------------------------+
 * </pre>
 * Each slot:
 * <pre>
 *  +---------------------------------------------------------------+  0
 *  |  Sequence (int64): even = stable; odd = being written, by the   |
 *  |  writer of the lock word (start time low 32 | pid << 1 | 1)    |
 *  |                                                               |
 *  +---------------------------------------------------------------+  8
 *  |                       Item Type (ItemType)                    |
 *  +---------------------------------------------------------------+  12
 *  |                     Payload Length (bytes)                    |
 *  +---------------------------------------------------------------+  16
 *  |   Payload: int64 / float64 / bool (8 bytes) or UTF-8 / bytes  |
 *  |                 up to Capacity (a multiple of 8)              |
 *  +---------------------------------------------------------------+
 * </pre>
 * The sequence is a seqlock: a writer replaces the even value with its lock word by a compare-and-set (which also
 * excludes other writers), writes type, length and payload, then stores the next even value with release semantics;
 * a reader copies the slot between two acquire reads of an equal, even sequence. The lock word names the writer
 * ({@link #lockWord}), so that a process that finds a slot locked for long can tell a writer that died in the middle
 * of a write: a writer then takes the slot over and publishes a sequence from the monotonic clock, which no reader can
 * hold from before. Version 1 locked with the sequence plus one, which names no process. A writer whose stores fail
 * half-way (the file was truncated under it) publishes the type code {@link #LOST_TYPE_CODE} rather than leave the
 * slot locked by a live process or publish a torn value.
 */
public final class ShareableListDescriptor
{
    /** The layout version this class describes. */
    public static final int LAYOUT_VERSION = 2;

    /** Offset of the item count. */
    public static final int COUNT_OFFSET;
    /** Offset of a reserved int. */
    public static final int RESERVED_OFFSET;
    /** Offset of the slot table. */
    public static final int SLOT_TABLE_OFFSET;
    /** Length of one slot table entry. */
    public static final int SLOT_ENTRY_LENGTH = 16;
    /** Offset of a slot's file offset within its table entry. */
    public static final int ENTRY_SLOT_OFFSET_OFFSET = 0;
    /** Offset of a slot's payload capacity within its table entry. */
    public static final int ENTRY_CAPACITY_OFFSET = SIZE_OF_LONG;

    /** Offset of the sequence within a slot. */
    public static final int SLOT_SEQUENCE_OFFSET;
    /** Offset of the item type within a slot. */
    public static final int SLOT_TYPE_OFFSET;
    /** Offset of the payload length within a slot. */
    public static final int SLOT_LENGTH_OFFSET;
    /** Offset of the payload within a slot. */
    public static final int SLOT_PAYLOAD_OFFSET;

    /** The item type code of a slot whose value a failed write lost: a read fails until a write replaces it. */
    public static final int LOST_TYPE_CODE = -1;

    /** The most items a list holds: its slot table must fit a header whose length, 64-aligned, is an int. */
    public static final int MAX_ITEM_COUNT;

    /** The smallest payload capacity: room for any number. */
    public static final int MIN_CAPACITY = 8;

    static
    {
        int offset = ResourceHeaderDescriptor.COMMON_HEADER_LENGTH;
        COUNT_OFFSET = offset;
        offset += SIZE_OF_INT;
        RESERVED_OFFSET = offset;
        offset += SIZE_OF_INT;
        SLOT_TABLE_OFFSET = offset;
        MAX_ITEM_COUNT = (int)(((Integer.MAX_VALUE & -64L) - SLOT_TABLE_OFFSET) / SLOT_ENTRY_LENGTH);

        int slot = 0;
        SLOT_SEQUENCE_OFFSET = slot;
        slot += SIZE_OF_LONG;
        SLOT_TYPE_OFFSET = slot;
        slot += SIZE_OF_INT;
        SLOT_LENGTH_OFFSET = slot;
        slot += SIZE_OF_INT;
        SLOT_PAYLOAD_OFFSET = slot;
    }

    private ShareableListDescriptor()
    {
    }

    /**
     * @param token a writer's {@link io.ipckit.core.internal.kit.OwnerToken} (its pid below 2^31).
     * @return the odd sequence word that locks a slot for that writer.
     */
    public static long lockWord(final long token)
    {
        return (token & 0xFFFF_FFFF_0000_0000L) | ((token & 0x7FFF_FFFFL) << 1) | 1L;
    }

    /**
     * @param lockWord an odd sequence word.
     * @return the token of the writer it names.
     */
    public static long writerToken(final long lockWord)
    {
        return (lockWord & 0xFFFF_FFFF_0000_0000L) | ((lockWord & 0xFFFF_FFFFL) >>> 1);
    }

    /**
     * @param count the number of items, from 0 to {@link #MAX_ITEM_COUNT}.
     * @return the metadata length after the common header.
     * @throws IllegalArgumentException when the count is negative or its slot table does not fit a header.
     */
    public static int metadataLength(final int count)
    {
        checkCount(count);
        return (int)(SLOT_TABLE_OFFSET - ResourceHeaderDescriptor.COMMON_HEADER_LENGTH + (long)SLOT_ENTRY_LENGTH * count);
    }

    /**
     * @param index an item index, from 0 to {@link #MAX_ITEM_COUNT} - 1.
     * @return the offset of its slot table entry.
     * @throws IllegalArgumentException when the index lies outside every slot table that fits a header.
     */
    public static int entryOffset(final int index)
    {
        if (index < 0 || index >= MAX_ITEM_COUNT)
        {
            throw new IllegalArgumentException("item index " + index + " lies outside every ShareableList slot " +
                "table: indices run from 0 to " + (MAX_ITEM_COUNT - 1));
        }
        return (int)(SLOT_TABLE_OFFSET + (long)SLOT_ENTRY_LENGTH * index);
    }

    /**
     * @param count a number of items.
     * @throws IllegalArgumentException when it is negative or above {@link #MAX_ITEM_COUNT}.
     */
    static void checkCount(final int count)
    {
        if (count < 0 || count > MAX_ITEM_COUNT)
        {
            throw new IllegalArgumentException("a ShareableList of " + count + " items cannot be laid out: its slot " +
                "table must fit a header of at most 2 GiB, which holds 0 to " + MAX_ITEM_COUNT + " items; split the " +
                "items over several lists");
        }
    }

    /**
     * @param capacity a payload capacity.
     * @return the length of a slot with that capacity.
     */
    public static long slotLength(final int capacity)
    {
        return SLOT_PAYLOAD_OFFSET + (long)capacity;
    }
}
