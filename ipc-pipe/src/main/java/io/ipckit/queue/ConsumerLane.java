package io.ipckit.queue;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.internal.kit.BiasedOwnerLock;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.MessageAssembler;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.core.internal.wait.AsymmetricFence;
import io.ipckit.pipe.BufferHandler;
import org.agrona.UnsafeApi;

import java.lang.invoke.VarHandle;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;


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
import static io.ipckit.queue.RecordDescriptor.DROPPED;
import static io.ipckit.queue.RecordDescriptor.commitStamp;
import static io.ipckit.queue.RecordDescriptor.committed;
import static io.ipckit.queue.RecordDescriptor.freeMarker;
import static io.ipckit.queue.RecordDescriptor.headerFrame;
import static io.ipckit.queue.RecordDescriptor.isCommitted;
import static io.ipckit.queue.RecordDescriptor.isIntent;
import static io.ipckit.queue.RecordDescriptor.frame;
import static io.ipckit.queue.RecordDescriptor.frameLength;
import static io.ipckit.queue.RecordDescriptor.frameType;
import static io.ipckit.queue.RecordDescriptor.recordLength;

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
 * <li>A consumer takes a record when its header is committed at the head position (its stamp names it); a
 * producer commits only after the tail is past the record, so the head never passes the tail. An intent at the head
 * whose reserver is dead (looked at every liveness interval, per lane) is dropped: the consumer moves the tail past
 * it if nobody did, then commits it as DROPPED or PADDING ({@link #dropDeadIntent}).</li>
 * <li>Before the head moves past a record, the consumer writes the free marker of every one of its words' next-lap
 * positions ({@link #moveHead}), so that the room producers see is always marked free.</li>
 * <li>Every lane's consumer lock is a {@link BiasedOwnerLock}: a lone handle keeps it between calls. Whoever takes a
 * lock (over from a dead holder, or at all) first looks at the lane's removal words, and completes a removal a dead
 * remover left ({@link #completeDeadRemoval}; see {@link QueueWalker} for the removal itself).</li>
 * </ul>
 * Above 600 lines, for a reason: the record-level take (committed headers, skipped and dropped records, dead intents)
 * and the recoveries a lock taker runs (a dead consumer's removal, its free markers) work on the same selected-lane
 * fields and addresses as the take path; splitting them would put an object between that path and its fields.
 * <p>
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
    /** Per lane: when a look at an intent at the lane's head checks whether its reserver is alive. */
    final LivenessCheckInterval[] intentChecks;
    /** How many looks at an intent read the clock once, to see whether a liveness look is due. */
    static final int LOOKS_PER_CLOCK_READ = 64;
    /** Per lane: looks at an intent at the head. */
    final int[] intentLooks;
    /** Per lane: the last intent found dead and its position. */
    final long[] deadIntents;
    final long[] deadIntentPositions;
    /**
     * When to look whether each lane's consumer lock holder is alive (per lane, so that a lane a live consumer keeps
     * busy does not take every look).
     */
    final LivenessCheckInterval[] consumerHolderChecks;
    /** The lane being taken from. */
    int cLane = -1;
    int cTail;
    int cHead;
    /** The selected lane's head hint (see {@link LaneDescriptor#HEAD_HINT_OFFSET}). */
    int cHeadHint;
    int cRemovalHead;
    int cRemoving;
    int cFreeing;
    int cInProgress;
    int cBase;
    /** Absolute addresses of the lane's head word and of its ring, for {@link #takeWholeRecords}. */
    long cHeadAddress;
    long cFreeingAddress;
    long cRingAddress;
    /** The record {@link #nextRecord} found: its payload index, length and type, and the head word after it. */
    int recordIndex;
    int recordPayloadLength;
    int recordType;
    long nextHeadWord;
    /** Records taken whose producers have not been rung yet (rung when the lock is released, or before waiting). */
    boolean producersUnrung;

    ConsumerLane(final AtomicBuffer meta, final UnsafeBuffer data, final String description, final int capacity,
        final int laneCount, final int lanesOffset, final Doorbell producerBell, final Doorbell consumerBell,
        final Waiter consumerWaiter, final JoinCounter joinCounter)
    {
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
        this.intentLooks = new int[laneCount];
        this.deadIntents = new long[laneCount];
        this.deadIntentPositions = new long[laneCount];
        this.intentChecks = new LivenessCheckInterval[laneCount];
        java.util.Arrays.setAll(intentChecks, (lane) -> new LivenessCheckInterval());
        this.consumerHolderChecks = new LivenessCheckInterval[laneCount];
        java.util.Arrays.setAll(consumerHolderChecks, (lane) -> new LivenessCheckInterval());
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
            cLane = lane;
            cTail = laneWord(lane, LaneDescriptor.TAIL_OFFSET);
            cHead = laneWord(lane, LaneDescriptor.HEAD_OFFSET);
            cHeadHint = laneWord(lane, LaneDescriptor.HEAD_HINT_OFFSET);
            cRemovalHead = laneWord(lane, LaneDescriptor.REMOVAL_HEAD_OFFSET);
            cRemoving = laneWord(lane, LaneDescriptor.REMOVING_OFFSET);
            cFreeing = laneWord(lane, LaneDescriptor.FREEING_OFFSET);
            cFreeingAddress = meta.addressOffset() + cFreeing;
            cInProgress = laneWord(lane, LaneDescriptor.IN_PROGRESS_OFFSET);
            cBase = lane * capacity;
            cHeadAddress = meta.addressOffset() + cHead;
            cRingAddress = data.addressOffset() + cBase;
            consumerLock = consumerLocks[lane];
        }
    }

    /**
     * Whether a lane has a record to take at its head: its header is committed (a read of the record's own cache
     * line, the one the consumer reads next anyway), or holds an intent whose reserver is dead (looked at, per lane,
     * at most every liveness interval).
     */
    boolean laneHasRecords(final int lane, final boolean readTail)
    {
        final long position = position(LaneWords.headWord(meta, lanesOffset, lane));
        final long header = data.getLongVolatile(lane * capacity + ((int)position & mask));
        return isCommitted(header, position) || isDeadIntent(lane, header, position);
    }

    /**
     * @param laneBase the lane's first ring index in {@link #data}.
     * @param position a record position in that lane.
     * @return true when the record there is committed.
     */
    boolean isStamped(final int laneBase, final long position)
    {
        return isCommitted(data.getLongVolatile(laneBase + ((int)position & mask)), position);
    }

    /**
     * @return true when {@code header} at {@code position} of {@code lane} is an intent whose reserver is dead, looked
     * at most every liveness interval (a read of {@code /proc}).
     */
    boolean isDeadIntent(final int lane, final long header, final long position)
    {
        if (!isIntent(header, position))
        {
            return false;
        }
        if (deadIntents[lane] == header && deadIntentPositions[lane] == position)
        {
            return true; // found dead before (by the look that found the lane had records): dead stays dead
        }
        // a consumer ahead of its producers looks at live intents every few nanoseconds: a clock read per look
        // would cost it more than the look, so only every LOOKS_PER_CLOCK_READth look reads the clock
        if ((intentLooks[lane]++ & (LOOKS_PER_CLOCK_READ - 1)) == 0 && intentChecks[lane].due() &&
            !RecordDescriptor.isTagAlive((int)header))
        {
            deadIntents[lane] = header;
            deadIntentPositions[lane] = position;
            return true;
        }
        return false;
    }

    /**
     * Holding the selected lane's consumer lock, with a dead reserver's intent at {@code position}: moves the tail past
     * it if nobody did, then commits it as {@link RecordDescriptor#DROPPED} (a WHOLE or BEGIN record, counted when it
     * was reserved) or {@link RecordDescriptor#PADDING}.
     *
     * @return the header now there.
     * @throws CorruptResourceException when the intent's length runs past the ring's end.
     */
    long dropDeadIntent(final int index, final long position, final long header)
    {
        final int frame = headerFrame(header);
        final int length = frameLength(frame);
        if (length > capacity - (index - cBase) - OVERHEAD)
        {
            throw new CorruptResourceException(description + " has a corrupt intent in lane " + cLane +
                " at ring index " + (index - cBase) + " (length " + length + "): unlink the queue and create it again");
        }
        final int counted = LaneWords.counted(frameType(frame));
        LaneWords.advanceTailPast(meta, cTail, position, recordLength(length), counted);
        final long dropped = committed(frame(length, counted == 1 ? DROPPED : PADDING), position);
        if (data.getLong(index) == header) // a plain read first: it faults recoverably (FileFaults)
        {
            data.compareAndSetLong(index, header, dropped);
        }
        return data.getLongVolatile(index);
    }

    /**
     * Holding the selected lane's consumer lock: moves the head from {@code from} to the head word {@code next}: the
     * freeing word first, then the free markers of the next lap over every 8-byte word the head passes, then the head
     * word (a release store), so that producers find every word of the room marked free, and whoever takes the lock
     * over from a consumer killed in between finishes it ({@link #completeDeadFree}).
     */
    void moveHead(final long from, final long next)
    {
        meta.putLong(cFreeing, next);
        VarHandle.storeStoreFence(); // the freeing word before any marker
        markFree(from, position(next));
        // release store -> hands the bytes back to producers and counts what was taken
        meta.putLongRelease(cHead, next);
    }

    /**
     * Writes the free markers of the next lap over the selected lane's 8-byte words at positions {@code from} to
     * {@code to}.
     */
    void markFree(final long from, final long to)
    {
        final long end = to & POSITION_MASK;
        for (long position = from & POSITION_MASK; position != end; position = (position + ALIGNMENT) & POSITION_MASK)
        {
            data.putLong(cBase + ((int)position & mask), freeMarker(position + capacity));
        }
    }

    /**
     * Holding a consumer lock whose freeing word names another position than the head word: its holder died between
     * the two stores of {@link #moveHead}; this writes the free markers again and stores the head word it meant to.
     *
     * @throws CorruptResourceException when the freeing word cannot be a head word of this lane.
     */
    void completeDeadFree(final long freeing)
    {
        final long headWord = meta.getLongVolatile(cHead);
        final long distance = (position(freeing) - position(headWord)) & POSITION_MASK;
        if (distance > capacity || (distance & (ALIGNMENT - 1)) != 0)
        {
            throw new CorruptResourceException(description + " has a corrupt freeing word in lane " + cLane +
                " (" + freeing + ", head word " + headWord + "): unlink the queue and create it again");
        }
        moveHead(position(headWord), freeing);
    }

    /**
     * Ends what a consumer call keeps: a takings of locks begun from a bias.
     */
    void endConsumerCall()
    {
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
                consumerHolderChecks[cLane].due() && consumerLock.tryTakeOverFromDead();
            if (consumerLocked)
            {
                consumerLock.takeOverNotice(); // a dead consumer's partial element is discarded by the assembler
                final long removing = meta.getLongVolatile(cRemoving); // the lock's cache line: a cheap look
                final long freeing = meta.getLongVolatile(cFreeing);
                if (removing != 0 || freeing != meta.getLongVolatile(cHead))
                {
                    try
                    {
                        if (removing != 0)
                        {
                            completeDeadRemoval(removing);
                        }
                        final long freeingNow = meta.getLongVolatile(cFreeing);
                        final long headNow = meta.getLongVolatile(cHead);
                        if (position(freeingNow) != position(headNow))
                        {
                            // a count alone changed: a removal's, which its removal words complete
                            completeDeadFree(freeingNow);
                        }
                    }
                    catch (final RuntimeException ex)
                    {
                        releaseConsumerLock();
                        throw ex;
                    }
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
            final long headWord = meta.getLong(cHead); // this holder's own last store
            if (headWord != meta.getLong(cHeadHint))
            {
                // release store -> advertises the room to producers once per call, not per record (LaneDescriptor);
                // under the lock, after the head: never ahead of it, and never moving back
                meta.putLongRelease(cHeadHint, headWord);
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

    void ringProducers()
    {
        if (producersUnrung)
        {
            producersUnrung = false;
            producerBell.ring();
        }
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
            moveHead(position(headWord), removalHead);
        }
        meta.putLongRelease(cRemoving, 0L);
    }

    /**
     * Hands over consecutive committed WHOLE records of the selected lane, holding its consumer lock: one read of the
     * head word per call and one release store of it per record (after the handler, so that a consumer killed while
     * handing a record over leaves it to the next one). Stops at anything else (not committed, padding, a split element),
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
        final long freeingAddress = cFreeingAddress;
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
            final long header = UnsafeApi.getLongVolatile(null, ringAddress + ringIndex);
            if ((int)header != commitStamp(position))
            {
                break; // not committed (isStamped)
            }
            final int frame = headerFrame(header);
            if (frameType(frame) != WHOLE)
            {
                break;
            }
            final int length = frameLength(frame);
            if (length > capacity - ringIndex - OVERHEAD)
            {
                checkedFrame(base + ringIndex); // throws: a whole record never runs past the ring's end
            }
            final long recordStart = position;
            final int recordBytes = recordLength(length);
            position += recordBytes;
            final long next = word(++elements, position);
            taken++;
            producersUnrung = true; // rung when the lock is released
            try
            {
                handler.onMessage(data, base + ringIndex + PAYLOAD_OFFSET, length);
            }
            finally
            {
                // as moveHead does: the freeing word, the free markers, the head word
                UnsafeApi.putLong(freeingAddress, next);
                VarHandle.storeStoreFence();
                final long nextLap = recordStart + capacity;
                for (int i = 0; i < recordBytes; i += ALIGNMENT)
                {
                    UnsafeApi.putLong(ringAddress + ringIndex + i, freeMarker(nextLap + i));
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
        int elements = count(headWord);
        while (true)
        {
            final int index = cBase + ((int)position & mask);
            // the record's own header, not the producer's tail word: no read of the producer's cache line
            long header = data.getLongVolatile(index);
            if (!isCommitted(header, position))
            {
                if (!isDeadIntent(cLane, header, position))
                {
                    break;
                }
                header = dropDeadIntent(index, position, header);
                if (!isCommitted(header, position))
                {
                    break;
                }
            }
            final int frame = checkedFrame(index);
            final int length = frameLength(frame);
            final int type = frameType(frame);
            if (type == PADDING || type == REMOVED || type == DROPPED)
            {
                if (type == DROPPED)
                {
                    elements++; // counted when it was reserved, never delivered
                    joinCounter.elementAbandoned();
                }
                position += recordLength(length); // a removed element was counted when it was removed
                continue;
            }
            recordIndex = index + PAYLOAD_OFFSET;
            recordPayloadLength = length;
            recordType = type;
            nextHeadWord = word(elements + (type == WHOLE || type == BEGIN ? 1 : 0),
                position + recordLength(length));
            return true;
        }
        if (position != position(headWord))
        {
            // returns the skipped padding to producers
            moveHead(position(headWord), word(elements, position));
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
        if (length > capacity - (index - cBase) - OVERHEAD ||
            type != WHOLE && type != BEGIN && type != MIDDLE && type != END && type != PADDING && type != REMOVED &&
            type != DROPPED)
        {
            throw new CorruptResourceException(description + " has a corrupt record in lane " + cLane +
                " at ring index " + (index - cBase) + " (length " + length + ", type " + type +
                "): unlink the queue and create it again");
        }
        return frame;
    }

    void consumeRecord()
    {
        // hands the record's bytes (and the padding before it) back to producers and counts the element as taken;
        // a producer already asleep is woken now, the fenced ring follows when the lock is released (or before
        // waiting)
        moveHead(position(meta.getLong(cHead)), nextHeadWord);
        producersUnrung = true;
        producerBell.ringIfWaiting();
    }
}
