package io.ipckit.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * The pool's workers, one {@link WorkerSlot} per index (the newest generation at each), and the questions the
 * scheduler asks of all of them: which worker has room for a task, whether all are idle, which are running.
 * <p>
 * Not thread-safe: guarded by the scheduler's lock.
 */
final class WorkerTable
{
    private final WorkerSlot[] slots;
    private final int tasksInFlightPerWorker;
    private final int maxTasksPerWorker;

    WorkerTable(final int workers, final int tasksInFlightPerWorker, final int maxTasksPerWorker)
    {
        this.slots = new WorkerSlot[workers];
        this.tasksInFlightPerWorker = tasksInFlightPerWorker;
        this.maxTasksPerWorker = maxTasksPerWorker;
    }

    /**
     * @param slot the worker now at its index (replacing the one before).
     */
    void put(final WorkerSlot slot)
    {
        slots[slot.index] = slot;
    }

    /**
     * @return every slot, null where no worker started yet (do not modify).
     */
    WorkerSlot[] slots()
    {
        return slots;
    }

    /**
     * @return the ready worker with the fewest tasks in flight, among those with room for another (below the
     *         in-flight limit and the task limit), or null when none has room.
     */
    WorkerSlot freeWorker()
    {
        WorkerSlot best = null;
        for (final WorkerSlot slot : slots)
        {
            if (slot != null && hasRoom(slot) && (best == null || slot.inFlight.size() < best.inFlight.size()))
            {
                best = slot;
            }
        }
        return best;
    }

    /**
     * A worker that may be sent its first task before it is ready: one of the pool's first workers, started at once
     * (not after the start stagger), still starting, that was sent no task yet. Its task then waits in its ring while
     * its JVM boots and runs right after its INIT, without waiting for the parent to read its READY and send it (that
     * round trip measured 0.8 to 6.4 ms, median 2.2, of a pool's first result). One task only: a second would wait
     * for the boot where a ready worker may soon be free.
     *
     * @return such a worker, or null.
     */
    WorkerSlot startingWorker()
    {
        for (final WorkerSlot slot : slots)
        {
            if (slot != null && slot.takesTaskWhileStarting && !slot.ready && !slot.gone && slot.tasksSent == 0)
            {
                return slot;
            }
        }
        return null;
    }

    /**
     * @param slot a worker's slot.
     * @return true when the worker is ready and running, its ring is not known to be full, and it is below the
     *         in-flight limit and the task limit.
     */
    boolean hasRoom(final WorkerSlot slot)
    {
        return slot.ready && !slot.gone && !slot.blocked && slot.inFlight.size() < tasksInFlightPerWorker &&
            (maxTasksPerWorker == 0 || slot.tasksSent < maxTasksPerWorker);
    }

    /**
     * @return true when no running worker holds a task.
     */
    boolean allIdle()
    {
        for (final WorkerSlot slot : slots)
        {
            if (slot != null && !slot.gone && !slot.inFlight.isEmpty())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param into receives every worker that has not exited.
     */
    void running(final List<WorkerSlot> into)
    {
        for (final WorkerSlot slot : slots)
        {
            if (slot != null && !slot.gone)
            {
                into.add(slot);
            }
        }
    }

    /**
     * @return the pids of the workers alive now.
     */
    List<Long> pids()
    {
        final List<Long> pids = new ArrayList<>();
        for (final WorkerSlot slot : slots)
        {
            if (slot != null && !slot.gone && slot.process.isAlive())
            {
                pids.add(slot.process.pid());
            }
        }
        return pids;
    }

    /**
     * Kills every worker (SIGKILL); their readers then report their exits.
     */
    void killAll()
    {
        for (final WorkerSlot slot : slots)
        {
            if (slot != null)
            {
                slot.process.kill();
            }
        }
    }
}
