package io.ipckit.manager.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether a session's client left a manager for good, and when nothing of it is left there: counts the session's
 * frames being handled and its blocking calls running, and runs the forgetting of the client's journaled calls
 * ({@link ManagerJournal#forgetClient}) once, when the client left for good, its session ended and none of them is
 * left. Forgetting earlier would let a call still in progress keep, or make again, what was forgotten.
 * <p>
 * The order that makes it exact: a frame's handling counts itself ({@link #begin}) before it looks whether the
 * session ended; the session marks the client gone ({@link #leftForGood}) before it marks itself ended, and looks at
 * the count ({@link #sessionEnded}) after. Of the last frame or call and the session's end, the one that acts last
 * sees the other's mark, so one of them forgets, and nothing is handled after. Thread-safe.
 */
final class ClientDeparture
{
    private final AtomicBoolean sessionEnded;
    private final Runnable forget;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicBoolean forgotten = new AtomicBoolean();
    private volatile boolean left;

    /**
     * @param sessionEnded the session's ended mark.
     * @param forget       forgets the client's calls; run at most once.
     */
    ClientDeparture(final AtomicBoolean sessionEnded, final Runnable forget)
    {
        this.sessionEnded = sessionEnded;
        this.forget = forget;
    }

    /**
     * A frame's handling, or a blocking call, begins: called before it looks whether the session ended.
     */
    void begin()
    {
        active.incrementAndGet();
    }

    /**
     * A frame's handling, or a blocking call, ended: the last one, in an ended session, forgets a client that left.
     */
    void finish()
    {
        if (active.decrementAndGet() == 0 && sessionEnded.get())
        {
            forgetIfLeft();
        }
    }

    /**
     * The client left for good: called before the session is marked ended.
     */
    void leftForGood()
    {
        left = true;
    }

    /**
     * The session was marked ended: forgets a client that left, when none of its frames or calls is in progress.
     */
    void sessionEnded()
    {
        if (active.get() == 0)
        {
            forgetIfLeft();
        }
    }

    private void forgetIfLeft()
    {
        if (left && forgotten.compareAndSet(false, true))
        {
            forget.run();
        }
    }
}
