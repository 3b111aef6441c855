package io.ipckit.core.internal.kit;

import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of a {@link BiasedOwnerLock}: four 8-byte words, all on one cache line (the holder's). The words of the
 * data the lock guards may follow on the same line.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  Lock Word: 0 free | owner token (held, or taken from a bias   |
 *  |  whose holder is leaving) | token + BIASED (biased to the slot  |
 *  |  owner of that process)                                         |
 *  +---------------------------------------------------------------+
 *  |  Slot Word: token of the process whose handle owns the bias   |
 *  |  slot (the only handle the lock is ever biased to), 0 free    |
 *  +---------------------------------------------------------------+
 *  |  Active Word: 1 while the slot owner is taking or holding the |
 *  |  lock; written by the slot owner only                         |
 *  +---------------------------------------------------------------+
 *  |  Others Word: holds taken by handles other than the slot      |
 *  |  owner (written under the lock)                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * The flag bit lives in bit 31 of the token's pid half: Linux pids stay below 2^22.
 */
public final class BiasedLockDescriptor
{
    /** Offset of the lock word. */
    public static final int LOCK_OFFSET = 0;
    /** Offset of the slot word. */
    public static final int SLOT_OFFSET = LOCK_OFFSET + SIZE_OF_LONG;
    /** Offset of the active word. */
    public static final int ACTIVE_OFFSET = SLOT_OFFSET + SIZE_OF_LONG;
    /** Offset of the others word. */
    public static final int OTHERS_OFFSET = ACTIVE_OFFSET + SIZE_OF_LONG;
    /** Length of the lock's words. */
    public static final int LENGTH = OTHERS_OFFSET + SIZE_OF_LONG;

    /** Lock word flag: the lock is biased to the slot owner of the token's process. */
    public static final long BIASED = 1L << 31;

    private BiasedLockDescriptor()
    {
    }
}
