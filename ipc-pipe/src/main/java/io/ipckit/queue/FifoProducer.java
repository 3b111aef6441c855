package io.ipckit.queue;

import io.ipckit.core.internal.kit.BiasedOwnerLock;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.pipe.internal.FileFaults;
import io.ipckit.core.internal.wait.AsymmetricFence;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ipckit.core.internal.kit.MessageAssembler.BEGIN;
import static io.ipckit.core.internal.kit.MessageAssembler.END;
import static io.ipckit.core.internal.kit.MessageAssembler.MIDDLE;
import static io.ipckit.core.internal.kit.MessageAssembler.WHOLE;
import static io.ipckit.queue.LaneWords.count;
import static io.ipckit.queue.LaneWords.messageId;
import static io.ipckit.queue.LaneWords.position;
import static io.ipckit.queue.LaneWords.word;
import static io.ipckit.queue.QueueCore.LOCK_GRACE_NS;
import static io.ipckit.queue.RecordDescriptor.FRAME_OFFSET;
import static io.ipckit.queue.RecordDescriptor.PADDING;
import static io.ipckit.queue.RecordDescriptor.PAYLOAD_OFFSET;
import static io.ipckit.queue.RecordDescriptor.REMOVED;
import static io.ipckit.queue.RecordDescriptor.frame;
import static io.ipckit.queue.RecordDescriptor.frameLength;
import static io.ipckit.queue.RecordDescriptor.recordLength;

/**
 * The producer side of one {@link FifoQueueCore} handle: it gives the handle a lane (an exclusive one when free,
 * else the shared lane 0 under its producer lock), reserves records at the lane's tail, writes them, and publishes
 * them. {@link #offerFast} is the whole put of a handle that holds its lane without a lock call (exclusively, or the
 * shared lane's lock held biased) and the record fits before the ring's end; everything else (padding, split
 * elements, waiting for room, taking the lock, zero-copy claims) goes through {@link #reserve}.
 * <p>
 * Note to maintainers — the invariants this class keeps (those of the ring itself are in {@link ProducerLane}):
 * <ul>
 * <li>A message longer than one record is written as BEGIN (carrying the writer's token), MIDDLE..., END while the
 * writer keeps its lane, so fragments of two messages never interleave; the lane's "message in progress" word holds
 * the message's id meanwhile, and is cleared after END, or when the writer gives up (a timeout, an exception), so
 * that its readers discard the partial message. A producer that takes the shared lane's lock over from a dead
 * holder clears it too.</li>
 * <li>Lane 0's producer lock is a {@link BiasedOwnerLock}: a lone handle keeps it between calls, and
 * {@link #offerFast} enters it with {@link BiasedOwnerLock#enterBiased()} alone; bounds are checked before that
 * hold, so only an error (a fault, a {@link StackOverflowError}) can end it early, and the hold is let go then
 * too.</li>
 * <li>In an ordered queue, a put that took a ticket publishes the record that carries it, or clears the lane's
 * announcement when an error stops it first ({@code ProducerLane#abandonTicket}): consumers then pass the ticket
 * as they pass one lost with its producer.</li>
 * <li>Consumers are rung after the lock (or the biased hold) is let go, with
 * {@link AsymmetricFence#progressSide()} between the stores and the loads of the waiter counts, and always before
 * this producer waits, so a consumer never sleeps through a published record.</li>
 * </ul>
 * Not thread-safe: the handle's producer {@link HandleGate} serialises the calls.
 */
final class FifoProducer extends ProducerLane
{
    /** What {@link #claimLean} returns when {@link #claimFast} must try instead. */
    static final int NOT_LEAN = -2;

    private final String description;
    private final BiasedOwnerLock producerLock = new BiasedOwnerLock();
    private final Doorbell producerBell;
    private final Doorbell consumerBell;
    private final Waiter producerWaiter;
    /** When to look whether the shared lane's producer lock holder is alive. */
    private final LivenessCheckInterval producerHolderCheck = new LivenessCheckInterval();
    /** When a reservation that finds no room by the head hint reads the head word itself (see tryReserve). */
    private final LivenessCheckInterval headCheck = new LivenessCheckInterval();

    private boolean producerLocked;
    /** The claim held now was made by {@link #claimFast}: {@link #commitFast} may publish it. */
    private boolean fastClaim;
    /** The tail word a claim of {@link #claimLean} was made at; {@link #NO_ROOM} while none is outstanding. */
    private long leanClaimTail = NO_ROOM;
    /** The tail word that publishes the claim of {@link #claimLean}. */
    private long leanClaimNext;
    private boolean nonBlocking;
    private long producerTimeoutNs;
    private final FileFaults faults;

    FifoProducer(final AtomicBuffer meta, final UnsafeBuffer data, final String description, final int capacity,
        final int maxElements, final int laneCount, final int lanesOffset, final Doorbell producerBell,
        final Doorbell consumerBell, final Waiter producerWaiter, final FileFaults faults, final int ticketOffset)
    {
        this.faults = faults;
        super(meta, data, capacity, maxElements, laneCount, lanesOffset, ticketOffset);
        this.description = description;
        this.producerBell = producerBell;
        this.consumerBell = consumerBell;
        this.producerWaiter = producerWaiter;
        producerLock.wrap(meta, laneWord(0, LaneDescriptor.PRODUCER_WORD_OFFSET), producerBell);
    }

    /**
     * Gives up what the producer side keeps between calls: its exclusive lane, or the bias of the shared lane's
     * lock. The caller is inside the producer gate.
     */
    void releaseProducerSide()
    {
        adoptLeanClaim();
        releaseProducerLane();
        producerLock.close();
    }

    /**
     * @return true when the claim held now was made by {@link #claimFast} or {@link #claimLean}. For tests.
     */
    boolean fastClaimHeld()
    {
        return fastClaim || leanClaimTail != NO_ROOM;
    }

    /**
     * @return true when a claim made by {@link #claimLean} is outstanding and not adopted. For tests.
     */
    boolean leanClaimHeld()
    {
        return leanClaimTail != NO_ROOM;
    }

    /**
     * @return true when this handle holds the shared lane's producer lock word while waiting for its biased holder.
     *         For tests.
     */
    boolean producerTakingPending()
    {
        return producerLock.isPending();
    }

    /**
     * @return true when a call of this handle is registered as a waiter on the producers' doorbell. For tests.
     */
    boolean producerWaiting()
    {
        return producerWaiter.isRegistered();
    }

    /**
     * @return true when this handle keeps the shared lane's producer lock between calls. For tests.
     */
    boolean producerLockBiased()
    {
        return producerLock.isBiased();
    }

    boolean offer(
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
        src.boundsCheck(offset, length); // before the hold: nothing inside it throws but an error
        return offerFast(src.byteArray(), src.addressOffset() + offset, length);
    }

    /**
     * {@link #offerFast} of an element that is its own encoding, copied straight from its array: the caller need not
     * wrap it in a buffer it keeps, a reference store that G1's write barrier fences, twice per put.
     *
     * @param src the encoded element.
     * @return true when published; false when the general path must do it (nothing was published).
     */
    boolean offerFast(final byte[] src)
    {
        if (producerLane < 0 || src.length > maxRecordPayload || producerLocked)
        {
            return false;
        }
        return offerFast(src, BufferUtil.ARRAY_BASE_OFFSET, src.length);
    }

    private boolean offerFast(final Object srcBase, final long srcAddress, final int length)
    {
        final boolean exclusive = exclusiveLane;
        final long tailAddress = pTailAddress;
        final long ringAddress = pRingAddress;
        final long cachedTail = cacheTail;
        final int required = recordLength(length + ticketBytes);
        if (!exclusive && !producerLock.enterBiased())
        {
            return false;
        }
        boolean published = false;
        boolean ended = false;
        try
        {
            final long tailWord = tailWithRoomFor(tailAddress, cachedTail, 1, required);
            if (tailWord != NO_ROOM)
            {
                cacheTail = putRecordFast(ringAddress, tailAddress, tailWord, srcBase, srcAddress, length);
                published = true;
            }
            ended = true;
        }
        finally
        {
            exitFastHold(exclusive, published, ended);
        }
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
            src.boundsCheck(offsets[i], lengths[i]); // before the hold: nothing inside it throws but an error
            bytes += recordLength(lengths[i] + ticketBytes);
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
        boolean published = false;
        boolean ended = false;
        try
        {
            long tailWord = tailWithRoomFor(tailAddress, cachedTail, count, (int)bytes);
            if (tailWord != NO_ROOM)
            {
                for (int i = start; i < end; i++)
                {
                    tailWord = putRecordFast(ringAddress, tailAddress, tailWord, src.byteArray(),
                        src.addressOffset() + offsets[i], lengths[i]);
                }
                cacheTail = tailWord; // a cache: after an error, a stale one only costs a look at the head's hint
                published = true;
            }
            ended = true;
        }
        finally
        {
            exitFastHold(exclusive, published, ended);
        }
        return published ? count : 0;
    }

    /**
     * Ends the hold of {@link #offerFast}: the biased lock's active word, then the rings. A hold that an error ended
     * (a fault on a page of the source or of a truncated ring, a {@link StackOverflowError}) is let go all the same,
     * or a handle revoking the bias would wait for it while this process lives, and gives up the ticket it may have
     * taken.
     *
     * @param ended false when an error ended the hold: records it published are rung for.
     */
    private void exitFastHold(final boolean exclusive, final boolean published, final boolean ended)
    {
        if (!ended)
        {
            abandonTicket();
        }
        if (!exclusive)
        {
            producerLock.exitBiased();
        }
        AsymmetricFence.progressSide(); // between the tail and active stores and the loads of the waiter counts
        if (published || !ended)
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
            try
            {
                data.putBytes(index, src, offset, length);
                publishTail();
            }
            catch (final Throwable ex)
            {
                abandonTicket(); // an error between the ticket and the publication: see abandonTicket
                throw ex;
            }
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
            if (!complete)
            {
                abandonTicket(); // the first fragment's ticket, if an error came before its publication
            }
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
        final int fast = claimFast(length);
        if (fast >= 0)
        {
            return fast;
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
        catch (final Throwable ex)
        {
            abandonTicket(); // an error between the ticket and the claim's return: see abandonTicket
            releaseProducerLock();
            throw ex;
        }
        finally
        {
            producerWaiter.end();
        }
    }

    /**
     * The claim of a handle that has its lane and holds it at once (its exclusive lane, or the shared lane's lock by
     * its bias or free), with room for the record before the ring's end: {@link #tailWithRoomFor} and
     * {@link #reserveFast} instead of the general path's loop. The lock is held as the general path holds it, so
     * commit and abort finish either claim the same way, and a kill in between leaves what the general path leaves.
     * A length out of bounds is left to the general path, which reports it.
     *
     * @return the index, or -1 when the general path must claim (nothing is held then).
     */
    int claimFast(final int length)
    {
        if (producerLane < 0 || producerLocked || length < 0 || length > maxRecordPayload)
        {
            return -1;
        }
        final boolean exclusive = exclusiveLane;
        final long tailAddress = pTailAddress;
        final long cachedTail = cacheTail;
        if (!exclusive && !acquireSharedLane())
        {
            return -1;
        }
        producerLocked = true;
        try
        {
            final long tailWord = tailWithRoomFor(tailAddress, cachedTail, 1, recordLength(length + ticketBytes));
            if (tailWord == NO_ROOM)
            {
                releaseProducerLock();
                return -1;
            }
            fastClaim = true;
            return reserveFast(tailWord, length);
        }
        catch (final Throwable ex)
        {
            abandonTicket(); // an error between the ticket and the claim's return: see abandonTicket
            releaseProducerLock();
            throw ex;
        }
    }

    /**
     * The claim of an unordered queue's handle that holds its lane at once, held as {@link #offerFast} holds a put:
     * the exclusive lane, or the shared lane's lock by the bias's active word alone. With room by the cached head
     * before the ring's end, it stores the record's frame word and zeroed trailer and keeps the two tail words
     * {@link #commitLean} needs. It writes none of the general path's fields: each store of a claim waits in the store
     * buffer behind the stores to the consumers' cache lines, and dropping them raised the zero-copy 1 &rarr; 1 from
     * about 0.72 to 0.77 times the raw ring's throughput (bench/RESULTS.md, session 23). A kill in between leaves what
     * {@link #claimFast} leaves; a commit or abort that {@link #commitLean} does not finish first makes the claim a
     * general one ({@link #adoptLeanClaim}).
     *
     * @return the index; {@link #NOT_LEAN} when {@link #claimFast} must try (an ordered queue, no lane yet, a claim
     *         held, the bias not held, or a length out of bounds, which the general path reports); -1 when there is
     *         no room by the cached head (nothing is held then).
     */
    int claimLean(final int length)
    {
        if (ticketBytes != 0 || producerLane < 0 || producerLocked || length < 0 || length > maxRecordPayload)
        {
            return NOT_LEAN;
        }
        final boolean exclusive = exclusiveLane;
        final long tailAddress = pTailAddress;
        final long ringAddress = pRingAddress;
        final long cachedTail = cacheTail;
        final int required = recordLength(length);
        if (!exclusive && !producerLock.enterBiased())
        {
            return NOT_LEAN;
        }
        boolean claimed = false;
        try
        {
            final long tailWord = tailWithRoomFor(tailAddress, cachedTail, 1, required);
            if (tailWord == NO_ROOM)
            {
                return -1;
            }
            final long tail = position(tailWord);
            final int ringIndex = (int)tail & mask;
            final long end = tail + required;
            frameWholeRecord(ringAddress + ringIndex, end, length, required);
            leanClaimNext = word(count(tailWord) + 1, end);
            leanClaimTail = tailWord;
            claimed = true;
            return pBase + ringIndex + PAYLOAD_OFFSET;
        }
        finally
        {
            if (!claimed)
            {
                exitFastHold(exclusive, false, true);
            }
        }
    }

    /**
     * The commit of a claim {@link #claimLean} made, when {@code index} is its index: the tail word and the stamp, as
     * {@link #commitFast} stores them, then the hold ended as {@link #offerFast} ends it, even when a store faults
     * (a ring another process truncated).
     *
     * @return true when published; false when no such claim is outstanding or {@code index} is not its index (the
     *         general path then finishes the claim or reports the error).
     */
    boolean commitLean(final int index)
    {
        final long tailWord = leanClaimTail;
        if (tailWord == NO_ROOM)
        {
            return false;
        }
        final long tail = position(tailWord);
        if (index != pBase + ((int)tail & mask) + PAYLOAD_OFFSET)
        {
            return false;
        }
        final long next = leanClaimNext;
        leanClaimTail = NO_ROOM;
        boolean ended = false;
        try
        {
            publishWholeRecord(pTailAddress, pRingAddress, mask, next, tail);
            cacheTail = next;
            ended = true;
        }
        finally
        {
            exitFastHold(exclusiveLane, true, ended);
        }
        return true;
    }

    /**
     * Makes an outstanding claim of {@link #claimLean} a general one, held and pending as {@link #claimFast} leaves
     * its claims, so that {@link #commitClaim}, {@link #abortClaim} and a close finish it as they finish any claim.
     */
    private void adoptLeanClaim()
    {
        final long tailWord = leanClaimTail;
        if (tailWord == NO_ROOM)
        {
            return;
        }
        leanClaimTail = NO_ROOM;
        if (!exclusiveLane)
        {
            producerLock.adoptBiasedHold();
        }
        final long tail = position(tailWord);
        producerLocked = true;
        pendingPaddingIndex = -1;
        pendingRecordIndex = pBase + ((int)tail & mask);
        pendingRecordPosition = tail;
        pendingTailWord = leanClaimNext;
        pendingNewElement = true;
    }

    /**
     * The commit of a claim {@link #claimFast} made, when {@code index} is its index: the tail word and the stamp
     * stored over the lane's absolute addresses, as {@link #putRecordFast} stores them, then the lock let go as
     * {@link #commitClaim} lets it go.
     *
     * @return true when published; false when {@link #commitClaim} must finish the claim (or report the error).
     */
    boolean commitFast(final int index)
    {
        if (!fastClaim || index != pendingRecordIndex + PAYLOAD_OFFSET + ticketBytes)
        {
            return false;
        }
        final long tailWord = pendingTailWord;
        final long position = pendingRecordPosition;
        boolean published = false;
        try
        {
            publishWholeRecord(pTailAddress, pRingAddress, mask, tailWord, position);
            if (ticketBytes != 0)
            {
                clearAnnouncement(); // published: no ticket of this lane is missing
            }
            cacheTail = tailWord;
            published = true;
        }
        finally
        {
            if (published)
            {
                fastClaim = false;
                releaseHeldLane(true);
            }
            else
            {
                endClaimAfterError();
            }
        }
        return true;
    }

    void commitClaim(final int index)
    {
        adoptLeanClaim();
        if (!producerLocked)
        {
            throw new IllegalStateException("no claim to commit on " + description);
        }
        if (index != pendingRecordIndex + PAYLOAD_OFFSET + ticketBytes)
        {
            // the bytes were written for another index: drop the claim rather than publish what it holds
            dropClaim();
            throw new IllegalArgumentException("commit(" + index + ") on " + description + ", whose claim was at " +
                (pendingRecordIndex + PAYLOAD_OFFSET + ticketBytes) + ": the claim was dropped; pass the index claim " +
                "returned");
        }
        boolean published = false;
        try
        {
            publishTail();
            published = true;
        }
        finally
        {
            if (published)
            {
                releaseProducerLock();
            }
            else
            {
                endClaimAfterError();
            }
        }
    }

    void abortClaim(final int index)
    {
        adoptLeanClaim();
        if (!producerLocked)
        {
            throw new IllegalStateException("no claim to abort on " + description);
        }
        // the pending claim is dropped whatever index is given; a wrong one is reported after, never written to
        final int claimed = pendingRecordIndex + PAYLOAD_OFFSET + ticketBytes;
        dropClaim();
        if (index != claimed)
        {
            throw new IllegalArgumentException("abort(" + index + ") on " + description + ", whose claim was at " +
                claimed + ": the claim was dropped; pass the index claim returned");
        }
    }

    /**
     * Publishes the pending claim as padding, which consumers pass over, and releases the producer lock. In an ordered
     * queue the claim holds a ticket, so it is published as a removed element instead: consumers pass its ticket at
     * once (the element was never counted, as a removed one no longer is).
     */
    private void dropClaim()
    {
        boolean dropped = false;
        try
        {
            final int frameIndex = pendingRecordIndex + FRAME_OFFSET;
            data.putInt(frameIndex, frame(frameLength(data.getInt(frameIndex)), ticketBytes != 0 ? REMOVED : PADDING));
            pendingTailWord = word(count(pendingTailWord) - 1, position(pendingTailWord));
            publishTail();
            dropped = true;
        }
        finally
        {
            if (dropped)
            {
                releaseProducerLock();
            }
            else
            {
                endClaimAfterError();
            }
        }
    }

    /**
     * Ends a claim whose commit or abort an error broke (a fault on a page of a ring another process truncated): its
     * ticket given up and the lane let go, so that no other producer waits for a lock this live process would never
     * release, and the consumers rung, since the tail word may have been stored.
     */
    private void endClaimAfterError()
    {
        consumersUnrung = true;
        abandonTicket();
        releaseProducerLock();
    }

    int maxClaimLength()
    {
        return maxRecordPayload;
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
                final int index = tryReserve(payloadLength, type, newElement,
                    producerWaiter.isRegistered() || headCheck.due());
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
                faults.checkSizeBeforeWait(); // before the wait registers on the doorbell: an atomic add there cannot fault safely
                producerWaiter.begin(nonBlocking ? LOCK_GRACE_NS : producerTimeoutNs);
                continue;
            }
            if (producerLocked)
            {
                // holding the lane and short of room: only a take (which rings) ends this wait; a registered wait
                // reads the head word itself at each look, so a hint left behind by a killed consumer cannot hold it
                producerWaiter.peersWatched();
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
                // a ticket it took and never published is left to the consumers: nobody will publish it
                meta.putLongRelease(laneWord(0, LaneDescriptor.ANNOUNCE_OFFSET), 0L);
            }
            return true;
        }
        return false;
    }

    private void ringConsumers()
    {
        if (consumersUnrung)
        {
            consumersUnrung = false;
            consumerBell.ring();
        }
    }

    /**
     * Lets go of the lane this handle holds, then rings the consumers if records were published without a ring, and
     * the producers waiting for the lane.
     *
     * @param published true when the caller just published a record: the consumers are rung without first being
     *                  marked unrung (a store fewer on a fast commit's path).
     */
    private void releaseHeldLane(final boolean published)
    {
        producerLocked = false;
        if (!exclusiveLane)
        {
            producerLock.release();
        }
        AsymmetricFence.progressSide(); // between the tail and lock stores and the loads of the waiter counts
        boolean ring = published;
        if (consumersUnrung)
        {
            consumersUnrung = false;
            ring = true;
        }
        if (ring)
        {
            consumerBell.ringIfWaiting();
        }
        if (!exclusiveLane)
        {
            producerBell.ringIfWaiting();
        }
    }

    private void releaseProducerLock()
    {
        fastClaim = false;
        if (producerLocked)
        {
            releaseHeldLane(false);
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
}
