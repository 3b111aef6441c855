package io.ipckit.queue;

import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.pipe.internal.FileFaults;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ipckit.core.internal.kit.MessageAssembler.WHOLE;
import static io.ipckit.queue.LaneWords.count;
import static io.ipckit.queue.LaneWords.position;
import static io.ipckit.queue.LaneWords.word;
import static io.ipckit.queue.RecordDescriptor.FRAME_OFFSET;
import static io.ipckit.queue.RecordDescriptor.PADDING;
import static io.ipckit.queue.RecordDescriptor.PAYLOAD_OFFSET;
import static io.ipckit.queue.RecordDescriptor.REMOVED;
import static io.ipckit.queue.RecordDescriptor.frame;
import static io.ipckit.queue.RecordDescriptor.frameLength;
import static io.ipckit.queue.RecordDescriptor.recordLength;

/**
 * The zero-copy claims of one {@link FifoQueueCore} handle's producer side: a record reserved in the lane, written
 * in place by the caller, then committed (published) or aborted. Three paths make a claim: {@link #claimLean} (an
 * unordered queue's handle that holds its lane at once, held as a fast put is), {@link #claimFast} (the lane held at
 * once, held as the general path holds it) and {@link #claim}'s general path (which may wait for the lane and for
 * room). The lane stays held until the commit or the abort, which finish a claim of any path.
 * <p>
 * Note to maintainers — a claim in an ordered queue takes its ticket when it is made, and its commit publishes the
 * record that carries it, its abort a removed record, or an error clears the lane's announcement
 * ({@code ProducerLane#abandonTicket}): consumers then pass the ticket as they pass one lost with its producer.
 * <p>
 * Not thread-safe: the handle's producer {@link HandleGate} serialises the calls.
 */
abstract class ProducerClaims extends ProducerHold
{
    /** What {@link #claimLean} returns when {@link #claimFast} must try instead. */
    static final int NOT_LEAN = -2;

    /** The tail word a claim of {@link #claimLean} was made at; {@link #NO_ROOM} while none is outstanding. */
    private long leanClaimTail = NO_ROOM;
    /** The tail word that publishes the claim of {@link #claimLean}. */
    private long leanClaimNext;

    ProducerClaims(final AtomicBuffer meta, final UnsafeBuffer data, final String description, final int capacity,
        final int maxElements, final int laneCount, final int lanesOffset, final Doorbell producerBell,
        final Doorbell consumerBell, final Waiter producerWaiter, final FileFaults faults, final int ticketOffset)
    {
        super(meta, data, description, capacity, maxElements, laneCount, lanesOffset, producerBell, consumerBell,
            producerWaiter, faults, ticketOffset);
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
     * Zero-copy: reserves a record for {@code length} bytes, holding the producer lock until
     * {@link #commitClaim(int)} or {@link #abortClaim(int)}.
     *
     * @return the index in {@link FifoQueueCore#dataBuffer()}, or -1 when the time ran out.
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
     * The claim of an unordered queue's handle that holds its lane at once, held as
     * {@link FifoProducer#offerFast(byte[])} holds a put: the exclusive lane, or the shared lane's lock by the bias's
     * active word alone. With room by the cached head before the ring's end, it stores the record's frame word and
     * zeroed trailer and keeps the two tail words {@link #commitLean} needs. It writes none of the general path's
     * fields: each store of a claim waits in the store buffer behind the stores to the consumers' cache lines, and
     * dropping them raised the zero-copy 1 &rarr; 1 from about 0.72 to 0.77 times the raw ring's throughput
     * (bench/RESULTS.md, session 23). A kill in between leaves what
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
     * {@link #commitFast} stores them, then the hold ended as {@link FifoProducer#offerFast(byte[])} ends it, even when
     * a store faults (a ring another process truncated).
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
}
