package io.ipckit.manager;

import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.pool.SerializableCallable;
import io.ipckit.pool.SerializableFunction;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A process pool held by a manager (Python's {@code SyncManager.Pool}): an ipckit
 * {@link io.ipckit.pool.ProcessPool} of worker JVMs in the manager's JVM, shared by every client of the manager, and
 * an {@link ExecutorService} as that pool is. Tasks and functions travel to the manager and on to a worker
 * serialized, so a lambda must be cast to (or passed where the parameter is) {@link SerializableFunction},
 * {@link SerializableCallable} or {@link SerializableRunnable}, capture only serializable values, and its classes
 * must be on the manager's class path and in its allow-list ({@link ManagerOptions#allowClasses}, on both ends). A
 * task that cannot be sent is rejected with {@link java.util.concurrent.RejectedExecutionException}, as one
 * submitted after {@link #shutdown}.
 * <p>
 * The pool is one for all its clients: {@link #shutdown} by any client shuts it down for every client, and
 * {@link #awaitTermination} waits in the manager. The futures of {@code submit} are managed objects: {@code get}
 * waits in the manager and {@code cancel} cancels there; those of {@code invokeAll} are complete and local.
 * <p>
 * Thread-safe and process-safe: any number of clients submit at once. A task's exception comes back as the
 * {@link java.util.concurrent.CompletionException} (from {@link #apply}, {@link #map}) or {@link ExecutionException}
 * (from a future's {@code get}, {@code invokeAny}) the pool raised, with the manager-side trace as cause. In a durable
 * manager, the pool survives a restart but its tasks in flight do not: their futures are gone with the manager
 * ({@link ManagerOptions#durable}).
 */
public interface ManagedPool extends ExecutorService
{
    /**
     * Runs {@code fn(argument)} in a worker and waits for its result (Python's {@code pool.apply}).
     *
     * @param fn       the function.
     * @param argument its argument.
     * @param <T>      the argument's type.
     * @param <R>      the result's type.
     * @return its result.
     * @throws InterruptedException               when interrupted while waiting.
     * @throws java.util.concurrent.CompletionException whose cause is the task's failure.
     * @throws java.util.concurrent.RejectedExecutionException after shutdown.
     */
    <T, R> R apply(SerializableFunction<T, R> fn, T argument) throws InterruptedException;

    /**
     * Applies {@code fn} to every item in the workers and returns the results in item order (Python's
     * {@code pool.map}, chunked as the pool's default).
     *
     * @param fn    the function.
     * @param items the items.
     * @param <T>   the items' type.
     * @param <R>   the results' type.
     * @return the results, in item order.
     * @throws InterruptedException               when interrupted while waiting.
     * @throws java.util.concurrent.CompletionException whose cause is the first failure, in item order.
     * @throws java.util.concurrent.RejectedExecutionException after shutdown.
     */
    <T, R> List<R> map(SerializableFunction<T, R> fn, List<? extends T> items) throws InterruptedException;

    /**
     * Starts a task in a worker (Python's {@code pool.apply_async}); a lambda argument becomes serializable.
     *
     * @param task the task.
     * @param <T>  its result's type.
     * @return a managed future of its result: {@code get} waits in the manager.
     * @throws java.util.concurrent.RejectedExecutionException after shutdown, or when the task cannot be sent.
     */
    <T> Future<T> submit(SerializableCallable<T> task);

    /**
     * Starts a task in a worker; a lambda argument becomes serializable.
     *
     * @param task the task.
     * @return a managed future completed with null when it has run.
     * @throws java.util.concurrent.RejectedExecutionException after shutdown, or when the task cannot be sent.
     */
    Future<?> submit(SerializableRunnable task);

    /**
     * {@inheritDoc} The task must be {@link java.io.Serializable} (a lambda passed here is not: cast it to
     * {@link SerializableCallable}).
     *
     * @return a managed future.
     * @throws java.util.concurrent.RejectedExecutionException after shutdown, or when the task cannot be sent.
     */
    @Override
    <T> Future<T> submit(Callable<T> task);

    /**
     * {@inheritDoc} The task must be {@link java.io.Serializable}.
     *
     * @return a managed future.
     * @throws java.util.concurrent.RejectedExecutionException after shutdown, or when the task cannot be sent.
     */
    @Override
    Future<?> submit(Runnable task);

    /**
     * {@inheritDoc} The task and the result must be {@link java.io.Serializable}.
     *
     * @return a managed future.
     * @throws java.util.concurrent.RejectedExecutionException after shutdown, or when the task cannot be sent.
     */
    @Override
    <T> Future<T> submit(Runnable task, T result);

    /**
     * {@inheritDoc} The command must be {@link java.io.Serializable}.
     *
     * @throws java.util.concurrent.RejectedExecutionException after shutdown, or when the command cannot be sent.
     */
    @Override
    void execute(Runnable command);

    /**
     * {@inheritDoc} Waits in the manager; the futures returned are complete and local (no further calls).
     *
     * @throws java.util.concurrent.RejectedExecutionException after shutdown, or when a task cannot be sent.
     */
    @Override
    <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException;

    /**
     * {@inheritDoc} Waits in the manager; the futures returned are complete and local (no further calls).
     *
     * @throws java.util.concurrent.RejectedExecutionException after shutdown, or when a task cannot be sent.
     */
    @Override
    <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
        throws InterruptedException;

    /**
     * {@inheritDoc} Waits in the manager.
     *
     * @throws java.util.concurrent.RejectedExecutionException after shutdown, or when a task cannot be sent.
     */
    @Override
    <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException;

    /**
     * {@inheritDoc} Waits in the manager.
     *
     * @throws java.util.concurrent.RejectedExecutionException after shutdown, or when a task cannot be sent.
     */
    @Override
    <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException;

    /**
     * {@inheritDoc} For every client of the pool: the tasks submitted still run, then the workers stop.
     */
    @Override
    void shutdown();

    /**
     * {@inheritDoc} For every client of the pool: the workers are killed, their running tasks' futures fail with a
     * {@link java.util.concurrent.CancellationException}.
     *
     * @return the tasks that never started, as submitted ({@link Runnable}s); a {@link Callable} comes back as a
     *         serializable {@link Runnable} that calls it.
     */
    @Override
    List<Runnable> shutdownNow();

    /**
     * {@inheritDoc}
     */
    @Override
    boolean isShutdown();

    /**
     * {@inheritDoc}
     */
    @Override
    boolean isTerminated();

    /**
     * {@inheritDoc} Waits in the manager.
     */
    @Override
    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * @return the number of worker JVMs.
     */
    int workerCount();

    /**
     * Shuts the pool down for every client and waits until its tasks have run and its workers have exited, in
     * the manager ({@link ExecutorService#close()}, Python's {@code pool.close(); pool.join()}). Idempotent.
     */
    @Override
    void close();
}
