package io.ipckit.queue;

import io.ipckit.core.internal.kit.MessageAssembler;
import io.ipckit.pipe.BufferHandler;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ipckit.core.internal.kit.MessageAssembler.BEGIN;
import static io.ipckit.core.internal.kit.MessageAssembler.END;
import static io.ipckit.core.internal.kit.MessageAssembler.MIDDLE;
import static io.ipckit.core.internal.kit.MessageAssembler.WHOLE;
import static io.ipckit.queue.ConsumerLane.EMPTY;
import static io.ipckit.queue.ConsumerLane.ENTERED;
import static io.ipckit.queue.ConsumerLane.LOCKED_OUT;
import static io.ipckit.queue.LaneWords.POSITION_MASK;
import static io.ipckit.queue.LaneWords.count;
import static io.ipckit.queue.LaneWords.position;
import static io.ipckit.queue.LaneWords.word;
import static io.ipckit.queue.RecordDescriptor.FRAME_OFFSET;
import static io.ipckit.queue.RecordDescriptor.PADDING;
import static io.ipckit.queue.RecordDescriptor.PAYLOAD_OFFSET;
import static io.ipckit.queue.RecordDescriptor.REMOVED;
import static io.ipckit.queue.RecordDescriptor.frame;
import static io.ipckit.queue.RecordDescriptor.frameLength;
import static io.ipckit.queue.RecordDescriptor.frameType;
import static io.ipckit.queue.RecordDescriptor.recordLength;

/**
 * The walks of a FIFO queue handle's consumer side that look at elements without taking them: {@link #peek},
 * {@link #forEach} and {@link #remove} read a lane's published records from its head to its tail under the lane's
 * consumer lock (taken through the handle's {@link FifoConsumer}) without moving the head, except that a removal
 * marks its element removed. Off the put and take paths: it reaches the consumer's state through a field.
 * <p>
 * Note to maintainers — the invariant of a removal: it runs under the lane's consumer lock, writes the head word it
 * is about to store into the lane's removal words first, then marks the element's first record REMOVED, then stores
 * the head word, then clears the removal words; whoever takes the lock over from a remover killed in between
 * finishes it from those words ({@link ConsumerLane#completeDeadRemoval}). In a joinable queue the element counts
 * as done first, so a remover killed before its removal words lets {@code join} return one task early (and the
 * last {@code taskDone} throw) rather than never.
 * <p>
 * Not thread-safe: the handle's consumer {@link HandleGate} serialises the calls.
 */
final class QueueWalker
{
    private final FifoConsumer consumer;
    private final JoinCounter joinCounter;
    private final AtomicBuffer meta;
    private final UnsafeBuffer data;
    private final int mask;
    private final int laneCount;
    private final MessageAssembler walkAssembler = new MessageAssembler();

    QueueWalker(final FifoConsumer consumer, final JoinCounter joinCounter)
    {
        this.consumer = consumer;
        this.joinCounter = joinCounter;
        this.meta = consumer.meta;
        this.data = consumer.data;
        this.mask = consumer.mask;
        this.laneCount = consumer.laneCount;
    }

    /**
     * Hands over the element a poll of this handle would take next, where it lies, leaving it in the queue for every
     * consumer: the first lane, in this handle's round-robin order, with records and a free consumer lock, read under
     * that lock. Only when the first element found is split over several records whose last one is not published
     * yet (still being written, or left by a writer that died or gave up) does peek take an element as a poll would:
     * it waits for the rest (or discards the remains and takes the next element) into this handle's consumer.stash, which its
     * next poll or peek returns.
     */
    boolean peek(final BufferHandler handler) throws InterruptedException
    {
        if (consumer.stashLength < 0)
        {
            visitHandler = handler;
            final int outcome;
            try
            {
                outcome = peekLanes();
            }
            finally
            {
                visitHandler = null;
            }
            if (outcome == FOUND)
            {
                return true;
            }
            if (outcome != PEEK_INCOMPLETE)
            {
                return false;
            }
            consumer.poll(consumer.stashHandler, 0);
        }
        return consumer.deliverStashWithoutTaking(handler);
    }

    private static final int FOUND = 5;

    private static final int PEEK_INCOMPLETE = 6;

    /** The index of the first record of the element {@link #walk} stopped at. */
    private int walkElementIndex;

    /** The handler of the walk in progress, for {@link #deliverFirst} and {@link #deliverEach}. */
    private BufferHandler visitHandler;

    private final ElementFilter deliverFirst = (buffer, offset, length) ->
    {
        visitHandler.onMessage(buffer, offset, length);
        return true;
    };

    private final ElementFilter deliverEach = (buffer, offset, length) ->
    {
        visitHandler.onMessage(buffer, offset, length);
        return false;
    };

    /**
     * @return {@link #FOUND}, {@link #PEEK_INCOMPLETE} (the head element's last record is not published yet) or
     * {@link #EMPTY}; lanes with records whose consumer locks other consumers hold are waited for as a poll that does
     * not wait for data waits for them ({@link QueueCore#LOCK_GRACE_NS}), then count as empty.
     */
    private int peekLanes() throws InterruptedException
    {
        try
        {
            while (true)
            {
                final int sequence = consumer.consumerWaiter.sequence();
                if (consumer.ordered)
                {
                    final int entry = consumer.enterTicketOrder();
                    if (entry == ENTERED)
                    {
                        try
                        {
                            final int lane = consumer.takeableLane();
                            if (lane < 0)
                            {
                                return EMPTY;
                            }
                            consumer.selectConsumerLane(lane); // its head is the next ticket's element
                            final int walked = walkFrom(deliverFirst, position(meta.getLongVolatile(consumer.cHead)),
                                true);
                            // not whole yet, or given up by its writer: a poll takes it, or passes it for the next
                            return walked == FOUND ? FOUND : PEEK_INCOMPLETE;
                        }
                        finally
                        {
                            consumer.releaseConsumerLock();
                        }
                    }
                    if (entry == EMPTY || !consumer.awaitLockedOutLanes(sequence))
                    {
                        return EMPTY;
                    }
                    continue;
                }
                boolean lockedOut = false;
                for (int i = 0; i < laneCount; i++)
                {
                    final int lane = (consumer.nextLane + i) % laneCount;
                    final int entry = consumer.enterLane(lane);
                    if (entry != ENTERED)
                    {
                        lockedOut |= entry == LOCKED_OUT;
                        continue;
                    }
                    final int outcome;
                    try
                    {
                        outcome = walk(deliverFirst);
                    }
                    finally
                    {
                        consumer.releaseConsumerLock();
                    }
                    if (outcome != EMPTY)
                    {
                        return outcome;
                    }
                }
                if (!lockedOut || !consumer.awaitLockedOutLanes(sequence))
                {
                    return EMPTY;
                }
            }
        }
        finally
        {
            consumer.consumerWaiter.end();
            consumer.endConsumerCall();
        }
    }

    /**
     * Holding the selected lane's consumer lock: shows its elements to {@code filter} in order without moving the head,
     * reading the records the tail word publishes (padding, removed elements and fragments without their first record
     * passed over, as a poll would), until the filter stops at one; {@link #walkElementIndex} is then the index of
     * that element's first record.
     *
     * @return {@link #FOUND} when the filter stopped, {@link #PEEK_INCOMPLETE} when the last element's last record is
     * not published yet, else {@link #EMPTY}.
     */
    private int walk(final ElementFilter filter)
    {
        return walkFrom(filter, position(meta.getLongVolatile(consumer.cHead)), false);
    }

    /**
     * {@link #walk} from {@code position} of the selected lane on; with {@code oneElement}, only the element whose
     * first record is there.
     */
    private int walkFrom(final ElementFilter filter, final long start, final boolean oneElement)
    {
        final long tail = position(meta.getLongAcquire(consumer.cTail));
        final int ticketBytes = consumer.ticketBytes;
        long position = start;
        walkAssembler.discardPartial();
        while ((position & POSITION_MASK) != tail) // positions run on past 2^40 here, the tail word's wrap
        {
            consumer.checkWalked(position - start);
            final int index = consumer.cBase + ((int)position & mask);
            final int frame = consumer.checkedFrame(index);
            final int length = frameLength(frame);
            final int type = frameType(frame);
            if (oneElement && position != start && (type == WHOLE || type == BEGIN))
            {
                return EMPTY; // the element's writer gave it up unfinished
            }
            position += recordLength(length);
            if (type == REMOVED)
            {
                walkAssembler.discardPartial(); // a removed element's first record ends an element given up before it
                continue;
            }
            if (type == PADDING)
            {
                continue;
            }
            if (type == WHOLE || type == BEGIN)
            {
                walkElementIndex = index;
            }
            final int payload = index + PAYLOAD_OFFSET + ticketBytes + (type == BEGIN ? Long.BYTES : 0);
            final int payloadLength = length - ticketBytes - (type == BEGIN ? Long.BYTES : 0);
            final int result = walkAssembler.onFrame(type, data, payload, payloadLength);
            final boolean stop;
            if (result == MessageAssembler.COMPLETE_IN_PLACE)
            {
                stop = filter.stopAt(data, payload, payloadLength);
            }
            else if (result == MessageAssembler.COMPLETE_ASSEMBLED)
            {
                stop = filter.stopAt(walkAssembler.buffer(), 0, walkAssembler.length());
            }
            else
            {
                continue;
            }
            if (stop)
            {
                return FOUND;
            }
            if (oneElement)
            {
                return EMPTY;
            }
        }
        return walkAssembler.isAssembling() ? PEEK_INCOMPLETE : EMPTY;
    }

    /**
     * Holding an ordered queue's consumer lock: shows every lane's elements to {@code filter} in ticket order (the
     * order polls would take them in) until it stops at one; with {@code remove}, takes that one out. Off the hot
     * paths: it sorts the elements' first records, one array per call.
     */
    private int walkInTicketOrder(final ElementFilter filter, final boolean remove)
    {
        final int nextTicket = (int)consumer.nextTicket;
        long[] starts = new long[16];
        int count = 0;
        for (int lane = 0; lane < laneCount; lane++)
        {
            consumer.selectConsumerLane(lane);
            final long tail = position(meta.getLongAcquire(consumer.cTail));
            final long head = position(meta.getLongVolatile(consumer.cHead));
            long position = head;
            while ((position & POSITION_MASK) != tail)
            {
                consumer.checkWalked(position - head);
                final int index = consumer.cBase + ((int)position & mask);
                final int frame = consumer.checkedFrame(index);
                final int type = frameType(frame);
                final int ahead = data.getInt(index + PAYLOAD_OFFSET) - nextTicket;
                if ((type == WHOLE || type == BEGIN) && ahead >= 0)
                {
                    if (count == starts.length)
                    {
                        starts = java.util.Arrays.copyOf(starts, count * 2);
                    }
                    // the distance from the next ticket sorts first; the data index (below 2^31) finds the record
                    starts[count++] = (long)ahead << 32 | index;
                }
                position += recordLength(frameLength(frame));
            }
        }
        java.util.Arrays.sort(starts, 0, count);
        for (int i = 0; i < count; i++)
        {
            final int index = (int)starts[i];
            consumer.selectConsumerLane(index / consumer.capacity);
            final long head = position(meta.getLongVolatile(consumer.cHead));
            if (walkFrom(filter, head + ((index - consumer.cBase - (int)head) & mask), true) == FOUND)
            {
                if (remove)
                {
                    markRemoved(index);
                }
                return FOUND;
            }
        }
        return EMPTY;
    }

    void forEach(final BufferHandler handler) throws InterruptedException
    {
        consumer.deliverStashWithoutTaking(handler);
        visitHandler = handler;
        try
        {
            walkLanes(deliverEach, false);
        }
        finally
        {
            visitHandler = null;
        }
    }

    /**
     * Takes out the first element the filter stops at, looking at this handle's consumer.stash first and then at lanes 0, 1,
     * ... in turn, each under its consumer lock (waiting for it). See {@link #markRemoved}.
     */
    boolean remove(final ElementFilter filter) throws InterruptedException
    {
        if (consumer.stashLength >= 0 && filter.stopAt(consumer.stash, 0, consumer.stashLength))
        {
            consumer.stashLength = -1;
            joinCounter.elementAbandoned();
            return true;
        }
        return walkLanes(filter, true) == FOUND;
    }

    /**
     * Walks every lane under its consumer lock, waiting for it, until the filter stops; with {@code remove}, takes
     * out the element it stopped at.
     */
    private int walkLanes(final ElementFilter filter, final boolean remove) throws InterruptedException
    {
        consumer.faults.checkSizeBeforeWait(); // before the wait registers: an atomic add there cannot fault safely
        consumer.consumerWaiter.begin(-1);
        try
        {
            if (consumer.ordered)
            {
                consumer.selectConsumerLane(0);
                while (true)
                {
                    final int sequence = consumer.consumerWaiter.sequence();
                    if (consumer.acquireConsumerLock())
                    {
                        try
                        {
                            return walkInTicketOrder(filter, remove);
                        }
                        finally
                        {
                            consumer.releaseConsumerLock();
                        }
                    }
                    consumer.consumerWaiter.pause(sequence);
                }
            }
            for (int lane = 0; lane < laneCount; lane++)
            {
                consumer.selectConsumerLane(lane);
                while (true)
                {
                    final int sequence = consumer.consumerWaiter.sequence();
                    if (consumer.acquireConsumerLock())
                    {
                        try
                        {
                            if (walk(filter) == FOUND)
                            {
                                if (remove)
                                {
                                    markRemoved(walkElementIndex);
                                }
                                return FOUND;
                            }
                        }
                        finally
                        {
                            consumer.releaseConsumerLock();
                        }
                        break;
                    }
                    consumer.consumerWaiter.pause(sequence);
                }
            }
            return EMPTY;
        }
        finally
        {
            consumer.consumerWaiter.end();
            consumer.endConsumerCall();
        }
    }

    /**
     * Holding the selected lane's consumer lock: removes the element whose first record is at {@code index}. Its
     * first record becomes {@link RecordDescriptor#REMOVED}, which consumers and walks pass over (with the rest of a
     * split element's records, fragments without a beginning) without counting it, and the head word counts it as
     * taken at once; when only padding, removed records and fragments without a beginning lie before it, the head
     * also moves past them, it and its fragments, so its bytes go back to producers at once (an element removed
     * further in gives its bytes back when consumers reach it). The lane's removal words say what the head word will
     * be before either store, so that whoever takes the lock next completes the removal of a remover killed in
     * between ({@link ConsumerLane#completeDeadRemoval}; a live remover always clears them before it lets the lock go). In a
     * joinable queue the element counts as done first: a remover killed before its removal words lets {@code join}
     * return one task early (and the last {@code taskDone} throw) rather than never.
     */
    private void markRemoved(final int index)
    {
        joinCounter.elementAbandoned();
        final long headWord = meta.getLongVolatile(consumer.cHead);
        final long tail = position(meta.getLongAcquire(consumer.cTail));
        final long removedPosition = position(headWord) + ((index - consumer.cBase - (int)position(headWord)) & mask);
        long position = position(headWord);
        // an ordered queue's head stays before the removed record, whose ticket consumers pass when it is due
        while (!consumer.ordered && (position & POSITION_MASK) != tail) // positions run on past 2^40 here
        {
            final int at = consumer.cBase + ((int)position & mask);
            final int frame = consumer.checkedFrame(at);
            final int type = frameType(frame);
            if (position != removedPosition && type != PADDING && type != REMOVED && type != MIDDLE && type != END)
            {
                break; // no consumer is in the middle of an element (it would hold the lock): fragments are orphans
            }
            position += recordLength(frameLength(frame));
        }
        final long removalHead = word(count(headWord) + 1, position);
        meta.putLong(consumer.cRemovalHead, removalHead);
        meta.putLongRelease(consumer.cRemoving, index - consumer.cBase + 1L);
        // release stores -> the record reads REMOVED, then the head counts it (and moves past it when it is first)
        data.putIntRelease(index + FRAME_OFFSET, frame(frameLength(data.getInt(index + FRAME_OFFSET)), REMOVED));
        meta.putLongRelease(consumer.cHead, removalHead);
        meta.putLongRelease(consumer.cRemoving, 0L);
        consumer.producersUnrung = true; // there may be room now; rung when the lock is released
    }
}
