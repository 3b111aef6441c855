package io.ipckit.manager;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A managed cyclic barrier, Python's {@code manager.Barrier(parties)} with {@link java.util.concurrent.CyclicBarrier}
 * semantics. A party whose process dies while waiting breaks the barrier for the others. Thread- and process-safe.
 */
public interface ManagedBarrier
{
    /**
     * Waits until every party arrived.
     *
     * @return the arrival index: {@code parties() - 1} for the first, 0 for the last.
     * @throws InterruptedException   when the calling thread is interrupted while waiting.
     * @throws BrokenBarrierException when another party was interrupted, timed out, died, or the barrier was reset.
     */
    int await() throws InterruptedException, BrokenBarrierException;

    /**
     * Waits at most the timeout until every party arrived.
     *
     * @param timeout how long.
     * @param unit    its unit.
     * @return the arrival index.
     * @throws InterruptedException   when the calling thread is interrupted while waiting.
     * @throws BrokenBarrierException when the barrier is or becomes broken.
     * @throws TimeoutException       when the timeout passed (the barrier is then broken).
     */
    int await(long timeout, TimeUnit unit) throws InterruptedException, BrokenBarrierException, TimeoutException;

    /** Breaks the barrier for current waiters and makes it usable again. */
    void reset();

    /**
     * @return the number of parties.
     */
    int parties();

    /**
     * @return how many wait now.
     */
    int numberWaiting();

    /**
     * @return true when broken.
     */
    boolean isBroken();
}
