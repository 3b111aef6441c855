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
 *  |           Sequence (int64): even = stable, odd = being written |
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
 * The sequence is a seqlock: a writer moves it from even to odd with a compare-and-set (which also excludes
 * other writers), writes type, length and payload, then stores the next even value with release semantics; a
 * reader copies the slot between two acquire reads of an equal, even sequence.
 */
public final class ShareableListDescriptor
{
    /** The layout version this class describes. */
    public static final int LAYOUT_VERSION = 1;

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
     * @param count the number of items.
     * @return the metadata length after the common header.
     */
    public static int metadataLength(final int count)
    {
        return SLOT_TABLE_OFFSET - ResourceHeaderDescriptor.COMMON_HEADER_LENGTH + SLOT_ENTRY_LENGTH * count;
    }

    /**
     * @param index an item index.
     * @return the offset of its slot table entry.
     */
    public static int entryOffset(final int index)
    {
        return SLOT_TABLE_OFFSET + SLOT_ENTRY_LENGTH * index;
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
