package io.ipckit.queue;

import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Layout of one record in a FIFO queue's byte ring. Records are 8-byte aligned and never wrap: a record that does
 * not fit before the end of the ring is preceded by a padding record that fills it.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  | Type (8 bits: WHOLE, BEGIN, MIDDLE, END; PADDING) | Payload Length (24 bits) |
 *  +---------------------------------------------------------------+
 *  |  Commit Stamp: odd, derived from the record's ring position    |
 *  +---------------------------------------------------------------+
 *  |                 Payload, padded to 8 bytes                   ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The lane's tail word is the truth of what is published. The commit stamp is written after it, so that a consumer
 * keeping up with its producer learns of a record from the record itself and never reads the producer's cache line:
 * the stamp at the head matches {@link #commitStamp(long)} of the head position only once the record there is
 * published. A stamp left from an earlier lap names another position, and the word after the last published record
 * is zeroed by its producer before it publishes, so neither old payload bytes nor old stamps read as a commit. A
 * record whose producer died between the two stores is found through the tail word.
 * <p>
 * A BEGIN record's payload starts with the 8-byte owner token of the writing process, so a reader can tell when the
 * rest of the message will never come.
 */
public final class RecordDescriptor
{
    /** Type of a record that only fills the ring up to its end. */
    public static final int PADDING = 0x10;
    /** Offset of the frame word: type and payload length. */
    public static final int FRAME_OFFSET;
    /** Offset of the commit stamp. */
    public static final int COMMIT_OFFSET;
    /** Length of the record header, and the alignment of records. */
    public static final int HEADER_LENGTH;
    /** The largest payload length a frame word holds. */
    public static final int MAX_PAYLOAD_LENGTH = (1 << 24) - 1;
    private static final int TYPE_SHIFT = 24;

    static
    {
        int offset = 0;
        FRAME_OFFSET = offset;
        offset += SIZE_OF_INT;
        COMMIT_OFFSET = offset;
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

    /**
     * @param payloadLength 0..{@link #MAX_PAYLOAD_LENGTH}.
     * @param type          a record type.
     * @return the frame word.
     */
    public static int frame(final int payloadLength, final int type)
    {
        return type << TYPE_SHIFT | payloadLength;
    }

    /**
     * @param frame a frame word.
     * @return its payload length.
     */
    public static int frameLength(final int frame)
    {
        return frame & MAX_PAYLOAD_LENGTH;
    }

    /**
     * @param frame a frame word.
     * @return its type.
     */
    public static int frameType(final int frame)
    {
        return frame >>> TYPE_SHIFT;
    }

    /**
     * @param position a record's position in its lane (bytes since the lane began).
     * @return the commit stamp of a record published there: odd (never the zero of an unwritten word), and
     * different for the same ring index on other laps (positions differ there by the capacity, at most 64 MiB).
     */
    public static int commitStamp(final long position)
    {
        return (int)(position >>> 2) | 1;
    }
}
