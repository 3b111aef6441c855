package io.ipckit.queue;

import io.ipckit.core.internal.kit.BiasedOwnerLock;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.pipe.internal.FileFaults;
import io.ipckit.core.internal.wait.AsymmetricFence;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ipckit.core.internal.kit.MessageAssembler.BEGIN;
import static io.ipckit.core.internal.kit.MessageAssembler.END;
import static io.ipckit.core.internal.kit.MessageAssembler.MIDDLE;
import static io.ipckit.core.internal.kit.MessageAssembler.WHOLE;
import static io.ipckit.queue.LaneWords.messageId;
import static io.ipckit.queue.QueueCore.LOCK_GRACE_NS;
import static io.ipckit.queue.RecordDescriptor.PAYLOAD_OFFSET;

/**
 * The producer side of one {@link FifoQueueCore} handle: it gives the handle a lane (an exclusive one when free,
 * else the shared lane 0), reserves records at the lane's tail without a lock ({@link ProducerLane#tryReserve}),
 * writes them and commits them. {@link #offerFast} is the whole put of a record that finds room at once; everything
 * else (waiting for room, split elements, zero-copy claims) goes through {@link #reserve}.
 * <p>
 * Note to maintainers — the invariants this class keeps (those of the ring itself are in {@link ProducerLane}):
 * <ul>
 * <li>A message longer than one record is written as BEGIN (carrying the writer's token), MIDDLE..., END while the
 * writer holds lane 0's producer lock and its tail's {@link LaneWords#HELD} flag (an exclusive lane needs neither),
 * so fragments of two messages never interleave; the lane's "message in progress" word holds the message's id
 * meanwhile, and is cleared after END, or when the writer gives up (a timeout, an exception), so that its readers
 * discard the partial message. A producer that takes the lock over from a dead holder clears it, and the flag.</li>
 * <li>Lane 0's producer lock is a {@link BiasedOwnerLock}, taken only by writers of split elements and by producers
 * that find the tail held; puts of whole records never touch it.</li>
 * <li>Consumers are rung after the commit, with {@link AsymmetricFence#progressSide()} between the stores and the
 * loads of the waiter counts, and always before this producer waits, so a consumer never sleeps through a committed
 * record.</li>
 * </ul>
 * Not thread-safe: the handle's producer {@link HandleGate} serialises the calls.
 */
final class FifoProducer extends ProducerLane
{
    private final BiasedOwnerLock producerLock = new BiasedOwnerLock();
    private final Doorbell producerBell;
    private final Doorbell consumerBell;
    private final Waiter producerWaiter;
    /** When to look whether the shared lane's producer lock holder is alive. */
    private final LivenessCheckInterval producerHolderCheck = new LivenessCheckInterval();
    /** When a reservation that finds no room by the head hint reads the head word itself (see tryReserve). */
    private final LivenessCheckInterval headCheck = new LivenessCheckInterval();

    private boolean producerLocked;
    /** A zero-copy claim is reserved and neither committed nor aborted. */
    private boolean claimPending;
    private boolean nonBlocking;
    private long producerTimeoutNs;
    private final FileFaults faults;

    FifoProducer(final AtomicBuffer meta, final UnsafeBuffer data, final String description, final int capacity,
        final int maxElements, final int laneCount, final int lanesOffset, final Doorbell producerBell,
        final Doorbell consumerBell, final Waiter producerWaiter, final FileFaults faults)
    {
        this.faults = faults;
        super(meta, data, description, capacity, maxElements, laneCount, lanesOffset);
        this.producerBell = producerBell;
        this.consumerBell = consumerBell;
        this.producerWaiter = producerWaiter;
        producerLock.wrap(meta, laneWord(0, LaneDescriptor.PRODUCER_WORD_OFFSET), producerBell);
    }

    /**
     * Gives up what the producer side keeps between calls: a claim never committed (dropped), its exclusive lane,
     * or the bias of the shared lane's lock. The caller is inside the producer gate.
     */
    void releaseProducerSide()
    {
        if (claimPending)
        {
            claimPending = false;
            dropPending();
            ringConsumersIfWaiting();
        }
        releaseProducerLane();
        producerLock.close();
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
     * The whole of a put that needs no wait: one record reserved at once, written and committed.
     *
     * @return true when committed; false when the general path must do it (nothing was reserved).
     */
    private boolean offerFast(final DirectBuffer src, final int offset, final int length)
    {
        if (producerLane < 0 || length > maxRecordPayload || claimPending || producerLocked)
        {
            return false;
        }
        src.boundsCheck(offset, length); // before reserving: nothing after it throws
        final int index = tryReserve(length, WHOLE, true, false);
        if (index < 0)
        {
            return false;
        }
        data.putBytes(index, src, offset, length);
        commitPending();
        ringConsumersIfWaiting();
        return true;
    }

    /** Rings consumers waiting for committed records, with the fence the doorbell protocol asks for. */
    private void ringConsumersIfWaiting()
    {
        AsymmetricFence.progressSide(); // between the commit and the loads of the waiter counts
        consumersUnrung = false;
        consumerBell.ringIfWaiting();
    }

    /**
     * Sends many messages; message {@code i} is {@code lengths[i]} bytes of {@code src} from {@code offsets[i]}, from
     * {@code start} on.
     *
     * @return how many were sent before the time ran out.
     */
    int offerBatch(final DirectBuffer src, final int[] offsets, final int[] lengths, final int start,
        final int count, final long timeoutNs) throws InterruptedException
    {
        int sent = 0;
        while (sent < count && offerFast(src, offsets[start + sent], lengths[start + sent]))
        {
            sent++;
        }
        if (sent == count)
        {
            return count;
        }
        startProducerCall(timeoutNs);
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
            commitPending();
            return true;
        }
        if (!acquireTail())
        {
            return false;
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
                commitPending();
                if (type == END)
                {
                    meta.putLongRelease(pInProgress, 0L);
                    complete = true;
                }
                ringConsumers(); // a consumer may be waiting for this fragment while this producer holds the lane
                if (TEST_PAUSES && first)
                {
                    testPause(PAUSE_IN_SPLIT);
                }
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
            releaseTail();
        }
    }

    /**
     * For a split element: takes lane 0's producer lock (waiting for it) and sets its tail's HELD flag, so that no
     * other producer reserves until the element is written; on an exclusive lane, nothing to wait for.
     *
     * @return false when the time ran out.
     */
    private boolean acquireTail() throws InterruptedException
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
                holdTail();
                return true;
            }
            if (!awaitProducerProgress(sequence))
            {
                return false;
            }
        }
    }

    /**
     * Zero-copy: reserves a record for {@code length} bytes until {@link #commitClaim(int)} or
     * {@link #abortClaim(int)}.
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
        if (claimPending)
        {
            throw new IllegalStateException("a claim is pending on " + description + ": commit or abort it first");
        }
        if (producerLane >= 0 && !producerLocked)
        {
            final int fast = tryReserve(length, WHOLE, true, false);
            if (fast >= 0)
            {
                claimPending = true;
                return fast;
            }
        }
        startProducerCall(timeoutNs);
        try
        {
            ensureProducerLane();
            final int index = reserve(length, WHOLE, true);
            claimPending = index >= 0;
            return index;
        }
        finally
        {
            releaseProducerLock();
            producerWaiter.end();
        }
    }

    void commitClaim(final int index)
    {
        if (!claimPending)
        {
            throw new IllegalStateException("no claim to commit on " + description);
        }
        claimPending = false;
        if (index != pendingRecordIndex + PAYLOAD_OFFSET)
        {
            // the bytes were written for another index: drop the claim rather than publish what it holds
            final int claimed = pendingRecordIndex + PAYLOAD_OFFSET;
            dropPending();
            ringConsumersIfWaiting();
            throw new IllegalArgumentException("commit(" + index + ") on " + description + ", whose claim was at " +
                claimed + ": the claim was dropped; pass the index claim returned");
        }
        commitPending();
        ringConsumersIfWaiting();
    }

    void abortClaim(final int index)
    {
        if (!claimPending)
        {
            throw new IllegalStateException("no claim to abort on " + description);
        }
        // the pending claim is dropped whatever index is given; a wrong one is reported after, never written to
        claimPending = false;
        final int claimed = pendingRecordIndex + PAYLOAD_OFFSET;
        dropPending();
        ringConsumersIfWaiting();
        if (index != claimed)
        {
            throw new IllegalArgumentException("abort(" + index + ") on " + description + ", whose claim was at " +
                claimed + ": the claim was dropped; pass the index claim returned");
        }
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
            final int index = tryReserve(payloadLength, type, newElement,
                producerWaiter.isRegistered() || headCheck.due());
            if (index >= 0)
            {
                return index;
            }
            if (index == HELD_OUT)
            {
                // another producer writes a split element: wait for its lock, or take it over from a dead writer
                if (!producerLocked)
                {
                    producerLocked = acquireSharedLane();
                }
                if (producerLocked)
                {
                    releaseTail(); // the flag of a dead holder (a live one clears it before it lets the lock go)
                    continue;
                }
            }
            else if (nonBlocking)
            {
                return -1;
            }
            if (!awaitProducerProgress(sequence))
            {
                return -1;
            }
        }
    }

    /**
     * Waits for room or for the producer lock: rings consumers first, registers as a waiter on the first call (the
     * caller then looks once more), then pauses.
     *
     * @return false when the time ran out.
     */
    private boolean awaitProducerProgress(final int sequence) throws InterruptedException
    {
        ringConsumers(); // never wait while consumers may sleep through records already committed
        if (!producerWaiter.isActive())
        {
            // slow path: register as a waiter, then test once more before sleeping
            faults.checkSizeBeforeWait(); // before the wait registers on the doorbell: an atomic add there cannot fault safely
            producerWaiter.begin(nonBlocking ? LOCK_GRACE_NS : producerTimeoutNs);
            return true;
        }
        return producerWaiter.pause(sequence);
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
            AsymmetricFence.progressSide(); // between the commit and lock stores and the loads of the waiter counts
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
            if (consumersUnrung)
            {
                AsymmetricFence.progressSide(); // between the commit and the loads of the waiter counts
                consumersUnrung = false;
                consumerBell.ringIfWaiting();
            }
        }
    }
}
