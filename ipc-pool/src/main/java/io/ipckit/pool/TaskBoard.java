package io.ipckit.pool;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import org.agrona.concurrent.AtomicBuffer;

import static io.ipckit.pool.TaskBoardDescriptor.*;

/**
 * The pool's task board: a shared file in which each worker writes the id of the task it is about to run (and 0
 * when done), so that when a worker dies the pool knows which task it was running and fails only that one, and so
 * that the pool can time a running task. One board per pool, one slot per worker index; a replacement worker
 * takes over its predecessor's slot.
 * <p>
 * Thread-safe and process-safe: each slot has one writer (its worker) and readers that only load it.
 */
final class TaskBoard implements AutoCloseable
{
    private final ResourceFile file;
    private final AtomicBuffer buffer;
    private final int base;
    private final int workers;

    private TaskBoard(final ResourceFile file)
    {
        this.file = file;
        this.buffer = file.buffer();
        this.base = file.headerLength();
        this.workers = (int)(file.dataLengthBytes() / SLOT_LENGTH);
        if (file.dataLengthBytes() != dataLength(workers) || workers < 1)
        {
            throw new CorruptResourceException("pool task board \"" + file.name() + "\" has a corrupt layout (" +
                file.dataLengthBytes() + " data bytes): unlink it and start the pool again");
        }
    }

    /**
     * Creates the board of a pool (pool side).
     *
     * @param name    a valid resource name.
     * @param workers the number of worker slots.
     * @return the board, every slot idle.
     */
    static TaskBoard create(final String name, final int workers)
    {
        return new TaskBoard(ResourceFile.create(name, ResourceKind.POOL, LAYOUT_VERSION, 0, dataLength(workers),
            false, null));
    }

    /**
     * Opens a pool's board (worker side).
     *
     * @param name the board's name.
     * @return the board.
     */
    static TaskBoard open(final String name)
    {
        return new TaskBoard(ResourceFile.open(name, ResourceKind.POOL, LAYOUT_VERSION));
    }

    String name()
    {
        return file.name();
    }

    /**
     * @param worker the worker's index.
     * @return the id of the task the worker runs now, 0 when idle.
     */
    long currentTask(final int worker)
    {
        return buffer.getLongAcquire(offset(worker));
    }

    /**
     * Records the task a worker is about to run, or 0 when it is done.
     *
     * @param worker the worker's index.
     * @param taskId the task's id, or 0.
     */
    void currentTask(final int worker, final long taskId)
    {
        // release store -> the pool reads it after the worker's death to blame the right task
        buffer.putLongRelease(offset(worker), taskId);
    }

    /**
     * Removes the board's name; mappings stay valid until closed.
     */
    void unlink()
    {
        file.unlink();
    }

    @Override
    public void close()
    {
        file.close();
    }

    private int offset(final int worker)
    {
        if (worker < 0 || worker >= workers)
        {
            throw new IndexOutOfBoundsException("worker " + worker + " has no slot on task board \"" + file.name() +
                "\" of " + workers + " slots");
        }
        return base + slotOffset(worker) + CURRENT_TASK_OFFSET;
    }
}
