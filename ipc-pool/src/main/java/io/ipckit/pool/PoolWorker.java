package io.ipckit.pool;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.internal.process.AotCache;
import io.ipckit.core.internal.wait.NativeBinding;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Function;

import static io.ipckit.pool.PoolMessageDescriptor.*;

/**
 * The main class of a pool's worker JVM: opens its end of the pipe to the pool and the pool's task board, runs the
 * initializer, then runs tasks one at a time until told to stop, until it has run its maximum number of tasks, or
 * until its parent closes the pipe or dies (worker JVMs are also daemon children: they never outlive the pool's
 * process).
 * <p>
 * Not for direct use: {@link ProcessPool} starts it.
 */
public final class PoolWorker
{
    private static final long RECEIVE_SLICE_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private static final long BINDING_WAIT_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    private static final long BINDING_POLL_NS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(5);
    /** In a worker that trains the AOT cache: the steps left before its training is kept, without a task run. */
    private static final AtomicInteger TRAINING_STEPS_LEFT = new AtomicInteger(2);
    /** How many causes of a failure get stand-ins of their own, at most (a chain may be a cycle). */
    private static final int MAX_STAND_IN_CAUSES = 16;

    /** How many functions this worker holds (written and read by its only thread, which runs the tasks). */
    private static int functionsHeld;

    private final WorkerChannel channel;
    private final TaskBoard board;
    private final int workerIndex;
    private final WorkerChannel.Handler handler = this::onMessage;
    private final PoolValueCodec codec = new PoolValueCodec(null);
    private final Int2ObjectHashMap<Object> functions = new Int2ObjectHashMap<>();
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1024);
    private int maxTasks;
    private int tasksRun;
    private boolean running = true;
    private boolean ranTask;
    private Class<?> notedTaskClass;

    private PoolWorker(final WorkerChannel channel, final TaskBoard board, final int workerIndex)
    {
        this.channel = channel;
        this.board = board;
        this.workerIndex = workerIndex;
    }

    /**
     * @param args the name of the worker's pipe, the name of the pool's task board and the worker's index on it.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        try (TaskBoard board = TaskBoard.open(args[1]);
            WorkerChannel channel = WorkerChannel.open(args[0]))
        {
            final PoolWorker worker = new PoolWorker(channel, board, Integer.parseInt(args[2]));
            // kept once a task ran, or once both the start (READY sent) and the rehearsal are done: a cache trained
            // without the start or the task path would be no use
            AotCache.discardTraining();
            if (AotCache.isTraining())
            {
                final Thread rehearsal = new Thread(PoolWorker::rehearse, "ipckit-pool-worker-rehearsal");
                rehearsal.setDaemon(true);
                rehearsal.start();
            }
            while (worker.running)
            {
                channel.receive(worker.handler, RECEIVE_SLICE_NS);
            }
        }
        catch (final EndOfStreamException | PeerGoneException ex)
        {
            // the pool closed its end or died: nothing more will come, and nobody would read a result
        }
    }

    /**
     * @return how many functions this worker holds: for tests, whose tasks call it in the worker (tasks run on the
     *         thread that receives the functions).
     */
    static int functionsHeld()
    {
        return functionsHeld;
    }

    /**
     * In a worker that trains the AOT cache: takes built-in tasks through the path of a task (decoded, run, their
     * result encoded), then keeps the training if the worker's start is done too ({@link #trainingStepDone}). The
     * cache then holds that path's classes even when this worker runs no task of the pool's, as the slower of two
     * starting workers (the one that records) often does; without it, such a training would be discarded and the
     * next pool's worker would train again. A failure's path (Java serialization, about 1.4 MB more of cache) is
     * left out: the cache is for the first result. Runs beside the worker's start, on a thread of its own; a failure
     * only leaves the training discarded.
     */
    @SuppressWarnings("unchecked")
    static void rehearse()
    {
        final PoolValueCodec codec = new PoolValueCodec(null);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
        final SerializableCallable<Object> call = () -> new Object[] {1, 2L, 3.0, "4", null};
        final SerializableFunction<Object, Object> apply = (x) -> x;
        final SerializableBiFunction<Object, Object, Object> combine = (x, y) -> y;
        try
        {
            int length = codec.encode(call, buffer, 0);
            Object result = ((Callable<?>)codec.decode(buffer, 0, length)).call();
            length = codec.encode(apply, buffer, 0);
            result = ((Function<Object, Object>)codec.decode(buffer, 0, length)).apply(result);
            length = codec.encode(combine, buffer, 0);
            result = ((BiFunction<Object, Object, Object>)codec.decode(buffer, 0, length)).apply(null, result);
            length = codec.encode(result, buffer, 0);
            codec.decode(buffer, 0, length);
            // the watchdog of a training child binds the native calls at once, then watches the parent in the same
            // thread: wait for the binding, so that a worker closed soon after its start still records it (a cache
            // without it measured 13.7 MB against 15.5, and a pool start about 10 ms slower)
            final long deadlineNs = System.nanoTime() + BINDING_WAIT_NS;
            while (!NativeBinding.instance().isBound() && System.nanoTime() - deadlineNs < 0)
            {
                LockSupport.parkNanos(BINDING_POLL_NS);
            }
            trainingStepDone();
        }
        catch (final Throwable ignore)
        {
            // the training stays discarded unless a task of the pool's runs (nothing printed: the worker is fine)
        }
    }

    /**
     * In a worker that trains the AOT cache: one of the two steps after which its training is typical (its start,
     * through READY, and the rehearsal of the task path) is done; the second keeps the training.
     */
    static void trainingStepDone()
    {
        if (TRAINING_STEPS_LEFT.decrementAndGet() == 0)
        {
            AotCache.keepTraining();
        }
    }

    private void onMessage(final DirectBuffer buffer, final int index, final int length)
    {
        final int type = buffer.getInt(index + TYPE_OFFSET);
        final long taskId = buffer.getLong(index + TASK_ID_OFFSET);
        final int functionId = buffer.getInt(index + FUNCTION_ID_OFFSET);
        final int count = itemCount(buffer, index, length, ITEM_HEADER_TO_WORKER, channel);
        final int end = index + length;
        int itemOffset = index + ITEMS_OFFSET;
        switch (type)
        {
            case INIT -> init(buffer, itemOffset, functionId, itemLength(buffer, itemOffset, end, channel));
            case FUNCTION ->
            {
                final int itemLength = itemLength(buffer, itemOffset, end, channel);
                functions.put(functionId, decodeFunction(buffer, itemOffset + 4, itemLength));
                functionsHeld = functions.size();
            }
            case CALL, APPLY ->
            {
                if (!ranTask)
                {
                    ranTask = true;
                    AotCache.keepTraining();
                }
                board.currentTask(workerIndex, taskId);
                int outOffset = header(RESULT, taskId, count);
                Object task = null;
                for (int i = 0; i < count; i++)
                {
                    final int itemLength = itemLength(buffer, itemOffset, end, channel);
                    Object item = null;
                    Throwable undecodable = null;
                    try
                    {
                        item = codec.decode(buffer, itemOffset + 4, itemLength);
                    }
                    catch (final Throwable t)
                    {
                        undecodable = t;
                    }
                    itemOffset += 4 + itemLength;
                    task = type == CALL ? item : functions.get(functionId);
                    if (undecodable != null)
                    {
                        outOffset = item(FAILED, new IpcException((type == CALL ? "the task" : "item " + i) +
                            " of task #" + taskId + " could not be deserialized in worker " + workerIndex +
                            " (pid " + ProcessHandle.current().pid() + "): " + undecodable, undecodable), outOffset);
                    }
                    else if (task instanceof UndecodableFunction broken)
                    {
                        task = null;
                        outOffset = item(FAILED, broken.failure(taskId), outOffset);
                    }
                    else
                    {
                        outOffset = run(task, type == APPLY, item, outOffset);
                    }
                }
                send(outOffset);
                board.currentTask(workerIndex, 0);
                noteTaskClass(task);
                if (maxTasks > 0 && ++tasksRun >= maxTasks)
                {
                    running = false;
                }
            }
            case FORGET ->
            {
                functions.remove(functionId);
                functionsHeld = functions.size();
            }
            case STOP -> running = false;
            default -> throw new IllegalStateException("unknown pool message type " + type);
        }
    }

    /**
     * Once a task's result is sent: notes its class for the worker's AOT cache, so that a cache trained by another
     * pool's tasks learns this one's (see {@link AotCache#noteClass}). Only a class that differs from the last one
     * noted reaches the cache's lists; of a message's tasks, the last one's.
     */
    private void noteTaskClass(final Object task)
    {
        if (task != null && task.getClass() != notedTaskClass)
        {
            notedTaskClass = task.getClass();
            AotCache.noteClass(notedTaskClass);
        }
    }

    /**
     * Decodes a function sent once for the tasks that use it. One that cannot be decoded (its class is missing here,
     * or its {@code readObject} throws) is kept as an {@link UndecodableFunction}: each task using it then fails with
     * the cause, where an exception out of here would end the worker, and its replacement would be sent the same
     * function.
     */
    private Object decodeFunction(final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            return codec.decode(buffer, offset, length);
        }
        catch (final Throwable t)
        {
            return new UndecodableFunction(workerIndex, t);
        }
    }

    /**
     * A function this worker could not decode, and why.
     *
     * @param workerIndex the worker's index.
     * @param cause       what decoding threw.
     */
    private record UndecodableFunction(int workerIndex, Throwable cause)
    {
        /**
         * @return the failure of a task that uses the function: a new exception per task, as each is sent back.
         */
        IpcException failure(final long taskId)
        {
            return new IpcException("the function of task #" + taskId + " could not be deserialized in worker " +
                workerIndex + " (pid " + ProcessHandle.current().pid() + "): " + cause, cause);
        }
    }

    private void init(final DirectBuffer buffer, final int itemOffset, final int maxTasks, final int itemLength)
    {
        this.maxTasks = maxTasks;
        int outOffset;
        try
        {
            final Object initializer = codec.decode(buffer, itemOffset + 4, itemLength);
            if (initializer != null)
            {
                ((Runnable)initializer).run();
            }
            outOffset = header(READY, ProcessHandle.current().pid(), 0);
        }
        catch (final Throwable t)
        {
            outOffset = header(INIT_FAILED, ProcessHandle.current().pid(), 1);
            outOffset = item(FAILED, t, outOffset);
            running = false;
        }
        send(outOffset);
        if (running && AotCache.isTraining())
        {
            trainingStepDone(); // READY is sent: the worker's start is done
        }
    }

    @SuppressWarnings("unchecked")
    private int run(final Object task, final boolean apply, final Object argument, final int outOffset)
    {
        Object result = null;
        byte status = OK;
        try
        {
            if (!apply)
            {
                if (task instanceof Callable<?> callable)
                {
                    result = callable.call();
                }
                else
                {
                    ((Runnable)task).run();
                }
            }
            else if (task instanceof BiFunction<?, ?, ?> biFunction)
            {
                final Object[] pair = (Object[])argument;
                result = ((BiFunction<Object, Object, Object>)biFunction).apply(pair[0], pair[1]);
            }
            else
            {
                result = ((Function<Object, Object>)task).apply(argument);
            }
        }
        catch (final Throwable t)
        {
            status = FAILED;
            result = t;
        }
        return item(status, result, outOffset);
    }

    private int item(final byte status, final Object value, final int offset)
    {
        if (status == FAILED)
        {
            return failedItem((Throwable)value, "", offset);
        }
        final int length;
        try
        {
            length = codec.encode(value, out, offset + ITEM_HEADER_TO_POOL);
        }
        catch (final RuntimeException ex)
        {
            return failedItem(ex, " (the result could not be sent back)", offset);
        }
        out.putByte(offset, OK);
        out.putInt(offset + 1, length);
        return offset + ITEM_HEADER_TO_POOL + length;
    }

    /**
     * Writes a failed item: the exception, then a text stand-in for it (a {@link RemoteTaskException} with its class,
     * message and stack trace, and its causes alike), which the pool delivers when it cannot deserialize the
     * exception itself (its class is not on the pool's allow-list, say). An exception that cannot be serialized is
     * left out (its length is 0): the stand-in takes its place.
     */
    private int failedItem(final Throwable failure, final String note, final int offset)
    {
        final RemoteTaskException standIn = standIn(failure, note, 0);
        final int valueAt = offset + ITEM_HEADER_TO_POOL;
        int exceptionLength;
        try
        {
            exceptionLength = codec.encode(failure, out, valueAt + FAILURE_HEADER_LENGTH);
        }
        catch (final RuntimeException ex)
        {
            exceptionLength = 0;
        }
        out.putInt(valueAt, exceptionLength);
        final int standInLength = codec.encode(standIn, out, valueAt + FAILURE_HEADER_LENGTH + exceptionLength);
        final int length = FAILURE_HEADER_LENGTH + exceptionLength + standInLength;
        out.putByte(offset, FAILED);
        out.putInt(offset + 1, length);
        return valueAt + length;
    }

    /**
     * @return a {@link RemoteTaskException} naming {@code failure}'s class and message, with its stack trace, caused
     *         by the stand-ins of its causes (at most {@value #MAX_STAND_IN_CAUSES} deep).
     */
    static RemoteTaskException standIn(final Throwable failure, final String note, final int depth)
    {
        final String message = failure.getMessage();
        final RemoteTaskException standIn = new RemoteTaskException(failure.getClass().getName() +
            (message == null ? "" : ": " + message) + note);
        standIn.setStackTrace(failure.getStackTrace());
        final Throwable cause = failure.getCause();
        if (cause != null && cause != failure && depth < MAX_STAND_IN_CAUSES)
        {
            standIn.initCause(standIn(cause, "", depth + 1));
        }
        return standIn;
    }

    private int header(final int type, final long taskId, final int count)
    {
        out.putInt(TYPE_OFFSET, type);
        out.putLong(TASK_ID_OFFSET, taskId);
        out.putInt(FUNCTION_ID_OFFSET, 0);
        out.putInt(COUNT_OFFSET, count);
        return ITEMS_OFFSET;
    }

    private void send(final int length)
    {
        try
        {
            channel.send(out, 0, length, PoolWorker::always);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static boolean always()
    {
        return true; // the pool's end is open (it sent to this worker); the pipe notices when it closes or dies
    }
}
