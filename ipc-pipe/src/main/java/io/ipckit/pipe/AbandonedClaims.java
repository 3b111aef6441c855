package io.ipckit.pipe;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Passes the records a dead sender claimed and never committed, for the process that takes its end over.
 * <p>
 * Agrona's {@code OneToOneRingBuffer} moves the ring's tail first, then writes the record's length negative, its
 * body, and its length positive: the commit. A sender killed in between (inside {@code send}, or between a zero-copy
 * {@code tryClaim} and its {@code commit}) leaves a record of zero or negative length that the reader stops at for
 * good, and every message of a later sender behind it. The new holder of the end is the ring's only writer, so before
 * it sends it turns each such record into padding, which the reader passes: the length word gives the record's size,
 * or, when the kill came before that word was written, the rest of the ring up to the tail (a claim never wraps).
 * <p>
 * Not thread-safe: called once, by the opener of an end, before its first send.
 */
final class AbandonedClaims
{
    private AbandonedClaims()
    {
    }

    /**
     * Turns the uncommitted records between the ring's head and tail into padding.
     *
     * @param ring the ring this end sends on, with its trailer.
     * @return how many records it turned into padding.
     */
    static int pad(final AtomicBuffer ring)
    {
        final int capacity = ring.capacity() - RingBufferDescriptor.TRAILER_LENGTH;
        final long head = ring.getLongVolatile(capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET);
        final long tail = ring.getLongVolatile(capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET);
        int padded = 0;
        long position = head;
        while (position < tail && tail - head <= capacity)
        {
            final int index = (int)position & (capacity - 1);
            final int length = ring.getIntVolatile(RecordDescriptor.lengthOffset(index));
            final int size = length > 0 ? BitUtil.align(length, RecordDescriptor.ALIGNMENT) :
                length < 0 ? BitUtil.align(-length, RecordDescriptor.ALIGNMENT) : (int)Math.min(tail - position, capacity);
            if (size <= 0 || size > capacity - index)
            {
                break; // not a record this ring's writer made: the reader's own checks report it
            }
            if (length <= 0)
            {
                ring.putInt(RecordDescriptor.typeOffset(index), RingBuffer.PADDING_MSG_TYPE_ID);
                // release store -> the reader sees the padding's type before its length
                ring.putIntRelease(RecordDescriptor.lengthOffset(index), size);
                padded++;
            }
            position += size;
        }
        return padded;
    }
}
