package io.ipckit.shm.sync;

import io.ipckit.core.internal.kit.DoorbellDescriptor;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of the shared state of a {@link SharedBarrier} in the data section of its resource file. Little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  State: Arrived (bits 0-23) | Broken Reason (bits 24-31)      |
 *  |         Generation (bits 32-63)                               |
 *  +---------------------------------------------------------------+
 *  |   Released Generations: bit (g mod 64) cleared before         |
 *  |   generation g begins, set when it is released                |
 *  +---------------------------------------------------------------+
 *  |                           Parties                             |
 *  +---------------------------------------------------------------+
 *  |                   Attached Process Table Slots                |
 *  +---------------------------------------------------------------+
 *  |          Process that broke the barrier (owner token)         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Padding to 64 bytes                       ...
 *  +---------------------------------------------------------------+
 *  |           Doorbell (DoorbellDescriptor), 64 bytes            ...
 *  +---------------------------------------------------------------+
 *  |  Attached processes: (owner token, attachments) per slot      |
 *  |  (ProcessTable), Slots x 16 bytes                            ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The state changes only by compare-and-set of the whole word: an arrival adds 1, a break sets the reason, the
 * last arrival marks the round released by adding 1 more (parties + 1 arrived), and a reset, or whoever completes a
 * marked round (after setting its released bit), moves to the next generation with 0 arrived. The one that moves into
 * a generation clears its released bit first, while the state is still in the generation before.
 */
public final class BarrierDescriptor
{
    /** Offset of the state word. */
    public static final int STATE_OFFSET;
    /** Offset of the released-generations bit set. */
    public static final int RELEASED_OFFSET;
    /** Offset of the number of parties. */
    public static final int PARTIES_OFFSET;
    /** Offset of the number of slots of the attached process table. */
    public static final int SLOTS_OFFSET;
    /** Offset of the owner token of whoever broke the barrier. */
    public static final int BROKEN_BY_OFFSET;
    /** Offset of the doorbell, rung on release, break and reset. */
    public static final int DOORBELL_OFFSET;
    /** Offset of the attached process table. */
    public static final int TABLE_OFFSET;

    /** Mask of the arrived count in the state. */
    public static final long ARRIVED_MASK = 0xFF_FFFFL;
    /** Shift of the broken reason in the state. */
    public static final int REASON_SHIFT = 24;
    /** Shift of the generation in the state. */
    public static final int GENERATION_SHIFT = 32;

    static
    {
        int offset = 0;
        STATE_OFFSET = offset;
        offset += SIZE_OF_LONG;
        RELEASED_OFFSET = offset;
        offset += SIZE_OF_LONG;
        PARTIES_OFFSET = offset;
        offset += SIZE_OF_INT;
        SLOTS_OFFSET = offset;
        offset += SIZE_OF_INT;
        BROKEN_BY_OFFSET = offset;
        offset = CACHE_LINE_LENGTH;
        DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        TABLE_OFFSET = offset;
    }

    private BarrierDescriptor()
    {
    }

    /**
     * @param slots slots of the attached process table.
     * @return the length of the state in bytes.
     */
    public static int length(final int slots)
    {
        return TABLE_OFFSET + ProcessTable.length(slots);
    }
}
