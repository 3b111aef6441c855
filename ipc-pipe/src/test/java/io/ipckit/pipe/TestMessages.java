package io.ipckit.pipe;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.SplittableRandom;

/**
 * Self-checking test messages: {@code [int producer][long seq][payload]} where the payload length and every payload
 * byte follow from (producer, seq), so a receiver can tell a torn, shortened or mixed-up message from a good one.
 */
public final class TestMessages
{
    /** Bytes before the payload. */
    public static final int HEADER_LENGTH = Integer.BYTES + Long.BYTES;

    private TestMessages()
    {
    }

    /**
     * @param producer   the producer id.
     * @param seq        the sequence number.
     * @param maxPayload the largest payload.
     * @return the message length for that pair.
     */
    public static int length(final int producer, final long seq, final int maxPayload)
    {
        final SplittableRandom random = new SplittableRandom(producer * 1_000_003L + seq);
        final int roll = random.nextInt(10);
        final int payload = roll < 3 ? random.nextInt(16) : random.nextInt(maxPayload + 1);
        return HEADER_LENGTH + payload;
    }

    /**
     * Writes the message for (producer, seq) at offset 0.
     *
     * @return its length.
     */
    public static int encode(final int producer, final long seq, final int maxPayload, final MutableDirectBuffer buffer)
    {
        final int length = length(producer, seq, maxPayload);
        buffer.putInt(0, producer);
        buffer.putLong(Integer.BYTES, seq);
        for (int i = HEADER_LENGTH; i < length; i++)
        {
            buffer.putByte(i, payloadByte(producer, seq, i));
        }
        return length;
    }

    /**
     * Checks a message and returns its producer and sequence packed as {@code producer << 40 | seq}.
     *
     * @throws AssertionError when the message is torn or corrupt.
     */
    public static long verify(final DirectBuffer buffer, final int offset, final int length, final int maxPayload)
    {
        if (length < HEADER_LENGTH)
        {
            throw new AssertionError("message of " + length + " bytes is shorter than its header");
        }
        final int producer = buffer.getInt(offset);
        final long seq = buffer.getLong(offset + Integer.BYTES);
        final int expected = length(producer, seq, maxPayload);
        if (expected != length)
        {
            throw new AssertionError("message " + producer + "/" + seq + " is " + length + " bytes, expected " + expected);
        }
        for (int i = HEADER_LENGTH; i < length; i++)
        {
            if (buffer.getByte(offset + i) != payloadByte(producer, seq, i))
            {
                throw new AssertionError("message " + producer + "/" + seq + " is corrupt at byte " + i);
            }
        }
        return ((long)producer << 40) | seq;
    }

    private static byte payloadByte(final int producer, final long seq, final int index)
    {
        return (byte)(producer * 31 + seq * 17 + index * 7);
    }
}
