package io.ipckit.queue;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.align;

/**
 * Layout of one slot of a LIFO or priority queue; slots follow each other, each aligned to a cache line.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            State (0 free, 1 holds an element)                 |
 *  +---------------------------------------------------------------+
 *  |                    Payload Length (bytes)                     |
 *  +---------------------------------------------------------------+
 *  |              Key (priority; lower comes out first)            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Insertion Sequence Number                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Reserved to 32 bytes                      |
 *  +---------------------------------------------------------------+
 *  |                  Payload, Slot Payload Bytes                 ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class SlotDescriptor
{
    /** Slot state: free. */
    public static final int FREE = 0;
    /** Slot state: holds an element. */
    public static final int USED = 1;

    /** Offset of the state, written last (release) when an element is stored, first when it is taken. */
    public static final int STATE_OFFSET;
    /** Offset of the payload length. */
    public static final int LENGTH_OFFSET;
    /** Offset of the key. */
    public static final int KEY_OFFSET;
    /** Offset of the insertion sequence number. */
    public static final int SEQUENCE_OFFSET;
    /** Offset of the payload. */
    public static final int PAYLOAD_OFFSET = 32;

    static
    {
        int offset = 0;
        STATE_OFFSET = offset;
        offset += SIZE_OF_INT;
        LENGTH_OFFSET = offset;
        offset += SIZE_OF_INT;
        KEY_OFFSET = offset;
        offset += SIZE_OF_LONG;
        SEQUENCE_OFFSET = offset;
    }

    private SlotDescriptor()
    {
    }

    /**
     * @param slotPayloadBytes the payload bytes of a slot.
     * @return the bytes one slot takes.
     */
    public static int slotLength(final int slotPayloadBytes)
    {
        return align(PAYLOAD_OFFSET + slotPayloadBytes, CACHE_LINE_LENGTH);
    }
}
