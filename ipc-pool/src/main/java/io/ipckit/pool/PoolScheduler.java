package io.ipckit.pool;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.MessageHandler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static io.ipckit.pool.PoolMessageDescriptor.*;

/**
 * The half of a {@link ProcessPool} that runs worker JVMs: starts them (and their replacements), hands queued
 * tasks to workers with room, reads their results, and decides what a worker's death means for the tasks it held.
 * <p>
 * Threads: one dispatcher thread, the only one that sends to a running worker's link (and the only one that
 * unmaps a dead worker's link, since it is the one other thread that may still touch it); one reader thread per
 * worker, the only one that receives from its link. Everything else is guarded by {@link #lock}.
 * <p>
 * Note to maintainers: a worker writes the id of the task it is about to run into its link's current-task slot.
 * When it dies, the task in that slot (or the one its timeout blamed) fails with {@link WorkerDiedException}; the
 * other tasks sent to it never started and go back to the front of the queue, in order.
 */
final class PoolScheduler
{
    private static final int MAX_STARTUP_FAILURES = 3;
    private static final long IDLE_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String name;
    private final int workerCount;
    private final int maxTasksPerWorker;
    private final List<String> jvmOptions;
    private final long taskTimeoutNs;
    private final int tasksInFlightPerWorker;
    private final int ringCapacityBytes;
    private final boolean aotCache;
    private final PoolValueCodec codec;
    private final byte[] encodedInitializer;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<PoolTask> pending = new ArrayDeque<>();
    private final WorkerSlot[] workers;
    private final Int2ObjectHashMap<byte[]> functions = new Int2ObjectHashMap<>();
    private final List<WorkerSlot> retired = new ArrayList<>();
    private final Thread dispatcher;
    private boolean shutdown;
    private boolean stopping;
    private boolean shutdownNow;
    private boolean terminated;
    private int liveWorkers;
    private int startupFailures;
    private Throwable broken;

    PoolScheduler(
        final String name,
        final ProcessPool.Builder config,
        final PoolValueCodec codec,
        final byte[] encodedInitializer)
    {
        this.name = name;
        this.workerCount = config.workers;
        this.maxTasksPerWorker = config.maxTasksPerWorker;
        this.jvmOptions = List.copyOf(config.jvmOptions);
        this.taskTimeoutNs = config.taskTimeout == null ? 0 : config.taskTimeout.toNanos();
        this.tasksInFlightPerWorker = config.tasksInFlightPerWorker;
        this.ringCapacityBytes = config.ringCapacityBytes;
        this.aotCache = config.aotCache;
        this.codec = codec;
        this.encodedInitializer = encodedInitializer;
        this.workers = new WorkerSlot[workerCount];
        lock.lock();
        try
        {
            for (int i = 0; i < workerCount; i++)
            {
                startWorker(i, 0);
            }
        }
        finally
        {
            lock.unlock();
        }
        dispatcher = new Thread(this::dispatch, "ipckit-pool-" + name + "-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    /**
     * Queues tasks, in order, for the next workers with room.
     *
     * @throws RejectedExecutionException after shutdown or when the pool is broken.
     */
    void enqueue(final List<PoolTask> tasks)
    {
        lock.lock();
        try
        {
            checkAccepting();
            pending.addAll(tasks);
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Remembers an encoded function under its id, to send to each worker before its first task using it.
     *
     * @throws RejectedExecutionException after shutdown or when the pool is broken.
     */
    void defineFunction(final int functionId, final byte[] encoded)
    {
        lock.lock();
        try
        {
            checkAccepting();
            functions.put(functionId, encoded);
        }
        finally
        {
            lock.unlock();
        }
    }

    void cancelPending(final PoolTask task)
    {
        lock.lock();
        try
        {
            pending.remove(task);
        }
        finally
        {
            lock.unlock();
        }
    }

    List<Long> workerPids()
    {
        lock.lock();
        try
        {
            final List<Long> pids = new ArrayList<>();
            for (final WorkerSlot slot : workers)
            {
                if (slot != null && !slot.gone && slot.process.isAlive())
                {
                    pids.add(slot.process.pid());
                }
            }
            return pids;
        }
        finally
        {
            lock.unlock();
        }
    }

    void shutdown()
    {
        lock.lock();
        try
        {
            shutdown = true;
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return the tasks that were queued and will never run (their futures are not completed here).
     */
    List<PoolTask> shutdownNow()
    {
        lock.lock();
        try
        {
            shutdown = true;
            shutdownNow = true;
            final List<PoolTask> cancelled = new ArrayList<>(pending);
            pending.clear();
            for (final WorkerSlot slot : workers)
            {
                if (slot != null)
                {
                    slot.process.kill();
                }
            }
            changed.signalAll();
            return cancelled;
        }
        finally
        {
            lock.unlock();
        }
    }

    boolean isShutdown()
    {
        lock.lock();
        try
        {
            return shutdown;
        }
        finally
        {
            lock.unlock();
        }
    }

    boolean isTerminated()
    {
        lock.lock();
        try
        {
            return terminated;
        }
        finally
        {
            lock.unlock();
        }
    }

    boolean awaitTermination(final long timeoutNs) throws InterruptedException
    {
        long remainingNs = timeoutNs;
        lock.lock();
        try
        {
            while (!terminated)
            {
                if (remainingNs <= 0)
                {
                    return false;
                }
                remainingNs = changed.awaitNanos(remainingNs);
            }
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    private void checkAccepting()
    {
        if (shutdown)
        {
            throw new RejectedExecutionException("pool " + name + " is shut down and accepts no new tasks");
        }
        if (broken != null)
        {
            throw new RejectedExecutionException("pool " + name + " is broken: " + broken, broken);
        }
    }

    private void startWorker(final int index, final int generation)
    {
        final String linkName = name + "-w" + index + "-" + generation;
        final WorkerLink link = WorkerLink.create(linkName, ringCapacityBytes);
        final JvmProcess process;
        try
        {
            process = JvmProcess.start(PoolWorker.class, new ProcessOptions()
                .name(name + "-worker-" + index)
                .args(linkName)
                .jvmOptions(jvmOptions.toArray(new String[0]))
                .aotCache(aotCache)
                .daemon(true));
        }
        catch (final RuntimeException ex)
        {
            link.unlink();
            link.close();
            throw ex;
        }
        final WorkerSlot slot = new WorkerSlot(index, generation, process, link);
        final ExpandableArrayBuffer init = new ExpandableArrayBuffer(64 + encodedInitializer.length);
        init.putInt(TYPE_OFFSET, INIT);
        init.putLong(TASK_ID_OFFSET, 0);
        init.putInt(FUNCTION_ID_OFFSET, maxTasksPerWorker);
        init.putInt(COUNT_OFFSET, 1);
        init.putBytes(ITEMS_OFFSET, encodedInitializer);
        try
        {
            link.send(init, 0, ITEMS_OFFSET + encodedInitializer.length, process::isAlive);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        workers[index] = slot;
        liveWorkers++;
        final Thread reader = new Thread(() -> read(slot), "ipckit-pool-" + linkName + "-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(final WorkerSlot slot)
    {
        final MessageHandler handler = (type, buffer, index, length) -> onWorkerMessage(slot, buffer, index);
        try
        {
            while (true)
            {
                final int received = slot.link.receive(handler, IDLE_CHECK_NS * 5);
                if (received == 0 && !slot.process.isAlive())
                {
                    slot.link.receive(handler, 0);
                    break;
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException ex)
        {
            slot.process.kill();
        }
        onWorkerExit(slot);
    }

    private void onWorkerMessage(final WorkerSlot slot, final MutableDirectBuffer buffer, final int index)
    {
        final int type = buffer.getInt(index + TYPE_OFFSET);
        final long taskId = buffer.getLong(index + TASK_ID_OFFSET);
        final int count = buffer.getInt(index + COUNT_OFFSET);
        final Object[] values = new Object[count];
        final boolean[] failed = new boolean[count];
        int offset = index + ITEMS_OFFSET;
        for (int i = 0; i < count; i++)
        {
            failed[i] = buffer.getByte(offset) == FAILED;
            final int length = buffer.getInt(offset + 1);
            try
            {
                values[i] = codec.decode(buffer, offset + 5, length);
            }
            catch (final IpcException ex)
            {
                failed[i] = true;
                values[i] = ex;
            }
            if (failed[i] && values[i] instanceof Throwable t && !(t instanceof RemoteTaskException))
            {
                t.addSuppressed(new RemoteTaskException("raised in " + slot + " of " + name + ", task #" + taskId));
            }
            offset += 5 + length;
        }
        PoolTask done = null;
        lock.lock();
        try
        {
            if (type == READY)
            {
                slot.ready = true;
                startupFailures = 0;
            }
            else if (type == INIT_FAILED)
            {
                broken = new IpcException("the initializer of " + name + " failed in " + slot + ": " + values[0],
                    (Throwable)values[0]);
            }
            else if (type == RESULT)
            {
                for (final Iterator<PoolTask> it = slot.inFlight.iterator(); it.hasNext(); )
                {
                    final PoolTask task = it.next();
                    if (task.id == taskId)
                    {
                        it.remove();
                        done = task;
                        break;
                    }
                }
            }
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
        if (done != null)
        {
            done.failed = failed;
            done.results.complete(values);
        }
        if (type == INIT_FAILED)
        {
            failPending();
        }
    }

    private void onWorkerExit(final WorkerSlot slot)
    {
        try
        {
            slot.process.join(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        final int exitCode = slot.process.exitCode().orElse(Integer.MIN_VALUE);
        final long running = slot.link.currentTask();
        slot.link.unlink();
        final List<PoolTask> failed = new ArrayList<>();
        boolean replace = false;
        lock.lock();
        try
        {
            slot.gone = true;
            // only the dispatcher unmaps a link: it is the one other thread that may still be touching it
            retired.add(slot);
            liveWorkers--;
            if (!slot.ready && !stopping && !shutdownNow && ++startupFailures >= MAX_STARTUP_FAILURES && broken == null)
            {
                broken = new IpcException("worker JVMs of " + name + " keep dying before they are ready (last exit " +
                    "code " + exitCode + "); check the pool's jvmOptions and the class path");
            }
            final List<PoolTask> requeue = new ArrayList<>();
            for (final PoolTask task : slot.inFlight)
            {
                if (shutdownNow || task.id == running || task.id == slot.timedOutTask || broken != null)
                {
                    failed.add(task);
                }
                else
                {
                    requeue.add(task);
                }
            }
            slot.inFlight.clear();
            for (int i = requeue.size() - 1; i >= 0; i--)
            {
                pending.addFirst(requeue.get(i));
            }
            replace = !stopping && !shutdownNow && broken == null;
            if (!replace && liveWorkers == 0)
            {
                terminated = shutdown;
            }
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
        for (final PoolTask task : failed)
        {
            task.results.completeExceptionally(deathOf(slot, task, exitCode, running));
        }
        if (broken != null)
        {
            failPending();
        }
        if (replace)
        {
            lock.lock();
            try
            {
                startWorker(slot.index, slot.generation + 1);
            }
            catch (final RuntimeException ex)
            {
                broken = ex;
                terminated = shutdown && liveWorkers == 0;
                changed.signalAll();
            }
            finally
            {
                lock.unlock();
            }
            if (broken != null)
            {
                failPending();
            }
        }
    }

    private Throwable deathOf(final WorkerSlot slot, final PoolTask task, final int exitCode, final long running)
    {
        if (shutdownNow)
        {
            return new CancellationException(task + " was cancelled by shutdownNow() of " + name);
        }
        if (task.id == slot.timedOutTask)
        {
            return new WorkerDiedException(task + " ran longer than its timeout of " +
                TimeUnit.NANOSECONDS.toMillis(taskTimeoutNs) + " ms in " + slot + " of " + name +
                "; the worker was killed and replaced", exitCode);
        }
        if (broken != null && task.id != running)
        {
            return new CancellationException(task + " cannot run: " + broken.getMessage());
        }
        final String how = exitCode < 0 ? "was killed by signal " + -exitCode : "exited with code " + exitCode;
        return new WorkerDiedException(slot + " of " + name + " " + how + " while running " + task +
            "; the pool replaced it and runs the other tasks", exitCode);
    }

    private void failPending()
    {
        final List<PoolTask> failed;
        lock.lock();
        try
        {
            failed = new ArrayList<>(pending);
            pending.clear();
        }
        finally
        {
            lock.unlock();
        }
        for (final PoolTask task : failed)
        {
            task.results.completeExceptionally(new IpcException(task + " cannot run: " + broken.getMessage(), broken));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Dispatcher: the only thread that sends to a running worker's link.

    private void dispatch()
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4096);
        while (true)
        {
            WorkerSlot target = null;
            PoolTask task = null;
            byte[] function = null;
            final List<WorkerSlot> toStop = new ArrayList<>();
            final List<WorkerSlot> toClose = new ArrayList<>();
            boolean exit = false;
            lock.lock();
            try
            {
                while (true)
                {
                    toClose.addAll(retired);
                    retired.clear();
                    if (terminated)
                    {
                        exit = true;
                        break;
                    }
                    checkTimeouts();
                    while (!pending.isEmpty() && pending.peekFirst().results.isDone())
                    {
                        pending.pollFirst();
                    }
                    if (!pending.isEmpty())
                    {
                        target = freeWorker();
                        if (target != null)
                        {
                            task = pending.pollFirst();
                            target.inFlight.add(task);
                            target.tasksSent++;
                            if (task.type == APPLY && target.knownFunctions.add(task.functionId))
                            {
                                function = functions.get(task.functionId);
                            }
                            break;
                        }
                    }
                    else if (shutdown && !stopping && allIdle())
                    {
                        stopping = true;
                        for (final WorkerSlot slot : workers)
                        {
                            if (slot != null && !slot.gone)
                            {
                                toStop.add(slot);
                            }
                        }
                        terminated = liveWorkers == 0;
                        changed.signalAll();
                        break;
                    }
                    try
                    {
                        changed.awaitNanos(taskTimeoutNs > 0 ? IDLE_CHECK_NS : TimeUnit.SECONDS.toNanos(1));
                    }
                    catch (final InterruptedException ex)
                    {
                        exit = true;
                        break;
                    }
                }
            }
            finally
            {
                lock.unlock();
            }
            for (final WorkerSlot slot : toClose)
            {
                slot.link.close();
            }
            if (exit)
            {
                return;
            }
            for (final WorkerSlot slot : toStop)
            {
                send(slot, out, STOP, 0, 0, 0, null);
            }
            if (task != null)
            {
                if (function != null)
                {
                    send(target, out, FUNCTION, 0, task.functionId, 1, function);
                }
                send(target, out, task.type, task.id, task.functionId, task.count, task.encodedItems);
            }
        }
    }

    private void send(
        final WorkerSlot slot, final ExpandableArrayBuffer out, final int type, final long taskId, final int functionId,
        final int count, final byte[] items)
    {
        out.putInt(TYPE_OFFSET, type);
        out.putLong(TASK_ID_OFFSET, taskId);
        out.putInt(FUNCTION_ID_OFFSET, functionId);
        out.putInt(COUNT_OFFSET, count);
        int length = ITEMS_OFFSET;
        if (items != null)
        {
            out.putBytes(ITEMS_OFFSET, items);
            length += items.length;
        }
        try
        {
            slot.link.send(out, 0, length, slot.process::isAlive);
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

    private WorkerSlot freeWorker()
    {
        WorkerSlot best = null;
        for (final WorkerSlot slot : workers)
        {
            if (slot != null && slot.ready && !slot.gone && slot.inFlight.size() < tasksInFlightPerWorker &&
                (maxTasksPerWorker == 0 || slot.tasksSent < maxTasksPerWorker) &&
                (best == null || slot.inFlight.size() < best.inFlight.size()))
            {
                best = slot;
            }
        }
        return best;
    }

    private boolean allIdle()
    {
        for (final WorkerSlot slot : workers)
        {
            if (slot != null && !slot.gone && !slot.inFlight.isEmpty())
            {
                return false;
            }
        }
        return true;
    }

    private void checkTimeouts()
    {
        if (taskTimeoutNs <= 0)
        {
            return;
        }
        final long now = System.nanoTime();
        for (final WorkerSlot slot : workers)
        {
            if (slot == null || slot.gone)
            {
                continue;
            }
            final long running = slot.link.currentTask();
            if (running != slot.observedTask)
            {
                slot.observedTask = running;
                slot.observedSinceNs = now;
            }
            else if (running != 0 && slot.timedOutTask == 0 && now - slot.observedSinceNs > taskTimeoutNs)
            {
                slot.timedOutTask = running;
                slot.process.kill();
            }
        }
    }
}
