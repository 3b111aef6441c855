package io.ipckit.core.internal.wait;

import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Layout of a wake signal: a futex word that counts signals, and a count of sleepers.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Sequence (futex word)                      |
 *  +---------------------------------------------------------------+
 *  |                      Sleeping Waiters                         |
 *  +---------------------------------------------------------------+
 * </pre>
 * The region must be 4-byte aligned (futex words are). Give each independently signalled condition its own
 * region, ideally on its own cache line.
 */
public final class WakeSignalDescriptor
{
    /** Offset of the sequence, bumped by every signal; the word waiters sleep on. */
    public static final int SEQUENCE_OFFSET;
    /** Offset of the number of waiters that are (about to be) asleep. */
    public static final int WAITERS_OFFSET;
    /** Length of the region in bytes. */
    public static final int LENGTH;

    static
    {
        int offset = 0;
        SEQUENCE_OFFSET = offset;
        offset += SIZE_OF_INT;
        WAITERS_OFFSET = offset;
        offset += SIZE_OF_INT;
        LENGTH = offset;
    }

    private WakeSignalDescriptor()
    {
    }
}
