package io.ipckit.bench.harness.messaging;

import org.agrona.MutableDirectBuffer;

/**
 * The self-checking message every messaging workload sends, so that a fast but wrong transport fails the run.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Sequence (per producer)                   |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Producer id                          |
 *  +---------------------------------------------------------------+
 *  |                        Length in bytes                        |
 *  +---------------------------------------------------------------+
 *  |       Check words: word(sequence, producer, offset) ...      ...
 *  ...                                                             |
 *  +---------------------------------------------------------------+
 * </pre>
 * The length is a multiple of 8 and at least {@value #MIN_LENGTH}. Each receiver adds {@link #checksum} of every
 * message it sees; the harness compares the sum with {@link #expectedChecksum} for the counts the producers
 * report, and the receivers check each word and the per-producer order.
 */
public final class Payload
{
    /** Offset of the sequence number. */
    public static final int SEQUENCE_OFFSET = 0;
    /** Offset of the producer id. */
    public static final int PRODUCER_OFFSET = 8;
    /** Offset of the length. */
    public static final int LENGTH_OFFSET = 12;
    /** Offset of the first check word. */
    public static final int WORDS_OFFSET = 16;
    /** The shortest payload: header and one check word. */
    public static final int MIN_LENGTH = WORDS_OFFSET + 8;

    private Payload()
    {
    }

    /**
     * Writes a message.
     *
     * @param buffer   where to write.
     * @param offset   where the message starts.
     * @param length   its length, a multiple of 8, at least {@value #MIN_LENGTH}.
     * @param producer the producer id.
     * @param sequence the sequence number, from 0 per producer.
     */
    public static void encode(
        final MutableDirectBuffer buffer, final int offset, final int length, final int producer, final long sequence)
    {
        buffer.putLong(offset + SEQUENCE_OFFSET, sequence);
        buffer.putInt(offset + PRODUCER_OFFSET, producer);
        buffer.putInt(offset + LENGTH_OFFSET, length);
        for (int i = WORDS_OFFSET; i < length; i += 8)
        {
            buffer.putLong(offset + i, word(sequence, producer, i));
        }
    }

    /**
     * Writes only a message's header (sequence, producer, length), for {@link CheckMode#SEQUENCE}: the rest of the
     * message is whatever the buffer held.
     *
     * @param buffer   where to write.
     * @param offset   where the message starts.
     * @param length   its length, at least {@value #WORDS_OFFSET}.
     * @param producer the producer id.
     * @param sequence the sequence number, from 0 per producer.
     */
    public static void encodeHeader(
        final MutableDirectBuffer buffer, final int offset, final int length, final int producer, final long sequence)
    {
        buffer.putLong(offset + SEQUENCE_OFFSET, sequence);
        buffer.putInt(offset + PRODUCER_OFFSET, producer);
        buffer.putInt(offset + LENGTH_OFFSET, length);
    }

    /**
     * @param sequence a sequence number.
     * @param producer a producer id.
     * @return the message's contribution to a receiver's checksum in {@link CheckMode#SEQUENCE}: no mixing, so that
     * the check costs an add.
     */
    public static long sequenceChecksum(final long sequence, final int producer)
    {
        return sequence + ((long)producer << 40);
    }

    /**
     * @param producer a producer id.
     * @param count    how many messages it sent (sequences 0 to count - 1).
     * @return the sum (modulo 2^64) of their {@link #sequenceChecksum}s.
     */
    public static long expectedSequenceChecksum(final int producer, final long count)
    {
        return (count * (count - 1) / 2) + count * ((long)producer << 40);
    }

    /**
     * @param sequence a sequence number.
     * @param producer a producer id.
     * @param offset   the word's offset in the message.
     * @return the check word at that offset.
     */
    public static long word(final long sequence, final int producer, final int offset)
    {
        return mix(sequence * 31 + ((long)producer << 40) + offset);
    }

    /**
     * @param sequence a sequence number.
     * @param producer a producer id.
     * @return the message's contribution to a receiver's checksum.
     */
    public static long checksum(final long sequence, final int producer)
    {
        return mix(sequence ^ ((long)producer << 48));
    }

    /**
     * @param producer a producer id.
     * @param count    how many messages it sent (sequences 0 to count - 1).
     * @return the sum (modulo 2^64) of their checksums.
     */
    public static long expectedChecksum(final int producer, final long count)
    {
        long sum = 0;
        for (long s = 0; s < count; s++)
        {
            sum += checksum(s, producer);
        }
        return sum;
    }

    /**
     * The SplitMix64 finalizer: every input bit affects every output bit.
     *
     * @param value any value.
     * @return its mix.
     */
    public static long mix(final long value)
    {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
