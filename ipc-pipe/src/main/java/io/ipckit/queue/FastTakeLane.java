package io.ipckit.queue;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.core.internal.wait.AsymmetricFence;
import io.ipckit.pipe.BufferHandler;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ipckit.queue.LaneWords.count;
import static io.ipckit.queue.LaneWords.position;
import static io.ipckit.queue.LaneWords.word;
import static io.ipckit.queue.RecordDescriptor.PAYLOAD_OFFSET;
import static io.ipckit.queue.RecordDescriptor.recordLength;

/**
 * The round-robin turn of the lanes and the take that needs neither a lock taking nor a wait: the consumer's
 * counterpart of {@code FifoProducer#offerFast}. A lone consumer handle of an unordered queue keeps each lane's
 * consumer lock biased ({@link io.ipckit.core.internal.kit.BiasedOwnerLock}); when the record at the head of the lane
 * whose turn it is is stamped and WHOLE, a take holds the lock by its active word alone and costs the record's loads,
 * the handing over, and the stores of the head and its hint. Anything else (an ordered queue, a stashed or split
 * element, padding, a lock not kept) is left to {@link FifoConsumer}'s general path, with nothing taken.
 * <p>
 * Not thread-safe: the handle's consumer {@link HandleGate} serialises the calls.
 */
abstract class FastTakeLane extends TicketOrderLane
{
    /** The lane a call looks at first: the round-robin start. */
    int nextLane;

    FastTakeLane(final AtomicBuffer meta, final UnsafeBuffer data, final String description, final int capacity,
        final int laneCount, final int lanesOffset, final Doorbell producerBell, final Doorbell consumerBell,
        final Waiter consumerWaiter, final JoinCounter joinCounter, final int ticketCounterOffset,
        final int maxElements)
    {
        super(meta, data, description, capacity, laneCount, lanesOffset, producerBell, consumerBell, consumerWaiter,
            joinCounter, ticketCounterOffset, maxElements);
        // consumers of different handles start their rounds at different lanes, so they rarely meet on one
        this.nextLane = java.util.concurrent.ThreadLocalRandom.current().nextInt(laneCount);
    }

    /**
     * @return true when a peek left an element this handle hands over before any other.
     */
    abstract boolean hasStash();

    /**
     * The whole of a take that needs neither a lock taking nor a wait: a stamped WHOLE record at the head of the lane
     * whose turn it is, in a lane whose consumer lock this handle keeps biased, in an unordered queue, with no
     * element stashed or being assembled. It holds the lock by its active word alone, as
     * {@code FifoProducer#offerFast} does the producer's: a take costs the record's loads, the handler and the
     * stores of the head and its hint.
     *
     * @return true when an element was handed over; false when the general path must look (nothing was taken).
     */
    boolean takeFast(final BufferHandler handler)
    {
        final int lane = enterFastTake();
        if (lane < 0)
        {
            return false;
        }
        int taken = 0;
        try
        {
            taken = takeWholeRecords(handler, 1);
        }
        finally
        {
            exitFastTake();
        }
        return tookFast(lane, taken > 0);
    }

    /**
     * {@link #takeFast} for the object API: decodes the record with the codec and returns the element. The element
     * reaches the caller in a register: a handler would pass it through a field of a long-lived object, a reference
     * store that G1's write barrier fences, once per take.
     *
     * @param codec decodes the element.
     * @return the element, or {@link QueueCore#NOT_TAKEN} when the general path must look (nothing was taken).
     */
    Object takeFastDecoded(final Codec<?> codec)
    {
        final int lane = enterFastTake();
        if (lane < 0)
        {
            return QueueCore.NOT_TAKEN;
        }
        Object element = QueueCore.NOT_TAKEN;
        try
        {
            final long headAddress = cHeadAddress;
            final long headWord = UnsafeApi.getLongVolatile(null, headAddress);
            final long position = position(headWord);
            final int length = stampedWholeLength(cRingAddress, position);
            if (length >= 0)
            {
                try
                {
                    element = codec.decode(data, cBase + ((int)position & mask) + PAYLOAD_OFFSET, length);
                }
                finally
                {
                    // release store -> hands the record's bytes back to producers and counts the element as taken
                    UnsafeApi.putLongRelease(null, headAddress, word(count(headWord) + 1, position + recordLength(length)));
                }
            }
        }
        finally
        {
            exitFastTake();
        }
        tookFast(lane, element != QueueCore.NOT_TAKEN);
        return element;
    }

    /**
     * Begins a fast take: selects the lane whose turn it is and holds its consumer lock biased, when the queue is
     * unordered, nothing is stashed or being assembled and the lane's head record is stamped.
     *
     * @return the lane, or -1 when the general path must look (nothing is held).
     */
    private int enterFastTake()
    {
        if (ordered || hasStash() || assembler.isAssembling())
        {
            return -1;
        }
        final int lane = nextLane;
        selectConsumerLane(lane);
        // a look at the stamp first: an empty queue's poll does not hold the lock to find nothing
        return isStampedAt(lane, headPosition(lane)) && consumerLock.enterBiased() ? lane : -1;
    }

    /**
     * Ends the hold of {@link #enterFastTake}: the head's hint in steps (under the hold, after the head: another
     * holder's hint never goes back), the active word, then the rings.
     */
    private void exitFastTake()
    {
        advertiseHeadInSteps();
        consumerLock.exitBiased();
        AsymmetricFence.progressSide(); // between the head and active stores and the loads of the waiter counts
        producersUnrung = false;
        producerBell.ringIfWaiting(); // producers waiting for room, and a revoker waiting for the active word
        consumerBell.ringIfWaiting();
    }

    private boolean tookFast(final int lane, final boolean took)
    {
        if (took)
        {
            nextLane = laneAfter(lane, 1);
        }
        return took; // otherwise padding or a split element at the head: the general path deals with it
    }

    /**
     * @return the lane {@code steps} (0 to laneCount) after {@code lane}, in round-robin order: without a division,
     * which costs more than the rest of a one-lane queue's lane selection.
     */
    int laneAfter(final int lane, final int steps)
    {
        final int next = lane + steps;
        return next < laneCount ? next : next - laneCount;
    }
}
