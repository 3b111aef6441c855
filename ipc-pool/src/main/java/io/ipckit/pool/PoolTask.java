package io.ipckit.pool;

import java.util.concurrent.CompletableFuture;

/**
 * One unit of work sent to a worker in one message: a Callable/Runnable ({@code CALL}) or a chunk of arguments for
 * a registered function ({@code APPLY}). Encoded once, when it is submitted, so that serialization errors reach the
 * submitter and encoding runs in the submitting threads.
 * <p>
 * {@link #results} completes with one entry per item: the value, or the Throwable for an item that failed
 * ({@link #failed}).
 */
final class PoolTask
{
    final long id;
    final int type;
    final int functionId;
    final int count;
    final byte[] encodedItems;
    final CompletableFuture<Object[]> results = new CompletableFuture<>();
    boolean[] failed;
    Object origin;
    /** How many workers exited while they held this task and before it ran: guarded by the scheduler's lock. */
    int exitsWhileHeld;

    PoolTask(final long id, final int type, final int functionId, final int count, final byte[] encodedItems)
    {
        this.id = id;
        this.type = type;
        this.functionId = functionId;
        this.count = count;
        this.encodedItems = encodedItems;
    }

    @Override
    public String toString()
    {
        return "task #" + id + (type == PoolMessageDescriptor.APPLY ? " (" + count + " items)" : "");
    }
}
