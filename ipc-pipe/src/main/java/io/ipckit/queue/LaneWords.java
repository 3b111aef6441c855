package io.ipckit.queue;

import io.ipckit.core.internal.kit.OwnerToken;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The words of a FIFO queue's lanes ({@link LaneDescriptor}): how a tail or head word packs an element count and a
 * byte position, where each lane's words lie, the claiming of exclusive lanes, and the counts summed over lanes.
 * Static, so that the producer and consumer sides call it directly over their own {@code final} copies of the
 * metadata buffer and lane table offset, with no object in between on their hot paths.
 * <p>
 * Note to maintainers: element counts are kept modulo 2^24 (the top 24 bits of a word) and a ring holds at most
 * capacity / 8 records, below 2^24, so the difference of a tail and a head count is always the number of elements
 * between them. Positions are kept modulo 2^40 and compared only within one ring's length of each other.
 * An exclusive lane's owner word is taken with one compare-and-set from free (or from a dead owner) and given back
 * with one from this process's token; a new owner clears the lane's "message in progress" word, so a split element
 * its dead predecessor left stays incomplete and its readers discard it.
 * <p>
 * Stateless and thread-safe.
 */
final class LaneWords
{
    static final int POSITION_BITS = 40;
    static final long POSITION_MASK = (1L << POSITION_BITS) - 1;
    static final int COUNT_MASK = (1 << 24) - 1;

    private LaneWords()
    {
    }

    static long word(final int count, final long position)
    {
        return ((long)(count & COUNT_MASK) << POSITION_BITS) | (position & POSITION_MASK);
    }

    static long position(final long word)
    {
        return word & POSITION_MASK;
    }

    static int count(final long word)
    {
        return (int)(word >>> POSITION_BITS);
    }

    /**
     * @return the id of a split element whose BEGIN record was published with {@code wordAfterBegin}: what the lane's
     * "message in progress" word holds while it is written.
     */
    static long messageId(final long wordAfterBegin)
    {
        return position(wordAfterBegin) | (1L << 62);
    }

    /**
     * @return the offset in the metadata buffer of word {@code wordOffset} of lane {@code lane}.
     */
    static int laneWord(final int lanesOffset, final int lane, final int wordOffset)
    {
        return lanesOffset + lane * LaneDescriptor.LENGTH + wordOffset;
    }

    static long tailWord(final AtomicBuffer meta, final int lanesOffset, final int lane)
    {
        return meta.getLongAcquire(laneWord(lanesOffset, lane, LaneDescriptor.TAIL_OFFSET));
    }

    static long headWord(final AtomicBuffer meta, final int lanesOffset, final int lane)
    {
        return meta.getLongAcquire(laneWord(lanesOffset, lane, LaneDescriptor.HEAD_OFFSET));
    }

    /**
     * Claims a free exclusive lane, or one whose owner died, for this process.
     *
     * @return the lane claimed, or 0 (the shared lane) when every exclusive lane has a live owner.
     */
    static int claimExclusiveLane(final AtomicBuffer meta, final int lanesOffset, final int laneCount)
    {
        int lane = 0;
        final long self = OwnerToken.current();
        for (int candidate = 1; candidate < laneCount && lane == 0; candidate++)
        {
            final int ownerOffset = laneWord(lanesOffset, candidate, LaneDescriptor.PRODUCER_WORD_OFFSET);
            final long owner = meta.getLongVolatile(ownerOffset);
            if (owner == OwnerToken.NONE && meta.compareAndSetLong(ownerOffset, OwnerToken.NONE, self) ||
                owner != OwnerToken.NONE && owner != self && !OwnerToken.isAlive(owner) &&
                meta.compareAndSetLong(ownerOffset, owner, self))
            {
                lane = candidate;
                // a dead owner's split element stays incomplete: its readers discard it
                meta.putLongRelease(laneWord(lanesOffset, lane, LaneDescriptor.IN_PROGRESS_OFFSET), 0L);
                // and a ticket it took and never published is left to the consumers (see TicketOrderLane)
                meta.putLongRelease(laneWord(lanesOffset, lane, LaneDescriptor.ANNOUNCE_OFFSET), 0L);
            }
        }
        return lane;
    }

    /**
     * Gives an exclusive lane of this process back (its elements stay for the consumers).
     */
    static void releaseExclusiveLane(final AtomicBuffer meta, final int lanesOffset, final int lane)
    {
        // no split element of this handle is in progress any more
        meta.putLongRelease(laneWord(lanesOffset, lane, LaneDescriptor.IN_PROGRESS_OFFSET), 0L);
        meta.compareAndSetLong(laneWord(lanesOffset, lane, LaneDescriptor.PRODUCER_WORD_OFFSET),
            OwnerToken.current(), OwnerToken.NONE);
    }

    /**
     * @return the elements published and not taken, over every lane, at some moment during the call.
     */
    static int size(final AtomicBuffer meta, final int lanesOffset, final int laneCount)
    {
        int size = 0;
        for (int lane = 0; lane < laneCount; lane++)
        {
            final long headWord = headWord(meta, lanesOffset, lane);
            size += (count(tailWord(meta, lanesOffset, lane)) - count(headWord)) & COUNT_MASK;
        }
        return size;
    }

    /**
     * @return the elements ever published, over every lane: exact in a joinable queue, whose lanes keep their put
     * counts ({@link LaneDescriptor#PUT_COUNT_OFFSET}), modulo 2^24 per lane in others.
     */
    static long elementsPut(final AtomicBuffer meta, final int lanesOffset, final int laneCount)
    {
        long put = 0;
        for (int lane = 0; lane < laneCount; lane++)
        {
            // the put count first: it never passes a count the tail word already holds
            final long putCount = meta.getLongAcquire(laneWord(lanesOffset, lane, LaneDescriptor.PUT_COUNT_OFFSET));
            put += putCount + ((count(tailWord(meta, lanesOffset, lane)) - putCount) & COUNT_MASK);
        }
        return put;
    }
}
