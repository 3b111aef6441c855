package io.ipckit.bench.harness.messaging;

import io.ipckit.bench.harness.VerificationException;
import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * Checks every received {@link Payload}: length, producer, every check word (in {@link CheckMode#FULL}), and a
 * strictly increasing sequence per producer (consecutive when the receiver is the producer's only one); counts them
 * and sums their checksums ({@link Payload#checksum} in full mode, {@link Payload#sequenceChecksum} in sequence
 * mode).
 * Throws {@link VerificationException} at the first bad message. Allocates nothing per message. Not thread-safe.
 */
public final class PayloadChecker implements MessageHandler
{
    private final int expectedLength;
    private final boolean consecutive;
    private final boolean full;
    private final long[] nextSequence;
    private long count;
    private long checksum;
    private long lastSequence = -1;
    private int lastProducer = -1;

    /**
     * @param expectedLength the length every message must have.
     * @param producers      how many producers there are (ids 0 to producers - 1).
     * @param consecutive    true when this receiver must see every sequence of each producer (point to point).
     */
    public PayloadChecker(final int expectedLength, final int producers, final boolean consecutive)
    {
        this(expectedLength, producers, consecutive, CheckMode.FULL);
    }

    /**
     * @param expectedLength the length every message must have.
     * @param producers      how many producers there are (ids 0 to producers - 1).
     * @param consecutive    true when this receiver must see every sequence of each producer (point to point).
     * @param mode           whether to check every word or only the header.
     */
    public PayloadChecker(final int expectedLength, final int producers, final boolean consecutive, final CheckMode mode)
    {
        this.expectedLength = expectedLength;
        this.consecutive = consecutive;
        this.nextSequence = new long[producers];
        this.full = mode == CheckMode.FULL;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != expectedLength || buffer.getInt(offset + Payload.LENGTH_OFFSET) != length)
        {
            throw fail("a message of " + length + " bytes (header says " +
                buffer.getInt(offset + Payload.LENGTH_OFFSET) + ") where " + expectedLength + " were sent");
        }
        final int producer = buffer.getInt(offset + Payload.PRODUCER_OFFSET);
        if (producer < 0 || producer >= nextSequence.length)
        {
            throw fail("a message from producer " + producer + " of " + nextSequence.length);
        }
        final long sequence = buffer.getLong(offset + Payload.SEQUENCE_OFFSET);
        final long next = nextSequence[producer];
        if (consecutive ? sequence != next : sequence < next)
        {
            throw fail("sequence " + sequence + " from producer " + producer + " where " +
                (consecutive ? "" : "at least ") + next + " was due (lost, duplicated or reordered)");
        }
        if (full)
        {
            checkWords(buffer, offset, length, producer, sequence);
        }
        nextSequence[producer] = sequence + 1;
        lastSequence = sequence;
        lastProducer = producer;
        checksum += full ? Payload.checksum(sequence, producer) : Payload.sequenceChecksum(sequence, producer);
        count++;
    }

    private void checkWords(
        final DirectBuffer buffer, final int offset, final int length, final int producer, final long sequence)
    {
        for (int i = Payload.WORDS_OFFSET; i < length; i += 8)
        {
            if (buffer.getLong(offset + i) != Payload.word(sequence, producer, i))
            {
                throw fail("a corrupt word at offset " + i + " of sequence " + sequence + " from producer " + producer);
            }
        }
    }

    /**
     * @return how many messages passed.
     */
    public long count()
    {
        return count;
    }

    /**
     * @return the sum of their checksums.
     */
    public long checksum()
    {
        return checksum;
    }

    /**
     * @return the sequence of the last message that passed, -1 before the first.
     */
    public long lastSequence()
    {
        return lastSequence;
    }

    /**
     * @return the producer of the last message that passed, -1 before the first.
     */
    public int lastProducer()
    {
        return lastProducer;
    }

    private VerificationException fail(final String what)
    {
        return new VerificationException("received " + what + " after " + count + " good messages; next expected " +
            "per producer " + Arrays.toString(nextSequence));
    }
}
