package io.ipckit.pool;

import java.util.concurrent.TimeUnit;

/**
 * Enforces the pool's task timeout: watches each worker's slot on the task board and kills a worker whose current
 * task has not changed for longer than the timeout, after recording that task on its {@link WorkerSlot} so that its
 * death is blamed on the timeout.
 * <p>
 * Not thread-safe: the scheduler's timer thread calls it with the scheduler's lock held (a thread of its own, so that
 * nothing the dispatcher waits for delays it).
 */
final class TaskTimer
{
    private static final long IDLE_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long NO_TIMEOUT_CHECK_NS = TimeUnit.SECONDS.toNanos(1);

    private final TaskBoard board;
    private final long taskTimeoutNs;

    TaskTimer(final TaskBoard board, final long taskTimeoutNs)
    {
        this.board = board;
        this.taskTimeoutNs = taskTimeoutNs;
    }

    /**
     * @return the longest the timer thread may sleep between checks.
     */
    long checkIntervalNs()
    {
        return taskTimeoutNs > 0 ? IDLE_CHECK_NS : NO_TIMEOUT_CHECK_NS;
    }

    /**
     * @return true when tasks have a timeout.
     */
    boolean enabled()
    {
        return taskTimeoutNs > 0;
    }

    /**
     * @return the timeout in milliseconds, for messages.
     */
    long timeoutMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(taskTimeoutNs);
    }

    /**
     * Kills the workers whose task ran over the timeout.
     *
     * @param workers the pool's workers (null entries and gone workers are skipped).
     */
    void check(final WorkerSlot[] workers)
    {
        if (taskTimeoutNs <= 0)
        {
            return;
        }
        final long now = System.nanoTime();
        for (final WorkerSlot slot : workers)
        {
            if (slot == null || slot.gone)
            {
                continue;
            }
            final long running = board.currentTask(slot.index);
            if (running != slot.observedTask)
            {
                slot.observedTask = running;
                slot.observedSinceNs = now;
            }
            else if (running != 0 && slot.timedOutTask == 0 && now - slot.observedSinceNs > taskTimeoutNs)
            {
                slot.timedOutTask = running;
                slot.process.kill();
            }
        }
    }
}
