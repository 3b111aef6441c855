package io.ipckit.core.internal.kit;

/**
 * Says when it is time to look whether another process (a lock holder, a peer) is alive: the first time asked, then
 * at most once every {@link Waiter#LIVENESS_CHECK_INTERVAL_NS}, counted across calls. A look reads {@code /proc}, so
 * it is rate-limited; counting across calls (unlike {@link Waiter#livenessCheckDue()}, which starts afresh with each
 * wait) lets calls that do not wait, or wait only briefly, find a dead process too.
 * <p>
 * Not thread-safe: one per handle and purpose, used by the thread the handle's gate admits.
 */
public final class LivenessCheckInterval
{
    private long lastCheckNs = System.nanoTime() - Waiter.LIVENESS_CHECK_INTERVAL_NS;

    /**
     * @return true when a look is due (and counts it as made now).
     */
    public boolean due()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - lastCheckNs >= Waiter.LIVENESS_CHECK_INTERVAL_NS)
        {
            lastCheckNs = nowNs;
            return true;
        }
        return false;
    }
}
