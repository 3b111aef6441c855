package io.ipckit.core.internal.kit;

import java.util.concurrent.TimeUnit;

/**
 * Says when it is time to look whether another process (a lock holder, a peer) is alive: the first time asked, then
 * at most once every {@link #INTERVAL_NS}, counted across calls. A look reads {@code /proc}, so it is rate-limited;
 * counting across calls (unlike {@link Waiter#livenessCheckDue()}, which starts afresh with each wait) lets calls that
 * do not wait, or wait only briefly, find a dead process too.
 * <p>
 * The interval is the one dead-process interval of ipckit: pipes, queues and the synchronisation primitives all read
 * it from {@link #INTERVAL_PROP_NAME}, and a {@link Waiter} whose peers are not watched sleeps at most this long at
 * a time.
 * <p>
 * Thread-safe: threads that race on {@link #due()} may each be told to look once (the last look is a volatile field,
 * not claimed by a compare-and-set), which costs a second read of {@code /proc} and nothing else.
 */
public final class LivenessCheckInterval
{
    /** System property: how often a waiter looks whether the processes it depends on are alive, in ms. */
    public static final String INTERVAL_PROP_NAME = "ipckit.liveness.check.interval.ms";
    /** Default of {@link #INTERVAL_PROP_NAME}, in ms. */
    public static final long INTERVAL_DEFAULT_MS = 50;
    /** The interval in nanoseconds, read once from {@link #INTERVAL_PROP_NAME} (at least 1 ms). */
    public static final long INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(
        Math.max(1, Long.getLong(INTERVAL_PROP_NAME, INTERVAL_DEFAULT_MS)));

    /** The most looks {@link #dueAtLook()} lets pass between two reads of the clock. */
    static final int MAX_LOOKS_PER_CLOCK_READ = 16;
    /** A run of looks faster than this per look reads the clock less often: the caller spins. */
    static final long SPINNING_LOOK_NS = 1_000;

    private volatile long lastCheckNs = System.nanoTime() - INTERVAL_NS;
    /** For {@link #dueAtLook()}: the last clock read, the looks left until the next, and the looks between reads. */
    private long lastClockReadNs = System.nanoTime();
    private int looksLeft;
    private int looksPerClockRead = 1;

    /**
     * @return true when a look is due (and counts it as made now).
     */
    public boolean due()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - lastCheckNs >= INTERVAL_NS)
        {
            lastCheckNs = nowNs;
            return true;
        }
        return false;
    }

    /**
     * {@link #due()} for a call that does not wait and may be made in a spin (a drain or poll of an empty pipe): a
     * clock read was about 20 of the 28 ns an empty pipe drain took (bench/RESULTS.md, session 24), so while looks
     * come faster than
     * {@link #SPINNING_LOOK_NS} apiece the clock is read only every few looks (at most
     * {@link #MAX_LOOKS_PER_CLOCK_READ}), and at every look again once they slow down. A caller that stops spinning
     * just as its peer dies thus learns of it after at most that many more looks.
     * <p>
     * Thread-safe as {@link #due()}: racing threads may read the clock a look early or late, nothing else.
     *
     * @return true when a look is due (and counts it as made now).
     */
    public boolean dueAtLook()
    {
        if (--looksLeft > 0)
        {
            return false;
        }
        final long nowNs = System.nanoTime();
        final boolean spinning = nowNs - lastClockReadNs < looksPerClockRead * SPINNING_LOOK_NS;
        lastClockReadNs = nowNs;
        looksPerClockRead = spinning ? Math.min(MAX_LOOKS_PER_CLOCK_READ, looksPerClockRead * 2) : 1;
        looksLeft = looksPerClockRead;
        if (nowNs - lastCheckNs >= INTERVAL_NS)
        {
            lastCheckNs = nowNs;
            return true;
        }
        return false;
    }
}
