package io.ipckit.pool;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;

/**
 * Layout of the data area of a pool's task board (a {@code Pool} resource, one per pool): one slot per worker index,
 * each two cache lines long so that workers never write to a shared line.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |     Worker 0: Current Task Id (0 when idle, set by the worker)|
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Padding to two cache lines                   |
 *  +---------------------------------------------------------------+
 *  |     Worker 1: Current Task Id ...                             |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class TaskBoardDescriptor
{
    /** Layout version of task board files. */
    static final int LAYOUT_VERSION = 1;
    /** Bytes per worker slot: two cache lines. */
    static final int SLOT_LENGTH = 2 * CACHE_LINE_LENGTH;
    /** Offset, within a slot, of the id (long) of the task the worker runs, 0 when idle. */
    static final int CURRENT_TASK_OFFSET = 0;

    private TaskBoardDescriptor()
    {
    }

    /**
     * @param workers the number of worker slots.
     * @return the length of the data area.
     */
    static int dataLength(final int workers)
    {
        return workers * SLOT_LENGTH;
    }

    /**
     * @param worker the worker's index.
     * @return the offset of its slot in the data area.
     */
    static int slotOffset(final int worker)
    {
        return worker * SLOT_LENGTH;
    }
}
