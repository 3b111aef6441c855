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
import java.util.concurrent.TimeUnit;

import static io.ipckit.core.internal.kit.MessageAssembler.BEGIN;
import static io.ipckit.core.internal.kit.MessageAssembler.END;
import static io.ipckit.core.internal.kit.MessageAssembler.MIDDLE;
import static io.ipckit.core.internal.kit.MessageAssembler.WHOLE;
import static io.ipckit.queue.LaneWords.POSITION_MASK;
import static io.ipckit.queue.LaneWords.count;
import static io.ipckit.queue.LaneWords.position;
import static io.ipckit.queue.LaneWords.word;
import static io.ipckit.queue.RecordDescriptor.ALIGNMENT;
import static io.ipckit.queue.RecordDescriptor.FRAME_OFFSET;
import static io.ipckit.queue.RecordDescriptor.OVERHEAD;
import static io.ipckit.queue.RecordDescriptor.PADDING;
import static io.ipckit.queue.RecordDescriptor.PAYLOAD_OFFSET;
import static io.ipckit.queue.RecordDescriptor.REMOVED;
import static io.ipckit.queue.RecordDescriptor.commitStamp;
import static io.ipckit.queue.RecordDescriptor.frame;
import static io.ipckit.queue.RecordDescriptor.frameLength;
import static io.ipckit.queue.RecordDescriptor.frameType;
import static io.ipckit.queue.RecordDescriptor.recordLength;
import static io.ipckit.queue.RecordDescriptor.stampIndex;

/**
 * The lane a {@link FifoConsumer} takes from and the record-level work on its ring: selecting a lane, taking and
 * releasing its consumer lock (completing a removal its dead holder left half-done), finding whether a record is
 * published, reading the next record and moving the head past it. {@link FifoConsumer} adds the protocol around it
 * (waiting, lanes in turn, split elements, the stash) and {@link QueueWalker} the walks. It is
 * {@link FifoConsumer}'s superclass rather than a field so that the take path reaches these fields and methods with
 * no object in between.
 * <p>
 * Note to maintainers — the invariants of the ring this class reads:
 * <ul>
 * <li>A lane's head word (element count and byte position) is written only by the holder of the lane's consumer
 * lock, with one release store after the record was handed over ({@link #consumeRecord}, {@link #takeWholeRecords}).
 * A consumer killed while handing a whole record over leaves it to the next consumer, which hands it over again.</li>
 * <li>A consumer takes a record when its commit stamp names the head position, or when the tail word (read by a look
 * without a stamp at most every {@link #TAIL_READ_INTERVAL_NS}, a clock read per {@link #LOOKS_PER_CLOCK_READ} such
 * looks, and whenever it waits) lies past it, so the head
 * never passes the tail; a tail read is kept for one call only ({@link #endConsumerCall}).</li>
 * <li>Every lane's consumer lock is a {@link BiasedOwnerLock}: a lone handle keeps it between calls. Whoever takes a
 * lock (over from a dead holder, or at all) first looks at the lane's removal words, and completes a removal a dead
 * remover left ({@link #completeDeadRemoval}; see {@link QueueWalker} for the removal itself).</li>
 * </ul>
 * Not thread-safe: the handle's consumer {@link HandleGate} serialises the calls.
 */
class ConsumerLane
{
    static final int CONSUMED = 0;
    static final int PROGRESSED = 1;
    static final int LOCKED_OUT = 2;
    static final int EMPTY = 3;
    static final int ENTERED = 4;

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
    /** The offset of lane 0's next-ticket word ({@link LaneDescriptor#NEXT_TICKET_OFFSET}). */
    final int nextTicketOffset;
    /** The offset of the producers' ticket counter ({@link QueueDescriptor#TICKET_OFFSET}); -1 when not ordered. */
    final int ticketCounterOffset;
    /** In an ordered queue, holding the consumer lock: the ticket of the element to take next. */
    long nextTicket;
    /** The lane that held the last element taken in an ordered queue: looked at first for the next. */
    int ticketLane;
    /** Per lane, in an ordered queue: its head moved in this hold of the lock, so its hint is to be advertised. */
    final boolean[] headMoved;
    /** Per lane: the absolute addresses of its head word and of its ring, for {@link #laneHasRecords}. */
    final long[] laneHeadAddresses;
    final long[] laneRingAddresses;
    /** Looks of {@link #anyLaneHasRecords} at the other lanes by their stamps alone. */
    int looksWithoutStamp;
    /** The ticket a gap was first seen at, and when (see {@link #passLostTicket}). */
    long gapTicket = -1;
    long gapSinceNs;
    /**
     * Per lane: the gap's ticket when a live announcer was first seen in the lane at that gap (else -1), and the
     * lane's tail word read right after that first sighting (see {@link #mayHoldGapTicket}).
     */
    final long[] announcerGapTicket;
    final long[] tailAfterAnnouncer;
    final Doorbell producerBell;
    final Doorbell consumerBell;
    final Waiter consumerWaiter;
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
     * Per lane: when a look at the lane's head commit stamp that found none last read its tail word (per lane: one
     * throttle for all would let the first lane's looks starve the others' forever).
     */
    final long[] lastTailReadNs;
    /**
     * Per lane: looks without a stamp; only every {@link #LOOKS_PER_CLOCK_READ}th reads the clock for
     * {@link #TAIL_READ_INTERVAL_NS} (per lane, for the reason {@link #lastTailReadNs} is).
     */
    final int[] looksWithoutClock;
    /**
     * When to look whether each lane's consumer lock holder is alive (per lane, so that a lane a live consumer keeps
     * busy does not take every look).
     */
    final LivenessCheckInterval[] consumerHolderChecks;
    /** Within one call: a lane whose tail word was read (-1 for none) and the position it held. */
    int tailSeenLane = -1;
    long tailSeen;
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
    /** Absolute addresses of the lane's head word and of its ring, for {@link #takeWholeRecords}. */
    long cHeadAddress;
    long cRingAddress;
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
        final Waiter consumerWaiter, final JoinCounter joinCounter, final int ticketCounterOffset,
        final int maxElements)
    {
        this.hintStepBytes = capacity >> 4;
        this.hintStepElements = maxElements > 0 ? Math.max(1, maxElements >> 4) : Integer.MAX_VALUE;
        this.ordered = ticketCounterOffset >= 0;
        this.ticketCounterOffset = ticketCounterOffset;
        this.ticketBytes = this.ordered ? RecordDescriptor.TICKET_LENGTH : 0;
        this.nextTicketOffset = LaneWords.laneWord(lanesOffset, 0, LaneDescriptor.NEXT_TICKET_OFFSET);
        this.meta = meta;
        this.data = data;
        this.description = description;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.laneCount = laneCount;
        this.lanesOffset = lanesOffset;
        this.producerBell = producerBell;
        this.consumerBell = consumerBell;
        this.consumerWaiter = consumerWaiter;
        this.joinCounter = joinCounter;
        this.consumerLocks = new BiasedOwnerLock[laneCount];
        this.headMoved = new boolean[laneCount];
        this.announcerGapTicket = new long[laneCount];
        Arrays.fill(announcerGapTicket, -1L);
        this.tailAfterAnnouncer = new long[laneCount];
        this.laneHeadAddresses = new long[laneCount];
        this.laneRingAddresses = new long[laneCount];
        for (int lane = 0; lane < laneCount; lane++)
        {
            laneHeadAddresses[lane] = meta.addressOffset() + laneWord(lane, LaneDescriptor.HEAD_OFFSET);
            laneRingAddresses[lane] = data.addressOffset() + (long)lane * capacity;
        }
        this.lastTailReadNs = new long[laneCount];
        this.looksWithoutClock = new int[laneCount];
        this.consumerHolderChecks = new LivenessCheckInterval[laneCount];
        java.util.Arrays.setAll(consumerHolderChecks, (lane) -> new LivenessCheckInterval());
        java.util.Arrays.fill(lastTailReadNs, System.nanoTime() - TAIL_READ_INTERVAL_NS);
        for (int lane = 0; lane < laneCount; lane++)
        {
            consumerLocks[lane] = new BiasedOwnerLock().wrap(
                meta, laneWord(lane, LaneDescriptor.CONSUMER_LOCK_OFFSET), consumerBell);
        }
        selectConsumerLane(0);
    }

    int laneWord(final int lane, final int wordOffset)
    {
        return LaneWords.laneWord(lanesOffset, lane, wordOffset);
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
            consumerLock = consumerLocks[ordered ? 0 : lane]; // an ordered queue's consumers share lane 0's lock
        }
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
    static final long TAIL_READ_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
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
     * Ends what a consumer call keeps: a takings of locks begun from a bias, and the tail it read (kept for one
     * call only: a tail read long ago could be a whole position space, 2^40 bytes, behind).
     */
    void endConsumerCall()
    {
        tailSeenLane = -1;
        abandonConsumerTakings();
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

    int checkedFrame(final int index)
    {
        final int frame = data.getInt(index + FRAME_OFFSET);
        final int length = frameLength(frame);
        final int type = frameType(frame);
        if (length > capacity - (index - cBase) - OVERHEAD || type != PADDING && length < ticketBytes ||
            type != WHOLE && type != BEGIN && type != MIDDLE && type != END && type != PADDING && type != REMOVED)
        {
            throw new CorruptResourceException(description + " has a corrupt record in lane " + cLane +
                " at ring index " + (index - cBase) + " (length " + length + ", type " + type +
                "): unlink the queue and create it again");
        }
        return frame;
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

    // ----------------------------------------------------------------------------------------- ordered queues

    /** {@link #laneOfNextTicket}: no lane has a published record at its head. */
    static final int NO_TICKET = -1;
    /** {@link #laneOfNextTicket}: lanes hold later tickets, the next one is in none (being published, or lost). */
    static final int TICKET_GAP = -2;
    private static final int HEAD_NONE = 0;
    private static final int HEAD_NEXT = 1;
    private static final int HEAD_LATER = 2;
    private static final int HEAD_PASSED = 3;

    /**
     * @return true when some lane has a published record at its head: a look without the lock, before taking it.
     */
    boolean anyLaneHasRecords()
    {
        final boolean registered = consumerWaiter.isRegistered();
        if (laneHasRecords(ticketLane, registered))
        {
            return true;
        }
        // the other lanes by their stamps alone (a consumer spinning on an empty queue looks here every few
        // nanoseconds: measured, the whole look at each lane made a round trip about 20 ns slower per lane); the
        // whole look, which finds a record a producer killed before its stamp left, every 64th time or when waiting
        final boolean whole = registered || (looksWithoutStamp++ & (LOOKS_PER_CLOCK_READ - 1)) == 0;
        for (int i = 1; i < laneCount; i++)
        {
            final int lane = ticketLane + i < laneCount ? ticketLane + i : ticketLane + i - laneCount;
            if (whole ? laneHasRecords(lane, registered) : isStampedAt(lane, headPosition(lane)))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Holding an ordered queue's consumer lock: finds the lane whose head record starts the element with the next
     * ticket, looking first at the lane of the last element taken. On the way it moves lane heads past what is not
     * to be taken: records before the next ticket (one a consumer killed after storing the next ticket left behind,
     * and the rest of an element whose start a dead consumer took), and the next ticket's own remains when its
     * element was removed or its start taken by a dead consumer; passing those moves the next ticket on.
     *
     * @return the lane, {@link #NO_TICKET} or {@link #TICKET_GAP}.
     */
    int laneOfNextTicket(final boolean readTail)
    {
        while (true)
        {
            int outcome = NO_TICKET;
            boolean passed = false;
            for (int i = 0; i < laneCount && !passed; i++)
            {
                final int lane = ticketLane + i < laneCount ? ticketLane + i : ticketLane + i - laneCount;
                final int look = lookAtLaneHead(lane, readTail);
                if (look == HEAD_NEXT)
                {
                    ticketLane = lane;
                    return lane;
                }
                passed = look == HEAD_PASSED;
                if (look == HEAD_LATER)
                {
                    outcome = TICKET_GAP;
                }
            }
            if (!passed)
            {
                return outcome;
            }
        }
    }

    /**
     * Selects {@code lane} and looks at its head, moving it past the records {@link #laneOfNextTicket} passes.
     *
     * @return {@link #HEAD_NEXT}, {@link #HEAD_LATER} (a later ticket), {@link #HEAD_PASSED} (the next ticket moved
     * on and the lane holds no record of the new one: the other lanes must be looked at again) or
     * {@link #HEAD_NONE}.
     */
    private int lookAtLaneHead(final int lane, final boolean readTail)
    {
        if (!laneHasRecords(lane, readTail))
        {
            return HEAD_NONE; // most lanes, most of the time: a look at the head and its stamp, no lane selected
        }
        selectConsumerLane(lane);
        final long headWord = meta.getLongVolatile(cHead);
        long position = position(headWord);
        int elements = count(headWord);
        boolean passed = false;
        int look = HEAD_NONE;
        while (isStamped(cBase, position) || publishedByTail(lane, position, readTail))
        {
            final int index = cBase + ((int)position & mask);
            final int frame = checkedFrame(index);
            final int type = frameType(frame);
            final int ahead = type == PADDING ? -1 : data.getInt(index + PAYLOAD_OFFSET) - (int)nextTicket;
            if (ahead > 0)
            {
                look = HEAD_LATER;
                break;
            }
            if (ahead == 0 && (type == WHOLE || type == BEGIN))
            {
                look = HEAD_NEXT;
                break;
            }
            position += recordLength(frameLength(frame));
            if (ahead < 0 && type != PADDING && (type == WHOLE || type == BEGIN))
            {
                elements++; // taken by a consumer killed before it moved the head: counted now
            }
            else if (ahead == 0 && (type == REMOVED || type == END))
            {
                advanceTicket(); // removed (counted then), or the end of an element a dead consumer began
                passed = true;
            }
        }
        if (position != position(headWord))
        {
            // release store -> returns what was passed to producers
            meta.putLongRelease(cHead, word(elements, position));
            producersUnrung = true;
        }
        return passed && look != HEAD_NEXT ? HEAD_PASSED : look;
    }

    /**
     * Holding an ordered queue's consumer lock, with {@link #laneOfNextTicket} finding a {@link #TICKET_GAP}: after
     * the same ticket has been missing for {@link LivenessCheckInterval#INTERVAL_NS}, passes it when no live producer
     * that may hold it announces a ticket ({@link LaneDescriptor#ANNOUNCE_OFFSET}, {@link #mayHoldGapTicket}) and no
     * lane holds it after that look (a producer clears its announcement only after publishing, and takes a ticket
     * only after announcing, so one announcing nothing now either published the ticket, found by the look, or will
     * take a later one). Every lane is sampled at each look, so a lane whose producers keep announcing (claims held
     * open back to back) holds the gap for two looks at most once it publishes.
     *
     * @return true when the ticket was passed, or found after all: look at the lanes again.
     */
    boolean passLostTicket()
    {
        final long nowNs = System.nanoTime();
        if (gapTicket != nextTicket)
        {
            gapTicket = nextTicket;
            gapSinceNs = nowNs;
            return false;
        }
        if (nowNs - gapSinceNs < LivenessCheckInterval.INTERVAL_NS)
        {
            return false;
        }
        gapSinceNs = nowNs;
        if (meta.getLongVolatile(ticketCounterOffset) - nextTicket <= 0)
        {
            return false; // not taken yet: no producer can have died with it (a later ticket read is not one)
        }
        boolean announced = false;
        for (int lane = 0; lane < laneCount; lane++)
        {
            final long announcer = meta.getLongVolatile(laneWord(lane, LaneDescriptor.ANNOUNCE_OFFSET));
            if (announcer != OwnerToken.NONE && OwnerToken.isAlive(announcer) && mayHoldGapTicket(lane))
            {
                announced = true;
            }
        }
        if (announced)
        {
            return false;
        }
        // the tail words too: a producer killed between its tail word and its stamp published its record
        if (laneOfNextTicket(true) == TICKET_GAP)
        {
            advanceTicket(); // its producer died with it: its put never returned
        }
        return true;
    }

    /**
     * A live announcer was just seen in {@code lane} at the gap of {@link #nextTicket}: whether it may hold that
     * ticket. Only the producer holding a lane announces in it and stores its tail word, and it clears its announcement
     * after it publishes. So when the lane's tail word, read after a live announcement was seen at this gap, has
     * moved since, the producer then announcing has published (the gap's ticket among its records, if it held it,
     * which the look after this one finds), and whoever announces now took its ticket after the gap's was taken: a
     * later one. Records the tail word at the first sighting.
     *
     * @return false when the lane has published since a live announcer was first seen in it at this gap.
     */
    private boolean mayHoldGapTicket(final int lane)
    {
        final long tail = LaneWords.tailWord(meta, lanesOffset, lane); // after the announcement: see above
        if (announcerGapTicket[lane] == nextTicket)
        {
            return tail == tailAfterAnnouncer[lane];
        }
        announcerGapTicket[lane] = nextTicket;
        tailAfterAnnouncer[lane] = tail;
        return true;
    }

    /**
     * Holding an ordered queue's consumer lock taken over from a dead consumer: moves every lane's head past the
     * records before the next ticket, reading tail words too. A consumer killed between storing the next ticket and
     * its head store leaves such a record at one lane's head, and one left there for 2^31 tickets would read as a
     * later one.
     */
    void passRecordsBeforeNextTicket()
    {
        final int selected = cLane;
        for (int lane = 0; lane < laneCount; lane++)
        {
            lookAtLaneHead(lane, true);
        }
        selectConsumerLane(selected);
    }

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
