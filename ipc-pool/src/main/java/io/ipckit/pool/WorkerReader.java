package io.ipckit.pool;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.PeerGoneException;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;

import static io.ipckit.pool.PoolMessageDescriptor.*;

/**
 * The thread body that reads one worker's messages: decodes each (in place, from the pipe's ring) into its values
 * and hands it to the scheduler, until the worker closes its end or dies; then tells the scheduler it exited. When
 * reading fails otherwise (a corrupt message, an Error such as OutOfMemoryError), it kills the worker and reports its
 * exit all the same, with the failure, which fails the task whose results it was reading. A
 * worker that dies before it opens its pipe is noticed through its process.
 * <p>
 * Not thread-safe: one reader thread per worker, the only thread that receives from its channel.
 */
final class WorkerReader implements Runnable
{
    /** Longest wait before the reader looks whether a worker that never opened its pipe is still alive. */
    private static final long READ_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /**
     * Longest wait once the worker has sent a message, so has opened its end: the pipe then reports the worker's
     * close or death itself, and the wait sleeps until a result rings (an idle pool's readers cost next to nothing).
     */
    private static final long OPENED_READ_SLICE_NS = TimeUnit.SECONDS.toNanos(1);

    private final PoolScheduler scheduler;
    private final WorkerSlot slot;
    private final PoolValueCodec codec;
    private final String poolName;
    private final WorkerChannel.Handler handler = this::onMessage;
    private boolean workerOpened;
    /** The task whose results are being read, 0 between messages: the one to fail when reading them throws. */
    private long messageTaskId;

    WorkerReader(final PoolScheduler scheduler, final WorkerSlot slot, final PoolValueCodec codec,
        final String poolName)
    {
        this.scheduler = scheduler;
        this.slot = slot;
        this.codec = codec;
        this.poolName = poolName;
    }

    @Override
    public void run()
    {
        Throwable failure = null;
        try
        {
            while (true)
            {
                if (!slot.channel.receive(handler, workerOpened ? OPENED_READ_SLICE_NS : READ_SLICE_NS) &&
                    !slot.process.isAlive())
                {
                    // dead, and the pipe has not said so: the worker never opened its end, or the pipe looks soon
                    while (slot.channel.receive(handler, 0))
                    {
                        Thread.onSpinWait();
                    }
                    break;
                }
            }
        }
        catch (final EndOfStreamException | PeerGoneException ex)
        {
            // the worker closed its end or died, after every result it sent was handed over
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final Throwable t)
        {
            // a corrupt message, or an Error (out of memory?) while reading one: nobody reads this worker any more
            failure = t;
            slot.process.kill();
        }
        finally
        {
            // always, or the worker's tasks would never complete and the pool would never terminate
            scheduler.onWorkerExit(slot, failure == null ? 0 : messageTaskId, failure);
        }
    }

    private void onMessage(final DirectBuffer buffer, final int index, final int messageLength)
    {
        workerOpened = true;
        final int type = buffer.getInt(index + TYPE_OFFSET);
        final long taskId = buffer.getLong(index + TASK_ID_OFFSET);
        messageTaskId = type == RESULT ? taskId : 0;
        final int count = itemCount(buffer, index, messageLength, ITEM_HEADER_TO_POOL, slot.channel);
        final Object[] values = new Object[count];
        final boolean[] failed = new boolean[count];
        final int end = index + messageLength;
        int offset = index + ITEMS_OFFSET;
        for (int i = 0; i < count; i++)
        {
            failed[i] = buffer.getByte(offset) == FAILED;
            final int length = itemLength(buffer, offset + 1, end, slot.channel);
            try
            {
                values[i] = failed[i] ? decodeFailure(buffer, offset + 5, length) :
                    codec.decode(buffer, offset + 5, length);
            }
            catch (final IpcException ex)
            {
                failed[i] = true;
                values[i] = ex;
            }
            catch (final RuntimeException | LinkageError ex)
            {
                // the value's own code threw (a readObject, a record's constructor, a class's initializer): this
                // item fails with it; the worker is fine, and running the task again would only fail the same way
                failed[i] = true;
                values[i] = new IpcException("cannot deserialize item " + i + " of the result of task #" + taskId +
                    " sent by " + slot + " of " + poolName + ": " + ex, ex);
            }
            if (failed[i] && values[i] instanceof Throwable t && !(t instanceof RemoteTaskException))
            {
                t.addSuppressed(new RemoteTaskException("raised in " + slot + " of " + poolName + ", task #" + taskId));
            }
            offset += 5 + length;
        }
        scheduler.onWorkerMessage(slot, type, taskId, values, failed);
        messageTaskId = 0;
    }

    /**
     * Reads a failed item's value (see {@link PoolMessageDescriptor}): the worker's exception, or its stand-in when
     * the exception cannot be deserialized here (its class is not on the pool's allow-list, or is missing), with
     * the refusal attached as suppressed.
     */
    private Object decodeFailure(final DirectBuffer buffer, final int offset, final int length)
    {
        final int exceptionLength = itemLength(buffer, offset, offset + length, slot.channel);
        final int exceptionAt = offset + FAILURE_HEADER_LENGTH;
        Throwable refusal = null;
        if (exceptionLength > 0)
        {
            try
            {
                return codec.decode(buffer, exceptionAt, exceptionLength);
            }
            catch (final RuntimeException | LinkageError ex)
            {
                refusal = ex;
            }
        }
        final Object standIn = codec.decode(buffer, exceptionAt + exceptionLength,
            length - FAILURE_HEADER_LENGTH - exceptionLength);
        if (refusal != null && standIn instanceof Throwable t)
        {
            t.addSuppressed(refusal);
        }
        return standIn;
    }
}
