package io.ipckit.shm.sync;

import io.ipckit.core.internal.kit.DoorbellDescriptor;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Layout of the shared state of a {@link SharedEvent} in the data section of its resource file. Little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Flag (0 clear, 1 set)                    |
 *  +---------------------------------------------------------------+
 *  |               Set Count (wraps; 0 in older files)             |
 *  +---------------------------------------------------------------+
 *  |                    Padding to 64 bytes                       ...
 *  +---------------------------------------------------------------+
 *  |           Doorbell (DoorbellDescriptor), 64 bytes            ...
 *  +---------------------------------------------------------------+
 * </pre>
 * A waiter returns when it sees the flag set or the set count moved from the value it read when it began, so that a
 * {@code set(); clear()} pulse wakes it as Python's {@code Event.wait()} is woken. The count took the place of padding
 * within layout version 3: a process of an earlier build does not count its sets (its pulses can be missed, as before)
 * and ignores the count; nothing is misread either way.
 */
public final class EventDescriptor
{
    /** Offset of the flag, written with release and read with acquire semantics. */
    public static final int FLAG_OFFSET;
    /** Offset of the number of sets, added to after the flag is stored and read with acquire semantics. */
    public static final int SETS_OFFSET;
    /** Offset of the doorbell, rung by set. */
    public static final int DOORBELL_OFFSET;
    /** Length of the state in bytes. */
    public static final int LENGTH;

    static
    {
        int offset = 0;
        FLAG_OFFSET = offset;
        offset += SIZE_OF_INT;
        SETS_OFFSET = offset;
        offset = CACHE_LINE_LENGTH;
        DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        LENGTH = offset;
    }

    private EventDescriptor()
    {
    }
}
