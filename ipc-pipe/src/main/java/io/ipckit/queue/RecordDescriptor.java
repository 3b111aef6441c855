package io.ipckit.queue;

import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Layout of one record in a FIFO queue's byte ring. Records are 8-byte aligned and never wrap: a record that does
 * not fit before the end of the ring is preceded by a padding record that fills it.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Payload Length (bytes)                    |
 *  +---------------------------------------------------------------+
 *  |  Type (WHOLE, BEGIN, MIDDLE, END of MessageAssembler; PADDING) |
 *  +---------------------------------------------------------------+
 *  |                 Payload, padded to 8 bytes                   ...
 *  +---------------------------------------------------------------+
 * </pre>
 * A BEGIN record's payload starts with the 8-byte owner token of the writing process, so a reader can tell when the
 * rest of the message will never come.
 */
public final class RecordDescriptor
{
    /** Type of a record that only fills the ring up to its end. */
    public static final int PADDING = 0x10;
    /** Offset of the payload length. */
    public static final int LENGTH_OFFSET;
    /** Offset of the type. */
    public static final int TYPE_OFFSET;
    /** Length of the record header, and the alignment of records. */
    public static final int HEADER_LENGTH;

    static
    {
        int offset = 0;
        LENGTH_OFFSET = offset;
        offset += SIZE_OF_INT;
        TYPE_OFFSET = offset;
        offset += SIZE_OF_INT;
        HEADER_LENGTH = offset;
    }

    private RecordDescriptor()
    {
    }

    /**
     * @param payloadLength a payload length.
     * @return the ring bytes a record with that payload takes.
     */
    public static int recordLength(final int payloadLength)
    {
        return (HEADER_LENGTH + payloadLength + HEADER_LENGTH - 1) & -HEADER_LENGTH;
    }
}
