package io.ipckit.shm.sync;

import io.ipckit.core.internal.kit.DoorbellDescriptor;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Layout of the shared state of a {@link SharedSemaphore} in the data section of its resource file. Little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Available Permits                         |
 *  +---------------------------------------------------------------+
 *  |       Maximum Permits (bounded) or 0x7fffffff (unbounded)     |
 *  +---------------------------------------------------------------+
 *  |                 Owner Table Slots (0 = untracked)             |
 *  +---------------------------------------------------------------+
 *  |                          Reserved                             |
 *  +---------------------------------------------------------------+
 *  |         Permits recovered from dead processes (count)         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Padding to 64 bytes                       ...
 *  +---------------------------------------------------------------+
 *  |           Doorbell (DoorbellDescriptor), 64 bytes            ...
 *  +---------------------------------------------------------------+
 *  |   Owner Table: (owner token, permits held) per slot           |
 *  |   (ProcessTable), Owner Table Slots x 16 bytes               ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The configuration fields are written before the file is published and never change.
 */
public final class SemaphoreDescriptor
{
    /** Offset of the number of available permits, changed by compare-and-set. */
    public static final int PERMITS_OFFSET;
    /** Offset of the bound above which a release fails ({@link Integer#MAX_VALUE} when unbounded). */
    public static final int MAX_PERMITS_OFFSET;
    /** Offset of the number of slots of the owner table, 0 when permits are not tracked per process. */
    public static final int OWNER_SLOTS_OFFSET;
    /** Offset of the number of permits given back after their holder died. */
    public static final int RECOVERED_PERMITS_OFFSET;
    /** Offset of the doorbell, rung on release. */
    public static final int DOORBELL_OFFSET;
    /** Offset of the owner table. */
    public static final int OWNER_TABLE_OFFSET;

    static
    {
        int offset = 0;
        PERMITS_OFFSET = offset;
        offset += SIZE_OF_INT;
        MAX_PERMITS_OFFSET = offset;
        offset += SIZE_OF_INT;
        OWNER_SLOTS_OFFSET = offset;
        offset += 2 * SIZE_OF_INT;
        RECOVERED_PERMITS_OFFSET = offset;
        offset = CACHE_LINE_LENGTH;
        DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        OWNER_TABLE_OFFSET = offset;
    }

    private SemaphoreDescriptor()
    {
    }

    /**
     * @param ownerSlots slots of the owner table.
     * @return the length of the state in bytes.
     */
    public static int length(final int ownerSlots)
    {
        return OWNER_TABLE_OFFSET + ProcessTable.length(ownerSlots);
    }
}
