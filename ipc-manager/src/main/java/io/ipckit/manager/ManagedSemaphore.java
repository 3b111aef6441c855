package io.ipckit.manager;

import java.util.concurrent.TimeUnit;

/**
 * A managed counting semaphore, Python's {@code manager.Semaphore(n)} and {@code manager.BoundedSemaphore(n)}.
 * Permits are not owned: any process may release. Thread- and process-safe.
 */
public interface ManagedSemaphore
{
    /**
     * Takes a permit, waiting without limit.
     *
     * @throws InterruptedException when the calling thread is interrupted while waiting.
     */
    void acquire() throws InterruptedException;

    /**
     * Takes a permit, waiting at most the timeout.
     *
     * @param timeout how long to wait; {@code <= 0} tries once.
     * @param unit    its unit.
     * @return true when a permit was taken.
     * @throws InterruptedException when the calling thread is interrupted while waiting.
     */
    boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Returns a permit.
     *
     * @throws IllegalStateException for a bounded semaphore when it would exceed its initial count (Python's
     *                               {@code ValueError: Semaphore released too many times}).
     */
    void release();

    /**
     * @return the permits available now.
     */
    int availablePermits();
}
