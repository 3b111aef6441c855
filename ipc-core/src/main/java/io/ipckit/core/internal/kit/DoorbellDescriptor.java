package io.ipckit.core.internal.kit;

import io.ipckit.core.internal.wait.WakeSignalDescriptor;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Layout of a {@link Doorbell}: a wake signal and the number of threads (in any process) that are about to wait
 * or waiting on it. A doorbell fills a cache line of its own so that ringing it never shares a line with data.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Wake Signal (WakeSignalDescriptor)            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Waiters                             |
 *  +---------------------------------------------------------------+
 *  |                     Padding to 64 bytes                       |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class DoorbellDescriptor
{
    /** Offset of the wake signal. */
    public static final int SIGNAL_OFFSET;
    /** Offset of the count of waiters, incremented before a waiter tests its condition. */
    public static final int WAITERS_OFFSET;
    /** Length of a doorbell region in bytes: one cache line. */
    public static final int LENGTH = CACHE_LINE_LENGTH;

    static
    {
        int offset = 0;
        SIGNAL_OFFSET = offset;
        offset += WakeSignalDescriptor.LENGTH;
        WAITERS_OFFSET = offset;
        offset += SIZE_OF_INT;
        if (offset > LENGTH)
        {
            throw new ExceptionInInitializerError("doorbell layout exceeds a cache line");
        }
    }

    private DoorbellDescriptor()
    {
    }
}
