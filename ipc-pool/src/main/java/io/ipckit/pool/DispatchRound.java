package io.ipckit.pool;

import org.agrona.collections.IntArrayList;

import java.util.ArrayList;
import java.util.List;

import static io.ipckit.pool.PoolMessageDescriptor.FORGET;
import static io.ipckit.pool.PoolMessageDescriptor.FUNCTION;
import static io.ipckit.pool.PoolMessageDescriptor.STOP;

/**
 * What one hold of the scheduler's lock hands the dispatcher to send outside it, and what those sends left for want
 * of room: the tasks with their workers and the FUNCTION to send before each (or null), the FORGETs with their
 * workers, and the workers to STOP. {@link PoolScheduler} fills and empties it under its lock; {@link #send()} runs
 * outside it, and never waits for room in a ring (a STOP aside): a worker whose ring is full keeps its messages, in
 * order, for the scheduler to take back.
 * <p>
 * One per dispatcher thread; not thread-safe. Allocation-free once its lists have grown.
 */
final class DispatchRound
{
    final List<WorkerSlot> toStop = new ArrayList<>();
    final List<WorkerSlot> targets = new ArrayList<>();
    final List<PoolTask> tasks = new ArrayList<>();
    final List<byte[]> functionsFirst = new ArrayList<>();
    final List<WorkerSlot> forgetTargets = new ArrayList<>();
    final IntArrayList forgetIds = new IntArrayList();
    /** The tasks the last send left: index * 2, + 1 when their FUNCTION went. */
    final IntArrayList unsentTasks = new IntArrayList();
    /** The FORGETs the last send left, by index. */
    final IntArrayList unsentForgets = new IntArrayList();
    /** The workers whose ring had no room in the last send. */
    final List<WorkerSlot> full = new ArrayList<>();
    private final TaskSender sender = new TaskSender();

    /**
     * Under the lock: the workers sent to in the last round may be topped up by their readers again.
     */
    void releaseWorkers()
    {
        for (final WorkerSlot target : targets)
        {
            target.sending = false;
        }
        for (final WorkerSlot target : forgetTargets)
        {
            target.sending = false;
        }
        for (final WorkerSlot target : toStop)
        {
            target.sending = false;
        }
    }

    /**
     * Under the lock, once the scheduler took back what the last send left: empties the round for the next.
     */
    void clear()
    {
        toStop.clear();
        targets.clear();
        tasks.clear();
        functionsFirst.clear();
        forgetTargets.clear();
        forgetIds.clear();
        unsentTasks.clear();
        unsentForgets.clear();
        full.clear();
    }

    /**
     * Outside the lock: sends the STOPs, then each task (after its FUNCTION when one goes first), then the FORGETs.
     * After a message that found no room, the worker's later ones wait too, so they keep their order.
     */
    void send()
    {
        for (final WorkerSlot slot : toStop)
        {
            sender.send(slot, STOP, 0, 0, 0, null);
        }
        for (int i = 0; i < tasks.size(); i++)
        {
            final WorkerSlot target = targets.get(i);
            final PoolTask task = tasks.get(i);
            final byte[] function = functionsFirst.get(i);
            if (full.contains(target) || function != null &&
                !sender.trySend(target, FUNCTION, 0, task.functionId, 1, function))
            {
                noRoom(target);
                unsentTasks.addInt(2 * i);
            }
            else if (!sender.trySend(target, task.type, task.id, task.functionId, task.count, task.encodedItems))
            {
                noRoom(target);
                unsentTasks.addInt(2 * i + (function != null ? 1 : 0));
            }
        }
        for (int i = 0; i < forgetTargets.size(); i++)
        {
            final WorkerSlot target = forgetTargets.get(i);
            if (full.contains(target) || !sender.trySend(target, FORGET, 0, forgetIds.getInt(i), 0, null))
            {
                noRoom(target);
                unsentForgets.addInt(i);
            }
        }
    }

    private void noRoom(final WorkerSlot slot)
    {
        if (!full.contains(slot))
        {
            full.add(slot);
        }
    }
}
