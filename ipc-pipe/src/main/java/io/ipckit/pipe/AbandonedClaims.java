package io.ipckit.pipe;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Passes the records a dead sender claimed and never committed, for the process that takes its end over.
 * <p>
 * Agrona's {@code OneToOneRingBuffer} (2.6) moves the ring's tail first; then, in its claim, it writes the padding of a
 * claim that wraps (zeroing the header at the ring's start first) and zeroes the header after the new record; then
 * the caller writes the record's length negative, its body, and its length positive: the commit. A sender killed in
 * between (inside {@code send}, or between a zero-copy {@code tryClaim} and its {@code commit}) leaves a record of
 * zero or negative length that the reader stops at for good, and every message of a later sender behind it.
 * <p>
 * The new holder of the end is the ring's only writer, so before it sends it turns what the dead sender left into
 * padding, which the reader passes. Only the last claim can be uncommitted, and the claim before it zeroed its header,
 * so the walk from the head meets committed records, then the dead claim:
 * <ul>
 * <li>a negative length gives the record's (or the wrap padding's) size;</li>
 * <li>a zero length, a claim whose header was never written: the rest up to the tail, across the ring's end when
 * the claim wrapped (the header at the ring's start may then be left from the lap before, so it is padded without
 * being read, before the part at the end is published).</li>
 * </ul>
 * The header at the tail may also be left from the lap before (a kill before the claim zeroed it): it is zeroed first,
 * so that a reader that passes the padding stops there. A claim leaves at least a header's room free, so that word is
 * never a record's.
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
     * @return how many padding records it wrote.
     */
    static int pad(final AtomicBuffer ring)
    {
        final int capacity = ring.capacity() - RingBufferDescriptor.TRAILER_LENGTH;
        final long head = ring.getLongVolatile(capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET);
        final long tail = ring.getLongVolatile(capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET);
        if (tail - head <= 0 || tail - head > capacity)
        {
            return 0; // empty, or not a ring this end's writers made: the reader's own checks report it
        }
        final int mask = capacity - 1;
        int padded = 0;
        boolean tailHeaderZeroed = false;
        long position = head;
        while (position < tail)
        {
            final int index = (int)position & mask;
            final int length = ring.getIntVolatile(RecordDescriptor.lengthOffset(index));
            final long rest = tail - position;
            if (length > 0)
            {
                final int size = BitUtil.align(length, RecordDescriptor.ALIGNMENT);
                if (size > capacity - index || size > rest)
                {
                    break;
                }
                position += size; // committed
                continue;
            }
            if (!tailHeaderZeroed)
            {
                ring.putLongVolatile((int)tail & mask, 0L);
                tailHeaderZeroed = true;
            }
            if (length < 0)
            {
                final int size = BitUtil.align(-length, RecordDescriptor.ALIGNMENT);
                if (size > capacity - index || size > rest)
                {
                    break;
                }
                padAt(ring, index, size);
                padded++;
                position += size;
                continue;
            }
            final int toEnd = capacity - index;
            if (rest > toEnd)
            {
                padAt(ring, 0, (int)(rest - toEnd)); // the wrapped record first: the reader reaches it second
                padAt(ring, index, toEnd);
                padded += 2;
            }
            else
            {
                padAt(ring, index, (int)rest);
                padded++;
            }
            break;
        }
        return padded;
    }

    private static void padAt(final AtomicBuffer ring, final int index, final int size)
    {
        ring.putInt(RecordDescriptor.typeOffset(index), RingBuffer.PADDING_MSG_TYPE_ID);
        // release store -> the reader sees the padding's type before its length
        ring.putIntRelease(RecordDescriptor.lengthOffset(index), size);
    }
}
