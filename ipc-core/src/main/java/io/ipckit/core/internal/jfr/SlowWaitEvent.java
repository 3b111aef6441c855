package io.ipckit.core.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event: a blocking ipckit call (a {@link io.ipckit.core.internal.kit.Waiter}: queue put/take, pipe send/recv,
 * lock, semaphore, barrier, event waits) slept on its doorbell for at least {@link #THRESHOLD_NS}. The stack trace
 * says which call. The threshold is ipckit's own ({@value #THRESHOLD_PROP_NAME}, milliseconds, default
 * {@value #THRESHOLD_DEFAULT_MS}) because the event is timed by the waiter's clock, not by JFR's begin/end (which
 * would cost an allocation per wait): JFR's own {@code threshold} setting does not apply.
 * <p>
 * Emitted only when a wait that registered on its doorbell (it already spun, then slept) ends: one clock read on a
 * path that made a futex call, through {@link JfrEvents#slowWaitEnded(long)}. Thread-safe.
 */
@Name("io.ipckit.SlowWait")
@Label("Slow Blocking Call")
@Category("ipckit")
@Description("A blocking ipckit call waited longer than ipckit.jfr.slow.wait.ms.")
@StackTrace(true)
public final class SlowWaitEvent extends Event
{
    /** System property: the least wait, in milliseconds, that emits the event. */
    public static final String THRESHOLD_PROP_NAME = "ipckit.jfr.slow.wait.ms";
    /** Default of {@link #THRESHOLD_PROP_NAME}. */
    public static final long THRESHOLD_DEFAULT_MS = 100;
    /** The threshold in nanoseconds, read once. */
    public static final long THRESHOLD_NS = JfrEvents.SLOW_WAIT_THRESHOLD_NS;

    private static final SlowWaitEvent PROBE = new SlowWaitEvent();

    @Label("Waited")
    @Timespan(Timespan.NANOSECONDS)
    long waited;

    /**
     * Emits the event when the wait that began at {@code startNs} lasted at least {@link #THRESHOLD_NS} and JFR
     * records it; allocates nothing otherwise.
     *
     * @param startNs {@link System#nanoTime()} when the wait began.
     */
    public static void onWaitEnd(final long startNs)
    {
        final long waitedNs = System.nanoTime() - startNs;
        if (waitedNs >= THRESHOLD_NS && PROBE.isEnabled())
        {
            final SlowWaitEvent event = new SlowWaitEvent();
            event.waited = waitedNs;
            event.commit();
        }
    }
}
