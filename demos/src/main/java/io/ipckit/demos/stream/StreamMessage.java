package io.ipckit.demos.stream;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The producer/consumer demo's self-checking message: a sequence number, the send time and a checksum, then a
 * payload that is a function of the sequence number, so the consumer can verify each message and its order.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |              Sequence (-1: end of stream, count follows)       |
 *  +---------------------------------------------------------------+
 *  |                  Send Time (System.nanoTime)                  |
 *  +---------------------------------------------------------------+
 *  |                 Checksum of sequence and payload              |
 *  +---------------------------------------------------------------+
 *  |                       Payload ...                             |
 * </pre>
 */
final class StreamMessage
{
    static final int SEQUENCE_OFFSET = 0;
    static final int SEND_TIME_OFFSET = 8;
    static final int CHECKSUM_OFFSET = 16;
    static final int HEADER_LENGTH = 24;
    static final long END_OF_STREAM = -1;

    private StreamMessage()
    {
    }

    /**
     * Writes a message of {@code length} bytes (at least {@link #HEADER_LENGTH}).
     */
    static void write(final MutableDirectBuffer buffer, final int offset, final int length, final long sequence)
    {
        long checksum = mix(sequence);
        for (int i = HEADER_LENGTH; i < length; i++)
        {
            final byte b = (byte)(sequence * 31 + i);
            buffer.putByte(offset + i, b);
            checksum = (checksum ^ (b & 0xFF)) * 0x100000001b3L;
        }
        buffer.putLong(offset + SEQUENCE_OFFSET, sequence);
        buffer.putLong(offset + CHECKSUM_OFFSET, checksum);
        buffer.putLong(offset + SEND_TIME_OFFSET, System.nanoTime());
    }

    /**
     * @return true when the message's payload and checksum match its sequence number.
     */
    static boolean verify(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return false;
        }
        final long sequence = buffer.getLong(offset + SEQUENCE_OFFSET);
        long checksum = mix(sequence);
        for (int i = HEADER_LENGTH; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (b != (byte)(sequence * 31 + i))
            {
                return false;
            }
            checksum = (checksum ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return checksum == buffer.getLong(offset + CHECKSUM_OFFSET);
    }

    private static long mix(final long sequence)
    {
        return (0xcbf29ce484222325L ^ sequence) * 0x100000001b3L;
    }
}
