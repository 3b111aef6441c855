package io.ipckit.manager.internal;

import io.ipckit.manager.ManagedBarrier;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cyclic barrier in the manager ({@link CyclicBarrier}); a waiting party whose client goes has its call
 * interrupted, which breaks the barrier for the others. Thread-safe.
 */
final class ServerBarrier implements ManagedBarrier
{
    private final CyclicBarrier barrier;

    ServerBarrier(final int parties)
    {
        barrier = new CyclicBarrier(parties);
    }

    @Override
    public int await() throws InterruptedException, BrokenBarrierException
    {
        return barrier.await();
    }

    @Override
    public int await(final long timeout, final TimeUnit unit)
        throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        return barrier.await(timeout, unit);
    }

    @Override
    public void reset()
    {
        barrier.reset();
    }

    @Override
    public int parties()
    {
        return barrier.getParties();
    }

    @Override
    public int numberWaiting()
    {
        return barrier.getNumberWaiting();
    }

    @Override
    public boolean isBroken()
    {
        return barrier.isBroken();
    }

    @Override
    public String toString()
    {
        return "Barrier[parties=" + parties() + ", waiting=" + numberWaiting() + "]";
    }
}
