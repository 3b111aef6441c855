package io.ipckit.queue;

import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.pipe.internal.FileFaults;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ipckit.core.internal.kit.MessageAssembler.BEGIN;
import static io.ipckit.core.internal.kit.MessageAssembler.END;
import static io.ipckit.core.internal.kit.MessageAssembler.MIDDLE;
import static io.ipckit.core.internal.kit.MessageAssembler.WHOLE;
import static io.ipckit.queue.LaneWords.messageId;
import static io.ipckit.queue.RecordDescriptor.recordLength;

/**
 * The producer side of one {@link FifoQueueCore} handle: it gives the handle a lane (an exclusive one when free,
 * else the shared lane 0 under its producer lock), reserves records at the lane's tail, writes them, and publishes
 * them. {@link #offerFast} is the whole put of a handle that holds its lane without a lock call (exclusively, or the
 * shared lane's lock held biased) and the record fits before the ring's end; everything else (padding, split
 * elements, waiting for room, taking the lock) goes through {@link #reserve}. Its superclasses, from the bottom:
 * {@link ProducerLane} writes the records, {@link ProducerHold} holds the lane and waits, {@link ProducerClaims}
 * makes the zero-copy claims.
 * <p>
 * Note to maintainers — the invariants this class keeps (those of the ring itself are in {@link ProducerLane}, of
 * the lane's hold in {@link ProducerHold}):
 * <ul>
 * <li>A message longer than one record is written as BEGIN (carrying the writer's token), MIDDLE..., END while the
 * writer keeps its lane, so fragments of two messages never interleave; the lane's "message in progress" word holds
 * the message's id meanwhile, and is cleared after END, or when the writer gives up (a timeout, an exception), so
 * that its readers discard the partial message. A producer that takes the shared lane's lock over from a dead
 * holder clears it too.</li>
 * <li>In an ordered queue, a put that took a ticket publishes the record that carries it, or clears the lane's
 * announcement when an error stops it first ({@code ProducerLane#abandonTicket}): consumers then pass the ticket
 * as they pass one lost with its producer.</li>
 * </ul>
 * Not thread-safe: the handle's producer {@link HandleGate} serialises the calls.
 */
final class FifoProducer extends ProducerClaims
{
    FifoProducer(final AtomicBuffer meta, final UnsafeBuffer data, final String description, final int capacity,
        final int maxElements, final int laneCount, final int lanesOffset, final Doorbell producerBell,
        final Doorbell consumerBell, final Waiter producerWaiter, final FileFaults faults, final int ticketOffset)
    {
        super(meta, data, description, capacity, maxElements, laneCount, lanesOffset, producerBell, consumerBell,
            producerWaiter, faults, ticketOffset);
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
     * killed in the middle of the batch publishes none of it ({@link #putRecordsFast}); in an ordered queue the batch
     * takes a block of tickets at once.
     *
     * @return {@code count} when all were published, 0 when the general path must send them.
     */
    private int offerFastBatch(
        final DirectBuffer src, final int[] offsets, final int[] lengths, final int start, final int count)
    {
        if (count == 0 || producerLane < 0 || producerLocked)
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
                tailWord = putRecordsFast(ringAddress, tailAddress, tailWord, src.byteArray(), src.addressOffset(),
                    offsets, lengths, start, end);
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
}
