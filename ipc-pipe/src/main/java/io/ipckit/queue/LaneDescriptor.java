package io.ipckit.queue;

import io.ipckit.core.internal.kit.BiasedLockDescriptor;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of one lane of a FIFO queue: the words that govern one byte ring. A FIFO queue file holds a table of
 * lanes after its {@link QueueDescriptor metadata} and one ring per lane in its data, lane {@code i}'s ring at
 * {@code i * capacity}. Lane 0 is <em>shared</em>: producers take its producer lock for every call (it is the only
 * lane of a queue with an element bound); the lock is a {@link io.ipckit.core.internal.kit.BiasedOwnerLock}, so a lone
 * producer keeps it between calls. Lanes 1.. are <em>exclusive</em>: a producing handle claims one by
 * writing its process token into the owner word and then writes with no lock at all.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  Producer Lock (lane 0): a BiasedOwnerLock's four words, the   |
 *  |  first the lock word; lanes 1..: the first word is the owner's |
 *  |  process token (0 when free), the other three are unused      |
 *  +---------------------------------------------------------------+
 *  |  Tail Word: element count (24 bits) | byte position (40 bits)  |
 *  +---------------------------------------------------------------+
 *  |  Message In Progress: id of a split element being written, 0   |
 *  +---------------------------------------------------------------+
 *  |  Ticket Announced (ordered queues): the producer's token from  |
 *  |  before it takes a ticket until its record is published, else 0|
 *  +---------------------------------------------------------------+
 *  |  Put Count (joinable queues): the lane's elements ever put, 64 |
 *  |  bits, at most 2^20 + one batch behind the tail word's count   |
 *  +---------------------------------------------------------------+
 *  |  Head Hint: a head word the consumers stored, never ahead of   |
 *  |  the head; then padding to the cache line                     ...
 *  +---------------------------------------------------------------+
 *  |  Consumer Lock: a BiasedOwnerLock's four words                 |
 *  +---------------------------------------------------------------+
 *  |  Head Word: element count (24 bits) | byte position (40 bits)  |
 *  +---------------------------------------------------------------+
 *  |  Removal: the head word a removal in progress will store       |
 *  +---------------------------------------------------------------+
 *  |  Removal: ring index + 1 of the element being removed, 0 none  |
 *  +---------------------------------------------------------------+
 *  |                 Padding to the cache line                     ...
 *  +---------------------------------------------------------------+
 *  |  Next Ticket To Take (lane 0 of an ordered queue): 64 bits;    |
 *  |  then padding to the cache line                               ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The producer half and the consumer half are each two cache lines apart, so that adjacent-line prefetching does
 * not make them share. Each half's lock words share the line of the word they guard, which the holder writes anyway.
 * <p>
 * The head hint is how producers learn of room. The head word is stored after every record a consumer hands over
 * (so that a consumer killed in a handler leaves only that record to the next one); a producer reading it for room
 * would take its line away from the consumer between those stores, and a producer retrying a full ring reads it
 * every few nanoseconds: measured, that made the consumer (the only way out of a full ring) several times slower.
 * Consumers copy the head into the hint when they let the lane's lock go: always in an ordered queue, and in an
 * unordered one when the lane looks empty at the head or the head has moved a sixteenth of the ring (or of the
 * element bound) past the hint. A producer retrying a full ring reads the hint every few nanoseconds, so a store per
 * call by a consumer taking one element per call took the line away for every element: measured, the object API's
 * 1 &rarr; 1 ran at 0.29&ndash;0.32&times; the raw ring with it and 0.72&ndash;1.03&times; without. Room a consumer
 * frees while elements remain thus reaches producers in steps; a producer about to sleep, or due for its periodic
 * look, reads the head word itself. The hint sits on the producer half's second line, whose adjacent-line partner is
 * the producer's own.
 */
public final class LaneDescriptor
{
    /** Offset of the producer word: the producer lock of lane 0, the owner of an exclusive lane. */
    public static final int PRODUCER_WORD_OFFSET = 0;
    /** Offset of the tail word. */
    public static final int TAIL_OFFSET = PRODUCER_WORD_OFFSET + BiasedLockDescriptor.LENGTH;
    /** Offset of the id of the split element being written ({@code 0} when none). */
    public static final int IN_PROGRESS_OFFSET = TAIL_OFFSET + SIZE_OF_LONG;
    /**
     * Offset of the ticket announcement of an ordered queue's lane ({@link QueueDescriptor#FLAG_ORDERED}): its producer
     * stores its process token before it takes a ticket and 0 after it published the record, so that consumers waiting
     * for a ticket no lane holds can tell a producer about to publish it (alive) from one killed with it.
     */
    public static final int ANNOUNCE_OFFSET = IN_PROGRESS_OFFSET + SIZE_OF_LONG;
    /**
     * Offset of the put count of a joinable queue's lane ({@link QueueDescriptor#FLAG_JOINABLE}): the elements ever put
     * in the lane, which the tail word counts only modulo 2^24. The lane's producer advances it, before it writes, once
     * the tail word's count is 2^20 past it; so it is never more than 2^20 + one batch (a ring holds under 2^23
     * records) behind, and {@code putCount + ((count(tail) - putCount) mod 2^24)} is exact. A producer killed before
     * advancing it is made good by the lane's next producer. 0 in other queues.
     */
    public static final int PUT_COUNT_OFFSET = ANNOUNCE_OFFSET + SIZE_OF_LONG;
    /** Offset of the head hint: a head word the lane's consumers stored when they let its lock go. */
    public static final int HEAD_HINT_OFFSET = CACHE_LINE_LENGTH;
    /** Offset of the consumer lock. */
    public static final int CONSUMER_LOCK_OFFSET = 2 * CACHE_LINE_LENGTH;
    /** Offset of the head word. */
    public static final int HEAD_OFFSET = CONSUMER_LOCK_OFFSET + BiasedLockDescriptor.LENGTH;
    /** Offset of the head word a removal in progress will store (valid while {@link #REMOVING_OFFSET} is not 0). */
    public static final int REMOVAL_HEAD_OFFSET = HEAD_OFFSET + SIZE_OF_LONG;
    /** Offset of the ring index + 1 of the first record of the element being removed, 0 when no removal runs. */
    public static final int REMOVING_OFFSET = REMOVAL_HEAD_OFFSET + SIZE_OF_LONG;
    /**
     * Offset, in lane 0 of an ordered queue, of the ticket of the element consumers take next: stored by the holder of
     * lane 0's consumer lock (the consumers' one lock in an ordered queue) when it has taken an element, before the
     * head word of the element's lane. On the consumer half's second line, not the lock's: consumers waiting for the
     * lock read the lock's line, and the holder stores this word for every element.
     */
    public static final int NEXT_TICKET_OFFSET = 3 * CACHE_LINE_LENGTH;
    /** Length of one lane's words. */
    public static final int LENGTH = 4 * CACHE_LINE_LENGTH;

    private LaneDescriptor()
    {
    }
}
