package io.ipckit.queue;

import io.ipckit.core.exceptions.CorruptResourceException;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static io.ipckit.core.internal.kit.MessageAssembler.BEGIN;
import static io.ipckit.core.internal.kit.MessageAssembler.END;
import static io.ipckit.core.internal.kit.MessageAssembler.MIDDLE;
import static io.ipckit.core.internal.kit.MessageAssembler.WHOLE;
import static io.ipckit.queue.LaneWords.POSITION_MASK;
import static io.ipckit.queue.LaneWords.position;
import static io.ipckit.queue.RecordDescriptor.FRAME_OFFSET;
import static io.ipckit.queue.RecordDescriptor.OVERHEAD;
import static io.ipckit.queue.RecordDescriptor.PADDING;
import static io.ipckit.queue.RecordDescriptor.REMOVED;
import static io.ipckit.queue.RecordDescriptor.commitStamp;
import static io.ipckit.queue.RecordDescriptor.frameLength;
import static io.ipckit.queue.RecordDescriptor.frameType;
import static io.ipckit.queue.RecordDescriptor.stampIndex;

/**
 * The lanes a {@link FifoConsumer} reads, as places in the file: each lane's words and ring, the lane selected for
 * taking, the looks that tell whether a record is published at a lane's head, and the checks of a record's frame.
 * {@link ConsumerLane} adds the consumer locks and the takes; this class holds no lock and stores nothing in the file.
 * <p>
 * Note to maintainers — a consumer takes a record when its commit stamp names the head position, or when the tail
 * word (read by a look without a stamp at most every {@link #TAIL_READ_INTERVAL_NS}, a clock read per
 * {@link #LOOKS_PER_CLOCK_READ} such looks, and whenever it waits) lies past it, so the head never passes the tail; a
 * tail read is kept for one call only ({@link ConsumerLane#endConsumerCall}).
 * <p>
 * Not thread-safe: the handle's consumer {@link HandleGate} serialises the calls.
 */
abstract class LaneLooks
{
    final AtomicBuffer meta;
    final UnsafeBuffer data;
    final String description;
    final int capacity;
    final int mask;
    final int laneCount;
    final int lanesOffset;
    /** True in an ordered queue ({@link QueueDescriptor#FLAG_ORDERED}): elements are taken in ticket order. */
    final boolean ordered;
    /** {@link RecordDescriptor#TICKET_LENGTH} in an ordered queue, else 0. */
    final int ticketBytes;
    /** Per lane: the absolute addresses of its head word and of its ring, for {@link #laneHasRecords}. */
    private final long[] laneHeadAddresses;
    private final long[] laneRingAddresses;
    /**
     * Per lane: when a look at the lane's head commit stamp that found none last read its tail word (per lane: one
     * throttle for all would let the first lane's looks starve the others' forever).
     */
    private final long[] lastTailReadNs;
    /**
     * Per lane: looks without a stamp; only every {@link #LOOKS_PER_CLOCK_READ}th reads the clock for
     * {@link #TAIL_READ_INTERVAL_NS} (per lane, for the reason {@link #lastTailReadNs} is).
     */
    private final int[] looksWithoutClock;
    /** Within one call: a lane whose tail word was read (-1 for none) and the position it held. */
    int tailSeenLane = -1;
    private long tailSeen;
    /** The lane being taken from. */
    int cLane = -1;
    int cTail;
    int cHead;
    /** The selected lane's head hint (see {@link LaneDescriptor#HEAD_HINT_OFFSET}). */
    int cHeadHint;
    int cRemovalHead;
    int cRemoving;
    int cInProgress;
    int cBase;
    /** Absolute addresses of the lane's head word and of its ring, for {@link ConsumerLane#takeWholeRecords}. */
    long cHeadAddress;
    long cRingAddress;

    LaneLooks(final AtomicBuffer meta, final UnsafeBuffer data, final String description, final int capacity,
        final int laneCount, final int lanesOffset, final boolean ordered)
    {
        this.ordered = ordered;
        this.ticketBytes = ordered ? RecordDescriptor.TICKET_LENGTH : 0;
        this.meta = meta;
        this.data = data;
        this.description = description;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.laneCount = laneCount;
        this.lanesOffset = lanesOffset;
        this.laneHeadAddresses = new long[laneCount];
        this.laneRingAddresses = new long[laneCount];
        for (int lane = 0; lane < laneCount; lane++)
        {
            laneHeadAddresses[lane] = meta.addressOffset() + laneWord(lane, LaneDescriptor.HEAD_OFFSET);
            laneRingAddresses[lane] = data.addressOffset() + (long)lane * capacity;
        }
        this.lastTailReadNs = new long[laneCount];
        this.looksWithoutClock = new int[laneCount];
        Arrays.fill(lastTailReadNs, System.nanoTime() - TAIL_READ_INTERVAL_NS);
    }

    int laneWord(final int lane, final int wordOffset)
    {
        return LaneWords.laneWord(lanesOffset, lane, wordOffset);
    }

    /**
     * Points the selected lane's words ({@link #cLane} and the rest) at {@code lane}.
     */
    final void selectLaneWords(final int lane)
    {
        cLane = lane;
        cTail = laneWord(lane, LaneDescriptor.TAIL_OFFSET);
        cHead = laneWord(lane, LaneDescriptor.HEAD_OFFSET);
        cHeadHint = laneWord(lane, LaneDescriptor.HEAD_HINT_OFFSET);
        cRemovalHead = laneWord(lane, LaneDescriptor.REMOVAL_HEAD_OFFSET);
        cRemoving = laneWord(lane, LaneDescriptor.REMOVING_OFFSET);
        cInProgress = laneWord(lane, LaneDescriptor.IN_PROGRESS_OFFSET);
        cBase = lane * capacity;
        cHeadAddress = meta.addressOffset() + cHead;
        cRingAddress = data.addressOffset() + cBase;
    }

    /**
     * Whether a lane has a published record at its head: its commit stamp says so (a read of the record's own cache
     * line, the one the consumer reads next anyway), or the lane's tail word does. The tail word, on the producer's
     * cache line, is read by a look that found no stamp only when {@link #TAIL_READ_INTERVAL_NS} has passed since the
     * last read (a consumer spinning on an empty lane takes the line from the producer at most that often, one that
     * looks now and then reads it every time), or when {@code readTail}: a record whose producer died between
     * publishing the tail and stamping the record is found then.
     */
    boolean laneHasRecords(final int lane, final boolean readTail)
    {
        final long position = headPosition(lane);
        return isStampedAt(lane, position) || publishedByTail(lane, position, readTail);
    }

    /**
     * @return the byte position of the lane's head: a load over its absolute address.
     */
    long headPosition(final int lane)
    {
        return position(UnsafeApi.getLongVolatile(null, laneHeadAddresses[lane]));
    }

    /**
     * {@link #isStamped} over the lane's absolute ring address.
     */
    boolean isStampedAt(final int lane, final long position)
    {
        return UnsafeApi.getIntVolatile(null, laneRingAddresses[lane] + stampIndex(position, mask)) ==
            commitStamp(position);
    }

    /**
     * @param laneBase the lane's first ring index in {@link #data}.
     * @param position a record position in that lane.
     * @return true when the trailer before it holds its commit stamp.
     */
    boolean isStamped(final int laneBase, final long position)
    {
        return data.getIntVolatile(laneBase + stampIndex(position, mask)) == commitStamp(position);
    }

    /** How long after reading a lane's tail word a consumer that finds no stamp reads it again. */
    private static final long TAIL_READ_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * How many looks without a stamp read the clock once: a consumer ahead of its producer looks every few
     * nanoseconds, and a clock read per look cost it more than the look.
     */
    static final int LOOKS_PER_CLOCK_READ = 64;

    boolean publishedByTail(final int lane, final long position, final boolean readTail)
    {
        if (lane == tailSeenLane && before(position, tailSeen))
        {
            return true; // the lane's tail as this call read it: the record the lane check saw is taken next
        }
        if (!readTail && (looksWithoutClock[lane]++ & (LOOKS_PER_CLOCK_READ - 1)) != 0)
        {
            return false;
        }
        final long nowNs = System.nanoTime(); // a look without a stamp: the consumer has nothing else to do
        if (!readTail && nowNs - lastTailReadNs[lane] < TAIL_READ_INTERVAL_NS)
        {
            return false;
        }
        lastTailReadNs[lane] = nowNs;
        final long tail = position(LaneWords.tailWord(meta, lanesOffset, lane));
        if (before(position, tail))
        {
            tailSeenLane = lane;
            tailSeen = tail;
            return true;
        }
        return false;
    }

    /**
     * @return true when {@code position} lies before {@code tail} (within one ring of it).
     */
    boolean before(final long position, final long tail)
    {
        final long distance = (tail - position) & POSITION_MASK;
        return distance != 0 && distance <= capacity;
    }

    /**
     * Holding the selected lane: the length of the WHOLE record at {@code position} when its commit stamp names it.
     *
     * @param ringAddress the lane's ring address ({@link #cRingAddress}).
     * @param position    the head position.
     * @return the record's length (its ticket included), or -1 when the record is not stamped or not WHOLE.
     * @throws CorruptResourceException when its length runs past the ring's end.
     */
    int stampedWholeLength(final long ringAddress, final long position)
    {
        final int ringIndex = (int)position & mask;
        if (UnsafeApi.getIntVolatile(null, ringAddress + stampIndex(position, mask)) != commitStamp(position))
        {
            return -1; // not stamped (isStamped)
        }
        final int frame = UnsafeApi.getInt(ringAddress + ringIndex + FRAME_OFFSET);
        if (frameType(frame) != WHOLE)
        {
            return -1;
        }
        final int length = frameLength(frame);
        if (length > capacity - ringIndex - OVERHEAD || length < ticketBytes)
        {
            checkedFrame(cBase + ringIndex); // throws: a whole record never runs past the ring's end
        }
        return length;
    }

    /**
     * A walk from the head towards the tail word never passes more bytes than the ring holds: one that did met a tail
     * its records cannot land on (a word another program overwrote), and would circle the ring for good.
     *
     * @param walked the bytes walked so far from where the walk began.
     * @throws CorruptResourceException when they are more than the ring holds.
     */
    void checkWalked(final long walked)
    {
        if (walked > capacity)
        {
            throw new CorruptResourceException(description + " has a corrupt lane " + cLane + ": its records run " +
                "past its tail word: unlink the queue and create it again");
        }
    }

    int checkedFrame(final int index)
    {
        final int frame = data.getInt(index + FRAME_OFFSET);
        final int length = frameLength(frame);
        final int type = frameType(frame);
        if (length > capacity - (index - cBase) - OVERHEAD || type != PADDING && length < ticketBytes ||
            type == BEGIN && length < ticketBytes + Long.BYTES || // a BEGIN record names its writer
            type != WHOLE && type != BEGIN && type != MIDDLE && type != END && type != PADDING && type != REMOVED)
        {
            throw new CorruptResourceException(description + " has a corrupt record in lane " + cLane +
                " at ring index " + (index - cBase) + " (length " + length + ", type " + type +
                "): unlink the queue and create it again");
        }
        return frame;
    }
}
