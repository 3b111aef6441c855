package io.ipckit.queue;

import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.MessageAssembler;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.pipe.internal.FileFaults;
import io.ipckit.pipe.BufferHandler;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ipckit.core.internal.kit.MessageAssembler.BEGIN;
import static io.ipckit.queue.LaneWords.messageId;
import static io.ipckit.queue.QueueCore.LOCK_GRACE_NS;

/**
 * The consumer side of one {@link FifoQueueCore} handle: takes elements from the lanes in round-robin order, each
 * under that lane's consumer lock for one call ({@link #poll}, {@link #drain}), reassembling elements split over
 * several records, and keeps the stash, the one element a {@link QueueWalker peek} had to take. The lanes and their
 * looks are {@link LaneLooks}', the lock and the records {@link ConsumerLane}'s, an ordered queue's order
 * {@link TicketOrderLane}'s and the lock-free take {@link FastTakeLane}'s: its superclasses, from the bottom.
 * <p>
 * Note to maintainers — the invariants this class keeps:
 * <ul>
 * <li>A split element is read while the reader keeps the lane's consumer lock until its END record, so one consumer
 * gets the whole element, fragment by fragment as they are assembled: a consumer killed while handing one over
 * takes it with it. A reader whose writer died, or gave up (the lane's "message in progress" word no longer names
 * the element), discards the partial element; a reader that finds the rest of an element whose start a dead
 * consumer took skips it ({@link MessageAssembler}). Every discarded element counts as done in a joinable
 * queue.</li>
 * <li>A call never waits while producers may sleep through room it freed: it rings them first.</li>
 * </ul>
 * Not thread-safe: the handle's consumer {@link HandleGate} serialises the calls.
 */
final class FifoConsumer extends FastTakeLane implements GateFreeSleep.WaiterSlot
{
    private final Waiter streamWaiter;
    final ExpandableArrayBuffer stash = new ExpandableArrayBuffer(256);
    final BufferHandler stashHandler = this::onStash;
    /** The length of the stashed element, -1 when there is none. */
    int stashLength = -1;
    /** The id and writer token of the split element being assembled. */
    private long streamId;
    private long streamWriter;
    final FileFaults faults;
    private final GateFreeSleep gateFreeSleep;

    FifoConsumer(final AtomicBuffer meta, final UnsafeBuffer data, final String description, final int capacity,
        final int laneCount, final int lanesOffset, final Doorbell producerBell, final Doorbell consumerBell,
        final Waiter consumerWaiter, final Waiter streamWaiter, final JoinCounter joinCounter,
        final FileFaults faults, final int ticketCounterOffset, final int maxElements,
        final GateFreeSleep gateFreeSleep)
    {
        super(meta, data, description, capacity, laneCount, lanesOffset, producerBell, consumerBell, consumerWaiter,
            joinCounter, ticketCounterOffset, maxElements);
        this.faults = faults;
        this.gateFreeSleep = gateFreeSleep;
        this.streamWaiter = streamWaiter;
    }

    @Override
    public Waiter waiter()
    {
        return consumerWaiter;
    }

    @Override
    public void waiter(final Waiter waiter)
    {
        consumerWaiter = waiter;
    }

    @Override
    boolean hasStash()
    {
        return stashLength >= 0;
    }

    /**
     * Ends this side's waits: called by a close from inside a handler of this side, on its thread.
     */
    void endWaits()
    {
        consumerWaiter.end();
        streamWaiter.end();
    }

    /**
     * Takes the next element, waiting for one at most {@code timeoutNs}. A wait on an empty queue may sleep outside
     * the handle's consumer gate ({@link GateFreeSleep}); when its time runs out or it is interrupted or closed there,
     * it returns or throws outside the gate, which the caller then does not hold any more.
     *
     * @return true when an element was handed over.
     */
    boolean poll(final BufferHandler handler, final long timeoutNs) throws InterruptedException
    {
        if (deliverStash(handler) || takeFast(handler))
        {
            return true;
        }
        boolean insideGate = true;
        try
        {
            while (true)
            {
                final int sequence = consumerWaiter.sequence();
                final int outcome = pollLanes(handler);
                if (outcome == CONSUMED)
                {
                    return true;
                }
                if (outcome == PROGRESSED)
                {
                    continue;
                }
                if (outcome == EMPTY && timeoutNs == 0)
                {
                    return false;
                }
                if (!consumerWaiter.isActive())
                {
                    // slow path: register as a waiter, then test once more before sleeping
                    faults.checkSizeBeforeWait(); // before the wait registers on the doorbell: an atomic add there cannot fault safely
                    consumerWaiter.begin(timeoutNs == 0 ? LOCK_GRACE_NS : timeoutNs);
                    continue;
                }
                if (outcome == EMPTY && !ordered)
                {
                    // nothing to take and no process to look at: only a put (a ring) ends this wait; an ordered
                    // queue's empty look may hide a ticket lost with its producer, which it looks for every interval
                    consumerWaiter.peersWatched();
                }
                if (outcome == EMPTY && gateFreeSleep.isDue(consumerWaiter))
                {
                    // nothing held (the lanes' looks released their locks and takings): sleep outside the gate
                    endConsumerCall();
                    insideGate = false;
                    if (!gateFreeSleep.sleepOutside(this, sequence))
                    {
                        return false;
                    }
                    insideGate = true;
                    if (deliverStash(handler)) // another thread's peek took an element into the stash meanwhile
                    {
                        return true;
                    }
                    continue;
                }
                if (!consumerWaiter.pause(sequence))
                {
                    return false;
                }
            }
        }
        finally
        {
            if (insideGate)
            {
                consumerWaiter.end();
                endConsumerCall();
            }
        }
    }

    /**
     * Takes one element from the first lane, in round-robin order, that has records and whose consumer lock is free.
     *
     * @return {@link #CONSUMED}; {@link #PROGRESSED} when only padding or a discarded partial element was taken;
     * {@link #LOCKED_OUT} when the lanes with records are held by other consumers; {@link #EMPTY}.
     */
    private int pollLanes(final BufferHandler handler) throws InterruptedException
    {
        if (ordered)
        {
            return pollInTicketOrder(handler);
        }
        int outcome = EMPTY;
        for (int i = 0; i < laneCount; i++)
        {
            final int lane = laneAfter(nextLane, i);
            final int entry = enterLane(lane);
            if (entry == LOCKED_OUT)
            {
                outcome = LOCKED_OUT;
            }
            if (entry != ENTERED)
            {
                continue;
            }
            try
            {
                // a whole stamped record by the short path of drain, else the general one
                if (takeWholeRecords(handler, 1) == 1 || consumeOne(handler))
                {
                    nextLane = laneAfter(lane, 1);
                    return CONSUMED;
                }
            }
            finally
            {
                releaseConsumerLock();
            }
            return PROGRESSED;
        }
        return outcome;
    }

    /**
     * {@link #pollLanes} of an ordered queue: the element with the next ticket, under lane 0's consumer lock.
     */
    private int pollInTicketOrder(final BufferHandler handler) throws InterruptedException
    {
        final int entry = enterTicketOrder();
        if (entry != ENTERED)
        {
            return entry;
        }
        try
        {
            selectConsumerLane(ticketLane); // the next ticket is most often where the last one was
            if (takeWholeRecords(handler, 1) == 1)
            {
                return CONSUMED;
            }
            final int lane = takeableLane();
            if (lane < 0)
            {
                return EMPTY;
            }
            selectConsumerLane(lane);
            return takeWholeRecords(handler, 1) == 1 || consumeOne(handler) ? CONSUMED : PROGRESSED;
        }
        finally
        {
            releaseConsumerLock();
        }
    }

    /**
     * Takes an ordered queue's consumer lock (lane 0's) when some lane has a record or another consumer holds it;
     * gives up a taking of it begun while one had.
     *
     * @return {@link #ENTERED} (the lock is held), {@link #EMPTY} or {@link #LOCKED_OUT}.
     */
    int enterTicketOrder()
    {
        // while another consumer holds the lock, only the lock is looked at: the lanes' head words are the lines
        // that holder stores to for every element
        if (!consumerLocks[0].isHeldByAnother() && !anyLaneHasRecords())
        {
            consumerLocks[0].abandon();
            return EMPTY;
        }
        return acquireConsumerLock() ? ENTERED : LOCKED_OUT;
    }

    /**
     * Holding an ordered queue's consumer lock: {@link #laneOfNextTicket}, passing a ticket lost with its producer.
     *
     * @return the lane, or a negative value when no element can be taken now.
     */
    int takeableLane()
    {
        while (true)
        {
            final int lane = laneOfNextTicket(consumerWaiter.isRegistered());
            if (lane != TICKET_GAP || !passLostTicket())
            {
                return lane;
            }
        }
    }

    /**
     * {@link #drain} of an ordered queue: elements in ticket order under lane 0's consumer lock, each lane's run of
     * consecutive tickets by {@link #takeWholeRecords}.
     */
    private int drainInTicketOrder(final BufferHandler handler, final int limit, final int delivered)
        throws InterruptedException
    {
        int count = delivered;
        try
        {
            while (true)
            {
                final int sequence = consumerWaiter.sequence();
                final int entry = enterTicketOrder();
                if (entry == ENTERED)
                {
                    try
                    {
                        selectConsumerLane(ticketLane); // the next ticket is most often where the last one was
                        count += takeWholeRecords(handler, limit - count);
                        while (count < limit)
                        {
                            final int lane = takeableLane();
                            if (lane < 0)
                            {
                                break;
                            }
                            selectConsumerLane(lane);
                            final int taken = takeWholeRecords(handler, limit - count);
                            if (taken == 0 && !consumeOne(handler))
                            {
                                break;
                            }
                            count += taken == 0 ? 1 : taken;
                        }
                    }
                    finally
                    {
                        releaseConsumerLock();
                    }
                }
                if (count > delivered || entry != LOCKED_OUT || !awaitLockedOutLanes(sequence))
                {
                    return count;
                }
            }
        }
        finally
        {
            consumerWaiter.end();
            endConsumerCall();
        }
    }

    int drain(final BufferHandler handler, final int limit) throws InterruptedException
    {
        int count = 0;
        if (limit > 0 && deliverStash(handler))
        {
            count++;
        }
        if (count >= limit)
        {
            return count;
        }
        if (ordered)
        {
            return drainInTicketOrder(handler, limit, count);
        }
        try
        {
            while (true)
            {
                final int sequence = consumerWaiter.sequence();
                boolean lockedOut = false;
                for (int i = 0; i < laneCount && count < limit; i++)
                {
                    final int lane = laneAfter(nextLane, i);
                    final int entry = enterLane(lane);
                    if (entry != ENTERED)
                    {
                        lockedOut |= entry == LOCKED_OUT;
                        continue;
                    }
                    try
                    {
                        while (count < limit)
                        {
                            count += takeWholeRecords(handler, limit - count);
                            if (count >= limit || !consumeOne(handler))
                            {
                                break;
                            }
                            count++;
                        }
                    }
                    finally
                    {
                        releaseConsumerLock();
                    }
                }
                nextLane = laneAfter(nextLane, 1);
                if (count > 0 || !lockedOut)
                {
                    return count;
                }
                if (!awaitLockedOutLanes(sequence))
                {
                    return count;
                }
            }
        }
        finally
        {
            consumerWaiter.end();
            endConsumerCall();
        }
    }

    /**
     * The only records are in lanes other consumers are taking from: waits for them briefly ({@link #LOCK_GRACE_NS}
     * in all, from the first call of a consumer call).
     *
     * @param sequence the consumer waiter's sequence, read before the lanes were looked at.
     * @return true to look at the lanes again, false when the grace has run out.
     */
    boolean awaitLockedOutLanes(final int sequence) throws InterruptedException
    {
        if (!consumerWaiter.isActive())
        {
            faults.checkSizeBeforeWait(); // before the wait registers on the doorbell: an atomic add there cannot fault safely
            consumerWaiter.begin(LOCK_GRACE_NS); // begins the wait; the lanes are looked at once more first
            return true;
        }
        return consumerWaiter.pause(sequence);
    }

    /**
     * Hands over the next whole message, holding the consumer lock; waits only for the rest of a message begun.
     */
    private boolean consumeOne(final BufferHandler handler) throws InterruptedException
    {
        while (true)
        {
            if (!nextRecord())
            {
                if (!assembler.isAssembling())
                {
                    return false;
                }
                if (!awaitFragment())
                {
                    discardPartialElement();
                    return false;
                }
                continue;
            }
            final int type = recordType;
            int payload = recordIndex;
            int payloadLength = recordPayloadLength;
            if (type == BEGIN)
            {
                streamId = messageId(nextHeadWord);
                streamWriter = data.getLong(payload);
                payload += Long.BYTES;
                payloadLength -= Long.BYTES;
            }
            final long discardedBefore = assembler.discardedCount();
            final int result = assembler.onFrame(type, data, payload, payloadLength);
            if (assembler.discardedCount() != discardedBefore)
            {
                joinCounter.elementAbandoned();
            }
            if (result == MessageAssembler.COMPLETE_IN_PLACE)
            {
                try
                {
                    handler.onMessage(data, payload, payloadLength);
                }
                finally
                {
                    consumeRecord();
                }
                return true;
            }
            consumeRecord();
            if (result == MessageAssembler.COMPLETE_ASSEMBLED)
            {
                handler.onMessage(assembler.buffer(), 0, assembler.length());
                return true;
            }
        }
    }

    /**
     * Waits for the next record of the element begun, whose first records this consumer has taken: they cannot be
     * put back, so an interrupt does not end this wait (the element would be lost); it is kept for the caller, whose
     * element arrives whole. Gives up only when the writer died or ended the element.
     */
    private boolean awaitFragment()
    {
        ringProducers(); // the writer of the rest may be waiting for the room this consumer freed
        faults.checkSizeBeforeWait(); // before the wait registers on the doorbell: an atomic add there cannot fault safely
        boolean interrupted = false;
        streamWaiter.begin(-1);
        try
        {
            while (true)
            {
                final int sequence = streamWaiter.sequence();
                if (laneHasRecords(cLane, true))
                {
                    return true;
                }
                if (meta.getLongVolatile(cInProgress) != streamId ||
                    streamWaiter.livenessCheckDue() && !OwnerToken.isAlive(streamWriter))
                {
                    // the word is cleared after the last record is published: look once more before giving up
                    return laneHasRecords(cLane, true);
                }
                try
                {
                    streamWaiter.pause(sequence);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true; // the flag is cleared: the next pause sleeps again
                }
            }
        }
        finally
        {
            streamWaiter.end();
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void onStash(final DirectBuffer buffer, final int offset, final int length)
    {
        stash.putBytes(0, buffer, offset, length);
        stashLength = length;
    }

    private boolean deliverStash(final BufferHandler handler)
    {
        if (stashLength < 0)
        {
            return false;
        }
        final int length = stashLength;
        stashLength = -1;
        handler.onMessage(stash, 0, length);
        return true;
    }

    boolean deliverStashWithoutTaking(final BufferHandler handler)
    {
        if (stashLength < 0)
        {
            return false;
        }
        handler.onMessage(stash, 0, stashLength);
        return true;
    }
}
