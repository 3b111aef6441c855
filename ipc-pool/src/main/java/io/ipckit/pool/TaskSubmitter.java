package io.ipckit.pool;

import io.ipckit.core.exceptions.IpcException;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import static io.ipckit.pool.PoolMessageDescriptor.*;

/**
 * Turns what a caller submits to a {@link ProcessPool} into {@link PoolTask}s: encodes each task (or chunk of
 * arguments) once, in the submitting thread, so that a value that cannot be serialized fails the submission; gives
 * each function an id ({@link FunctionTable}), so that a worker receives it once, and has it held only while a task
 * uses it; splits arguments into chunks; and completes a caller's future from its task's results.
 * <p>
 * Thread-safe: any thread may submit.
 */
final class TaskSubmitter
{
    /**
     * Whether a function's class has no instance fields, so that every instance of it is the same function (a
     * lambda that captures nothing): such a function is kept by the pool for its life, the others only while a task
     * uses them.
     */
    private static final ClassValue<Boolean> STATELESS = new ClassValue<>()
    {
        @Override
        protected Boolean computeValue(final Class<?> type)
        {
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass())
            {
                for (final java.lang.reflect.Field field : c.getDeclaredFields())
                {
                    if (!java.lang.reflect.Modifier.isStatic(field.getModifiers()))
                    {
                        return false;
                    }
                }
            }
            return true;
        }
    };

    private final int workerCount;
    private final PoolClassFilter filter;
    private final PoolValueCodec codec;
    private final AtomicLong taskIds = new AtomicLong();
    private PoolScheduler scheduler;

    TaskSubmitter(final int workerCount, final PoolClassFilter filter, final PoolValueCodec codec)
    {
        this.workerCount = workerCount;
        this.filter = filter;
        this.codec = codec;
    }

    /**
     * @param scheduler where tasks go; set once, before the first submission.
     */
    void scheduler(final PoolScheduler scheduler)
    {
        this.scheduler = scheduler;
    }


    <T> CompletableFuture<T> submitCall(final Object task)
    {
        return submitCall(task, false, null);
    }

    <T> CompletableFuture<T> submitCall(final Object task, final boolean fixedResult, final T result)
    {
        if (task == null)
        {
            throw new NullPointerException("task");
        }
        if (!(task instanceof java.io.Serializable))
        {
            throw new RejectedExecutionException("cannot send " + task + " to a worker JVM: it is not Serializable; " +
                "pass a lambda (it becomes a SerializableCallable) or implement SerializableCallable/SerializableRunnable");
        }
        filter.allowPackageOf(task);
        final byte[] encoded;
        try
        {
            encoded = encodeItems(new Object[] {task}, 1);
        }
        catch (final IpcException ex)
        {
            throw new RejectedExecutionException(ex.getMessage(), ex);
        }
        final PoolTask poolTask = new PoolTask(taskIds.incrementAndGet(), CALL, 0, 1, encoded);
        poolTask.origin = task;
        final TaskFuture<T> future = new TaskFuture<>(scheduler, poolTask);
        completeFrom(poolTask, future, fixedResult, result);
        scheduler.enqueue(List.of(poolTask));
        return future;
    }

    List<PoolTask> submitApply(final Object fn, final List<Object> arguments, final int chunkSize)
    {
        if (!(fn instanceof java.io.Serializable))
        {
            throw new RejectedExecutionException("cannot send function " + fn +
                " to a worker JVM: it is not Serializable");
        }
        final int items = arguments.size();
        // a chunk larger than the call is the whole call: no sum or product below can overflow then
        final int chunk = chunkSize > 0 ? Math.min(chunkSize, Math.max(1, items)) :
            Math.max(1, (int)((items + 4L * workerCount - 1) / (4L * workerCount)));
        final int taskCount = items / chunk + (items % chunk == 0 ? 0 : 1);
        final List<PoolTask> tasks = new ArrayList<>(taskCount);
        if (taskCount == 0)
        {
            return tasks;
        }
        final boolean stateless = STATELESS.get(fn.getClass());
        final int functionId = registerFunction(fn, stateless, taskCount);
        try
        {
            // one scratch buffer for every chunk of the call (it grows as needed): a chunk allocates only its bytes
            final ExpandableArrayBuffer scratch =
                new ExpandableArrayBuffer((int)Math.min(Math.min(64L * chunk, 16L * chunk + 256), 1 << 20));
            for (int from = 0; from < items; from += chunk)
            {
                final int count = Math.min(chunk, items - from);
                tasks.add(new PoolTask(taskIds.incrementAndGet(), APPLY, functionId, count,
                    encodeItems(scratch, arguments, from, count)));
            }
            scheduler.enqueue(tasks);
        }
        catch (final RuntimeException | Error ex)
        {
            for (int i = 0; i < taskCount; i++)
            {
                scheduler.releaseFunction(functionId);
            }
            throw ex;
        }
        if (!stateless)
        {
            for (final PoolTask task : tasks)
            {
                task.results.whenComplete((values, error) -> scheduler.releaseFunction(functionId));
            }
        }
        return tasks;
    }

    static List<Object> toArguments(final Iterable<?> items, final boolean pairs)
    {
        final List<Object> arguments = new ArrayList<>();
        for (final Object item : items)
        {
            if (pairs)
            {
                final Map.Entry<?, ?> entry = (Map.Entry<?, ?>)item;
                arguments.add(new Object[] {entry.getKey(), entry.getValue()});
            }
            else
            {
                arguments.add(item);
            }
        }
        return arguments;
    }

    /**
     * Takes {@code uses} uses of {@code fn}'s id, registering it first when the pool does not hold it (or an equal
     * function): see {@link FunctionTable}. A function that captures nothing is looked up by its class alone, with
     * no encoding: the path of a lambda used for many tasks.
     */
    private int registerFunction(final Object fn, final boolean stateless, final int uses)
    {
        final int known = scheduler.useFunction(fn, stateless, uses);
        if (known != 0)
        {
            return known;
        }
        filter.allowPackageOf(fn);
        return scheduler.registerFunction(fn, stateless, encodeItems(new Object[] {fn}, 1), uses);
    }

    byte[] encodeItems(final Object[] items, final int count)
    {
        return encodeItems(new ExpandableArrayBuffer(Math.min(64 * count, 16 * count + 256)), Arrays.asList(items), 0,
            count);
    }

    /**
     * Encodes {@code count} items from {@code from} as a message's items, using {@code scratch} to build them.
     *
     * @return the encoded items.
     */
    private byte[] encodeItems(
        final ExpandableArrayBuffer scratch, final List<?> items, final int from, final int count)
    {
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            final int length = codec.encode(items.get(from + i), scratch, offset + 4);
            scratch.putInt(offset, length);
            offset += 4 + length;
        }
        final byte[] bytes = new byte[offset];
        scratch.getBytes(0, bytes);
        return bytes;
    }

    /**
     * Completes {@code future} from the task's single item: its value (or {@code result} when {@code fixedResult},
     * for {@link #submit(Runnable, Object)}), or its failure.
     */
    <T> void completeFrom(
        final PoolTask task, final CompletableFuture<T> future, final boolean fixedResult, final T result)
    {
        task.results.whenComplete(new BiConsumer<>()
        {
            @SuppressWarnings("unchecked")
            public void accept(final Object[] values, final Throwable error)
            {
                if (error != null)
                {
                    future.completeExceptionally(error);
                }
                else if (task.failed[0])
                {
                    future.completeExceptionally((Throwable)values[0]);
                }
                else
                {
                    future.complete(fixedResult ? result : (T)values[0]);
                }
            }
        });
    }
}
