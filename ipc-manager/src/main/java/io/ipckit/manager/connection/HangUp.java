package io.ipckit.manager.connection;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closes a connection when a step on it (a handshake) takes longer than its time, so that a thread blocked reading
 * a silent peer (one that never accepts, or a stopped process) gets an exception instead of waiting forever.
 * <pre>{@code
 * try (HangUp hangUp = HangUp.after(connection, timeoutNs)) { ... handshake ... }
 * catch (RuntimeException ex) { if (hangUp.fired()) ... }
 * }</pre>
 * Thread-safe; one timer thread (a daemon) for the JVM.
 */
public final class HangUp implements AutoCloseable
{
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor((r) ->
        Thread.ofPlatform().daemon(true).name("ipckit-connection-hang-up").unstarted(r));

    private static final int ARMED = 0;
    private static final int FIRED = 1;
    private static final int DISARMED = 2;

    private final AtomicInteger state = new AtomicInteger(ARMED);
    private final ScheduledFuture<?> task;

    private HangUp(final FrameConnection connection, final long timeoutNs)
    {
        task = timeoutNs == Long.MAX_VALUE ? null : TIMER.schedule(() ->
        {
            if (state.compareAndSet(ARMED, FIRED))
            {
                connection.close();
            }
        }, Math.max(0, timeoutNs), TimeUnit.NANOSECONDS);
    }

    /**
     * Arms the hang-up.
     *
     * @param connection what to close.
     * @param timeoutNs  the time the step has, {@link Long#MAX_VALUE} for no limit.
     * @return the armed hang-up; {@link #close()} disarms it.
     */
    public static HangUp after(final FrameConnection connection, final long timeoutNs)
    {
        return new HangUp(connection, timeoutNs);
    }

    /**
     * @return true when the time ran out and the connection was closed (then, or as the step ended: a step that
     *         ended must still check this after {@link #close()}).
     */
    public boolean fired()
    {
        return state.get() == FIRED;
    }

    /**
     * Disarms it (the step ended). Idempotent; after it, {@link #fired()} no longer changes.
     */
    @Override
    public void close()
    {
        if (state.compareAndSet(ARMED, DISARMED) && task != null)
        {
            task.cancel(false);
        }
    }
}
