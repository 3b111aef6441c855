package io.ipckit.queue;

import io.ipckit.core.internal.kit.DoorbellDescriptor;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of a queue file's metadata (after the common header). Hot words each own a cache line.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |   Variant (1 FIFO, 2 LIFO, 3 priority) | Flags (1 joinable)   |
 *  +---------------------------------------------------------------+
 *  |      Capacity (ring bytes, or slots)   | Max Elements (0 = no |
 *  +---------------------------------------------------------------+
 *  |   Max Message Bytes                    | Slot Payload Bytes   |
 *  +---------------------------------------------------------------+
 *  |   Lane Count (FIFO: rings, lane 0 shared, 1.. exclusive)      |
 *  +---------------------------------------------------------------+
 *  |                  Padding to the cache line                    |
 *  +---------------------------------------------------------------+
 *  |           Producer Lock (owner token, 0 when free)            |
 *  +---------------------------------------------------------------+
 *  |   Tail Word: element count (24 bits) | byte position (40 bits)|
 *  |   (ordered FIFO: the next ticket, 64 bits)                    |
 *  +---------------------------------------------------------------+
 *  |           Consumer Lock (owner token, 0 when free)            |
 *  +---------------------------------------------------------------+
 *  |   Head Word: element count (24 bits) | byte position (40 bits)|
 *  |   (slot variants: element count; insertion sequence follows)  |
 *  +---------------------------------------------------------------+
 *  |        Done Count (JoinableQueue task_done calls, mod 2^24)   |
 *  +---------------------------------------------------------------+
 *  |   Producer Doorbell (space freed, producer lock released)     |
 *  +---------------------------------------------------------------+
 *  |   Consumer Doorbell (data published, consumer lock released)  |
 *  +---------------------------------------------------------------+
 *  |   Join Doorbell (every task done)                             |
 *  +---------------------------------------------------------------+
 * </pre>
 * A FIFO queue keeps its rings' words in a table of {@link LaneDescriptor lanes} that starts at
 * {@link #lanesOffset()}; the producer lock, tail and consumer lock words here serve the slot variants.
 * Each word from the producer lock on sits on its own cache line. Packing the element count with the byte position
 * makes publishing a message (or consuming one) a single store that a crash cannot tear.
 */
public final class QueueDescriptor
{
    /**
     * Layout version of queue files: 9 since a joinable queue's lanes keep a 64-bit put count
     * ({@link LaneDescriptor#PUT_COUNT_OFFSET}), without which a process of layout 8 would count unfinished tasks modulo
     * 2^24; 8 since a FIFO queue may order its lanes by tickets ({@link #FLAG_ORDERED}),
     * whose records a process of layout 7 would read as payload; 7 since a FIFO lane's consumers advertise their head in the lane's head hint
     * ({@link LaneDescriptor#HEAD_HINT_OFFSET}), which producers read for room and a process of layout 6 would
     * neither write nor read; 6 brought the doorbells' wake signals' flagged protocol
     * ({@link io.ipckit.core.internal.wait.WakeSignal}).
     */
    public static final int LAYOUT_VERSION = 9;
    /** Variant: first in, first out, over a byte ring. */
    public static final int VARIANT_FIFO = 1;
    /** Variant: last in, first out, over fixed slots. */
    public static final int VARIANT_LIFO = 2;
    /** Variant: lowest priority first, over fixed slots. */
    public static final int VARIANT_PRIORITY = 3;
    /** Flag: the queue counts unfinished tasks (JoinableQueue). */
    public static final int FLAG_JOINABLE = 1;
    /**
     * Flag: a FIFO queue with producer lanes ordered by tickets ({@link QueueOptions#fifoAcrossProducers}): every
     * record starts its payload with its element's ticket ({@link RecordDescriptor#TICKET_LENGTH}), producers take
     * tickets from {@link #TICKET_OFFSET}, and consumers take them in order under lane 0's consumer lock.
     */
    public static final int FLAG_ORDERED = 2;

    /** Offset of the variant. */
    public static final int VARIANT_OFFSET;
    /** Offset of the flags. */
    public static final int FLAGS_OFFSET;
    /** Offset of the capacity: ring bytes (FIFO) or number of slots (LIFO, priority). */
    public static final int CAPACITY_OFFSET;
    /** Offset of the maximum number of elements, 0 for no limit but the capacity. */
    public static final int MAX_ELEMENTS_OFFSET;
    /** Offset of the maximum encoded length of one element. */
    public static final int MAX_MESSAGE_BYTES_OFFSET;
    /** Offset of the payload bytes of one slot (slot variants). */
    public static final int SLOT_PAYLOAD_BYTES_OFFSET;
    /** Offset of the number of lanes of a FIFO queue. */
    public static final int LANE_COUNT_OFFSET;
    /** Offset of the single lock of the slot variants. */
    public static final int PRODUCER_LOCK_OFFSET;
    /** Offset of the tail word (slot variants). */
    public static final int TAIL_OFFSET;
    /**
     * Offset of the next ticket of an ordered FIFO queue ({@link #FLAG_ORDERED}): a 64-bit count of the tickets ever
     * taken, which a producer adds one to per element (a batch adds its size at once); on the tail word's cache
     * line, which a FIFO queue does not use otherwise.
     */
    public static final int TICKET_OFFSET;
    /** Offset of the consumer lock word (FIFO). */
    public static final int CONSUMER_LOCK_OFFSET;
    /** Offset of the head word (FIFO) or the element count (slot variants). */
    public static final int HEAD_OFFSET;
    /** Offset of the next insertion sequence number (slot variants). */
    public static final int INSERT_SEQUENCE_OFFSET;
    /** Offset of the number of {@code taskDone} calls, modulo 2^24. */
    public static final int DONE_COUNT_OFFSET;
    /** Offset of the doorbell producers wait on. */
    public static final int PRODUCER_DOORBELL_OFFSET;
    /** Offset of the doorbell consumers wait on. */
    public static final int CONSUMER_DOORBELL_OFFSET;
    /** Offset of the doorbell {@code join} waits on. */
    public static final int JOIN_DOORBELL_OFFSET;
    /** Length of the metadata. */
    public static final int METADATA_LENGTH;

    static
    {
        int offset = 0;
        VARIANT_OFFSET = offset;
        offset += SIZE_OF_INT;
        FLAGS_OFFSET = offset;
        offset += SIZE_OF_INT;
        CAPACITY_OFFSET = offset;
        offset += SIZE_OF_INT;
        MAX_ELEMENTS_OFFSET = offset;
        offset += SIZE_OF_INT;
        MAX_MESSAGE_BYTES_OFFSET = offset;
        offset += SIZE_OF_INT;
        SLOT_PAYLOAD_BYTES_OFFSET = offset;
        offset += SIZE_OF_INT;
        LANE_COUNT_OFFSET = offset;
        offset = CACHE_LINE_LENGTH;
        PRODUCER_LOCK_OFFSET = offset;
        offset += CACHE_LINE_LENGTH;
        TAIL_OFFSET = offset;
        TICKET_OFFSET = offset;
        offset += CACHE_LINE_LENGTH;
        CONSUMER_LOCK_OFFSET = offset;
        offset += CACHE_LINE_LENGTH;
        HEAD_OFFSET = offset;
        INSERT_SEQUENCE_OFFSET = offset + SIZE_OF_LONG;
        offset += CACHE_LINE_LENGTH;
        DONE_COUNT_OFFSET = offset;
        offset += CACHE_LINE_LENGTH;
        PRODUCER_DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        CONSUMER_DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        JOIN_DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        METADATA_LENGTH = offset;
    }

    private QueueDescriptor()
    {
    }

    /**
     * @return where the lane table of a FIFO queue starts in the metadata (two cache lines aligned).
     */
    public static int lanesOffset()
    {
        return (METADATA_LENGTH + 2 * CACHE_LINE_LENGTH - 1) & -(2 * CACHE_LINE_LENGTH);
    }

    /**
     * @param lanes the number of lanes.
     * @return the metadata length of a FIFO queue with that many lanes.
     */
    public static int fifoMetadataLength(final int lanes)
    {
        return lanesOffset() + lanes * LaneDescriptor.LENGTH;
    }

    /**
     * @param variant a variant code.
     * @return its name, for messages.
     */
    public static String variantName(final int variant)
    {
        return switch (variant)
        {
            case VARIANT_FIFO -> "FIFO queue";
            case VARIANT_LIFO -> "LIFO queue";
            case VARIANT_PRIORITY -> "priority queue";
            default -> "queue of unknown variant " + variant;
        };
    }
}
