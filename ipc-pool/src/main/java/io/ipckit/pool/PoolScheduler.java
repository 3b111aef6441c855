package io.ipckit.pool;

import io.ipckit.core.exceptions.IpcException;
import org.agrona.collections.IntArrayList;

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
 * The half of a {@link ProcessPool} that runs worker JVMs: keeps the queue of tasks and the state of every worker,
 * hands queued tasks to workers with room, and decides what a worker's death means for the tasks it held. Its
 * helpers: {@link WorkerLauncher} starts a worker (and its replacements), {@link WorkerReader} reads one worker's
 * results, {@link TaskSender} writes messages to workers, and {@link TaskTimer} kills a worker whose task ran over
 * the timeout.
 * <p>
 * Each worker has its own duplex pipe ({@link WorkerChannel}): tasks go one way, results the other. When a worker
 * closes its end or dies, its reader receives every result it sent and then the end of the stream.
 * <p>
 * Threads: one reader thread per worker, the only one that receives from its channel; one dispatcher thread, which
 * hands out newly queued tasks, sends what the readers cannot, and is the only one that closes a dead worker's
 * channel; and, when tasks have a timeout, one timer thread, so that the timeout fires whatever the dispatcher does.
 * The dispatcher never waits long for room in one worker's ring: what finds none goes back to the queue for the other
 * workers, and that worker takes nothing until it reads again ({@link #takeBackUnsent}). Everything else is guarded
 * by {@link #lock}. When a result frees room, the worker's own reader sends it the next queued task at once if that
 * needs no waiting ({@link #topUp}): a chunk-size-1 map then costs no thread wake-up per task. The dispatcher is
 * woken only for what the reader cannot send. A worker's tasks wait for its READY, except one: while no ready worker
 * has room, one of the pool's first workers, started at once, may be sent its first task while it boots
 * ({@link #sendToStartingWorker}), so that a new pool's first result does not wait for a round trip of READY.
 * <p>
 * Note to maintainers: a worker's send side has one user at a time, so that its messages keep the order in which
 * their tasks were assigned (a FUNCTION before the first task using it, a FORGET after the last): the dispatcher,
 * from the hold of the lock in which it assigns tasks, FORGETs or a STOP to the worker (marking it
 * {@link WorkerSlot#sending}) until the next hold after it sent them, and otherwise a thread that holds the lock (the
 * worker's reader topping it up, or the thread that released a function), only while it holds it and only without
 * waiting (waiting there could deadlock with a worker waiting for room for its results).
 * <p>
 * Note to maintainers: a worker writes the id of the task it is about to run into its slot of the pool's
 * {@link TaskBoard}. When it dies, the task in that slot (or the one its timeout blamed) fails with
 * {@link WorkerDiedException}; the other tasks sent to it never started and go back to the front of the queue, in
 * order, unless {@value #MAX_EXITS_WHILE_HELD} workers have now exited holding one: that one fails. A slot is reset to 0 before a replacement worker starts in it.
 * <p>
 * <b>Why this class is longer than 600 lines.</b> What is left here is the state that one lock guards (the queue of
 * tasks, every worker's slot and tasks in flight, the function table, the lifecycle flags) and the code that reads
 * or changes it under that lock: assigning, topping up, a worker's death, shutdown. The parts that need no lock are
 * already apart ({@link WorkerLauncher}, {@link WorkerReader}, {@link TaskSender}, {@link TaskTimer}). Moving the
 * death handling or the lifecycle into a class of its own would hand this lock and these fields to a second class
 * that changes them, and the invariants above would then be kept in two places.
 */
final class PoolScheduler
{
    private static final int MAX_STARTUP_FAILURES = 3;
    private static final byte[] NO_ITEMS = new byte[0];
    /** The longest the dispatcher sleeps with nothing to do. */
    private static final long DISPATCHER_IDLE_NS = TimeUnit.SECONDS.toNanos(1);
    /**
     * A task held by this many workers that exited before it ran fails instead of going back to the queue: what
     * kills them may be the task itself (a function or argument whose deserialization ends the worker's JVM), and
     * each further worker would die of it too.
     */
    static final int MAX_EXITS_WHILE_HELD = 2;
    /** Never registered: removing it throws once this JVM runs its shutdown hooks, which is how the pool asks. */
    private static final Thread EXIT_PROBE = new Thread(() -> {}, "ipckit-pool-exit-probe");

    private final String name;
    private final int workerCount;
    private final TaskTimer timer;
    private final PoolValueCodec codec;
    private final TaskBoard board;
    private final WorkerLauncher launcher;
    /** A result leaving a worker with at most this many tasks in flight wakes the dispatcher to top it up. */
    private final int lowWaterInFlight;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<PoolTask> pending = new ArrayDeque<>();
    private final WorkerTable workers;
    private final FunctionTable functions = new FunctionTable();
    private final List<WorkerSlot> retired = new ArrayList<>();
    private final Thread dispatcher;
    private boolean shutdown;
    private boolean stopping;
    private boolean shutdownNow;
    private boolean terminated;
    private int liveWorkers;
    private int startupFailures;
    private long dispatchRounds;
    private int workersStarted;
    private Throwable broken;

    PoolScheduler(
        final String name,
        final PoolOptions config,
        final PoolValueCodec codec,
        final byte[] encodedInitializer)
    {
        this.name = name;
        this.workerCount = config.workers();
        this.codec = codec;
        this.workers = new WorkerTable(workerCount, config.tasksInFlightPerWorker(), config.maxTasksPerWorker());
        this.lowWaterInFlight = config.tasksInFlightPerWorker() / 2;
        this.board = TaskBoard.create(name + "-board", workerCount);
        this.launcher = new WorkerLauncher(name, config, board, encodedInitializer);
        this.timer = new TaskTimer(board, config.taskTimeout(TimeUnit.NANOSECONDS));
        final List<Thread> readers = new ArrayList<>(workerCount);
        try
        {
            startWorkers(readers);
        }
        catch (final RuntimeException ex)
        {
            release(readers);
            throw ex;
        }
        dispatcher = new Thread(this::dispatch, "ipckit-pool-" + name + "-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
        if (timer.enabled())
        {
            final Thread watch = new Thread(this::watchTimeouts, "ipckit-pool-" + name + "-timer");
            watch.setDaemon(true);
            watch.start();
        }
    }

    /**
     * Starts the first generation of workers, or undoes the start when one fails ({@link #abandon()}).
     *
     * @param readers receives the reader thread of each worker started.
     */
    private void startWorkers(final List<Thread> readers)
    {
        lock.lock();
        try
        {
            for (int i = 0; i < workerCount; i++)
            {
                readers.add(startWorker(i, 0));
            }
        }
        catch (final RuntimeException ex)
        {
            abandon();
            throw ex;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Undoes a start that failed half-way (lock held): kills the workers started so far, so that none is replaced,
     * and removes the pool's names.
     */
    private void abandon()
    {
        shutdown = true;
        shutdownNow = true;
        workers.killAll();
        for (final WorkerSlot slot : workers.slots())
        {
            if (slot != null)
            {
                slot.channel.unlink();
            }
        }
        board.unlink();
    }

    /**
     * Closes what a start that failed half-way mapped, once its workers are killed: no dispatcher runs to close the
     * channels and the board, and a removed name does not unmap a file. Runs without the lock: each reader uses its
     * channel and the board until it has reported its worker's exit, which takes the lock; they are closed once every
     * reader has ended.
     */
    private void release(final List<Thread> readers)
    {
        boolean interrupted = false;
        for (final Thread reader : readers)
        {
            while (reader.isAlive())
            {
                try
                {
                    reader.join(); // ends soon: its worker is killed, and it waits at most 10 s to reap it
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true; // closing under a running reader could crash this JVM: wait on
                }
            }
        }
        for (final WorkerSlot slot : workers.slots())
        {
            if (slot != null)
            {
                slot.channel.close();
            }
        }
        board.close();
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
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
     * Takes {@code uses} uses of a function the pool holds, looked up by its instance (or class): see
     * {@link FunctionTable#use}.
     *
     * @return its id, or 0 when the pool does not hold it: {@link #registerFunction} it.
     */
    int useFunction(final Object fn, final boolean stateless, final int uses)
    {
        lock.lock();
        try
        {
            return functions.use(fn, stateless, uses);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Holds an encoded function, to send to each worker before its first task using it, or takes {@code uses} uses
     * of an equal one: see {@link FunctionTable#register}.
     *
     * @return its id.
     * @throws RejectedExecutionException after shutdown or when the pool is broken.
     */
    int registerFunction(final Object fn, final boolean stateless, final byte[] encoded, final int uses)
    {
        lock.lock();
        try
        {
            checkAccepting();
            return functions.register(fn, stateless, encoded, uses);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Gives back a task's use of a function; after the last one, tells each worker that knows it to forget it: at
     * once when the worker's send side is free and its ring has room, otherwise through the dispatcher. Every task
     * that used it was sent before the FORGET, or will never be sent (its results are complete).
     */
    void releaseFunction(final int functionId)
    {
        lock.lock();
        try
        {
            if (!functions.release(functionId))
            {
                return;
            }
            boolean forDispatcher = false;
            for (final WorkerSlot slot : workers.slots())
            {
                if (slot != null && !slot.gone && slot.knownFunctions.remove(functionId) &&
                    (slot.sending || !TaskSender.trySendInPlace(slot, FORGET, 0, functionId, 0, NO_ITEMS)))
                {
                    slot.forgets.addInt(functionId);
                    forDispatcher = true;
                }
            }
            if (forDispatcher)
            {
                changed.signalAll();
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Removes a cancelled task from the queue, if it is still there, and then completes its results: it never runs,
     * and what it held (its function's use) is given back.
     */
    void cancelPending(final PoolTask task)
    {
        final boolean removed;
        lock.lock();
        try
        {
            removed = pending.remove(task);
        }
        finally
        {
            lock.unlock();
        }
        if (removed)
        {
            task.results.completeExceptionally(new CancellationException(task + " was cancelled before it ran"));
        }
    }

    /**
     * @param index a worker's index.
     * @return how many tasks the worker at {@code index} holds, negated while it is not ready yet (0 without a
     *         worker): for tests, which check that a starting worker is sent its first task.
     */
    int tasksHeld(final int index)
    {
        lock.lock();
        try
        {
            final WorkerSlot slot = workers.slots()[index];
            return slot == null ? 0 : slot.ready ? slot.inFlight.size() : -slot.inFlight.size();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return how many times the dispatcher has handed out tasks (each time one or more): for tests, which check
     *         that results wake it once per several tasks rather than once per task.
     */
    long dispatchRounds()
    {
        lock.lock();
        try
        {
            return dispatchRounds;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return how many functions the pool holds for its workers: for tests, which check that functions no task uses
     *         any more are released.
     */
    int functionsRegistered()
    {
        lock.lock();
        try
        {
            return functions.size();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return how many workers the pool has started, replacements included: for tests.
     */
    int workersStarted()
    {
        lock.lock();
        try
        {
            return workersStarted;
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
            return workers.pids();
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
            workers.killAll();
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

    /**
     * Called with the lock held. Once terminated the pool's names are gone: the task board's is removed here, each
     * worker's pipe's when the worker exited.
     */
    private void setTerminated(final boolean terminated)
    {
        this.terminated = terminated;
        if (terminated)
        {
            board.unlink();
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

    /**
     * @return the worker's reader thread, started.
     */
    private Thread startWorker(final int index, final int generation)
    {
        final WorkerSlot slot = launcher.launch(index, generation);
        workersStarted++;
        workers.put(slot);
        liveWorkers++;
        final Thread reader = new Thread(new WorkerReader(this, slot, codec, name),
            "ipckit-pool-" + slot.channel.name() + "-reader");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    /**
     * Called by a worker's reader with one decoded message.
     */
    void onWorkerMessage(
        final WorkerSlot slot, final int type, final long taskId, final Object[] values, final boolean[] failed)
    {
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
                // a task sent before the worker was ready never started: it fails as the queued ones do
                while (!slot.inFlight.isEmpty())
                {
                    pending.addFirst(slot.inFlight.pollLast());
                }
            }
            else if (type == RESULT && !slot.inFlight.isEmpty() && slot.inFlight.peekFirst().id == taskId)
            {
                done = slot.inFlight.pollFirst(); // a worker runs its tasks in the order they were sent
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
            final boolean unblocked = slot.blocked; // the worker read: its ring has room again
            slot.blocked = false;
            if (type != RESULT || topUp(slot) || unblocked || needsDispatcher(slot))
            {
                changed.signalAll();
            }
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

    /**
     * Sends the next queued tasks to {@code slot}, whose result was just taken, while it has room (lock held, called
     * by the slot's reader): the worker gets its next task without a wake-up of the dispatcher. Only what can be
     * sent without waiting, and only while the dispatcher is not sending to the slot; a task whose function the
     * worker does not know yet, one longer than a record, or a full ring is left to the dispatcher.
     *
     * @return true when a queued task is left that the dispatcher must send to this slot.
     */
    private boolean topUp(final WorkerSlot slot)
    {
        while (!pending.isEmpty())
        {
            final PoolTask task = pending.peekFirst();
            if (task.results.isDone())
            {
                pending.pollFirst();
                continue;
            }
            if (slot.sending || !workers.hasRoom(slot))
            {
                return false;
            }
            if (task.type == APPLY && !slot.knownFunctions.contains(task.functionId) ||
                !TaskSender.trySendInPlace(slot, task))
            {
                return true;
            }
            pending.pollFirst();
            slot.inFlight.add(task);
            slot.tasksSent++;
        }
        return false;
    }

    /**
     * Whether a result just taken from {@code slot} gives the dispatcher something to do (lock held): tasks are
     * waiting and the worker is down to half its tasks in flight (the dispatcher then tops it up in one go), or the
     * pool is shutting down and the worker has become idle. Waking the dispatcher for every result would cost a
     * futex wake and two context switches per task, while the worker still has tasks queued.
     */
    private boolean needsDispatcher(final WorkerSlot slot)
    {
        final int inFlight = slot.inFlight.size();
        return !pending.isEmpty() && inFlight <= lowWaterInFlight || shutdown && inFlight == 0;
    }

    /**
     * Called by a worker's reader once the worker closed its end or died: fails the task it was running, requeues
     * those it never started, and starts a replacement unless the pool is stopping or broken, or this JVM is exiting.
     *
     * @param unreadTaskId the task whose results the reader failed to read, or 0.
     * @param readFailure  what the reader failed with (it then killed the worker), or null.
     */
    void onWorkerExit(final WorkerSlot slot, final long unreadTaskId, final Throwable readFailure)
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
        final long running = board.currentTask(slot.index);
        slot.channel.unlink();
        final List<PoolTask> failed = new ArrayList<>();
        boolean replace = false;
        lock.lock();
        try
        {
            slot.gone = true;
            // only the dispatcher closes a channel: it is the one other thread that may still be touching it
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
                // a worker that was not ready started none of its tasks: in a broken pool they fail as the queued do
                if (shutdownNow || task.id == running || task.id == slot.timedOutTask || task.id == unreadTaskId ||
                    broken != null && slot.ready || ++task.exitsWhileHeld >= MAX_EXITS_WHILE_HELD)
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
            replace = !stopping && !shutdownNow && broken == null && !jvmExiting();
            if (!replace && liveWorkers == 0)
            {
                setTerminated(shutdown);
            }
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
        for (final PoolTask task : failed)
        {
            task.results.completeExceptionally(task.id == unreadTaskId && !shutdownNow ?
                new IpcException("the pool could not read the results of " + task + " from " + slot + " of " + name +
                    ": " + readFailure + "; the worker was killed and replaced", readFailure) :
                deathOf(slot, task, exitCode, running));
        }
        if (broken != null)
        {
            failPending();
        }
        if (replace)
        {
            io.ipckit.core.internal.jfr.JfrEvents.workerReplaced(name, slot.index, slot.process.pid(), exitCode, running);
            lock.lock();
            try
            {
                if (stopping || shutdownNow || broken != null || jvmExiting())
                {
                    // the pool began to stop since the lock was last held: the dispatcher sent its STOPs to the
                    // workers of that moment, so a replacement started now would never be told to stop
                    setTerminated(shutdown && liveWorkers == 0);
                    changed.signalAll();
                }
                else
                {
                    startWorker(slot.index, slot.generation + 1);
                }
            }
            catch (final RuntimeException ex)
            {
                broken = ex;
                setTerminated(shutdown && liveWorkers == 0);
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

    /**
     * Whether this JVM is exiting (running its shutdown hooks): its workers are then stopped by the daemon reaper,
     * not dying, and a replacement started now would outlive the pool's files or be a stray worker of a JVM that is
     * gone.
     */
    static boolean jvmExiting()
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(EXIT_PROBE);
            return false;
        }
        catch (final IllegalStateException ex)
        {
            return true; // "Shutdown in progress"
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
                timer.timeoutMs() + " ms in " + slot + " of " + name +
                "; the worker was killed and replaced", exitCode);
        }
        if (broken != null && task.id != running)
        {
            return new CancellationException(task + " cannot run: " + broken.getMessage());
        }
        final String how = exitCode < 0 ? "was killed by signal " + -exitCode : "exited with code " + exitCode;
        if (task.id != running)
        {
            return new WorkerDiedException(task + " was held by " + task.exitsWhileHeld + " workers that exited " +
                "before it ran, the last " + slot + " of " + name + ", which " + how + "; the pool gave up on it " +
                "rather than start another worker for it: its function or arguments may be what ends them (e.g. " +
                "code run by their deserialization)", exitCode);
        }
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
    // Dispatcher: the only thread that sends to a running worker's channel.

    private void dispatch()
    {
        final DispatchRound round = new DispatchRound();
        final List<WorkerSlot> toClose = new ArrayList<>();
        final List<PoolTask> dropped = new ArrayList<>();
        while (true)
        {
            toClose.clear();
            boolean exit = false;
            lock.lock();
            try
            {
                round.releaseWorkers(); // sent: their readers may top them up again
                takeBackUnsent(round, dropped);
                round.clear();
                while (true)
                {
                    toClose.addAll(retired);
                    retired.clear();
                    if (terminated)
                    {
                        exit = true;
                        break;
                    }
                    final long waitNs = unblockDue(System.nanoTime());
                    assignPending(round);
                    takeForgets(round);
                    if (!round.tasks.isEmpty())
                    {
                        dispatchRounds++;
                        break;
                    }
                    if (!round.forgetTargets.isEmpty())
                    {
                        break;
                    }
                    if (pending.isEmpty() && shutdown && !stopping && workers.allIdle())
                    {
                        stopping = true;
                        workers.running(round.toStop);
                        for (final WorkerSlot slot : round.toStop)
                        {
                            slot.sending = true; // a released function's FORGET must not be sent beside the STOP
                        }
                        setTerminated(liveWorkers == 0);
                        changed.signalAll();
                        break;
                    }
                    if (!toClose.isEmpty())
                    {
                        break;
                    }
                    try
                    {
                        changed.awaitNanos(waitNs);
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
                slot.channel.close();
            }
            if (!dropped.isEmpty())
            {
                failDropped(dropped);
            }
            if (exit)
            {
                board.unlink(); // once more, for an interrupted dispatcher
                if (isTerminated())
                {
                    board.close(); // every reader is done with it
                }
                return;
            }
            round.send();
        }
    }

    /**
     * Fails the tasks taken back from full rings after the pool was stopped by {@code shutdownNow()} or broke.
     */
    private void failDropped(final List<PoolTask> dropped)
    {
        final boolean cancelled;
        final Throwable cause;
        lock.lock();
        try
        {
            cancelled = shutdownNow;
            cause = broken;
        }
        finally
        {
            lock.unlock();
        }
        for (final PoolTask task : dropped)
        {
            task.results.completeExceptionally(cancelled ?
                new CancellationException(task + " was cancelled by shutdownNow() of " + name) :
                new IpcException(task + " cannot run: " + cause.getMessage(), cause));
        }
        dropped.clear();
    }

    /**
     * Takes back what the dispatcher's last sends left for want of room (lock held): each task goes back to the
     * front of the queue, in order, for any worker with room (its worker never saw it, or saw only its FUNCTION); each
     * FORGET waits for its worker again; each worker whose ring was full takes nothing until it sends a message (it
     * has read then) or a retry is due, so that one busy worker holds up neither the others nor the dispatcher. A
     * worker that exited meanwhile is left alone: its exit requeued or failed the tasks it held. Once the pool is
     * stopped by {@code shutdownNow()} or broken, the tasks taken back go to {@code dropped} instead, to fail as the
     * queued ones did.
     */
    private void takeBackUnsent(final DispatchRound round, final List<PoolTask> dropped)
    {
        final List<WorkerSlot> targets = round.targets;
        final List<PoolTask> tasks = round.tasks;
        final IntArrayList unsentTasks = round.unsentTasks;
        final IntArrayList unsentForgets = round.unsentForgets;
        dropped.clear();
        for (int k = unsentTasks.size() - 1; k >= 0; k--)
        {
            final int i = unsentTasks.getInt(k) >> 1;
            final boolean functionSent = (unsentTasks.getInt(k) & 1) != 0;
            final WorkerSlot target = targets.get(i);
            final PoolTask task = tasks.get(i);
            if (!target.gone && target.inFlight.removeLastOccurrence(task))
            {
                target.tasksSent--;
                if (round.functionsFirst.get(i) != null && !functionSent)
                {
                    target.knownFunctions.remove(task.functionId);
                }
                if (shutdownNow || broken != null)
                {
                    dropped.add(task);
                }
                else
                {
                    pending.addFirst(task);
                }
            }
        }
        for (int k = 0; k < unsentForgets.size(); k++)
        {
            final int i = unsentForgets.getInt(k);
            if (!round.forgetTargets.get(i).gone)
            {
                round.forgetTargets.get(i).forgets.addInt(round.forgetIds.getInt(i));
            }
        }
        final long nowNs = System.nanoTime();
        for (final WorkerSlot slot : round.full)
        {
            slot.blocked = !slot.gone;
            // a worker that reads again sends a result first; without one, try again after a few of its tries' length
            slot.retryAtNs = nowNs + 4 * slot.sendSliceNs;
        }
    }

    /**
     * Lets the workers whose retry is due take tasks again (lock held).
     *
     * @return the longest the dispatcher may wait before the next retry is due.
     */
    private long unblockDue(final long nowNs)
    {
        long waitNs = DISPATCHER_IDLE_NS;
        for (final WorkerSlot slot : workers.slots())
        {
            if (slot != null && slot.blocked)
            {
                if (slot.retryAtNs - nowNs <= 0)
                {
                    slot.blocked = false;
                }
                else
                {
                    waitNs = Math.min(waitNs, slot.retryAtNs - nowNs);
                }
            }
        }
        return waitNs;
    }

    /**
     * The body of the timer thread (started when tasks have a timeout): kills the workers whose task ran over it,
     * apart from the dispatcher, so that no send it waits for delays a timeout.
     */
    private void watchTimeouts()
    {
        while (true)
        {
            lock.lock();
            try
            {
                if (terminated)
                {
                    return;
                }
                timer.check(workers.slots());
            }
            finally
            {
                lock.unlock();
            }
            try
            {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(timer.checkIntervalNs()));
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    /**
     * Takes the FORGETs that could not be sent when their functions were released (lock held), marking each of their
     * workers as sent to by the dispatcher.
     */
    private void takeForgets(final DispatchRound round)
    {
        for (final WorkerSlot slot : workers.slots())
        {
            if (slot == null || slot.forgets.isEmpty() || slot.blocked && !slot.gone)
            {
                continue;
            }
            if (!slot.gone)
            {
                for (int i = 0; i < slot.forgets.size(); i++)
                {
                    round.forgetTargets.add(slot);
                    round.forgetIds.addInt(slot.forgets.getInt(i));
                }
                slot.sending = true;
            }
            slot.forgets.clear();
        }
    }

    /**
     * Sends {@code task} to a worker that is still starting, when no ready worker has room for it and the pool is
     * not broken (lock held): see {@link WorkerTable#startingWorker()}. Sends in place, without waiting (the worker
     * reads nothing yet, so a wait for room would hold the dispatcher for the worker's boot): a task or function that
     * does not fit in the ring's free room now waits for a ready worker, as before. No other thread sends to a worker
     * that is not ready (the reader's top-up and the dispatcher's sends outside the lock need a ready one), and its
     * INIT went first, at its launch. If the worker dies before it is ready, the task never started, and
     * {@link #onWorkerExit} puts it back at the front of the queue; if its initializer fails, or the pool broke
     * meanwhile, the task fails as the queued ones do.
     *
     * @return true when the task was sent.
     */
    private boolean sendToStartingWorker(final PoolTask task)
    {
        final WorkerSlot slot = broken == null ? workers.startingWorker() : null;
        if (slot == null)
        {
            return false;
        }
        if (task.type == APPLY && !slot.knownFunctions.contains(task.functionId))
        {
            if (!TaskSender.trySendInPlace(slot, FUNCTION, 0, task.functionId, 1, functions.encoded(task.functionId)))
            {
                return false;
            }
            slot.knownFunctions.add(task.functionId);
        }
        if (!TaskSender.trySendInPlace(slot, task))
        {
            return false;
        }
        slot.inFlight.add(task);
        slot.tasksSent++;
        return true;
    }

    /**
     * Hands queued tasks, in order, to the workers with room until none has room or none is queued (lock held), so
     * that one wake-up of the dispatcher tops up every worker.
     */
    private void assignPending(final DispatchRound round)
    {
        while (!pending.isEmpty())
        {
            if (pending.peekFirst().results.isDone())
            {
                pending.pollFirst();
                continue;
            }
            final WorkerSlot target = workers.freeWorker();
            if (target == null)
            {
                if (!sendToStartingWorker(pending.peekFirst()))
                {
                    return;
                }
                pending.pollFirst();
                continue;
            }
            final PoolTask task = pending.pollFirst();
            target.inFlight.add(task);
            target.tasksSent++;
            target.sending = true;
            round.targets.add(target);
            round.tasks.add(task);
            round.functionsFirst.add(task.type == APPLY && target.knownFunctions.add(task.functionId) ?
                functions.encoded(task.functionId) : null);
        }
    }
}
