package io.ipckit.pool;

import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Layout of the data area of a worker link file (a {@code Pool} resource, one per worker): four wake signals and the
 * worker's current-task slot, each on its own cache-line pair, then the two rings.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |     Task Ready signal (parent -> worker: a task was written)  |
 *  +---------------------------------------------------------------+
 *  |     Task Space signal (worker -> parent: the task ring drained)|
 *  +---------------------------------------------------------------+
 *  |   Result Ready signal (worker -> parent: a result was written) |
 *  +---------------------------------------------------------------+
 *  |   Result Space signal (parent -> worker: result ring drained)  |
 *  +---------------------------------------------------------------+
 *  |      Current Task Id (written by the worker before a task)     |
 *  +---------------------------------------------------------------+
 *  |          Task ring (OneToOneRingBuffer, parent -> worker)      |
 *  +---------------------------------------------------------------+
 *  |         Result ring (OneToOneRingBuffer, worker -> parent)     |
 *  +---------------------------------------------------------------+
 * </pre>
 * Offsets are relative to the start of the data area; each ring region is its capacity plus Agrona's trailer.
 */
final class WorkerLinkDescriptor
{
    /** Bytes reserved per signal or slot: two cache lines, so that hot words never share a line. */
    static final int SLOT_LENGTH = 128;
    /** Offset of the task-ready signal. */
    static final int TASK_READY_OFFSET;
    /** Offset of the task-space signal. */
    static final int TASK_SPACE_OFFSET;
    /** Offset of the result-ready signal. */
    static final int RESULT_READY_OFFSET;
    /** Offset of the result-space signal. */
    static final int RESULT_SPACE_OFFSET;
    /** Offset of the id (long) of the task the worker is running, 0 when idle. */
    static final int CURRENT_TASK_OFFSET;
    /** Offset of the task ring. */
    static final int TASK_RING_OFFSET;

    static
    {
        int offset = 0;
        TASK_READY_OFFSET = offset;
        offset += SLOT_LENGTH;
        TASK_SPACE_OFFSET = offset;
        offset += SLOT_LENGTH;
        RESULT_READY_OFFSET = offset;
        offset += SLOT_LENGTH;
        RESULT_SPACE_OFFSET = offset;
        offset += SLOT_LENGTH;
        CURRENT_TASK_OFFSET = offset;
        offset += SLOT_LENGTH;
        TASK_RING_OFFSET = offset;
    }

    private WorkerLinkDescriptor()
    {
    }

    /**
     * @param ringCapacityBytes capacity of each ring, a power of two.
     * @return offset of the result ring.
     */
    static int resultRingOffset(final int ringCapacityBytes)
    {
        return TASK_RING_OFFSET + ringLength(ringCapacityBytes);
    }

    /**
     * @param ringCapacityBytes capacity of each ring, a power of two.
     * @return length of the whole data area.
     */
    static int dataLength(final int ringCapacityBytes)
    {
        return TASK_RING_OFFSET + 2 * ringLength(ringCapacityBytes);
    }

    static int ringLength(final int ringCapacityBytes)
    {
        return ringCapacityBytes + RingBufferDescriptor.TRAILER_LENGTH;
    }
}
