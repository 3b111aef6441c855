package io.ipckit.pool;

import io.ipckit.core.exceptions.IpcException;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import static io.ipckit.pool.PoolMessageDescriptor.*;

/**
 * Writes the pool's messages to workers ({@link PoolMessageDescriptor}): in place in the ring when a message fits in
 * one record (the hot path: nothing is copied but the task's encoded items), through a scratch buffer and split by
 * the pipe otherwise. A worker found dead while sending is killed, so that its reader fails or requeues what it held
 * as for any other death.
 * <p>
 * Not thread-safe: used by the dispatcher thread only; {@link #trySendInPlace} is static, for a worker's reader.
 */
final class TaskSender
{
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4096);

    /**
     * Sends one message, waiting while the worker's ring is full: for a STOP, sent once every worker is idle.
     *
     * @param items the encoded items, or null for none.
     */
    void send(
        final WorkerSlot slot, final int type, final long taskId, final int functionId, final int count,
        final byte[] items)
    {
        final int length = ITEMS_OFFSET + (items == null ? 0 : items.length);
        final WorkerChannel channel = slot.channel;
        try
        {
            if (length <= channel.maxClaimLength())
            {
                final int index = channel.claim(length, slot.alive);
                writeMessage(channel.claimBuffer(), index, type, taskId, functionId, count, items);
                channel.commit(index);
            }
            else
            {
                writeMessage(out, 0, type, taskId, functionId, count, items);
                channel.send(out, 0, length, slot.alive);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final IpcException ex)
        {
            // the worker died; its reader thread fails or requeues what it held
            slot.process.kill();
        }
    }

    /**
     * Sends one message if the worker's ring has room for it: at once for a message that fits in one record, within
     * the worker's {@link WorkerSlot#sendSliceNs} for a longer one (whose part sent is discarded when the time runs
     * out). Never waits longer, so that a worker whose ring stays full (it runs a long task) holds up no other.
     *
     * @param items the encoded items, or null for none.
     * @return true when the message is done with: sent, or the worker found dead (and killed, so that its reader
     *         fails or requeues what it held); false when the ring had no room for it.
     */
    boolean trySend(
        final WorkerSlot slot, final int type, final long taskId, final int functionId, final int count,
        final byte[] items)
    {
        final int length = ITEMS_OFFSET + (items == null ? 0 : items.length);
        final WorkerChannel channel = slot.channel;
        try
        {
            if (length <= channel.maxClaimLength())
            {
                final int index = channel.tryClaim(length);
                if (index < 0)
                {
                    return false;
                }
                writeMessage(channel.claimBuffer(), index, type, taskId, functionId, count, items);
                channel.commit(index);
                return true;
            }
            writeMessage(out, 0, type, taskId, functionId, count, items);
            if (!channel.trySend(out, 0, length, slot.sendSliceNs))
            {
                // a worker that reads slowly gets longer tries; one that is busy gets them less often
                slot.sendSliceNs = Math.min(2 * slot.sendSliceNs, WorkerSlot.LONGEST_SEND_SLICE_NS);
                return false;
            }
            slot.sendSliceNs = WorkerChannel.FIRST_SLICE_NS;
            return true;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return true;
        }
        catch (final IpcException ex)
        {
            // the worker died; its reader thread fails or requeues what it held
            slot.process.kill();
            return true;
        }
    }

    /**
     * Sends a task only if it fits in one record and the worker's ring has room for it now: never waits, so a
     * worker's reader may call it (a reader that waited for room could deadlock with a worker waiting for room to
     * send its results). The caller must hold the worker's send side.
     *
     * @return true when the task was sent.
     */
    static boolean trySendInPlace(final WorkerSlot slot, final PoolTask task)
    {
        return trySendInPlace(slot, task.type, task.id, task.functionId, task.count, task.encodedItems);
    }

    /**
     * Sends one message only if it fits in one record and the worker's ring has room for it now, as
     * {@link #trySendInPlace(WorkerSlot, PoolTask)} does for a task.
     *
     * @param items the encoded items (not null).
     * @return true when the message was sent.
     */
    static boolean trySendInPlace(
        final WorkerSlot slot, final int type, final long taskId, final int functionId, final int count,
        final byte[] items)
    {
        final int length = ITEMS_OFFSET + items.length;
        final WorkerChannel channel = slot.channel;
        try
        {
            if (length > channel.maxClaimLength())
            {
                return false;
            }
            final int index = channel.tryClaim(length);
            if (index < 0)
            {
                return false;
            }
            writeMessage(channel.claimBuffer(), index, type, taskId, functionId, count, items);
            channel.commit(index);
            return true;
        }
        catch (final IpcException ex)
        {
            // the worker died; its reader fails or requeues what it held
            slot.process.kill();
            return false;
        }
    }

    /**
     * Writes a message's header and items at {@code offset}.
     *
     * @return the message's length.
     */
    static int writeMessage(
        final MutableDirectBuffer buffer, final int offset, final int type, final long taskId, final int functionId,
        final int count, final byte[] items)
    {
        buffer.putInt(offset + TYPE_OFFSET, type);
        buffer.putLong(offset + TASK_ID_OFFSET, taskId);
        buffer.putInt(offset + FUNCTION_ID_OFFSET, functionId);
        buffer.putInt(offset + COUNT_OFFSET, count);
        if (items == null)
        {
            return ITEMS_OFFSET;
        }
        buffer.putBytes(offset + ITEMS_OFFSET, items);
        return ITEMS_OFFSET + items.length;
    }
}
