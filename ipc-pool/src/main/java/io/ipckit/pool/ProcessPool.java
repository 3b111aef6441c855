package io.ipckit.pool;

import io.ipckit.core.ResourceName;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.process.SerializableRunnable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Python's {@code multiprocessing.Pool} and {@code ProcessPoolExecutor} for the JVM: an {@link ExecutorService}
 * whose workers are JVMs, started with this JVM's class path and the ipckit flags.
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.create(2)) {
 *     List<Long> fibs = pool.map(Fib::fib, List.of(30, 31, 32), 1);
 *     CompletableFuture<String> f = pool.submit(() -> ProcessHandle.current().pid() + " says hi");
 * }
 * }</pre>
 * Tasks travel to workers through shared-memory rings (one duplex {@link io.ipckit.pipe.Pipe} per worker), never
 * sockets. Each worker has its own pipe and a slot on the pool's task board, so the pool always knows which task a
 * worker was running: a worker that dies (SIGKILL, {@code System.exit}, out of memory, a task over its timeout)
 * fails only that task, with a {@link WorkerDiedException} naming its exit code; the tasks queued behind it go to
 * the other workers, a replacement starts, and the pool goes on (Python's pool breaks as a whole or hangs). Workers
 * are daemon children, and they read the end of their pipe: they never outlive the pool's process, even when it is
 * SIGKILLed.
 * <p>
 * A task's exception reaches the caller as the cause of the {@link ExecutionException} (or
 * {@link CompletionException}), with the worker's stack trace, and a {@link RemoteTaskException} attached as
 * suppressed naming the worker. Values coming back are deserialized through an allow-list: {@code java.base},
 * ipckit, the packages of the code submitted, and {@link PoolOptions#allowClasses(String...)}.
 * <p>
 * Thread-safe: any thread may submit. {@link #close()} waits for submitted tasks, then stops the workers.
 */
public final class ProcessPool implements ExecutorService
{
    private final String name;
    private final int workerCount;
    private final TaskSubmitter submitter;
    private final PoolScheduler scheduler;

    private ProcessPool(final PoolOptions options)
    {
        this.name = options.name() != null ? options.name() : ResourceName.random("pool-");
        this.workerCount = options.workers();
        final PoolClassFilter filter = new PoolClassFilter(options.allowClasses().toArray(new String[0]));
        final PoolValueCodec codec = new PoolValueCodec(filter);
        filter.allowPackageOf(options.initializer());
        this.submitter = new TaskSubmitter(workerCount, filter, codec);
        this.scheduler = new PoolScheduler(
            name, options, codec, submitter.encodeItems(new Object[] {options.initializer()}, 1));
        submitter.scheduler(scheduler);
    }

    /**
     * Starts a pool of {@code workers} JVMs with the other options at their defaults (Python's {@code Pool(n)}).
     *
     * @param workers the number of worker JVMs, at least 1.
     * @return a started pool.
     * @throws IllegalArgumentException when workers is less than 1.
     * @throws IpcException             when the pool's pipes or task board cannot be created, or a worker JVM
     *                                  cannot be started.
     */
    public static ProcessPool create(final int workers)
    {
        return create(new PoolOptions().workers(workers));
    }

    /**
     * Starts a pool (Python's {@code Pool(processes, initializer, maxtasksperchild)}). The options are copied: later
     * changes to them do not reach the pool.
     *
     * @param options the pool's settings.
     * @return a started pool.
     * @throws IpcException when the pool's pipes or task board cannot be created (e.g. its name exists), or a
     *                      worker JVM cannot be started.
     */
    public static ProcessPool create(final PoolOptions options)
    {
        return new ProcessPool(new PoolOptions(options));
    }

    /**
     * @return the pool's name, the prefix of its workers' pipes and task board.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the number of workers the pool keeps running.
     */
    public int workerCount()
    {
        return workerCount;
    }

    /**
     * @return the pids of the workers alive now (a snapshot).
     */
    public List<Long> workerPids()
    {
        return scheduler.workerPids();
    }

    // ------------------------------------------------------------------------------------------------------------
    // ExecutorService

    /**
     * Runs a serializable callable in a worker. A lambda argument becomes a {@link SerializableCallable}.
     *
     * @param task the task.
     * @return its future, also a {@link CompletableFuture}.
     * @throws RejectedExecutionException after shutdown, or when the task is not serializable.
     */
    public <T> CompletableFuture<T> submit(final SerializableCallable<T> task)
    {
        return submitter.submitCall(task);
    }

    /**
     * Runs a serializable runnable in a worker.
     *
     * @param task the task.
     * @return a future completed with null when it has run.
     * @throws RejectedExecutionException after shutdown, or when the task is not serializable.
     */
    public CompletableFuture<?> submit(final SerializableRunnable task)
    {
        return submitter.submitCall(task);
    }

    /**
     * {@inheritDoc}
     *
     * @throws RejectedExecutionException after shutdown, or when the task is not {@link java.io.Serializable}
     *                                    (pass a lambda, or implement {@link SerializableCallable}).
     */
    @Override
    public <T> CompletableFuture<T> submit(final Callable<T> task)
    {
        return submitter.submitCall(task);
    }

    /**
     * {@inheritDoc}
     *
     * @throws RejectedExecutionException after shutdown, or when the task is not serializable.
     */
    @Override
    public CompletableFuture<?> submit(final Runnable task)
    {
        return submitter.submitCall(task);
    }

    /**
     * {@inheritDoc}
     *
     * @throws RejectedExecutionException after shutdown, or when the task is not serializable.
     */
    @Override
    public <T> CompletableFuture<T> submit(final Runnable task, final T result)
    {
        return submitter.submitCall(task, true, result);
    }

    /**
     * {@inheritDoc}
     *
     * @throws RejectedExecutionException after shutdown, or when the task is not serializable.
     */
    @Override
    public void execute(final Runnable command)
    {
        submitter.submitCall(command);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public <T> List<Future<T>> invokeAll(final Collection<? extends Callable<T>> tasks) throws InterruptedException
    {
        return Invocations.invokeAll(this, tasks);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public <T> List<Future<T>> invokeAll(
        final Collection<? extends Callable<T>> tasks, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return Invocations.invokeAll(this, tasks, timeout, unit);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public <T> T invokeAny(final Collection<? extends Callable<T>> tasks)
        throws InterruptedException, ExecutionException
    {
        return Invocations.invokeAny(this, tasks);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public <T> T invokeAny(final Collection<? extends Callable<T>> tasks, final long timeout, final TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        return Invocations.invokeAny(this, tasks, timeout, unit);
    }

    /**
     * Accepts no new tasks; those submitted still run, then the workers stop. Does not wait: see
     * {@link #awaitTermination}.
     */
    @Override
    public void shutdown()
    {
        scheduler.shutdown();
    }

    /**
     * Accepts no new tasks, cancels those not yet sent to a worker, kills the workers (their running tasks fail
     * with a {@link CancellationException}).
     *
     * @return the tasks that never started: the submitted {@link Callable}s and {@link Runnable}s.
     */
    @Override
    public List<Runnable> shutdownNow()
    {
        final List<PoolTask> cancelled = scheduler.shutdownNow();
        final List<Runnable> neverRun = new ArrayList<>();
        for (final PoolTask task : cancelled)
        {
            task.results.completeExceptionally(new CancellationException("the pool was shut down before " + task + " ran"));
            if (task.origin instanceof Runnable runnable)
            {
                neverRun.add(runnable);
            }
            else if (task.origin instanceof Callable<?> callable)
            {
                neverRun.add(new java.util.concurrent.FutureTask<>(callable));
            }
        }
        return neverRun;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean isShutdown()
    {
        return scheduler.isShutdown();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean isTerminated()
    {
        return scheduler.isTerminated();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return scheduler.awaitTermination(unit.toNanos(timeout));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Python's vocabulary

    /**
     * Python's {@code Pool.map}: applies {@code fn} to every item in worker JVMs and returns the results in order.
     *
     * @param fn        the function; a lambda or method reference becomes serializable.
     * @param items     the arguments.
     * @param chunkSize items per message to a worker; 0 or less picks Python's default (items / (4 x workers)).
     * @return the results, in the order of {@code items}.
     * @throws CompletionException  whose cause is the first failure of a task, in item order (a
     *                              {@link CancellationException} for a task cancelled by {@link #shutdownNow()}).
     * @throws InterruptedException when interrupted while waiting.
     */
    public <T, R> List<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunkSize)
        throws InterruptedException
    {
        return collect(new ResultIterator<>(
            submitter.submitApply(fn, TaskSubmitter.toArguments(items, false), chunkSize), true));
    }

    /**
     * As {@link #map(SerializableFunction, Iterable, int)} with Python's default chunk size.
     */
    public <T, R> List<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
        throws InterruptedException
    {
        return map(fn, items, 0);
    }

    /**
     * Python's {@code Pool.imap}: submits every item now and yields the results in order as they arrive.
     *
     * @return an iterator whose {@code next()} blocks until the next result is in and throws
     * {@link CompletionException} for a failed item.
     */
    public <T, R> Iterator<R> imap(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunkSize)
    {
        return new ResultIterator<>(submitter.submitApply(fn, TaskSubmitter.toArguments(items, false), chunkSize), true);
    }

    /**
     * Python's {@code Pool.imap_unordered}: yields every result once, in the order they complete.
     */
    public <T, R> Iterator<R> imapUnordered(
        final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunkSize)
    {
        return new ResultIterator<>(submitter.submitApply(fn, TaskSubmitter.toArguments(items, false), chunkSize), false);
    }

    /**
     * Python's {@code Pool.starmap} for two-argument functions: applies {@code fn(key, value)} to every pair.
     *
     * @return the results in the order of {@code pairs}.
     * @throws CompletionException  whose cause is the first failure.
     * @throws InterruptedException when interrupted while waiting.
     */
    public <A, B, R> List<R> starmap(
        final SerializableBiFunction<A, B, R> fn,
        final Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs,
        final int chunkSize) throws InterruptedException
    {
        return collect(new ResultIterator<>(
            submitter.submitApply(fn, TaskSubmitter.toArguments(pairs, true), chunkSize), true));
    }

    /**
     * Python's {@code Pool.apply}: runs {@code fn(argument)} in a worker and waits for the result.
     *
     * @throws CompletionException  whose cause is the task's failure.
     * @throws InterruptedException when interrupted while waiting.
     */
    public <T, R> R apply(final SerializableFunction<T, R> fn, final T argument) throws InterruptedException
    {
        try
        {
            return applyAsync(fn, argument).get();
        }
        catch (final ExecutionException | CancellationException ex)
        {
            throw new CompletionException(ResultIterator.causeOf(ex));
        }
    }

    /**
     * Python's {@code Pool.apply_async}.
     *
     * @return a future of {@code fn(argument)}.
     */
    public <T, R> CompletableFuture<R> applyAsync(final SerializableFunction<T, R> fn, final T argument)
    {
        final List<Object> arguments = new ArrayList<>(1);
        arguments.add(argument);
        final PoolTask task = submitter.submitApply(fn, arguments, 1).getFirst();
        final TaskFuture<R> future = new TaskFuture<>(scheduler, task);
        submitter.completeFrom(task, future, false, null);
        return future;
    }

    /**
     * Python's {@code Pool.apply_async(fn, args, callback=..., error_callback=...)}: the callbacks run in a pool
     * thread when the result arrives, the thread that reads that worker's results, as do the future's dependent
     * stages that are not async. As in Python, they must return promptly and must not wait for the pool (a
     * blocking {@code apply} or {@code close} there waits for the thread that would deliver it): hand such work to
     * an executor of your own, e.g. with {@code thenApplyAsync}.
     *
     * @return a future of {@code fn(argument)}.
     */
    public <T, R> CompletableFuture<R> applyAsync(
        final SerializableFunction<T, R> fn, final T argument, final Consumer<? super R> callback,
        final Consumer<? super Throwable> errorCallback)
    {
        final CompletableFuture<R> future = applyAsync(fn, argument);
        future.whenComplete((value, error) ->
        {
            if (error == null)
            {
                callback.accept(value);
            }
            else
            {
                errorCallback.accept(error);
            }
        });
        return future;
    }

    /**
     * {@code concurrent.futures.as_completed}: yields each future once, as it completes (successfully or not).
     *
     * @param futures futures of this pool (or any {@link CompletableFuture}s).
     * @return an iterator whose {@code next()} blocks until another future is done.
     */
    public static <T> Iterator<CompletableFuture<T>> asCompleted(final Collection<? extends CompletableFuture<T>> futures)
    {
        return new CompletionOrder<>(futures);
    }

    /**
     * Waits for submitted tasks, stops the workers and waits for them to exit (Python's {@code with Pool() as p}
     * exit, with {@code close(); join()} semantics).
     */
    @Override
    public void close()
    {
        shutdown();
        boolean interrupted = false;
        while (true)
        {
            try
            {
                if (awaitTermination(1, TimeUnit.DAYS))
                {
                    break;
                }
            }
            catch (final InterruptedException ex)
            {
                if (!interrupted)
                {
                    interrupted = true;
                    shutdownNow();
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return the scheduler, for tests of this package.
     */
    PoolScheduler scheduler()
    {
        return scheduler;
    }

    private static <R> List<R> collect(final ResultIterator<R> iterator) throws InterruptedException
    {
        return iterator.toList();
    }

    @Override
    public String toString()
    {
        return "ProcessPool{" + name + ", " + workerCount + " workers" + (isShutdown() ? ", shut down" : "") + "}";
    }
}
