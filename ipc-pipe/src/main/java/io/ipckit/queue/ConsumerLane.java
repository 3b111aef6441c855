package io.ipckit.queue;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.internal.kit.BiasedOwnerLock;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.MessageAssembler;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.core.internal.wait.AsymmetricFence;
import io.ipckit.pipe.BufferHandler;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static io.ipckit.core.internal.kit.MessageAssembler.BEGIN;
import static io.ipckit.core.internal.kit.MessageAssembler.END;
import static io.ipckit.core.internal.kit.MessageAssembler.WHOLE;
import static io.ipckit.queue.LaneWords.POSITION_MASK;
import static io.ipckit.queue.LaneWords.count;
import static io.ipckit.queue.LaneWords.position;
import static io.ipckit.queue.LaneWords.word;
import static io.ipckit.queue.RecordDescriptor.ALIGNMENT;
import static io.ipckit.queue.RecordDescriptor.FRAME_OFFSET;
import static io.ipckit.queue.RecordDescriptor.PADDING;
import static io.ipckit.queue.RecordDescriptor.PAYLOAD_OFFSET;
import static io.ipckit.queue.RecordDescriptor.REMOVED;
import static io.ipckit.queue.RecordDescriptor.frame;
import static io.ipckit.queue.RecordDescriptor.frameLength;
import static io.ipckit.queue.RecordDescriptor.frameType;
import static io.ipckit.queue.RecordDescriptor.recordLength;

/**
 * The takes from the lane a {@link FifoConsumer} has selected: taking and releasing the lane's consumer lock
 * (completing a removal its dead holder left half-done), reading the next record and moving the head past it, and
 * advertising the head to producers. {@link LaneLooks} below it knows where the lanes are and whether a record is
 * published; {@link TicketOrderLane} above it keeps an ordered queue's order; {@link FifoConsumer} adds the protocol
 * around them (waiting, lanes in turn, split elements, the stash) and {@link QueueWalker} the walks. These are
 * {@link FifoConsumer}'s superclasses rather than fields so that the take path reaches their fields and methods with
 * no object in between.
 * <p>
 * Note to maintainers — the invariants of the ring this class writes:
 * <ul>
 * <li>A lane's head word (element count and byte position) is written only by the holder of the lane's consumer
 * lock, with one release store after the record was handed over ({@link #consumeRecord}, {@link #takeWholeRecords}).
 * A consumer killed while handing a whole record over leaves it to the next consumer, which hands it over again.</li>
 * <li>The head never passes the tail: a record is taken only when a look of {@link LaneLooks} found it published.</li>
 * <li>Every lane's consumer lock is a {@link BiasedOwnerLock}: a lone handle keeps it between calls. Whoever takes a
 * lock (over from a dead holder, or at all) first looks at the lane's removal words, and completes a removal a dead
 * remover left ({@link #completeDeadRemoval}; see {@link QueueWalker} for the removal itself).</li>
 * </ul>
 * Not thread-safe: the handle's consumer {@link HandleGate} serialises the calls.
 */
abstract class ConsumerLane extends LaneLooks
{
    static final int CONSUMED = 0;
    static final int PROGRESSED = 1;
    static final int LOCKED_OUT = 2;
    static final int EMPTY = 3;
    static final int ENTERED = 4;

    /** The offset of lane 0's next-ticket word ({@link LaneDescriptor#NEXT_TICKET_OFFSET}). */
    final int nextTicketOffset;
    /** In an ordered queue, holding the consumer lock: the ticket of the element to take next. */
    long nextTicket;
    /** The lane that held the last element taken in an ordered queue: looked at first for the next. */
    int ticketLane;
    /** Per lane, in an ordered queue: its head moved in this hold of the lock, so its hint is to be advertised. */
    final boolean[] headMoved;
    final Doorbell producerBell;
    final Doorbell consumerBell;
    /**
     * The wait of the call inside the handle's consumer gate; swapped for a spare while a call sleeps outside it
     * ({@link GateFreeSleep}).
     */
    Waiter consumerWaiter;
    final JoinCounter joinCounter;
    /** Reassembles split elements; {@link #takeWholeRecords} leaves the lane to the general path while it does. */
    final MessageAssembler assembler = new MessageAssembler();
    /** One per lane: each holds this handle's bias state for that lane's consumer lock. */
    final BiasedOwnerLock[] consumerLocks;
    BiasedOwnerLock consumerLock;
    /** A consumer lock of some lane may be waiting for its biased holder (see {@link #abandonConsumerTakings()}). */
    boolean consumerTakingsBegun;
    boolean consumerLocked;
    /**
     * When to look whether each lane's consumer lock holder is alive (per lane, so that a lane a live consumer keeps
     * busy does not take every look).
     */
    final LivenessCheckInterval[] consumerHolderChecks;
    /** The record {@link #nextRecord} found: its payload index, length and type, and the head word after it. */
    int recordIndex;
    int recordPayloadLength;
    int recordType;
    long nextHeadWord;
    /** Records taken whose producers have not been rung yet (rung when the lock is released, or before waiting). */
    boolean producersUnrung;
    /** The step of {@link #advertiseHeadInSteps} in bytes: a sixteenth of the ring. */
    final int hintStepBytes;
    /** Its step in elements: a sixteenth of the element bound, at least one; unbounded without one. */
    final int hintStepElements;

    ConsumerLane(final AtomicBuffer meta, final UnsafeBuffer data, final String description, final int capacity,
        final int laneCount, final int lanesOffset, final Doorbell producerBell, final Doorbell consumerBell,
        final Waiter consumerWaiter, final JoinCounter joinCounter, final boolean ordered, final int maxElements)
    {
        super(meta, data, description, capacity, laneCount, lanesOffset, ordered);
        this.hintStepBytes = capacity >> 4;
        this.hintStepElements = maxElements > 0 ? Math.max(1, maxElements >> 4) : Integer.MAX_VALUE;
        this.nextTicketOffset = LaneWords.laneWord(lanesOffset, 0, LaneDescriptor.NEXT_TICKET_OFFSET);
        this.producerBell = producerBell;
        this.consumerBell = consumerBell;
        this.consumerWaiter = consumerWaiter;
        this.joinCounter = joinCounter;
        this.consumerLocks = new BiasedOwnerLock[laneCount];
        this.headMoved = new boolean[laneCount];
        this.consumerHolderChecks = new LivenessCheckInterval[laneCount];
        Arrays.setAll(consumerHolderChecks, (lane) -> new LivenessCheckInterval());
        for (int lane = 0; lane < laneCount; lane++)
        {
            consumerLocks[lane] = new BiasedOwnerLock().wrap(
                meta, laneWord(lane, LaneDescriptor.CONSUMER_LOCK_OFFSET), consumerBell);
        }
        selectConsumerLane(0);
    }

    /**
     * Gives up the biases of the lanes' consumer locks. The caller is inside the consumer gate.
     */
    void releaseConsumerSide()
    {
        for (final BiasedOwnerLock lock : consumerLocks)
        {
            lock.close();
        }
    }

    /**
     * @param lane a lane.
     * @return true when this handle holds the lane's consumer lock word while waiting for its biased holder. For
     * tests.
     */
    boolean consumerTakingPending(final int lane)
    {
        return consumerLocks[lane].isPending();
    }

    /**
     * @return true when this handle keeps lane 0's consumer lock between calls. For tests.
     */
    boolean consumerLockBiased()
    {
        return consumerLocks[0].isBiased();
    }

    void selectConsumerLane(final int lane)
    {
        if (lane != cLane)
        {
            if (cLane >= 0)
            {
                headMoved[cLane] = true; // may have: its hint is compared with its head when the lock is let go
            }
            selectLaneWords(lane);
            consumerLock = consumerLocks[ordered ? 0 : lane]; // an ordered queue's consumers share lane 0's lock
        }
    }

    /**
     * Ends what a consumer call keeps: a takings of locks begun from a bias, and the tail it read (kept for one
     * call only: a tail read long ago could be a whole position space, 2^40 bytes, behind).
     */
    void endConsumerCall()
    {
        tailSeenLane = -1;
        abandonConsumerTakings();
    }

    /**
     * Selects a lane and takes its consumer lock if it has records; a lane without any gives up a taking of its lock
     * begun while it had some.
     *
     * @return {@link #ENTERED} (the lock is held), {@link #EMPTY} or {@link #LOCKED_OUT}.
     */
    int enterLane(final int lane)
    {
        if (!laneHasRecords(lane, consumerWaiter.isRegistered()))
        {
            consumerLocks[lane].abandon();
            return EMPTY;
        }
        selectConsumerLane(lane);
        return acquireConsumerLock() ? ENTERED : LOCKED_OUT;
    }

    /**
     * Gives up the takings of consumer locks from a bias that are still waiting for their holder, at the end of a
     * call (a consumer may begin one on each lane it looks at).
     */
    void abandonConsumerTakings()
    {
        if (consumerTakingsBegun)
        {
            consumerTakingsBegun = false;
            for (final BiasedOwnerLock lock : consumerLocks)
            {
                lock.abandon();
            }
        }
    }

    boolean acquireConsumerLock()
    {
        if (!consumerLocked)
        {
            consumerLocked = consumerLock.tryAcquire() || consumerLock.tryRevoke() ||
                consumerHolderChecks[ordered ? 0 : cLane].due() && consumerLock.tryTakeOverFromDead();
            if (consumerLocked)
            {
                final long deadHolder = consumerLock.takeOverNotice(); // its partial element: see the assembler
                try
                {
                    if (ordered)
                    {
                        nextTicket = meta.getLongVolatile(nextTicketOffset);
                        if (!consumerLock.isBiased())
                        {
                            // a biased hold follows this handle's own: no remover can have died holding the lock
                            completeDeadRemovals();
                        }
                        if (deadHolder != OwnerToken.NONE)
                        {
                            passRecordsBeforeNextTicket();
                        }
                    }
                    else
                    {
                        final long removing = meta.getLongVolatile(cRemoving); // the lock's cache line: a cheap look
                        if (removing != 0)
                        {
                            completeDeadRemoval(removing);
                        }
                    }
                }
                catch (final RuntimeException ex)
                {
                    releaseConsumerLock();
                    throw ex;
                }
            }
            else if (consumerLock.isPending())
            {
                consumerTakingsBegun = true;
            }
        }
        return consumerLocked;
    }

    void releaseConsumerLock()
    {
        if (consumerLocked)
        {
            consumerLocked = false;
            if (ordered)
            {
                headMoved[cLane] = true; // the lane taken from last: its records' stores did not mark it
                for (int lane = 0; lane < laneCount; lane++)
                {
                    if (headMoved[lane])
                    {
                        headMoved[lane] = false;
                        advertiseHead(laneWord(lane, LaneDescriptor.HEAD_OFFSET),
                            laneWord(lane, LaneDescriptor.HEAD_HINT_OFFSET));
                    }
                }
            }
            else
            {
                advertiseHeadInSteps();
            }
            consumerLock.release();
            AsymmetricFence.progressSide(); // between the head and lock stores and the loads of the waiter counts
            if (producersUnrung)
            {
                producersUnrung = false;
                producerBell.ringIfWaiting();
            }
            consumerBell.ringIfWaiting();
        }
        else
        {
            ringProducers();
        }
    }

    /**
     * Holding the selected lane's consumer lock, in an unordered queue: advertises its head in the hint when the lane
     * looks empty at the head (no stamp there), or when the head has moved a step ({@link #hintStepBytes} or
     * {@link #hintStepElements}) past the hint. A consumer taking one element per call from a backlog thus stores the
     * hint once per step rather than once per element: a producer retrying a full ring reads the hint every few
     * nanoseconds, and a store per element took its line away each time (see {@link LaneDescriptor}).
     */
    void advertiseHeadInSteps()
    {
        final long headWord = meta.getLong(cHead); // the lock holder's own last store
        final long hint = meta.getLong(cHeadHint);
        if (headWord != hint && (
            ((position(headWord) - position(hint)) & POSITION_MASK) >= hintStepBytes ||
            ((count(headWord) - count(hint)) & LaneWords.COUNT_MASK) >= hintStepElements ||
            !isStamped(cBase, position(headWord))))
        {
            // release store -> under the lock, after the head: never ahead of it, and never moving back
            meta.putLongRelease(cHeadHint, headWord);
        }
    }

    private void advertiseHead(final int headOffset, final int hintOffset)
    {
        final long headWord = meta.getLong(headOffset); // the lock holder's own last store
        if (headWord != meta.getLong(hintOffset))
        {
            // release store -> advertises the room to producers once per call, not per record (LaneDescriptor);
            // under the lock, after the head: never ahead of it, and never moving back
            meta.putLongRelease(hintOffset, headWord);
        }
    }

    void ringProducers()
    {
        if (producersUnrung)
        {
            producersUnrung = false;
            producerBell.ring();
        }
    }

    /**
     * Holding an ordered queue's consumer lock (lane 0's, which guards every lane): completes the removals a dead
     * holder left in any lane.
     */
    private void completeDeadRemovals()
    {
        final int selected = cLane;
        for (int lane = 0; lane < laneCount; lane++)
        {
            final long removing = meta.getLongVolatile(laneWord(lane, LaneDescriptor.REMOVING_OFFSET));
            if (removing != 0)
            {
                selectConsumerLane(lane);
                completeDeadRemoval(removing);
            }
        }
        selectConsumerLane(selected);
    }

    /**
     * Holding a consumer lock whose removal words say a removal is under way: its remover died holding the lock (a
     * live one clears them before letting it go), so this completes it. Nothing else moved the head since, so the
     * head word tells whether the remover's store of it happened.
     *
     * @throws CorruptResourceException when the removal words cannot be a removal of this lane.
     */
    void completeDeadRemoval(final long removing)
    {
        final long removalHead = meta.getLong(cRemovalHead);
        final long headWord = meta.getLongVolatile(cHead);
        final long tail = position(meta.getLongAcquire(cTail));
        final long published = (tail - position(headWord)) & POSITION_MASK;
        if (removing < 1 || removing > capacity || ((removing - 1) & (ALIGNMENT - 1)) != 0 ||
            ((position(removalHead) - position(headWord)) & POSITION_MASK) > published)
        {
            throw new CorruptResourceException(description + " has corrupt removal words in lane " + cLane +
                " (record " + (removing - 1) + ", head word " + removalHead + "): unlink the queue and create it again");
        }
        if (headWord != removalHead)
        {
            final int index = cBase + (int)(removing - 1);
            final int frame = checkedFrame(index);
            data.putIntRelease(index + FRAME_OFFSET, frame(frameLength(frame), REMOVED));
            meta.putLongRelease(cHead, removalHead);
        }
        meta.putLongRelease(cRemoving, 0L);
    }

    /**
     * Hands over consecutive stamped WHOLE records of the selected lane, holding its consumer lock: one read of the
     * head word per call and one release store of it per record (after the handler, so that a consumer killed while
     * handing a record over leaves it to the next one). Stops at anything else (no stamp, padding, a split element),
     * which {@link FifoConsumer#consumeOne} deals with.
     *
     * @return how many were handed over.
     */
    int takeWholeRecords(final BufferHandler handler, final int limit)
    {
        if (assembler.isAssembling())
        {
            return 0;
        }
        // addresses in locals, read before the first ordered access (after which the JIT would read them again)
        final long headAddress = cHeadAddress;
        final long ringAddress = cRingAddress;
        final UnsafeBuffer data = this.data;
        final int base = cBase;
        final int mask = this.mask;
        final long headWord = UnsafeApi.getLongVolatile(null, headAddress);
        long position = position(headWord);
        int elements = count(headWord);
        int taken = 0;
        while (taken < limit)
        {
            final int ringIndex = (int)position & mask;
            final int length = stampedWholeLength(ringAddress, position);
            if (length < 0)
            {
                break;
            }
            if (ordered && UnsafeApi.getInt(ringAddress + ringIndex + PAYLOAD_OFFSET) != (int)nextTicket)
            {
                break; // another element's turn: see takeOrdered
            }
            position += recordLength(length);
            final long next = word(++elements, position);
            taken++;
            producersUnrung = true; // rung when the lock is released
            try
            {
                handler.onMessage(data, base + ringIndex + PAYLOAD_OFFSET + ticketBytes, length - ticketBytes);
            }
            finally
            {
                if (ordered)
                {
                    advanceTicket(); // before the head: a kill in between leaves a record the next holder passes
                }
                // release store -> hands the record's bytes back to producers and counts the element as taken
                UnsafeApi.putLongRelease(null, headAddress, next);
            }
        }
        if (taken > 0)
        {
            producerBell.ringIfWaiting(); // a producer already asleep is woken now; the fenced ring follows
        }
        return taken;
    }

    boolean nextRecord()
    {
        final long headWord = meta.getLongVolatile(cHead);
        long position = position(headWord);
        while (true)
        {
            final int index = cBase + ((int)position & mask);
            // the record's own stamp, not the producer's tail word: no read of the producer's cache line
            if (!isStamped(cBase, position) && !publishedByTail(cLane, position, consumerWaiter.isRegistered()))
            {
                break;
            }
            final int frame = checkedFrame(index);
            final int length = frameLength(frame);
            final int type = frameType(frame);
            if (type == PADDING || type == REMOVED && !ordered)
            {
                if (type == REMOVED && assembler.isAssembling())
                {
                    // a removed element's first record: the element being assembled was given up before it, and
                    // the removed one's rest must not complete it
                    discardPartialElement();
                }
                position += recordLength(length); // a removed element was counted when it was removed
                continue;
            }
            if (ordered && (type == REMOVED || data.getInt(index + PAYLOAD_OFFSET) != (int)nextTicket))
            {
                if (assembler.isAssembling())
                {
                    // the lane moved on to another element: the writer of this one gave up or died
                    discardPartialElement();
                }
                break; // another element's turn (or a removed one's): see laneOfNextTicket
            }
            recordIndex = index + PAYLOAD_OFFSET + ticketBytes;
            recordPayloadLength = length - ticketBytes;
            recordType = type;
            nextHeadWord = word(count(headWord) + (type == WHOLE || type == BEGIN ? 1 : 0),
                position + recordLength(length));
            return true;
        }
        if (position != position(headWord))
        {
            // release store -> returns the skipped padding to producers
            meta.putLongRelease(cHead, word(count(headWord), position));
            producersUnrung = true;
            producerBell.ringIfWaiting();
        }
        return false;
    }

    void consumeRecord()
    {
        if (ordered && (recordType == WHOLE || recordType == END))
        {
            advanceTicket(); // before the head: a kill in between leaves a record the next holder passes
        }
        // release store -> hands the record's bytes back to producers and counts the element as taken; a producer
        // already asleep is woken now, the fenced ring follows when the lock is released (or before waiting)
        meta.putLongRelease(cHead, nextHeadWord);
        producersUnrung = true;
        producerBell.ringIfWaiting();
    }

    /**
     * Holding an ordered queue's consumer lock taken over from a dead consumer: moves every lane's head past the
     * records before the next ticket ({@link TicketOrderLane}).
     */
    abstract void passRecordsBeforeNextTicket();

    /**
     * Holding an ordered queue's consumer lock: the element with the next ticket is taken (or given up), so the
     * next one is due; stored before the head of its lane moves.
     */
    void advanceTicket()
    {
        // release store -> the other consumers take the next ticket after this holder lets the lock go
        meta.putLongRelease(nextTicketOffset, ++nextTicket);
    }

    /**
     * Gives up the element being assembled: its writer gave up or died. In an ordered queue its ticket is passed.
     */
    void discardPartialElement()
    {
        assembler.discardPartial();
        joinCounter.elementAbandoned();
        if (ordered)
        {
            advanceTicket();
        }
    }
}