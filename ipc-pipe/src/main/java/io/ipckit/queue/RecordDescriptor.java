package io.ipckit.queue;

import io.ipckit.core.process.ProcessIdentity;

import java.util.Optional;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of one record in a FIFO queue's byte ring (layout version 8). Records are 8-byte aligned and never wrap: a
 * record that does not fit before the end of the ring is preceded by a padding record that fills it.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  State: the commit stamp of this record's position (odd) once |
 *  |  committed; before that the reserver's process tag (even)     |
 *  +---------------------------------------------------------------+
 *  | Type (8 bits: WHOLE, BEGIN, MIDDLE, END; PADDING; REMOVED;    |
 *  | DROPPED) | Payload Length (24 bits)                            |
 *  +---------------------------------------------------------------+
 *  |   Payload, then padding so that the record is 8-aligned ...   |
 *  +---------------------------------------------------------------+
 * </pre>
 * The first two words form the 8-byte <em>header</em>, which goes through three states:
 * <ol>
 * <li><b>Free</b>: every 8-byte word of the ring between the tail and a capacity past the head holds the free marker
 * of its position ({@link #freeMarker(long)}, never an intent or a commit; the ring is filled with them when the queue
 * is created, and consumers write them over every record they pass, before they move the head past it).</li>
 * <li><b>Intent</b>: a producer reserves a record by a compare-and-set of the header at the tail position from its
 * free marker to an intent (its process tag and the record's frame), and only then moves the tail word past it (with
 * a compare-and-set: anyone who finds an intent at the tail may move the tail past it, so a reserver stopped or killed
 * between the two never blocks the others). The free marker names the position, so a producer whose tail read is a
 * lap old can never place an intent.</li>
 * <li><b>Committed</b>: the reserver writes the payload, then stores the commit stamp of the position into the state
 * word (a release store). Consumers take a record when its state is the stamp of its position, so they never read the
 * tail word to take.</li>
 * </ol>
 * A consumer that finds an intent at the head checks, at most every liveness interval, whether the process its tag
 * names is alive; if it is not, the consumer moves the tail past the record (if nobody did) and turns it into a
 * committed {@link #DROPPED} record (a counted element, WHOLE or BEGIN) or {@link #PADDING} (a fragment or padding),
 * which consumers pass over. No committed record is lost and none is delivered twice.
 * <p>
 * A BEGIN record's payload starts with the 8-byte owner token of the writing process, so a reader can tell when the
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
    /**
     * Type of a record counted as an element by its reservation that will never be delivered: a claim aborted, or a
     * reservation whose producer died before committing it. Consumers pass over it and count it as taken.
     */
    public static final int DROPPED = 0x12;
    /** Offset of the state word: the commit stamp, or the reserver's tag before the commit. */
    public static final int STATE_OFFSET = 0;
    /** Offset of the frame word: type and payload length. */
    public static final int FRAME_OFFSET = SIZE_OF_INT;
    /** Offset of the payload. */
    public static final int PAYLOAD_OFFSET = SIZE_OF_LONG;
    /** Bytes a record adds to its payload at least: its header. */
    public static final int OVERHEAD = PAYLOAD_OFFSET;
    /** Alignment of records. */
    public static final int ALIGNMENT = 8;
    /** The largest payload length a frame word holds. */
    public static final int MAX_PAYLOAD_LENGTH = (1 << 24) - 1;
    private static final int TYPE_SHIFT = 24;
    private static final long LOW_MASK = 0xFFFF_FFFFL;
    private static final int TAG_PID_BITS = 22; // Linux pids are below 2^22 (PID_MAX_LIMIT)
    private static final int TAG_START_BITS = 9;
    private static final int PROCESS_TAG = tagOf(ProcessIdentity.current());

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
     * @return the commit stamp of a record published there: odd (never an intent's tag nor a free marker's low word),
     * and different for the same ring index on other laps (positions differ there by the capacity, at most 64 MiB).
     */
    public static int commitStamp(final long position)
    {
        return (int)(position >>> 2) | 1;
    }

    /**
     * @param position a position (modulo 2^39, as the tail and head words keep them), a multiple of 8.
     * @return the header value of a free word at that position: its low word even (never a commit stamp), and
     * different at every position of any one lap and from one lap to the next.
     */
    public static long freeMarker(final long position)
    {
        return ((position & LaneWords.POSITION_MASK) * 0x9E37_79B9_7F4A_7C15L ^ 0x5851_F42D_4C95_7F2DL) & ~1L;
    }

    /**
     * @param header a header.
     * @return its frame word.
     */
    public static int headerFrame(final long header)
    {
        return (int)(header >>> 32);
    }

    /**
     * @param header   a header.
     * @param position the position it lies at.
     * @return true when it is the header of a record committed there.
     */
    public static boolean isCommitted(final long header, final long position)
    {
        return (int)header == commitStamp(position);
    }

    /**
     * @param header   a header.
     * @param position the position it lies at.
     * @return true when it is a reserver's intent (a record reserved and not committed).
     */
    public static boolean isIntent(final long header, final long position)
    {
        return ((int)header & 1) == 0 && header != freeMarker(position);
    }

    /**
     * @param frame a frame word.
     * @return the header of an intent of this process to write a record with that frame.
     */
    public static long intent(final int frame)
    {
        return intent(frame, PROCESS_TAG);
    }

    /**
     * @param frame a frame word.
     * @param tag   a process tag ({@link #tagOf}).
     * @return the header of an intent of that process to write a record with that frame.
     */
    static long intent(final int frame, final int tag)
    {
        return (long)frame << 32 | (tag & LOW_MASK);
    }

    /**
     * @param frame    a frame word.
     * @param position the record's position.
     * @return the header of a record with that frame committed there.
     */
    public static long committed(final int frame, final long position)
    {
        return (long)frame << 32 | (commitStamp(position) & LOW_MASK);
    }

    /**
     * @return this process's tag.
     */
    static int processTag()
    {
        return PROCESS_TAG;
    }

    /**
     * @param identity a process.
     * @return its tag: even and not zero; the pid (22 bits) and the low 9 bits of the start time, shifted left once.
     */
    static int tagOf(final ProcessIdentity identity)
    {
        final long start = identity.startTime() & ((1 << TAG_START_BITS) - 1);
        final long pid = identity.pid() & ((1 << TAG_PID_BITS) - 1);
        return (int)((start << TAG_PID_BITS | pid) << 1);
    }

    /**
     * Reads {@code /proc}: call it on slow paths only.
     *
     * @param tag an intent's tag.
     * @return true when the process it names may be alive: a process with that pid runs and its start time matches in
     * the tag's 9 bits (a pid reused by a process started in the same 9 bits of clock ticks reads as alive).
     */
    static boolean isTagAlive(final int tag)
    {
        if (tag == PROCESS_TAG)
        {
            return true;
        }
        final long pid = (tag >>> 1) & ((1 << TAG_PID_BITS) - 1);
        final long start = (tag >>> 1 + TAG_PID_BITS) & ((1 << TAG_START_BITS) - 1);
        final Optional<ProcessIdentity> identity = ProcessIdentity.of(pid);
        return identity.isPresent() && (identity.get().startTime() & ((1 << TAG_START_BITS) - 1)) == start;
    }
}
