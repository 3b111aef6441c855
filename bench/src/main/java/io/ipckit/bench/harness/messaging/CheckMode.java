package io.ipckit.bench.harness.messaging;

import java.util.Locale;

/**
 * How much per-message work a messaging measurement does beside the transport's own.
 * <ul>
 * <li>{@link #SEQUENCE} (the default for ratio tables): the sender writes the header of a {@link Payload}
 * (sequence, producer, length) and nothing else; the receiver checks length, producer and order, and adds the
 * sequence to its checksum. This is what a user's code would pay to notice a lost or reordered message, so the
 * figures measure the transport.</li>
 * <li>{@link #FULL} (correctness): every word of every payload is written and checked ({@link Payload#encode}). That
 * work costs more per message than the raw ring itself, adds the same constant to every contestant and pulls every
 * ratio towards 1; use it to prove a transport right, not to compare speeds.</li>
 * </ul>
 */
public enum CheckMode
{
    /** Header only: sequence, producer and length written and checked. */
    SEQUENCE,
    /** Every word written and checked. */
    FULL;

    /**
     * @param text {@code sequence} or {@code full}, in any case.
     * @return the mode.
     * @throws IllegalArgumentException when neither.
     */
    public static CheckMode parse(final String text)
    {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }

    /**
     * @return the name used on command lines and in worker arguments.
     */
    public String id()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param producer a producer id.
     * @param count    how many messages it sent (sequences 0 to count - 1).
     * @return the sum (modulo 2^64) of their checksums in this mode.
     */
    public long expectedChecksum(final int producer, final long count)
    {
        return this == FULL ? Payload.expectedChecksum(producer, count) :
            Payload.expectedSequenceChecksum(producer, count);
    }
}
