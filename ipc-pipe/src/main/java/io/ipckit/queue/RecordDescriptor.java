package io.ipckit.queue;

import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Layout of one record in a FIFO queue's byte ring. Records are 8-byte aligned and never wrap: a record that does
 * not fit before the end of the ring is preceded by a padding record that fills it.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  | Type (8 bits: WHOLE, BEGIN, MIDDLE, END; PADDING; REMOVED) | Payload Length (24 bits) |
 *  +---------------------------------------------------------------+
 *  |   Payload, then padding so that the record is 8-aligned ...   |
 *  +---------------------------------------------------------------+
 *  |  Trailer: the commit stamp of the NEXT record, 0 until then   |
 *  +---------------------------------------------------------------+
 * </pre>
 * The lane's tail word is the truth of what is published. A record's commit stamp is written after it, in the
 * trailer of the record before it (the ring's last word for a record at the ring's start), so that a consumer
 * keeping up with its producer learns of a record from the ring and never reads the producer's cache line: the word
 * before the head position matches {@link #commitStamp(long)} of the head position only once the record there is
 * published. A producer zeroes a record's own trailer before it publishes the record (or, inside a batch published
 * at once, writes the next record's stamp there), so neither old payload bytes nor old stamps ever read as a
 * commit. A batch stamps its records after the first before its tail word; a consumer reaches those stamps only
 * through the first record, stamped last ({@code ProducerLane#putRecordsFast}). The trailer lies on the record's own last cache line, which the producer
 * writes anyway: publishing never touches the line where the next record will start (a consumer waiting there would
 * take it away; measured, that cost about a fifth of the 1 → 1 throughput). A record whose producer died between
 * the tail word and the stamp is found through the tail word.
 * <p>
 * In an ordered queue ({@link QueueDescriptor#FLAG_ORDERED}) every record but padding starts its payload with the
 * low 32 bits of its element's ticket ({@link #TICKET_LENGTH} bytes, counted in the payload length): the fragments of a
 * split element carry the ticket of its BEGIN record.
 * <p>
 * A BEGIN record's payload starts (after the ticket, in an ordered queue) with the 8-byte owner token of the writing process, so a reader can tell when the
 * rest of the message will never come.
 */
public final class RecordDescriptor
{
    /** Type of a record that only fills the ring up to its end. */
    public static final int PADDING = 0x10;
    /**
     * Type of the first record of an element taken out of the middle of the queue ({@code remove(Object)}): readers
     * pass over it, and over the rest of a split element's records as fragments without a beginning; the payload
     * length stays, so the record keeps its length.
     */
    public static final int REMOVED = 0x11;
    /** Offset of the frame word: type and payload length. */
    public static final int FRAME_OFFSET = 0;
    /** Offset of the payload. */
    public static final int PAYLOAD_OFFSET = SIZE_OF_INT;
    /** Length of the trailer, the record's last word: the commit stamp of the record after it. */
    public static final int TRAILER_LENGTH = SIZE_OF_INT;
    /** Bytes a record adds to its payload at least: its frame word and its trailer. */
    public static final int OVERHEAD = PAYLOAD_OFFSET + TRAILER_LENGTH;
    /** Bytes of ticket that start a record's payload in an ordered queue. */
    public static final int TICKET_LENGTH = SIZE_OF_INT;
    /** Alignment of records. */
    public static final int ALIGNMENT = 8;
    /** The largest payload length a frame word holds. */
    public static final int MAX_PAYLOAD_LENGTH = (1 << 24) - 1;
    private static final int TYPE_SHIFT = 24;

    private RecordDescriptor()
    {
    }

    /**
     * @param payloadLength a payload length.
     * @return the ring bytes a record with that payload takes.
     */
    public static int recordLength(final int payloadLength)
    {
        return (OVERHEAD + payloadLength + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * @param position a record's position in its lane.
     * @param mask     the ring's capacity minus one.
     * @return the ring index of the word that holds that record's commit stamp: the trailer of the record before it.
     */
    public static int stampIndex(final long position, final int mask)
    {
        return (int)(position - TRAILER_LENGTH) & mask;
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
