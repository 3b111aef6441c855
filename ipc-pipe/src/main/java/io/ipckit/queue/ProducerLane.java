package io.ipckit.queue;

import io.ipckit.core.exceptions.CorruptResourceException;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ipckit.queue.LaneWords.COUNT_MASK;
import static io.ipckit.queue.LaneWords.HELD;
import static io.ipckit.queue.LaneWords.POSITION_MASK;
import static io.ipckit.queue.LaneWords.count;
import static io.ipckit.queue.LaneWords.counted;
import static io.ipckit.queue.LaneWords.position;
import static io.ipckit.queue.LaneWords.word;
import static io.ipckit.queue.RecordDescriptor.DROPPED;
import static io.ipckit.queue.RecordDescriptor.OVERHEAD;
import static io.ipckit.queue.RecordDescriptor.PADDING;
import static io.ipckit.queue.RecordDescriptor.PAYLOAD_OFFSET;
import static io.ipckit.queue.RecordDescriptor.STATE_OFFSET;
import static io.ipckit.queue.RecordDescriptor.commitStamp;
import static io.ipckit.queue.RecordDescriptor.committed;
import static io.ipckit.queue.RecordDescriptor.frame;
import static io.ipckit.queue.RecordDescriptor.frameLength;
import static io.ipckit.queue.RecordDescriptor.frameType;
import static io.ipckit.queue.RecordDescriptor.freeMarker;
import static io.ipckit.queue.RecordDescriptor.headerFrame;
import static io.ipckit.queue.RecordDescriptor.intent;
import static io.ipckit.queue.RecordDescriptor.isCommitted;
import static io.ipckit.queue.RecordDescriptor.isIntent;
import static io.ipckit.queue.RecordDescriptor.recordLength;

/**
 * The lane a {@link FifoProducer} writes and the record-level work on its ring: which lane the handle has, the room
 * between the tail and the (cached) head, reserving a record (and the padding before it at the ring's end), and
 * committing it. {@link FifoProducer} adds the protocol around it: waiting, split elements, batches and claims. It is
 * its superclass rather than a field so that the put path reaches these fields and methods with no object in
 * between.
 * <p>
 * Note to maintainers — the invariants of the ring this class writes (the record states are drawn in
 * {@link RecordDescriptor}):
 * <ul>
 * <li>A record is reserved by placing an intent in the header at the tail position, then moving the tail word past
 * it. On the shared lane both are compare-and-sets and need no lock: the intent's compare-and-set from the
 * position's free marker is what makes the record this producer's (two producers never both win a position, and a
 * producer whose tail read is a lap old never wins one, the marker naming the position); whoever finds an intent at
 * the tail moves the tail past it ({@link LaneWords#advanceTailPast}), so a reserver stopped between the two
 * stops nobody. An exclusive lane's owner stores both with plain and release stores.</li>
 * <li>The tail word's element count counts a record when it is reserved, so an element bound is kept exactly by
 * the compare-and-set; a record that will never be delivered (a claim aborted, a dead reserver's) is committed as
 * {@link RecordDescriptor#DROPPED}, which consumers count as taken.</li>
 * <li>A record is committed (the stamp stored into its state word, a release store) only after the tail is past
 * it, so a consumer taking committed records never passes the tail.</li>
 * <li>While lane 0's tail word carries {@link LaneWords#HELD}, only the holder of the producer lock (a writer of a
 * split element) places intents there, so the fragments of one element are contiguous; a producer that sees the
 * flag takes the lock (over from a dead holder after a liveness interval), which a live writer gives back only after
 * clearing the flag: a holder that finds the flag set clears it.</li>
 * <li>The cached head word is only ever behind the real one, so it can only under-estimate the room. It is
 * refreshed from the lane's head hint ({@link LaneDescriptor#HEAD_HINT_OFFSET}), never ahead of the head, and from
 * the head word itself only by a reservation told to ({@code readHead}: registered waits, and a look every liveness
 * interval), so that producers retrying a full ring do not take the head word's line from the consumer.</li>
 * </ul>
 * Not thread-safe: the handle's producer {@link HandleGate} serialises the calls.
 */
class ProducerLane
{
    /**
     * Test-only pause points, compiled away unless {@code ipckit.queue.testPauses} is true: a test's child process
     * sets {@link #testPause} and {@link #testPauseAt}, and is killed while paused at that point.
     */
    static final boolean TEST_PAUSES = Boolean.getBoolean("ipckit.queue.testPauses");
    /** Pause point: an intent placed, the tail not yet moved past it. */
    static final int PAUSE_AFTER_INTENT = 1;
    /** Pause point: the tail moved past the intent, the payload not yet written. */
    static final int PAUSE_AFTER_TAIL = 2;
    /** Pause point: a split element's first fragment committed, the producer lock and HELD flag held. */
    static final int PAUSE_IN_SPLIT = 3;
    static volatile int testPauseAt;
    static volatile Runnable testPause;

    static void testPause(final int point)
    {
        if (testPauseAt == point)
        {
            testPause.run();
        }
    }

    /** What {@link #tryReserve} returns when there is no room. */
    static final int NO_ROOM = -1;
    /** What {@link #tryReserve} returns when another producer writes a split element (lane 0 is held). */
    static final int HELD_OUT = -2;
    final AtomicBuffer meta;
    final UnsafeBuffer data;
    final String description;
    final int capacity;
    final int mask;
    final int maxElements;
    final int maxRecordPayload;
    final int laneCount;
    final int lanesOffset;
    /** This handle's lane, -1 before its first put; lane 0 is shared. */
    int producerLane = -1;
    boolean exclusiveLane;
    int pTail;
    int pHead;
    int pHeadHint;
    int pInProgress;
    int pBase;
    /** A head word read earlier (never ahead of the real one). */
    long headCache;
    /** The record reserved and not yet committed: its index in {@link #data}, position and frame. */
    int pendingRecordIndex = -1;
    long pendingRecordPosition;
    int pendingFrame;
    /** The lane's tail word just after the pending record (its position names a split element). */
    long pendingTailWord;
    /** True while this handle writes a split element: it owns lane 0's {@link LaneWords#HELD} flag. */
    boolean holdingTail;
    /** Records committed whose consumers have not been rung yet. */
    boolean consumersUnrung;

    ProducerLane(final AtomicBuffer meta, final UnsafeBuffer data, final String description, final int capacity,
        final int maxElements, final int laneCount, final int lanesOffset)
    {
        this.meta = meta;
        this.data = data;
        this.description = description;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxElements = maxElements;
        this.maxRecordPayload = capacity / 8 - OVERHEAD; // a record then takes at most an eighth of the ring
        this.laneCount = laneCount;
        this.lanesOffset = lanesOffset;
    }

    int laneWord(final int lane, final int wordOffset)
    {
        return LaneWords.laneWord(lanesOffset, lane, wordOffset);
    }

    /**
     * Gives this handle its lane before its first put: a free exclusive lane, one whose owner died, or else the
     * shared lane 0. The caller is inside the producer gate.
     */
    void ensureProducerLane()
    {
        if (producerLane >= 0)
        {
            return;
        }
        final int lane = LaneWords.claimExclusiveLane(meta, lanesOffset, laneCount);
        producerLane = lane;
        exclusiveLane = lane != 0;
        pTail = laneWord(lane, LaneDescriptor.TAIL_OFFSET);
        pHead = laneWord(lane, LaneDescriptor.HEAD_OFFSET);
        pHeadHint = laneWord(lane, LaneDescriptor.HEAD_HINT_OFFSET);
        pInProgress = laneWord(lane, LaneDescriptor.IN_PROGRESS_OFFSET);
        pBase = lane * capacity;
    }

    /**
     * Gives this handle's exclusive lane back (its elements stay for the consumers). The caller is inside the
     * producer gate.
     */
    void releaseProducerLane()
    {
        if (exclusiveLane)
        {
            LaneWords.releaseExclusiveLane(meta, lanesOffset, producerLane);
            exclusiveLane = false;
            producerLane = -1;
        }
    }

    /**
     * Reserves a record at the tail (after committing a padding record when it does not fit before the ring's end):
     * places its intent and moves the tail past it. The caller writes the payload and then {@link #commitPending()}.
     *
     * @param readHead true to read the lane's head word itself when its hint shows no room: a wait that registered,
     *                 or a look at most every liveness interval (a consumer killed between its last head store and
     *                 its hint store leaves the hint behind until a consumer takes from the lane again).
     * @return the payload's index in {@link #data}, {@link #NO_ROOM} or {@link #HELD_OUT}.
     */
    int tryReserve(final int payloadLength, final int type, final boolean newElement, final boolean readHead)
    {
        final int required = recordLength(payloadLength);
        final int elements = newElement ? 1 : 0;
        while (true)
        {
            final long tailWord = meta.getLongVolatile(pTail);
            if ((tailWord & HELD) != 0 && !holdingTail)
            {
                return HELD_OUT;
            }
            final long tail = position(tailWord);
            final int ringIndex = (int)tail & mask;
            final int toEnd = capacity - ringIndex;
            final boolean padding = required > toEnd;
            final int bytes = padding ? toEnd : required;
            if (!hasRoom(tailWord, padding ? 0 : elements, bytes, readHead))
            {
                return NO_ROOM;
            }
            final int index = pBase + ringIndex;
            final int frame = padding ? frame(toEnd - OVERHEAD, PADDING) : frame(payloadLength, type);
            if (!placeIntent(index, tailWord, frame, bytes, padding ? 0 : elements))
            {
                continue;
            }
            if (padding)
            {
                // release store -> the padding is committed at once; the record goes at the ring's start
                data.putIntRelease(index + STATE_OFFSET, commitStamp(tail));
                continue;
            }
            pendingRecordIndex = index;
            pendingRecordPosition = tail;
            pendingFrame = frame;
            pendingTailWord = word(count(tailWord) + elements, tail + required);
            return index + PAYLOAD_OFFSET;
        }
    }

    /**
     * Places an intent at the tail position and moves the tail past it.
     *
     * @return false when another producer's intent was there first (the tail was moved past it, so the caller
     * reads the tail again).
     */
    private boolean placeIntent(final int index, final long tailWord, final int frame, final int bytes,
        final int elements)
    {
        final long tail = position(tailWord);
        if (exclusiveLane)
        {
            data.putLong(index, intent(frame));
            // release store -> the intent is visible before the tail passes it
            meta.putLongRelease(pTail, word(count(tailWord) + elements, tail + bytes));
            return true;
        }
        // a plain read of the word first: it faults recoverably on a page a truncation took (FileFaults), and spares
        // a compare-and-set bound to fail
        final long marker = freeMarker(tail);
        if (data.getLong(index) == marker && data.compareAndSetLong(index, marker, intent(frame)))
        {
            if (TEST_PAUSES)
            {
                testPause(PAUSE_AFTER_INTENT);
            }
            LaneWords.advanceTailPast(meta, pTail, tail, bytes, elements);
            if (TEST_PAUSES)
            {
                testPause(PAUSE_AFTER_TAIL);
            }
            return true;
        }
        // lost to another intent at that position, or this tail read is stale (the position was reserved, committed
        // and even taken since, so its words hold a later lap's free markers): the header is trusted only while the
        // tail still stands at the position, for only the intent there moves it
        final long header = data.getLongVolatile(index);
        if (meta.getLongVolatile(pTail) != tailWord)
        {
            return false;
        }
        if (!isIntent(header, tail) && !isCommitted(header, tail))
        {
            throw corrupt(index, header); // neither free nor reserved at the tail, which has not moved
        }
        final int otherFrame = headerFrame(header);
        final int otherLength = frameLength(otherFrame);
        if (otherLength > capacity - (index - pBase) - OVERHEAD)
        {
            throw corrupt(index, header);
        }
        LaneWords.advanceTailPast(meta, pTail, tail, recordLength(otherLength), counted(frameType(otherFrame)));
        return false;
    }

    private CorruptResourceException corrupt(final int index, final long header)
    {
        return new CorruptResourceException(description + " has a corrupt record header in lane " + producerLane +
            " at ring index " + (index - pBase) + " (0x" + Long.toHexString(header) +
            "), where its tail is: unlink the queue and create it again");
    }

    /**
     * Commits the pending record: a release store of its stamp publishes its bytes to consumers, who are rung when
     * the call ends.
     */
    void commitPending()
    {
        data.putIntRelease(pendingRecordIndex + STATE_OFFSET, commitStamp(pendingRecordPosition));
        pendingRecordIndex = -1;
        consumersUnrung = true;
    }

    /**
     * Commits the pending record as {@link RecordDescriptor#DROPPED}: consumers pass over it and count it as taken.
     */
    void dropPending()
    {
        data.putLongRelease(pendingRecordIndex,
            committed(frame(frameLength(pendingFrame), DROPPED), pendingRecordPosition));
        pendingRecordIndex = -1;
        consumersUnrung = true;
    }

    private boolean hasRoom(final long tailWord, final int elements, final int bytes, final boolean readHead)
    {
        if (fits(tailWord, headCache, elements, bytes))
        {
            return true;
        }
        headCache = meta.getLongAcquire(pHeadHint); // see LaneDescriptor
        if (!fits(tailWord, headCache, elements, bytes) && readHead)
        {
            headCache = meta.getLongAcquire(pHead);
        }
        return fits(tailWord, headCache, elements, bytes);
    }

    boolean fits(final long tailWord, final long headWord, final int newElements, final int bytes)
    {
        if (maxElements > 0 && ((count(tailWord) - count(headWord)) & COUNT_MASK) + newElements > maxElements)
        {
            return false;
        }
        return ((position(tailWord) - position(headWord)) & POSITION_MASK) + bytes <= capacity;
    }

    /**
     * Sets lane 0's {@link LaneWords#HELD} flag for a split element; the caller holds the producer lock. An exclusive
     * lane needs no flag.
     */
    void holdTail()
    {
        if (!exclusiveLane)
        {
            LaneWords.setHeld(meta, pTail, true);
        }
        holdingTail = true;
    }

    /**
     * Clears lane 0's {@link LaneWords#HELD} flag, set by this handle or left by a dead lock holder; the caller holds
     * the producer lock.
     */
    void releaseTail()
    {
        if (!exclusiveLane)
        {
            LaneWords.setHeld(meta, pTail, false);
        }
        holdingTail = false;
    }

    /**
     * @return the lane this handle puts into: 0 when shared, -1 before its first put. For tests and diagnostics.
     */
    int producerLane()
    {
        return producerLane;
    }
}
