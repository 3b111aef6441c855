package io.ipckit.pool;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of the messages between a pool and its workers (little-endian, inside a ring record).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         Message Type                          |
 *  +---------------------------------------------------------------+
 *  |                 Task Id (pid in READY messages)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Function Id (max tasks per worker in INIT)           |
 *  +---------------------------------------------------------------+
 *  |                          Item Count                           |
 *  +---------------------------------------------------------------+
 *  |  Items: [Status (results only, 1 byte)][Length][Tagged Value] ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Values are encoded by {@link PoolValueCodec}.
 */
final class PoolMessageDescriptor
{
    /** Pool to worker: run the initializer (item 0, may be null), then report READY. */
    static final int INIT = 1;
    /** Pool to worker: remember function (item 0) under the function id. */
    static final int FUNCTION = 2;
    /** Pool to worker: run the Callable or Runnable in item 0. */
    static final int CALL = 3;
    /** Pool to worker: apply the function to each item (an Object[] pair for two-argument functions). */
    static final int APPLY = 4;
    /** Pool to worker: exit now. */
    static final int STOP = 5;
    /** Worker to pool: initialised, ready for tasks. */
    static final int READY = 11;
    /** Worker to pool: the results of a task, one per item. */
    static final int RESULT = 12;
    /** Worker to pool: the initializer threw (item 0). */
    static final int INIT_FAILED = 13;

    /** Item status: the value is a result. */
    static final byte OK = 0;
    /** Item status: the value is the Throwable the task threw. */
    static final byte FAILED = 1;

    static final int TYPE_OFFSET;
    static final int TASK_ID_OFFSET;
    static final int FUNCTION_ID_OFFSET;
    static final int COUNT_OFFSET;
    static final int ITEMS_OFFSET;

    static
    {
        int offset = 0;
        TYPE_OFFSET = offset;
        offset += SIZE_OF_INT;
        TASK_ID_OFFSET = offset;
        offset += SIZE_OF_LONG;
        FUNCTION_ID_OFFSET = offset;
        offset += SIZE_OF_INT;
        COUNT_OFFSET = offset;
        offset += SIZE_OF_INT;
        ITEMS_OFFSET = offset;
    }

    private PoolMessageDescriptor()
    {
    }
}
