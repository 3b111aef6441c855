package io.ipckit.manager;

import io.ipckit.pool.SerializableCallable;
import io.ipckit.pool.SerializableFunction;

import java.util.List;
import java.util.concurrent.Future;

/**
 * A process pool held by a manager (Python's {@code SyncManager.Pool}): an ipckit
 * {@link io.ipckit.pool.ProcessPool} of worker JVMs in the manager's JVM, shared by every client of the manager.
 * Tasks and functions travel to the manager and on to a worker serialized, so a lambda must be cast to (or passed
 * where the parameter is) {@link SerializableFunction} or {@link SerializableCallable}, capture only serializable
 * values, and its classes must be on the manager's class path and in its allow-list
 * ({@link ManagerOptions#allowClasses}, on both ends).
 * <p>
 * Thread-safe and process-safe: any number of clients submit at once. A task's exception comes back as the
 * {@link java.util.concurrent.CompletionException} (from {@link #apply}, {@link #map}) or
 * {@link java.util.concurrent.ExecutionException} (from a future's {@code get}) the pool raised, with the manager-side
 * trace as cause. In a durable manager, the pool survives a restart but its tasks in flight do not: their futures
 * are gone with the manager ({@link ManagerOptions#durable}).
 */
public interface ManagedPool
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
     */
    <T, R> List<R> map(SerializableFunction<T, R> fn, List<? extends T> items) throws InterruptedException;

    /**
     * Starts a task in a worker (Python's {@code pool.apply_async}).
     *
     * @param task the task.
     * @param <T>  its result's type.
     * @return a managed future of its result: {@code get} waits in the manager.
     * @throws java.util.concurrent.RejectedExecutionException after the pool was closed.
     */
    <T> Future<T> submit(SerializableCallable<T> task);

    /**
     * @return the number of worker JVMs.
     */
    int workerCount();

    /**
     * Stops the pool: running tasks finish, queued ones are dropped, the workers exit (Python's
     * {@code pool.terminate()} after {@code close()}). Idempotent.
     */
    void close();
}
