package io.ipckit.core.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR event: a process pool's worker JVM exited (died, was killed for a task timeout, or retired after its task
 * limit) and the pool starts a replacement in its slot. Thread-safe (one event per call).
 */
@Name("io.ipckit.PoolWorkerReplaced")
@Label("Pool Worker Replaced")
@Category("ipckit")
@Description("A worker JVM of a process pool exited and the pool starts a replacement.")
public final class WorkerReplacedEvent extends Event
{
    private static final WorkerReplacedEvent PROBE = new WorkerReplacedEvent();

    @Label("Pool")
    String pool;

    @Label("Worker Index")
    int workerIndex;

    @Label("Old Worker Pid")
    long oldPid;

    @Label("Exit Code")
    int exitCode;

    @Label("Task Running")
    @Description("Id of the task the worker was running when it exited, 0 when idle.")
    long runningTask;

    /**
     * Emits the event when JFR records it; allocates nothing otherwise.
     *
     * @param pool        the pool's name.
     * @param workerIndex the slot being refilled.
     * @param oldPid      the pid of the worker that exited.
     * @param exitCode    its exit code (negative signal number when killed; {@link Integer#MIN_VALUE} unknown).
     * @param runningTask the id of the task it was running, 0 when idle.
     */
    public static void emit(
        final String pool, final int workerIndex, final long oldPid, final int exitCode, final long runningTask)
    {
        if (PROBE.isEnabled())
        {
            final WorkerReplacedEvent event = new WorkerReplacedEvent();
            event.pool = pool;
            event.workerIndex = workerIndex;
            event.oldPid = oldPid;
            event.exitCode = exitCode;
            event.runningTask = runningTask;
            event.commit();
        }
    }
}
