package io.ipckit.queue;

import io.ipckit.core.internal.wait.AsymmetricFence;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.MessageAssembler;
import io.ipckit.core.internal.kit.BiasedOwnerLock;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.Waiter;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;


import java.util.concurrent.TimeUnit;

import static io.ipckit.core.internal.kit.MessageAssembler.BEGIN;
import static io.ipckit.core.internal.kit.MessageAssembler.END;
import static io.ipckit.core.internal.kit.MessageAssembler.MIDDLE;
import static io.ipckit.core.internal.kit.MessageAssembler.WHOLE;
import static io.ipckit.queue.QueueDescriptor.*;
import static io.ipckit.queue.RecordDescriptor.ALIGNMENT;
import static io.ipckit.queue.RecordDescriptor.FRAME_OFFSET;
import static io.ipckit.queue.RecordDescriptor.OVERHEAD;
import static io.ipckit.queue.RecordDescriptor.PAYLOAD_OFFSET;
import static io.ipckit.queue.RecordDescriptor.TRAILER_LENGTH;
import static io.ipckit.queue.RecordDescriptor.PADDING;
import static io.ipckit.queue.RecordDescriptor.REMOVED;
import static io.ipckit.queue.RecordDescriptor.commitStamp;
import static io.ipckit.queue.RecordDescriptor.frame;
import static io.ipckit.queue.RecordDescriptor.frameLength;
import static io.ipckit.queue.RecordDescriptor.frameType;
import static io.ipckit.queue.RecordDescriptor.recordLength;
import static io.ipckit.queue.RecordDescriptor.stampIndex;

/**
 * A multi-producer multi-consumer FIFO queue over byte rings called lanes ({@link LaneDescriptor}). By default there
 * is one lane, shared by all producers under its producer lock, and the queue is first-in first-out across all
 * processes. With {@link QueueOptions#producerLanes(int) exclusive lanes}, a producing handle claims one and writes it
 * as a single-producer ring, with no lock and no fence per element; handles that find no free lane, and all producers
 * of a queue with an element bound, share lane 0. Consumers take from any lane holding that lane's consumer lock for
 * one call, so with exclusive lanes each handle's elements come out in the order it put them (Python's guarantee for
 * one process) while elements of different handles interleave in no defined order. Locks and lanes are taken over
 * from dead holders.
 * <p>
 * Note to maintainers — the invariants that make it crash-safe:
 * <ul>
 * <li>A lane's tail word (element count and byte position) is written only by its producer (the owner of an
 * exclusive lane, the lock holder of lane 0), with one release store after the record bytes; the head word likewise
 * by the lane's consumer lock holder after the record was handed over. A process killed anywhere leaves either the
 * old or the new word, so no torn record is ever visible and no
 * committed one is lost (a consumer killed while handing a whole record over leaves it to the next consumer, which
 * hands it over again; an element split over several records is taken fragment by fragment as they are assembled,
 * so a consumer killed while handing one over takes it with it).</li>
 * <li>A removal ({@code remove(Object)}) also runs under the lane's consumer lock: it writes the head word it is about
 * to store into the lane's removal words first, then marks the element's first record REMOVED, then stores the head
 * word; whoever takes the lock over from a remover killed in between finishes it from those words.</li>
 * <li>A message longer than one record is written as BEGIN (carrying the writer's token), MIDDLE..., END while the
 * writer keeps its lane, so fragments of two messages never interleave; the lane's "message in progress" word holds
 * the message's id meanwhile. The reader keeps the consumer lock until END, so one consumer gets the whole message.
 * A reader whose writer died, or gave up (a timeout clears the word), discards the partial message; a reader that finds the rest of a message whose start a dead
 * consumer took skips it ({@link MessageAssembler}).</li>
 * <li>The tail word publishes; each record's commit stamp ({@link RecordDescriptor}, in the trailer of the record
 * before it) is stored after it and only tells consumers early. A consumer takes a record when its stamp names the
 * head position, or when the tail word (read by a look without a stamp at most every {@code TAIL_READ_INTERVAL_NS},
 * and whenever it waits) lies past it, so the head never passes the tail. A producer zeroes a record's trailer before
 * publishing it, except when the record fills the ring exactly: the trailer then holds the head record's stamp.</li>
 * <li>Lane 0's producer lock and every lane's consumer lock are {@link BiasedOwnerLock}s: a lone handle keeps them
 * between calls; {@link #offerFast} is the put of a handle that holds its lane that way (or exclusively).</li>
 * <li>Element counts are kept modulo 2^24 and the ring holds at most capacity / 8 records, below 2^24.</li>
 * </ul>
 * Threads of one handle are serialised by its two {@link HandleGate}s, see {@link QueueCore}.
 */
final class FifoQueueCore implements QueueCore
{
    private static final int POSITION_BITS = 40;
    private static final long POSITION_MASK = (1L << POSITION_BITS) - 1;
    private static final int COUNT_MASK = (1 << 24) - 1;

    private final ResourceFile file;
    private final AtomicBuffer meta;
    private final UnsafeBuffer data;
    private final String description;
    private final int capacity;
    private final int mask;
    private final int maxElements;
    private final int maxMessageBytes;
    private final int maxRecordPayload;
    private final boolean joinable;
    private final int laneCount;
    private final int lanesOffset;
    private final int doneOffset;
    private final BiasedOwnerLock producerLock = new BiasedOwnerLock();
    /** One per lane: each holds this handle's bias state for that lane's consumer lock. */
    private final BiasedOwnerLock[] consumerLocks;
    private BiasedOwnerLock consumerLock;
    /** A consumer lock of some lane may be waiting for its biased holder (see {@link #abandonConsumerTakings()}). */
    private boolean consumerTakingsBegun;
    private final Doorbell producerBell = new Doorbell();
    private final Doorbell consumerBell = new Doorbell();
    private final Doorbell joinBell = new Doorbell();
    private final Waiter producerWaiter;
    private final Waiter consumerWaiter;
    private final Waiter streamWaiter;
    private final IdleStrategy idleStrategy;
    private final HandleGate producerGate = new HandleGate();
    private final CloseGuard guard;
    private final HandleGate consumerGate = new HandleGate();
    private final MessageAssembler assembler = new MessageAssembler();
    private final MessageAssembler walkAssembler = new MessageAssembler();
    private final ExpandableArrayBuffer stash = new ExpandableArrayBuffer(256);
    private final BufferHandler stashHandler = this::onStash;

    private boolean producerLocked;
    private boolean consumerLocked;
    private boolean nonBlocking;
    private long producerTimeoutNs;
    private long pendingTailWord;
    private long streamWriter;
    private int stashLength = -1;
    private int recordIndex;
    private int recordPayloadLength;
    private int recordType;
    private long nextHeadWord;
    /** Producer side: this handle's lane, -1 before its first put; lane 0 is shared under its producer lock. */
    private int producerLane = -1;
    private boolean exclusiveLane;
    private int pTail;
    private int pHead;
    private int pInProgress;
    private int pBase;
    /** Producer side: absolute addresses of the lane's tail and head words and of its ring, for {@link #offerFast}. */
    private long pTailAddress;
    private long pHeadAddress;
    private long pRingAddress;
    /** Consumer side: the lane being taken from. */
    private int cLane = -1;
    private int cTail;
    private int cHead;
    private int cRemovalHead;
    private int cRemoving;
    private int cInProgress;
    private int cBase;
    /** Consumer side: absolute addresses of the lane's head word and of its ring, for {@link #takeWholeRecords}. */
    private long cHeadAddress;
    private long cRingAddress;
    private int nextLane;
    /** Consumer side: the id of the split element being assembled. */
    private long streamId;
    /** Producer side: a head word read earlier (never ahead of the real one), valid while {@link #cacheTail} is the tail. */
    private long headCache;
    /** Producer side: the tail this handle last published; another tail means another producer wrote since. */
    private long cacheTail = -1;
    /**
     * Consumer side, per lane: when a look at the lane's head commit stamp that found none last read its tail word
     * (per lane: one throttle for all would let the first lane's looks starve the others' forever).
     */
    private final long[] lastTailReadNs;
    /**
     * When to look whether a lock's holder is alive: the producer lock's, and each lane's consumer lock's (per lane, so
     * that a lane a live consumer keeps busy does not take every look).
     */
    private final LivenessCheckInterval producerHolderCheck = new LivenessCheckInterval();
    private final LivenessCheckInterval[] consumerHolderChecks;
    /** Consumer side, within one call: a lane whose tail word was read (-1 for none) and the position it held. */
    private int tailSeenLane = -1;
    private long tailSeen;
    /** Producer side: the ring index of the padding record reserved with the pending record, or -1. */
    private int pendingPaddingIndex = -1;
    private long pendingPaddingPosition;
    /** Producer side: the ring index and position of the record reserved and not yet published. */
    private int pendingRecordIndex;
    private long pendingRecordPosition;
    /** Records published whose consumers have not been rung yet (rung when the lock is released, or before waiting). */
    private boolean consumersUnrung;
    /** Records taken whose producers have not been rung yet (rung when the lock is released, or before waiting). */
    private boolean producersUnrung;

    FifoQueueCore(final ResourceFile file, final IdleStrategy idleStrategy)
    {
        this.file = file;
        this.meta = file.buffer();
        final int metadata = file.metadataOffset();
        this.capacity = meta.getInt(metadata + CAPACITY_OFFSET);
        this.mask = capacity - 1;
        this.maxElements = meta.getInt(metadata + MAX_ELEMENTS_OFFSET);
        this.maxMessageBytes = meta.getInt(metadata + MAX_MESSAGE_BYTES_OFFSET);
        this.joinable = (meta.getInt(metadata + FLAGS_OFFSET) & FLAG_JOINABLE) != 0;
        this.maxRecordPayload = capacity / 8 - OVERHEAD; // a record then takes at most an eighth of the ring
        this.laneCount = meta.getInt(metadata + LANE_COUNT_OFFSET);
        this.lanesOffset = metadata + lanesOffset();
        this.data = new UnsafeBuffer(meta.addressOffset() + file.headerLength(), laneCount * capacity);
        this.description = "queue \"" + file.name() + "\"";
        this.guard = new CloseGuard(description);
        this.doneOffset = metadata + DONE_COUNT_OFFSET;
        producerBell.wrap(meta, metadata + PRODUCER_DOORBELL_OFFSET);
        consumerBell.wrap(meta, metadata + CONSUMER_DOORBELL_OFFSET);
        producerLock.wrap(meta, laneWord(0, LaneDescriptor.PRODUCER_WORD_OFFSET), producerBell);
        this.consumerLocks = new BiasedOwnerLock[laneCount];
        this.lastTailReadNs = new long[laneCount];
        this.consumerHolderChecks = new LivenessCheckInterval[laneCount];
        java.util.Arrays.setAll(consumerHolderChecks, (lane) -> new LivenessCheckInterval());
        java.util.Arrays.fill(lastTailReadNs, System.nanoTime() - TAIL_READ_INTERVAL_NS);
        for (int lane = 0; lane < laneCount; lane++)
        {
            consumerLocks[lane] = new BiasedOwnerLock().wrap(
                meta, laneWord(lane, LaneDescriptor.CONSUMER_LOCK_OFFSET), consumerBell);
        }
        selectConsumerLane(0);
        // consumers of different handles start their rounds at different lanes, so they rarely meet on one
        this.nextLane = java.util.concurrent.ThreadLocalRandom.current().nextInt(laneCount);
        joinBell.wrap(meta, metadata + JOIN_DOORBELL_OFFSET);
        this.producerWaiter = new Waiter(producerBell, idleStrategy, guard);
        this.consumerWaiter = new Waiter(consumerBell, idleStrategy, guard);
        this.streamWaiter = new Waiter(consumerBell, idleStrategy, guard);
        this.idleStrategy = idleStrategy;
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

    @Override
    public String name()
    {
        return file.name();
    }

    @Override
    public HandleGate producerGate()
    {
        return producerGate;
    }

    private int laneWord(final int lane, final int wordOffset)
    {
        return lanesOffset + lane * LaneDescriptor.LENGTH + wordOffset;
    }

    private long tailWord(final int lane)
    {
        return meta.getLongAcquire(laneWord(lane, LaneDescriptor.TAIL_OFFSET));
    }

    private long headWord(final int lane)
    {
        return meta.getLongAcquire(laneWord(lane, LaneDescriptor.HEAD_OFFSET));
    }

    private static long messageId(final long wordAfterBegin)
    {
        return position(wordAfterBegin) | (1L << 62);
    }

    // ---------------------------------------------------------------------------------------------------- lanes

    /**
     * Gives this handle its lane before its first put: a free exclusive lane, one whose owner died, or else the
     * shared lane 0. The caller is inside the producer gate.
     */
    private void ensureProducerLane()
    {
        if (producerLane >= 0)
        {
            return;
        }
        int lane = 0;
        final long self = OwnerToken.current();
        for (int candidate = 1; candidate < laneCount && lane == 0; candidate++)
        {
            final int ownerOffset = laneWord(candidate, LaneDescriptor.PRODUCER_WORD_OFFSET);
            final long owner = meta.getLongVolatile(ownerOffset);
            if (owner == OwnerToken.NONE && meta.compareAndSetLong(ownerOffset, OwnerToken.NONE, self) ||
                owner != OwnerToken.NONE && owner != self && !OwnerToken.isAlive(owner) &&
                meta.compareAndSetLong(ownerOffset, owner, self))
            {
                lane = candidate;
                // a dead owner's split element stays incomplete: its readers discard it
                meta.putLongRelease(laneWord(lane, LaneDescriptor.IN_PROGRESS_OFFSET), 0L);
            }
        }
        producerLane = lane;
        exclusiveLane = lane != 0;
        pTail = laneWord(lane, LaneDescriptor.TAIL_OFFSET);
        pHead = laneWord(lane, LaneDescriptor.HEAD_OFFSET);
        pInProgress = laneWord(lane, LaneDescriptor.IN_PROGRESS_OFFSET);
        pBase = lane * capacity;
        pTailAddress = meta.addressOffset() + pTail;
        pHeadAddress = meta.addressOffset() + pHead;
        pRingAddress = data.addressOffset() + pBase;
        cacheTail = -1;
    }

    /**
     * Gives this handle's exclusive lane back (its elements stay for the consumers). The caller is inside the
     * producer gate.
     */
    private void releaseProducerLane()
    {
        if (exclusiveLane)
        {
            meta.putLongRelease(pInProgress, 0L); // no split element of this handle is in progress any more
            meta.compareAndSetLong(laneWord(producerLane, LaneDescriptor.PRODUCER_WORD_OFFSET),
                OwnerToken.current(), OwnerToken.NONE);
            exclusiveLane = false;
            producerLane = -1;
        }
    }

    /**
     * Gives up what the producer side keeps between calls: its exclusive lane, or the bias of the shared lane's
     * lock. The caller is inside the producer gate.
     */
    private void releaseProducerSide()
    {
        releaseProducerLane();
        producerLock.close();
    }

    /**
     * Gives up the biases of the lanes' consumer locks. The caller is inside the consumer gate.
     */
    private void releaseConsumerSide()
    {
        for (final BiasedOwnerLock lock : consumerLocks)
        {
            lock.close();
        }
    }

    /**
     * @return true when this handle keeps the shared lane's producer lock between calls. For tests.
     */
    boolean producerLockBiased()
    {
        return producerLock.isBiased();
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

    /**
     * @return the lane this handle puts into: 0 when shared, -1 before its first put. For tests and diagnostics.
     */
    int producerLane()
    {
        return producerLane;
    }

    private void selectConsumerLane(final int lane)
    {
        if (lane != cLane)
        {
            cLane = lane;
            cTail = laneWord(lane, LaneDescriptor.TAIL_OFFSET);
            cHead = laneWord(lane, LaneDescriptor.HEAD_OFFSET);
            cRemovalHead = laneWord(lane, LaneDescriptor.REMOVAL_HEAD_OFFSET);
            cRemoving = laneWord(lane, LaneDescriptor.REMOVING_OFFSET);
            cInProgress = laneWord(lane, LaneDescriptor.IN_PROGRESS_OFFSET);
            cBase = lane * capacity;
            cHeadAddress = meta.addressOffset() + cHead;
            cRingAddress = data.addressOffset() + cBase;
            consumerLock = consumerLocks[lane];
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
    private boolean laneHasRecords(final int lane, final boolean readTail)
    {
        final long position = position(headWord(lane));
        return isStamped(lane * capacity, position) ||
            publishedByTail(lane, position, readTail);
    }

    /**
     * @param laneBase the lane's first ring index in {@link #data}.
     * @param position a record position in that lane.
     * @return true when the trailer before it holds its commit stamp.
     */
    private boolean isStamped(final int laneBase, final long position)
    {
        return data.getIntVolatile(laneBase + stampIndex(position, mask)) == commitStamp(position);
    }

    /** How long after reading a lane's tail word a consumer that finds no stamp reads it again. */
    private static final long TAIL_READ_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private boolean publishedByTail(final int lane, final long position, final boolean readTail)
    {
        if (lane == tailSeenLane && before(position, tailSeen))
        {
            return true; // the lane's tail as this call read it: the record the lane check saw is taken next
        }
        final long nowNs = System.nanoTime(); // a look without a stamp: the consumer has nothing else to do
        if (!readTail && nowNs - lastTailReadNs[lane] < TAIL_READ_INTERVAL_NS)
        {
            return false;
        }
        lastTailReadNs[lane] = nowNs;
        final long tail = position(tailWord(lane));
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
    private void endConsumerCall()
    {
        tailSeenLane = -1;
        abandonConsumerTakings();
    }

    /**
     * @return true when {@code position} lies before {@code tail} (within one ring of it).
     */
    private boolean before(final long position, final long tail)
    {
        final long distance = (tail - position) & POSITION_MASK;
        return distance != 0 && distance <= capacity;
    }

    @Override
    public HandleGate consumerGate()
    {
        return consumerGate;
    }

    @Override
    public int maxMessageBytes()
    {
        return maxMessageBytes;
    }

    // ------------------------------------------------------------------------------------------------ producer

    @Override
    public boolean offer(
        final DirectBuffer src, final int offset, final int length, final long key, final long timeoutNs)
        throws InterruptedException
    {
        if (offerFast(src, offset, length))
        {
            return true;
        }
        try
        {
            startProducerCall(timeoutNs);
            ensureProducerLane();
            return write(src, offset, length);
        }
        finally
        {
            releaseProducerLock();
            producerWaiter.end();
        }
    }

    /**
     * The whole of a put that needs neither a lock nor a wait: one record into this handle's own lane (exclusive, or
     * the shared one held biased) with room for it before the ring's end, by the cached head. Straight-line code over
     * the lane's absolute addresses, read into locals before the first ordered access (after which the JIT would
     * read every field again): a put costs little besides the record's stores, the tail word and the stamp.
     *
     * @return true when published; false when the general path must do it (nothing was published).
     */
    private boolean offerFast(final DirectBuffer src, final int offset, final int length)
    {
        if (producerLane < 0 || length > maxRecordPayload || producerLocked)
        {
            return false;
        }
        src.boundsCheck(offset, length); // before the hold: nothing inside it throws
        final boolean exclusive = exclusiveLane;
        final long tailAddress = pTailAddress;
        final long ringAddress = pRingAddress;
        final long cachedTail = cacheTail;
        final int required = recordLength(length);
        if (!exclusive && !producerLock.enterBiased())
        {
            return false;
        }
        final long tailWord = tailWithRoomFor(tailAddress, cachedTail, 1, required);
        final boolean published = tailWord != NO_ROOM;
        if (published)
        {
            cacheTail = putRecordFast(ringAddress, tailAddress, tailWord, src, offset, length);
        }
        exitFastHold(exclusive, published);
        return published;
    }

    /**
     * The batch form of {@link #offerFast}, all or nothing: every message in one hold of the lane, or none when one
     * is too long for a record or they do not all fit before the ring's end and in the room by the head. A producer
     * killed in the middle of the batch leaves its first messages published, each whole, and none of the rest.
     *
     * @return {@code count} when all were published, 0 when the general path must send them.
     */
    private int offerFastBatch(
        final DirectBuffer src, final int[] offsets, final int[] lengths, final int start, final int count)
    {
        if (producerLane < 0 || producerLocked)
        {
            return 0;
        }
        final int end = start + count;
        long bytes = 0;
        for (int i = start; i < end; i++)
        {
            if (lengths[i] > maxRecordPayload)
            {
                return 0;
            }
            src.boundsCheck(offsets[i], lengths[i]); // before the hold: nothing inside it throws
            bytes += recordLength(lengths[i]);
        }
        if (bytes > capacity)
        {
            return 0;
        }
        final boolean exclusive = exclusiveLane;
        final long tailAddress = pTailAddress;
        final long ringAddress = pRingAddress;
        final long cachedTail = cacheTail;
        if (!exclusive && !producerLock.enterBiased())
        {
            return 0;
        }
        long tailWord = tailWithRoomFor(tailAddress, cachedTail, count, (int)bytes);
        final boolean published = tailWord != NO_ROOM;
        if (published)
        {
            for (int i = start; i < end; i++)
            {
                tailWord = putRecordFast(ringAddress, tailAddress, tailWord, src, offsets[i], lengths[i]);
            }
            cacheTail = tailWord;
        }
        exitFastHold(exclusive, published);
        return published ? count : 0;
    }

    /** What {@link #tailWithRoomFor} returns when the fast path cannot put: never a tail word (positions are
     * multiples of 8). */
    private static final long NO_ROOM = -1L;

    /**
     * Holding the lane: reads its tail word and checks that {@code bytes} of records for {@code elements} elements
     * fit before the ring's end (else a padding record comes first: the general path) and in the room by the head
     * (cached, then read again when the cache says no).
     *
     * @return the tail word, or {@link #NO_ROOM}.
     */
    private long tailWithRoomFor(final long tailAddress, final long cachedTail, final int elements, final int bytes)
    {
        final long tailWord = UnsafeApi.getLongVolatile(null, tailAddress);
        if (bytes > capacity - ((int)position(tailWord) & mask))
        {
            return NO_ROOM;
        }
        if (tailWord != cachedTail || !fits(tailWord, headCache, elements, bytes))
        {
            headCache = UnsafeApi.getLongAcquire(null, pHeadAddress);
            if (!fits(tailWord, headCache, elements, bytes))
            {
                return NO_ROOM;
            }
        }
        return tailWord;
    }

    /**
     * Holding the lane, with room checked: writes one whole record at the tail with its trailer zeroed, publishes the
     * tail word and stamps the record (see {@link #publishTail}).
     *
     * @return the new tail word.
     */
    private long putRecordFast(final long ringAddress, final long tailAddress, final long tailWord,
        final DirectBuffer src, final int offset, final int length)
    {
        final long tail = position(tailWord);
        final int required = recordLength(length);
        final long at = ringAddress + ((int)tail & mask);
        UnsafeApi.putInt(at + FRAME_OFFSET, frame(length, WHOLE));
        UnsafeApi.copyMemory(src.byteArray(), src.addressOffset() + offset, null, at + PAYLOAD_OFFSET, length);
        final long end = tail + required;
        if (trailerFree(end, headCache))
        {
            UnsafeApi.putInt(at + required - TRAILER_LENGTH, 0); // the next record's stamp, unset (see zeroTrailer)
        }
        final long newTailWord = word(count(tailWord) + 1, end);
        // release stores -> publish the record, then stamp it (see publishTail)
        UnsafeApi.putLongRelease(null, tailAddress, newTailWord);
        UnsafeApi.putIntRelease(null, ringAddress + stampIndex(tail, mask), commitStamp(tail));
        return newTailWord;
    }

    /** Ends the hold of {@link #offerFast}: the biased lock's active word, then the rings. */
    private void exitFastHold(final boolean exclusive, final boolean published)
    {
        if (!exclusive)
        {
            producerLock.exitBiased();
        }
        AsymmetricFence.progressSide(); // between the tail and active stores and the loads of the waiter counts
        if (published)
        {
            consumerBell.ringIfWaiting();
        }
        if (!exclusive)
        {
            producerBell.ringIfWaiting(); // a revoker waits for the active word
        }
    }

    /**
     * Sends many messages under one hold of the producer lock (or of the lane, by {@link #offerFastBatch}); message
     * {@code i} is {@code lengths[i]} bytes of {@code src} from {@code offsets[i]}, from {@code start} on.
     *
     * @return how many were sent before the time ran out.
     */
    int offerBatch(final DirectBuffer src, final int[] offsets, final int[] lengths, final int start,
        final int count, final long timeoutNs) throws InterruptedException
    {
        if (offerFastBatch(src, offsets, lengths, start, count) == count)
        {
            return count;
        }
        startProducerCall(timeoutNs);
        int sent = 0;
        try
        {
            ensureProducerLane();
            while (sent < count && write(src, offsets[start + sent], lengths[start + sent]))
            {
                sent++;
            }
            return sent;
        }
        finally
        {
            releaseProducerLock();
            producerWaiter.end();
        }
    }

    private boolean write(final DirectBuffer src, final int offset, final int length) throws InterruptedException
    {
        src.boundsCheck(offset, length); // before reserving: a reservation never ends in a half-written record
        if (length <= maxRecordPayload)
        {
            final int index = reserve(length, WHOLE, true);
            if (index < 0)
            {
                return false;
            }
            data.putBytes(index, src, offset, length);
            publishTail();
            return true;
        }
        int position = 0;
        boolean announced = false;
        boolean complete = false;
        try
        {
            while (position < length)
            {
                final boolean first = position == 0;
                final int chunk = Math.min(maxRecordPayload - (first ? Long.BYTES : 0), length - position);
                final int type = first ? BEGIN : position + chunk == length ? END : MIDDLE;
                int index = reserve(chunk + (first ? Long.BYTES : 0), type, first);
                if (index < 0)
                {
                    return false;
                }
                if (first)
                {
                    data.putLong(index, OwnerToken.current());
                    index += Long.BYTES;
                    meta.putLongRelease(pInProgress, messageId(pendingTailWord));
                    announced = true;
                }
                data.putBytes(index, src, offset + position, chunk);
                publishTail();
                if (type == END)
                {
                    meta.putLongRelease(pInProgress, 0L);
                    complete = true;
                }
                ringConsumers(); // a consumer may be waiting for this fragment while this producer holds the lane
                position += chunk;
            }
            return true;
        }
        finally
        {
            if (!complete && announced)
            {
                // gave up half-way (timeout, interruption, close, any exception): the readers discard the fragments
                meta.putLongRelease(pInProgress, 0L);
                consumersUnrung = true;
                ringConsumers();
            }
        }
    }

    /**
     * Zero-copy: reserves a record for {@code length} bytes, holding the producer lock until
     * {@link #commitClaim(int)} or {@link #abortClaim(int)}.
     *
     * @return the index in {@link #dataBuffer()}, or -1 when the time ran out.
     */
    int claim(final int length, final long timeoutNs) throws InterruptedException
    {
        if (length < 0 || length > maxRecordPayload)
        {
            throw new IllegalArgumentException("cannot claim " + length + " bytes in " + description +
                ": a claim holds 0.." + maxRecordPayload + " bytes; put longer elements with the copying methods");
        }
        startProducerCall(timeoutNs);
        try
        {
            ensureProducerLane();
            final int index = reserve(length, WHOLE, true);
            if (index < 0)
            {
                releaseProducerLock();
            }
            return index;
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            releaseProducerLock();
            throw ex;
        }
        finally
        {
            producerWaiter.end();
        }
    }

    void commitClaim(final int index)
    {
        if (!producerLocked)
        {
            throw new IllegalStateException("no claim to commit on " + description);
        }
        if (index != pendingRecordIndex + PAYLOAD_OFFSET)
        {
            // the bytes were written for another index: drop the claim rather than publish what it holds
            dropClaim();
            throw new IllegalArgumentException("commit(" + index + ") on " + description + ", whose claim was at " +
                (pendingRecordIndex + PAYLOAD_OFFSET) + ": the claim was dropped; pass the index claim returned");
        }
        publishTail();
        releaseProducerLock();
    }

    void abortClaim(final int index)
    {
        if (!producerLocked)
        {
            throw new IllegalStateException("no claim to abort on " + description);
        }
        // the pending claim is dropped whatever index is given; a wrong one is reported after, never written to
        final int claimed = pendingRecordIndex + PAYLOAD_OFFSET;
        dropClaim();
        if (index != claimed)
        {
            throw new IllegalArgumentException("abort(" + index + ") on " + description + ", whose claim was at " +
                claimed + ": the claim was dropped; pass the index claim returned");
        }
    }

    /** Publishes the pending claim as padding, which consumers pass over, and releases the producer lock. */
    private void dropClaim()
    {
        final int frameIndex = pendingRecordIndex + FRAME_OFFSET;
        data.putInt(frameIndex, frame(frameLength(data.getInt(frameIndex)), PADDING));
        pendingTailWord = word(count(pendingTailWord) - 1, position(pendingTailWord));
        publishTail();
        releaseProducerLock();
    }

    int maxClaimLength()
    {
        return maxRecordPayload;
    }

    AtomicBuffer dataBuffer()
    {
        return data;
    }

    private void startProducerCall(final long timeoutNs)
    {
        producerTimeoutNs = timeoutNs;
        nonBlocking = timeoutNs == 0;
    }

    private int reserve(final int payloadLength, final int type, final boolean newElement)
        throws InterruptedException
    {
        while (true)
        {
            final int sequence = producerWaiter.sequence();
            if (!producerLocked)
            {
                producerLocked = exclusiveLane || acquireSharedLane();
            }
            if (producerLocked)
            {
                final int index = tryReserve(payloadLength, type, newElement);
                if (index >= 0)
                {
                    return index;
                }
                if (nonBlocking)
                {
                    return -1;
                }
            }
            ringConsumers(); // never wait while consumers may sleep through records already published
            if (!producerWaiter.isActive())
            {
                // slow path: register as a waiter, then test once more before sleeping
                producerWaiter.begin(nonBlocking ? LOCK_GRACE_NS : producerTimeoutNs);
                continue;
            }
            if (!producerWaiter.pause(sequence))
            {
                return -1;
            }
        }
    }

    private boolean acquireSharedLane()
    {
        if (producerLock.tryAcquire() || producerLock.tryRevoke() ||
            producerHolderCheck.due() && producerLock.tryTakeOverFromDead())
        {
            if (producerLock.takeOverNotice() != OwnerToken.NONE)
            {
                // the dead holder's split element stays incomplete: its readers discard it
                meta.putLongRelease(pInProgress, 0L);
            }
            return true;
        }
        return false;
    }

    private int tryReserve(final int payloadLength, final int type, final boolean newElement)
    {
        pendingPaddingIndex = -1; // a reservation left by a call that threw is never stamped by a later one
        final long tailWord = meta.getLongVolatile(pTail);
        final long tail = position(tailWord);
        final int required = recordLength(payloadLength);
        int index = (int)tail & mask;
        final int toEnd = capacity - index;
        final int padding = required > toEnd ? toEnd : 0;
        // the cached head spares a read of the consumers' cache line per record; it is only ever behind the real
        // head, so it can only under-estimate the room, and it is dropped when another producer moved the tail
        final int bytes = padding + required;
        if (tailWord != cacheTail || !fits(tailWord, headCache, newElement, bytes))
        {
            headCache = meta.getLongAcquire(pHead);
            if (!fits(tailWord, headCache, newElement, bytes))
            {
                cacheTail = -1;
                return -1;
            }
        }
        if (padding > 0)
        {
            data.putInt(pBase + index + FRAME_OFFSET, frame(padding - OVERHEAD, PADDING));
            zeroTrailer(index, padding);
            pendingPaddingIndex = pBase + index;
            pendingPaddingPosition = tail;
            index = 0;
        }
        data.putInt(pBase + index + FRAME_OFFSET, frame(payloadLength, type));
        final long end = tail + padding + required;
        if (trailerFree(end, headCache))
        {
            zeroTrailer(index, required);
        }
        pendingRecordIndex = pBase + index;
        pendingRecordPosition = tail + padding;
        pendingTailWord = word(count(tailWord) + (newElement ? 1 : 0), end);
        return pBase + index + PAYLOAD_OFFSET;
    }

    /**
     * Zeroes the trailer of the record reserved at ring index {@code index}, {@code length} bytes long: the word that
     * will hold the commit stamp of the record after it, so that it reads as unpublished until that record is (it
     * may hold payload bytes or a stamp of an earlier lap, or bytes of a producer that died before publishing).
     */
    private void zeroTrailer(final int index, final int length)
    {
        data.putInt(pBase + index + length - TRAILER_LENGTH, 0);
    }

    /**
     * @return false when the ring is exactly full with a record ending at {@code end}: its trailer is then the word
     * before the head record, which holds the head record's stamp and must stay (it names a position a lap before
     * the next record's, so it never reads as that record's commit). Checked against the real head when the cached
     * one says full.
     */
    private boolean trailerFree(final long end, final long cachedHeadWord)
    {
        return ((end - position(cachedHeadWord)) & POSITION_MASK) < capacity ||
            ((end - position(meta.getLongAcquire(pHead))) & POSITION_MASK) < capacity;
    }

    private boolean fits(final long tailWord, final long headWord, final boolean newElement, final int bytes)
    {
        return fits(tailWord, headWord, newElement ? 1 : 0, bytes);
    }

    private boolean fits(final long tailWord, final long headWord, final int newElements, final int bytes)
    {
        if (maxElements > 0 && ((count(tailWord) - count(headWord)) & COUNT_MASK) + newElements > maxElements)
        {
            return false;
        }
        return ((position(tailWord) - position(headWord)) & POSITION_MASK) + bytes <= capacity;
    }

    private void publishTail()
    {
        // release store -> publishes the record bytes and the element count to consumers; they are rung when the
        // call ends (AsymmetricFence.progressSide() orders the store before the waiter counts) or before this
        // producer waits
        meta.putLongRelease(pTail, pendingTailWord);
        // release stores -> stamp the records after the tail: a consumer that sees a stamp finds the tail past it
        if (pendingPaddingIndex >= 0)
        {
            data.putIntRelease(pBase + stampIndex(pendingPaddingPosition, mask), commitStamp(pendingPaddingPosition));
            pendingPaddingIndex = -1;
        }
        data.putIntRelease(pBase + stampIndex(pendingRecordPosition, mask), commitStamp(pendingRecordPosition));
        cacheTail = pendingTailWord;
        consumersUnrung = true;
    }

    private void ringConsumers()
    {
        if (consumersUnrung)
        {
            consumersUnrung = false;
            consumerBell.ring();
        }
    }

    private void releaseProducerLock()
    {
        if (producerLocked)
        {
            producerLocked = false;
            if (!exclusiveLane)
            {
                producerLock.release();
            }
            AsymmetricFence.progressSide(); // between the tail and lock stores and the loads of the waiter counts
            if (consumersUnrung)
            {
                consumersUnrung = false;
                consumerBell.ringIfWaiting();
            }
            if (!exclusiveLane)
            {
                producerBell.ringIfWaiting();
            }
        }
        else
        {
            if (!exclusiveLane)
            {
                producerLock.abandon(); // a taking from a bias that was still waiting for its holder
            }
            ringConsumers();
        }
    }

    // ------------------------------------------------------------------------------------------------ consumer

    private static final int CONSUMED = 0;
    private static final int PROGRESSED = 1;
    private static final int LOCKED_OUT = 2;
    private static final int EMPTY = 3;
    private static final int ENTERED = 4;

    /**
     * Selects a lane and takes its consumer lock if it has records; a lane without any gives up a taking of its lock
     * begun while it had some.
     *
     * @return {@link #ENTERED} (the lock is held), {@link #EMPTY} or {@link #LOCKED_OUT}.
     */
    private int enterLane(final int lane)
    {
        if (!laneHasRecords(lane, consumerWaiter.isRegistered()))
        {
            consumerLocks[lane].abandon();
            return EMPTY;
        }
        selectConsumerLane(lane);
        return acquireConsumerLock() ? ENTERED : LOCKED_OUT;
    }

    @Override
    public boolean poll(final BufferHandler handler, final long timeoutNs) throws InterruptedException
    {
        if (deliverStash(handler))
        {
            return true;
        }
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
                    consumerWaiter.begin(timeoutNs == 0 ? LOCK_GRACE_NS : timeoutNs);
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
            consumerWaiter.end();
            endConsumerCall();
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
        int outcome = EMPTY;
        for (int i = 0; i < laneCount; i++)
        {
            final int lane = (nextLane + i) % laneCount;
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
                if (consumeOne(handler))
                {
                    nextLane = (lane + 1) % laneCount;
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

    @Override
    public int drain(final BufferHandler handler, final int limit) throws InterruptedException
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
        try
        {
            while (true)
            {
                final int sequence = consumerWaiter.sequence();
                boolean lockedOut = false;
                for (int i = 0; i < laneCount && count < limit; i++)
                {
                    final int lane = (nextLane + i) % laneCount;
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
                nextLane = (nextLane + 1) % laneCount;
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
    private boolean awaitLockedOutLanes(final int sequence) throws InterruptedException
    {
        if (!consumerWaiter.isActive())
        {
            consumerWaiter.begin(LOCK_GRACE_NS); // begins the wait; the lanes are looked at once more first
            return true;
        }
        return consumerWaiter.pause(sequence);
    }

    /**
     * Hands over the element a poll of this handle would take next, where it lies, leaving it in the queue for every
     * consumer: the first lane, in this handle's round-robin order, with records and a free consumer lock, read under
     * that lock. Only when the first element found is split over several records whose last one is not published
     * yet (still being written, or left by a writer that died or gave up) does peek take an element as a poll would:
     * it waits for the rest (or discards the remains and takes the next element) into this handle's stash, which its
     * next poll or peek returns.
     */
    @Override
    public boolean peek(final BufferHandler handler) throws InterruptedException
    {
        if (stashLength < 0)
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
            poll(stashHandler, 0);
        }
        return deliverStashWithoutTaking(handler);
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
     * not wait for data waits for them ({@link #LOCK_GRACE_NS}), then count as empty.
     */
    private int peekLanes() throws InterruptedException
    {
        try
        {
            while (true)
            {
                final int sequence = consumerWaiter.sequence();
                boolean lockedOut = false;
                for (int i = 0; i < laneCount; i++)
                {
                    final int lane = (nextLane + i) % laneCount;
                    final int entry = enterLane(lane);
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
                        releaseConsumerLock();
                    }
                    if (outcome != EMPTY)
                    {
                        return outcome;
                    }
                }
                if (!lockedOut || !awaitLockedOutLanes(sequence))
                {
                    return EMPTY;
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
        final long tail = position(meta.getLongAcquire(cTail));
        long position = position(meta.getLongVolatile(cHead));
        walkAssembler.discardPartial();
        while ((position & POSITION_MASK) != tail) // positions run on past 2^40 here, the tail word's wrap
        {
            final int index = cBase + ((int)position & mask);
            final int frame = checkedFrame(index);
            final int length = frameLength(frame);
            final int type = frameType(frame);
            position += recordLength(length);
            if (type == PADDING || type == REMOVED)
            {
                continue;
            }
            if (type == WHOLE || type == BEGIN)
            {
                walkElementIndex = index;
            }
            final int payload = index + PAYLOAD_OFFSET + (type == BEGIN ? Long.BYTES : 0);
            final int payloadLength = length - (type == BEGIN ? Long.BYTES : 0);
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
        }
        return walkAssembler.isAssembling() ? PEEK_INCOMPLETE : EMPTY;
    }

    @Override
    public void forEach(final BufferHandler handler) throws InterruptedException
    {
        deliverStashWithoutTaking(handler);
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
     * Takes out the first element the filter stops at, looking at this handle's stash first and then at lanes 0, 1,
     * ... in turn, each under its consumer lock (waiting for it). See {@link #markRemoved}.
     */
    @Override
    public boolean remove(final ElementFilter filter) throws InterruptedException
    {
        if (stashLength >= 0 && filter.stopAt(stash, 0, stashLength))
        {
            stashLength = -1;
            elementAbandoned();
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
        consumerWaiter.begin(-1);
        try
        {
            for (int lane = 0; lane < laneCount; lane++)
            {
                selectConsumerLane(lane);
                while (true)
                {
                    final int sequence = consumerWaiter.sequence();
                    if (acquireConsumerLock())
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
                            releaseConsumerLock();
                        }
                        break;
                    }
                    consumerWaiter.pause(sequence);
                }
            }
            return EMPTY;
        }
        finally
        {
            consumerWaiter.end();
            endConsumerCall();
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
     * between ({@link #completeDeadRemoval}; a live remover always clears them before it lets the lock go). In a
     * joinable queue the element counts as done first: a remover killed before its removal words lets {@code join}
     * return one task early (and the last {@code taskDone} throw) rather than never.
     */
    private void markRemoved(final int index)
    {
        elementAbandoned();
        final long headWord = meta.getLongVolatile(cHead);
        final long tail = position(meta.getLongAcquire(cTail));
        final long removedPosition = position(headWord) + ((index - cBase - (int)position(headWord)) & mask);
        long position = position(headWord);
        while ((position & POSITION_MASK) != tail) // positions run on past 2^40 here, the tail word's wrap
        {
            final int at = cBase + ((int)position & mask);
            final int frame = checkedFrame(at);
            final int type = frameType(frame);
            if (position != removedPosition && type != PADDING && type != REMOVED && type != MIDDLE && type != END)
            {
                break; // no consumer is in the middle of an element (it would hold the lock): fragments are orphans
            }
            position += recordLength(frameLength(frame));
        }
        final long removalHead = word(count(headWord) + 1, position);
        meta.putLong(cRemovalHead, removalHead);
        meta.putLongRelease(cRemoving, index - cBase + 1L);
        // release stores -> the record reads REMOVED, then the head counts it (and moves past it when it is first)
        data.putIntRelease(index + FRAME_OFFSET, frame(frameLength(data.getInt(index + FRAME_OFFSET)), REMOVED));
        meta.putLongRelease(cHead, removalHead);
        meta.putLongRelease(cRemoving, 0L);
        producersUnrung = true; // there may be room now; rung when the lock is released
    }

    /**
     * Holding a consumer lock whose removal words say a removal is under way: its remover died holding the lock (a
     * live one clears them before letting it go), so this completes it. Nothing else moved the head since, so the
     * head word tells whether the remover's store of it happened.
     *
     * @throws CorruptResourceException when the removal words cannot be a removal of this lane.
     */
    private void completeDeadRemoval(final long removing)
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
     * Gives up the takings of consumer locks from a bias that are still waiting for their holder, at the end of a
     * call (a consumer may begin one on each lane it looks at).
     */
    private void abandonConsumerTakings()
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

    private boolean acquireConsumerLock()
    {
        if (!consumerLocked)
        {
            consumerLocked = consumerLock.tryAcquire() || consumerLock.tryRevoke() ||
                consumerHolderChecks[cLane].due() && consumerLock.tryTakeOverFromDead();
            if (consumerLocked)
            {
                consumerLock.takeOverNotice(); // a dead consumer's partial element is discarded by the assembler
                final long removing = meta.getLongVolatile(cRemoving); // the lock's cache line: a cheap look
                if (removing != 0)
                {
                    try
                    {
                        completeDeadRemoval(removing);
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

    private void releaseConsumerLock()
    {
        if (consumerLocked)
        {
            consumerLocked = false;
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

    private void ringProducers()
    {
        if (producersUnrung)
        {
            producersUnrung = false;
            producerBell.ring();
        }
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
                if (!awaitFragmentOrDiscard())
                {
                    assembler.discardPartial();
                    elementAbandoned();
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
                elementAbandoned();
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
     * Hands over consecutive stamped WHOLE records of the selected lane, holding its consumer lock: one read of the
     * head word per call and one release store of it per record (after the handler, so that a consumer killed while
     * handing a record over leaves it to the next one). Stops at anything else (no stamp, padding, a split element),
     * which {@link #consumeOne} deals with.
     *
     * @return how many were handed over.
     */
    private int takeWholeRecords(final BufferHandler handler, final int limit)
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
            if (UnsafeApi.getIntVolatile(null, ringAddress + stampIndex(position, mask)) != commitStamp(position))
            {
                break; // not stamped (isStamped)
            }
            final int frame = UnsafeApi.getInt(ringAddress + ringIndex + FRAME_OFFSET);
            if (frameType(frame) != WHOLE)
            {
                break;
            }
            final int length = frameLength(frame);
            if (length > capacity - ringIndex - OVERHEAD)
            {
                checkedFrame(base + ringIndex); // throws: a whole record never runs past the ring's end
            }
            position += recordLength(length);
            final long next = word(++elements, position);
            taken++;
            producersUnrung = true; // rung when the lock is released
            try
            {
                handler.onMessage(data, base + ringIndex + PAYLOAD_OFFSET, length);
            }
            finally
            {
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

    private boolean nextRecord()
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
            if (type == PADDING || type == REMOVED)
            {
                position += recordLength(length); // a removed element was counted when it was removed
                continue;
            }
            recordIndex = index + PAYLOAD_OFFSET;
            recordPayloadLength = length;
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

    private int checkedFrame(final int index)
    {
        final int frame = data.getInt(index + FRAME_OFFSET);
        final int length = frameLength(frame);
        final int type = frameType(frame);
        if (length > capacity - (index - cBase) - OVERHEAD ||
            type != WHOLE && type != BEGIN && type != MIDDLE && type != END && type != PADDING && type != REMOVED)
        {
            throw new CorruptResourceException(description + " has a corrupt record in lane " + cLane +
                " at ring index " + (index - cBase) + " (length " + length + ", type " + type +
                "): unlink the queue and create it again");
        }
        return frame;
    }

    private void consumeRecord()
    {
        // release store -> hands the record's bytes back to producers and counts the element as taken; a producer
        // already asleep is woken now, the fenced ring follows when the lock is released (or before waiting)
        meta.putLongRelease(cHead, nextHeadWord);
        producersUnrung = true;
        producerBell.ringIfWaiting();
    }

    private boolean awaitFragmentOrDiscard() throws InterruptedException
    {
        try
        {
            return awaitFragment();
        }
        catch (final InterruptedException ex)
        {
            assembler.discardPartial();
            elementAbandoned();
            throw ex;
        }
    }

    private boolean awaitFragment() throws InterruptedException
    {
        ringProducers(); // the writer of the rest may be waiting for the room this consumer freed
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
                streamWaiter.pause(sequence);
            }
        }
        finally
        {
            streamWaiter.end();
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

    private boolean deliverStashWithoutTaking(final BufferHandler handler)
    {
        if (stashLength < 0)
        {
            return false;
        }
        handler.onMessage(stash, 0, stashLength);
        return true;
    }

    // --------------------------------------------------------------------------------------------------- sizes

    @Override
    public int size()
    {
        int size = 0;
        for (int lane = 0; lane < laneCount; lane++)
        {
            final long headWord = headWord(lane);
            size += (count(tailWord(lane)) - count(headWord)) & COUNT_MASK;
        }
        return size + (stashLength >= 0 ? 1 : 0);
    }

    private int elementsPut()
    {
        int put = 0;
        for (int lane = 0; lane < laneCount; lane++)
        {
            put += count(tailWord(lane));
        }
        return put;
    }

    @Override
    public int remainingCapacity()
    {
        return maxElements == 0 ? Integer.MAX_VALUE : Math.max(0, maxElements - size());
    }

    // ------------------------------------------------------------------------------------------------ joinable

    int unfinishedTasks()
    {
        return (int)((elementsPut() - meta.getLongVolatile(doneOffset)) & COUNT_MASK);
    }

    void taskDone()
    {
        while (true)
        {
            final long done = meta.getLongVolatile(doneOffset);
            if (((elementsPut() - done) & COUNT_MASK) == 0)
            {
                throw new IllegalStateException("taskDone() called more times than there were elements put in " +
                    description + " (Python's ValueError)");
            }
            if (meta.compareAndSetLong(doneOffset, done, done + 1))
            {
                joinBell.ring();
                return;
            }
        }
    }

    boolean join(final long timeoutNs) throws InterruptedException
    {
        final Waiter joinWaiter = new Waiter(joinBell, idleStrategy, guard);
        joinWaiter.begin(timeoutNs);
        try
        {
            while (true)
            {
                final int sequence = joinWaiter.sequence();
                if (unfinishedTasks() == 0)
                {
                    return true;
                }
                if (!joinWaiter.pause(sequence))
                {
                    return false;
                }
            }
        }
        finally
        {
            joinWaiter.end();
        }
    }

    private void elementAbandoned()
    {
        if (joinable)
        {
            meta.getAndAddLong(doneOffset, 1);
            joinBell.ring();
        }
    }

    // --------------------------------------------------------------------------------------------------- files

    @Override
    public CloseGuard guard()
    {
        return guard;
    }

    @Override
    public void close()
    {
        if (guard.closeAndAwait(producerBell, consumerBell, joinBell))
        {
            QueueCore.closeWhenIdle(file, producerGate, consumerGate, this::releaseProducerSide, this::releaseConsumerSide);
        }
    }

    @Override
    public boolean unlink()
    {
        return file.unlink();
    }

    @Override
    public String toString()
    {
        return description;
    }
}
