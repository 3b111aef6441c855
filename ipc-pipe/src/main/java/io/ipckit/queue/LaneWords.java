package io.ipckit.queue;

import io.ipckit.core.internal.kit.OwnerToken;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The words of a FIFO queue's lanes ({@link LaneDescriptor}): how a tail or head word packs an element count and a
 * byte position, where each lane's words lie, the claiming of exclusive lanes, and the counts summed over lanes.
 * Static, so that the producer and consumer sides call it directly over their own {@code final} copies of the
 * metadata buffer and lane table offset, with no object in between on their hot paths.
 * <p>
 * Note to maintainers: element counts are kept modulo 2^24 (the top 24 bits of a word; bit 39 of lane 0's tail word is {@link #HELD}) and a ring holds at most
 * capacity / 8 records, below 2^24, so the difference of a tail and a head count is always the number of elements
 * between them. Positions are kept modulo 2^39 and compared only within one ring's length of each other.
 * An exclusive lane's owner word is taken with one compare-and-set from free (or from a dead owner) and given back
 * with one from this process's token; a new owner clears the lane's "message in progress" word, so a split element
 * its dead predecessor left stays incomplete and its readers discard it.
 * <p>
 * Stateless and thread-safe.
 */
final class LaneWords
{
    static final int POSITION_BITS = 39;
    /** A flag of lane 0's tail word: a split element is being written (the producer lock holder owns the tail). */
    static final long HELD = 1L << POSITION_BITS;
    static final int COUNT_SHIFT = 40;
    static final long POSITION_MASK = (1L << POSITION_BITS) - 1;
    static final int COUNT_MASK = (1 << 24) - 1;

    private LaneWords()
    {
    }

    static long word(final int count, final long position)
    {
        return ((long)(count & COUNT_MASK) << COUNT_SHIFT) | (position & POSITION_MASK);
    }

    static long position(final long word)
    {
        return word & POSITION_MASK;
    }

    static int count(final long word)
    {
        return (int)(word >>> COUNT_SHIFT);
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
     * Moves a lane's tail word past the record reserved at {@code position}, {@code length} bytes counting
     * {@code elements} elements, if it still stands at that position; keeps its {@link #HELD} flag. Anyone who finds
     * an intent at the tail position calls it: the reserver after placing its intent, a producer whose own intent
     * lost to it, a consumer before it drops a dead reserver's record. Since only the intent at a position moves the
     * tail from it, every caller moves it to the same word.
     */
    static void advanceTailPast(final AtomicBuffer meta, final int tailOffset, final long position, final int length,
        final int elements)
    {
        while (true)
        {
            final long tailWord = meta.getLongVolatile(tailOffset);
            if (position(tailWord) != (position & POSITION_MASK))
            {
                return; // moved past it already: the tail only moves forward
            }
            final long next = word(count(tailWord) + elements, position + length) | (tailWord & HELD);
            if (meta.compareAndSetLong(tailOffset, tailWord, next))
            {
                return;
            }
        }
    }

    /**
     * Sets or clears lane 0's {@link #HELD} flag, with the position and count as they are.
     */
    static void setHeld(final AtomicBuffer meta, final int tailOffset, final boolean held)
    {
        while (true)
        {
            final long tailWord = meta.getLongVolatile(tailOffset);
            final long next = held ? tailWord | HELD : tailWord & ~HELD;
            if (next == tailWord || meta.compareAndSetLong(tailOffset, tailWord, next))
            {
                return;
            }
        }
    }

    /**
     * @param type a record type.
     * @return the elements a record of that type counts: 1 for WHOLE and BEGIN, else 0.
     */
    static int counted(final int type)
    {
        return type == io.ipckit.core.internal.kit.MessageAssembler.WHOLE ||
            type == io.ipckit.core.internal.kit.MessageAssembler.BEGIN ? 1 : 0;
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
     * @return the elements ever published, over every lane, modulo 2^24.
     */
    static int elementsPut(final AtomicBuffer meta, final int lanesOffset, final int laneCount)
    {
        int put = 0;
        for (int lane = 0; lane < laneCount; lane++)
        {
            put += count(tailWord(meta, lanesOffset, lane));
        }
        return put;
    }
}
