package io.ipckit.manager;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A managed queue that counts unfinished items, Python's {@code manager.JoinableQueue()}: every element added
 * counts one unfinished task until a consumer calls {@link #taskDone()}; {@link #join()} waits for none to be left.
 * Thread- and process-safe.
 *
 * @param <E> the element type (serializable and allow-listed).
 */
public interface ManagedJoinableQueue<E> extends BlockingQueue<E>
{
    /**
     * Marks one taken element as processed.
     *
     * @throws IllegalStateException when called more times than elements were added (Python's ValueError).
     */
    void taskDone();

    /**
     * Waits until every added element was marked done.
     *
     * @throws InterruptedException when the calling thread is interrupted while waiting.
     */
    void join() throws InterruptedException;

    /**
     * Waits at most the timeout until every added element was marked done.
     *
     * @param timeout how long; {@code <= 0} checks once.
     * @param unit    its unit.
     * @return true when none is unfinished.
     * @throws InterruptedException when the calling thread is interrupted while waiting.
     */
    boolean join(long timeout, TimeUnit unit) throws InterruptedException;
}
