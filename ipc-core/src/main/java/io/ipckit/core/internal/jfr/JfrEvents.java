package io.ipckit.core.internal.jfr;

import jdk.jfr.FlightRecorder;

import java.util.concurrent.TimeUnit;

/**
 * Where ipckit's code emits its JFR events: each method looks whether Flight Recorder has started in this JVM
 * before it touches an event class. Initializing the first event class builds JFR's metadata (100 to 170 ms of CPU
 * measured at JVM start), which a JVM that records nothing must not pay: a starting pool worker whose first wait for
 * a task slept past the threshold paid it on its first task. Recordings started in any way (the
 * {@code -XX:StartFlightRecording} option, {@code jcmd JFR.start}, {@link jdk.jfr.Recording},
 * {@link jdk.jfr.consumer.RecordingStream}) start Flight Recorder first.
 * <p>
 * Thread-safe; allocates nothing unless an event is recorded.
 */
public final class JfrEvents
{
    /** The least wait that emits {@link SlowWaitEvent}, from {@link SlowWaitEvent#THRESHOLD_PROP_NAME}, read once. */
    public static final long SLOW_WAIT_THRESHOLD_NS = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(SlowWaitEvent.THRESHOLD_PROP_NAME, SlowWaitEvent.THRESHOLD_DEFAULT_MS));

    private JfrEvents()
    {
    }

    /**
     * {@link SlowWaitEvent#onWaitEnd(long)}, when Flight Recorder has started.
     *
     * @param startNs {@link System#nanoTime()} when the wait began.
     */
    public static void slowWaitEnded(final long startNs)
    {
        if (System.nanoTime() - startNs >= SLOW_WAIT_THRESHOLD_NS && FlightRecorder.isInitialized())
        {
            SlowWaitEvent.onWaitEnd(startNs);
        }
    }

    /**
     * {@link LockTakeoverEvent#emit(long)}, when Flight Recorder has started.
     *
     * @param deadOwnerToken the token the dead owner left in the lock word.
     */
    public static void lockTakenOver(final long deadOwnerToken)
    {
        if (FlightRecorder.isInitialized())
        {
            LockTakeoverEvent.emit(deadOwnerToken);
        }
    }

    /**
     * {@link WorkerReplacedEvent#emit}, when Flight Recorder has started.
     *
     * @param pool        the pool's name.
     * @param workerIndex the slot being refilled.
     * @param oldPid      the pid of the worker that exited.
     * @param exitCode    its exit code (negative signal number when killed; {@link Integer#MIN_VALUE} unknown).
     * @param runningTask the id of the task it was running, 0 when idle.
     */
    public static void workerReplaced(
        final String pool, final int workerIndex, final long oldPid, final int exitCode, final long runningTask)
    {
        if (FlightRecorder.isInitialized())
        {
            WorkerReplacedEvent.emit(pool, workerIndex, oldPid, exitCode, runningTask);
        }
    }

    /**
     * {@link PeerGoneEvent#emit}, when Flight Recorder has started.
     *
     * @param resource  what the caller was using (the pipe's description).
     * @param deadPid   the pid of the dead peer.
     * @param direction {@code "receive"} or {@code "send"}.
     */
    public static void peerGone(final String resource, final long deadPid, final String direction)
    {
        if (FlightRecorder.isInitialized())
        {
            PeerGoneEvent.emit(resource, deadPid, direction);
        }
    }
}
