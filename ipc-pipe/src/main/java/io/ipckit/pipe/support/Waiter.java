package io.ipckit.pipe.support;

import org.agrona.concurrent.IdleStrategy;

/**
 * One blocking wait for a condition in shared memory, either asleep on a {@link Doorbell} or polling with an Agrona
 * {@link IdleStrategy}, with a deadline and a periodic slot for checking whether the peers are still alive.
 * <p>
 * Usage, allocation free:
 * <pre>{@code
 * waiter.begin(timeoutNs);
 * try {
 *     while (true) {
 *         int seq = waiter.sequence();
 *         if (condition()) return true;
 *         if (waiter.livenessCheckDue()) checkPeers();   // throws when a peer is gone
 *         if (!waiter.pause(seq)) return false;          // deadline passed
 *     }
 * } finally { waiter.end(); }
 * }</pre>
 * Not thread-safe: one per waiting thread (each end and queue handle keeps one per direction).
 */
public final class Waiter
{
    /** How often a waiter checks that its peers are alive, and the longest single sleep. */
    public static final long LIVENESS_CHECK_INTERVAL_NS = 50_000_000L;

    private final Doorbell doorbell;
    private IdleStrategy idleStrategy;
    private long startNs;
    private long timeoutNs;
    private long lastCheckNs;
    private boolean registered;

    /**
     * @param doorbell     the doorbell the progressing side rings.
     * @param idleStrategy null to sleep on the doorbell, otherwise polls with it.
     */
    public Waiter(final Doorbell doorbell, final IdleStrategy idleStrategy)
    {
        this.doorbell = doorbell;
        this.idleStrategy = idleStrategy;
    }

    /**
     * @param idleStrategy null to sleep on the doorbell, otherwise polls with it.
     */
    public void idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
    }

    /**
     * Starts a wait.
     *
     * @param timeoutNs the most to wait; negative waits without a limit.
     */
    public void begin(final long timeoutNs)
    {
        this.startNs = System.nanoTime();
        this.lastCheckNs = startNs;
        this.timeoutNs = timeoutNs;
        if (idleStrategy == null)
        {
            doorbell.beginWait();
            registered = true;
        }
        else
        {
            idleStrategy.reset();
        }
    }

    /**
     * Ends a wait started by {@link #begin}; call in a finally block.
     */
    public void end()
    {
        if (registered)
        {
            registered = false;
            doorbell.endWait();
        }
    }

    /**
     * @return the doorbell sequence to read before testing the condition.
     */
    public int sequence()
    {
        return registered ? doorbell.sequence() : 0;
    }

    /**
     * @return true once every {@link #LIVENESS_CHECK_INTERVAL_NS}: time to check the peers.
     */
    public boolean livenessCheckDue()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - lastCheckNs >= LIVENESS_CHECK_INTERVAL_NS)
        {
            lastCheckNs = nowNs;
            return true;
        }
        return false;
    }

    /**
     * Waits a little: until the doorbell rings, a slice of at most {@link #LIVENESS_CHECK_INTERVAL_NS} passes, or one
     * idle step of the strategy.
     *
     * @param observedSequence the value of {@link #sequence()} read before testing the condition.
     * @return false when the deadline has passed (the caller gives up), true to test the condition again.
     * @throws InterruptedException when the thread is interrupted.
     */
    public boolean pause(final int observedSequence) throws InterruptedException
    {
        final long elapsedNs = System.nanoTime() - startNs;
        if (timeoutNs >= 0 && elapsedNs >= timeoutNs)
        {
            return false;
        }
        final long sliceNs = timeoutNs < 0 ?
            LIVENESS_CHECK_INTERVAL_NS : Math.min(LIVENESS_CHECK_INTERVAL_NS, timeoutNs - elapsedNs);
        if (registered)
        {
            doorbell.awaitChange(observedSequence, sliceNs);
        }
        else
        {
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            idleStrategy.idle();
        }
        return true;
    }
}
