package io.ipckit.shm.sync;

import io.ipckit.core.internal.kit.DoorbellDescriptor;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of the shared state of a {@link SharedLock}, {@link SharedReentrantLock} or the lock and condition queue of
 * a {@link SharedCondition}, in the data section of the resource file. Little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |               Owner (OwnerToken, 0 = free)                    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |             Owner Thread Id (diagnostics only)                |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            Takeovers from dead owners (count)                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Padding to 64 bytes                       ...
 *  +---------------------------------------------------------------+
 *  |         Lock Doorbell (DoorbellDescriptor), 64 bytes         ...
 *  +---------------------------------------------------------------+
 *  |                 Condition Waiters Registered                  |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Condition Signals Granted                    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Condition Signals Consumed                   |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Condition Broadcasts (count)                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Padding to 64 bytes                       ...
 *  +---------------------------------------------------------------+
 *  |      Condition Doorbell (DoorbellDescriptor), 64 bytes       ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The owner is claimed with a compare-and-set from 0 and released with a release store of 0. The condition counters
 * change only while the lock is held; waiters also read them without the lock, as a hint, before taking it.
 */
public final class LockDescriptor
{
    /** Offset of the owner word (an {@link io.ipckit.core.internal.kit.OwnerToken}), 0 when the lock is free. */
    public static final int OWNER_OFFSET;
    /** Offset of the id of the owning thread, for diagnostics. */
    public static final int OWNER_THREAD_OFFSET;
    /** Offset of the number of times the lock was taken over from a dead owner. */
    public static final int TAKEOVERS_OFFSET;
    /** Offset of the lock's doorbell, rung on unlock. */
    public static final int LOCK_DOORBELL_OFFSET;
    /** Offset of the number of condition waits ever registered. */
    public static final int COND_REGISTERED_OFFSET;
    /** Offset of the number of condition signals granted (a waiter may consume each once). */
    public static final int COND_GRANTED_OFFSET;
    /** Offset of the number of condition signals consumed. */
    public static final int COND_CONSUMED_OFFSET;
    /** Offset of the number of condition broadcasts ({@code signalAll}). */
    public static final int COND_BROADCASTS_OFFSET;
    /** Offset of the condition's doorbell. */
    public static final int COND_DOORBELL_OFFSET;
    /** Length of the state in bytes. */
    public static final int LENGTH;

    static
    {
        int offset = 0;
        OWNER_OFFSET = offset;
        offset += SIZE_OF_LONG;
        OWNER_THREAD_OFFSET = offset;
        offset += SIZE_OF_LONG;
        TAKEOVERS_OFFSET = offset;
        offset = CACHE_LINE_LENGTH;
        LOCK_DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        COND_REGISTERED_OFFSET = offset;
        offset += SIZE_OF_LONG;
        COND_GRANTED_OFFSET = offset;
        offset += SIZE_OF_LONG;
        COND_CONSUMED_OFFSET = offset;
        offset += SIZE_OF_LONG;
        COND_BROADCASTS_OFFSET = offset;
        offset = 3 * CACHE_LINE_LENGTH;
        COND_DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        LENGTH = offset;
    }

    private LockDescriptor()
    {
    }
}
