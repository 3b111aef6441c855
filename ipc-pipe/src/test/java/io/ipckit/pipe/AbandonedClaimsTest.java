package io.ipckit.pipe;

import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AbandonedClaims#pad} on each state a sender killed mid-claim leaves in Agrona's {@code OneToOneRingBuffer}
 * (2.6), built on a ring in memory: the committed records by the ring itself, the dead claim by writing its tail and
 * header words as the claim had when it died. After the pad, the reader gets exactly the committed messages, passes
 * the padding, stops at the tail, and the ring carries new messages for a few laps.
 */
class AbandonedClaimsTest
{
    private static final int CAPACITY = 1024;
    private static final int MASK = CAPACITY - 1;
    private static final int TYPE = 1;
    /** The record the helpers step with: a message of {@link #MESSAGE} bytes. */
    private static final int STEP = 64;
    private static final int MESSAGE = STEP - RecordDescriptor.HEADER_LENGTH;
    private static final int TAIL = CAPACITY + RingBufferDescriptor.TAIL_POSITION_OFFSET;

    private final UnsafeBuffer buffer =
        new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH));
    private final OneToOneRingBuffer ring = new OneToOneRingBuffer(buffer);
    /** Makes every message's bytes its own. */
    private int messages;

    @Test
    void shouldLeaveAnEmptyRingAlone()
    {
        assertUnchangedByPad();
        advance(2L * CAPACITY + 200);
        assertUnchangedByPad();
        assertReadsExactly();
        assertUsable();
    }

    @Test
    void shouldLeaveCommittedRecordsAlone()
    {
        advance(CAPACITY + 904);
        final byte[] first = send(MESSAGE);
        final byte[] second = send(MESSAGE); // after Agrona's padding of the ring's last 56 bytes
        final byte[] third = send(MESSAGE);
        assertEquals(RingBuffer.PADDING_MSG_TYPE_ID, typeAt(968), "precondition: the second message wrapped");
        assertUnchangedByPad();
        assertReadsExactly(first, second, third);
        assertUsable();
    }

    @Test
    void shouldIgnoreARingItsWritersCouldNotHaveMade()
    {
        buffer.putLong(TAIL, 2L * CAPACITY); // more than the ring holds
        assertUnchangedByPad();
        buffer.putLong(CAPACITY + RingBufferDescriptor.HEAD_POSITION_OFFSET, 3L * CAPACITY); // the head past the tail
        assertUnchangedByPad();
    }

    @Test
    void shouldPadAClaimNeverCommitted()
    {
        advance(CAPACITY + 256);
        final byte[] first = send(MESSAGE);
        final byte[] second = send(40);
        final int offset = ring.tryClaim(TYPE, 40);
        assertTrue(offset > 0, "the claim succeeded");
        buffer.putLong(offset, 0x0102030405060708L); // part of its body
        assertTrue(lengthAt(offset - RecordDescriptor.HEADER_LENGTH) < 0, "precondition: an uncommitted claim");
        assertPads(1, first, second);
    }

    @Test
    void shouldPadAClaimNeverCommittedAtTheHead()
    {
        advance(CAPACITY + 256);
        final int offset = ring.tryClaim(TYPE, MESSAGE);
        assertEquals(256 + RecordDescriptor.HEADER_LENGTH, offset, "the claim is at the head");
        assertPads(1);
    }

    @Test
    void shouldPadAClaimWhoseHeaderWasNeverWritten()
    {
        advance(256); // the first lap: the ring after the claim is still zero
        final byte[] first = send(MESSAGE);
        final byte[] second = send(MESSAGE);
        final long tail = ring.producerPosition();
        buffer.putLongVolatile(TAIL, tail + STEP); // killed after the tail moved
        assertEquals(0, lengthAt((int)tail & MASK), "precondition: the claim's header is zero");
        assertEquals(0, lengthAt((int)(tail + STEP) & MASK), "precondition: the header at the tail is zero");
        assertPads(1, first, second);
    }

    @Test
    void shouldStopTheReaderAtAStaleHeaderLeftAtTheTail()
    {
        advance(CAPACITY + 256);
        final byte[] first = send(MESSAGE);
        final byte[] second = send(MESSAGE);
        final long tail = ring.producerPosition();
        buffer.putLongVolatile(TAIL, tail + STEP); // killed before the claim zeroed the header after its record
        assertEquals(0, lengthAt((int)tail & MASK), "precondition: the claim's header is zero");
        assertEquals(STEP, lengthAt((int)(tail + STEP) & MASK), "precondition: the lap before's record at the tail");
        assertPads(1, first, second);
    }

    @Test
    void shouldPadAClaimEndingAtTheRingEndWhoseHeaderWasNeverWritten()
    {
        advance(CAPACITY + 768);
        final byte[] first = send(MESSAGE);
        final byte[] second = send(MESSAGE);
        final long tail = ring.producerPosition();
        assertEquals(CAPACITY - 2 * STEP, (int)tail & MASK, "precondition: two steps before the end");
        buffer.putLongVolatile(TAIL, tail + 2 * STEP); // killed before the claim zeroed the header at the ring's start
        assertEquals(0, lengthAt((int)tail & MASK), "precondition: the claim's header is zero");
        assertEquals(STEP, lengthAt(0), "precondition: the lap before's record at the ring's start, the tail");
        assertPads(1, first, second);
    }

    /**
     * The claim needed Agrona's padding of the ring's last 32 bytes, and its tail moved past the end: the header at
     * the ring's start, where the record was to go, and the one at the tail are still the lap before's.
     */
    @Test
    void shouldPadBothPartsOfAWrappedClaimWhoseHeaderWasNeverWritten()
    {
        final byte[][] committed = sendToThe32BytesBeforeTheEnd();
        final long tail = ring.producerPosition();
        buffer.putLongVolatile(TAIL, tail + 32 + STEP); // killed after the tail moved
        assertEquals(0, lengthAt((int)tail & MASK), "precondition: the header at the ring's end is zero");
        assertEquals(STEP, lengthAt(0), "precondition: the lap before's record at the ring's start");
        assertEquals(STEP, lengthAt(STEP), "precondition: the lap before's record at the tail");
        assertPads(2, committed);
    }

    @Test
    void shouldPadAClaimPlacedAtTheRingStartAfterAgronasPadding()
    {
        final byte[][] committed = sendToThe32BytesBeforeTheEnd();
        final int offset = ring.tryClaim(TYPE, MESSAGE);
        assertEquals(RecordDescriptor.HEADER_LENGTH, offset, "precondition: the claim wrapped to the ring's start");
        assertEquals(32, lengthAt(CAPACITY - 32), "precondition: Agrona's padding at the end");
        assertEquals(RingBuffer.PADDING_MSG_TYPE_ID, typeAt(CAPACITY - 32), "precondition: Agrona's padding's type");
        assertEquals(-STEP, lengthAt(0), "precondition: an uncommitted claim at the ring's start");
        assertPads(1, committed);
    }

    @Test
    void shouldPadAgronasPaddingLeftUncommittedAndTheClaimAfterIt()
    {
        final byte[][] committed = sendToThe32BytesBeforeTheEnd();
        final long tail = ring.producerPosition();
        buffer.putLongVolatile(TAIL, tail + 32 + STEP);
        buffer.putLong(0, 0L);
        buffer.putIntVolatile(RecordDescriptor.lengthOffset(CAPACITY - 32), -32); // killed before its commit
        assertEquals(STEP, lengthAt(STEP), "precondition: the lap before's record at the tail");
        assertPads(2, committed);
    }

    /**
     * @return three messages sent after an advance, their last ending 32 bytes before the ring's end of its third
     *         lap: the lap before left records at every {@link #STEP} of the ring.
     */
    private byte[][] sendToThe32BytesBeforeTheEnd()
    {
        advance(CAPACITY + 800);
        final byte[][] committed = {send(MESSAGE), send(MESSAGE), send(MESSAGE)};
        assertEquals(CAPACITY - 32, (int)ring.producerPosition() & MASK, "precondition: 32 bytes before the end");
        return committed;
    }

    private void assertPads(final int padding, final byte[]... committed)
    {
        assertEquals(padding, AbandonedClaims.pad(buffer), "padding records written");
        assertEquals(0, AbandonedClaims.pad(buffer), "padding records written by a second pad");
        assertReadsExactly(committed);
        assertUsable();
    }

    private void assertUnchangedByPad()
    {
        final byte[] before = contents();
        assertEquals(0, AbandonedClaims.pad(buffer), "padding records written");
        assertArrayEquals(before, contents(), "the ring after the pad");
    }

    /**
     * Reads the ring up to its tail (two reads when the records wrap), and not past it: a reader that passes it reads
     * the lap before's records.
     */
    private void assertReadsExactly(final byte[]... expected)
    {
        final List<byte[]> read = new ArrayList<>();
        final MessageHandler handler = (typeId, source, index, length) ->
        {
            assertEquals(TYPE, typeId, "type of message " + read.size());
            final byte[] message = new byte[length];
            source.getBytes(index, message);
            read.add(message);
        };
        long head = ring.consumerPosition();
        while (head < ring.producerPosition())
        {
            ring.read(handler);
            if (ring.consumerPosition() == head)
            {
                break; // stopped before the tail
            }
            head = ring.consumerPosition();
        }
        assertEquals(expected.length, read.size(), "messages read");
        for (int i = 0; i < expected.length; i++)
        {
            assertArrayEquals(expected[i], read.get(i), "message " + i);
        }
        assertEquals(ring.producerPosition(), ring.consumerPosition(), "the reader's position: the tail");
    }

    /**
     * Sends and reads batches of messages of varied lengths until three laps went through.
     */
    private void assertUsable()
    {
        final long start = ring.producerPosition();
        for (int round = 0; ring.producerPosition() - start < 3L * CAPACITY; round++)
        {
            final byte[][] batch = new byte[4][];
            for (int i = 0; i < batch.length; i++)
            {
                batch[i] = send((round * 37 + i * 29) % (ring.maxMsgLength() + 1));
            }
            assertReadsExactly(batch);
        }
    }

    /**
     * Sends and reads records of at most {@link #STEP} bytes until the ring is empty at the position.
     */
    private void advance(final long position)
    {
        while (ring.producerPosition() < position)
        {
            final long tail = ring.producerPosition();
            final long record = Math.min(Math.min(STEP, CAPACITY - ((int)tail & MASK)), position - tail);
            assertReadsExactly(send((int)record - RecordDescriptor.HEADER_LENGTH));
        }
        assertEquals(position, ring.producerPosition(), "the ring's position after the advance");
    }

    private byte[] send(final int length)
    {
        final byte[] message = new byte[length];
        for (int i = 0; i < length; i++)
        {
            message[i] = (byte)(messages * 31 + i);
        }
        messages++;
        assertTrue(ring.write(TYPE, new UnsafeBuffer(message), 0, length), "a send of " + length + " bytes");
        return message;
    }

    private int lengthAt(final int index)
    {
        return buffer.getIntVolatile(RecordDescriptor.lengthOffset(index));
    }

    private int typeAt(final int index)
    {
        return buffer.getInt(RecordDescriptor.typeOffset(index));
    }

    private byte[] contents()
    {
        final byte[] contents = new byte[buffer.capacity()];
        buffer.getBytes(0, contents);
        return contents;
    }
}
