package io.ipckit.shm.sync;

import io.ipckit.core.internal.kit.DoorbellDescriptor;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;

/**
 * Layout of the shared state of a {@link SharedEvent} in the data section of its resource file. Little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Flag (0 clear, 1 set)                    |
 *  +---------------------------------------------------------------+
 *  |                    Padding to 64 bytes                       ...
 *  +---------------------------------------------------------------+
 *  |           Doorbell (DoorbellDescriptor), 64 bytes            ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class EventDescriptor
{
    /** Offset of the flag, written with release and read with acquire semantics. */
    public static final int FLAG_OFFSET;
    /** Offset of the doorbell, rung by set. */
    public static final int DOORBELL_OFFSET;
    /** Length of the state in bytes. */
    public static final int LENGTH;

    static
    {
        int offset = 0;
        FLAG_OFFSET = offset;
        offset = CACHE_LINE_LENGTH;
        DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        LENGTH = offset;
    }

    private EventDescriptor()
    {
    }
}
