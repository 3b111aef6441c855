package io.ipckit.pool;

import io.ipckit.core.process.JvmProcess;
import org.agrona.collections.IntArrayList;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The pool's view of one worker JVM: its process and channel, the tasks sent to it and not yet answered (in order),
 * and the functions it knows. Guarded by the pool's lock, except the channel's receive side, which only the slot's
 * reader thread uses, and its send side, which the dispatcher uses while {@link #sending} is set and the slot's
 * reader uses otherwise, only while it holds the lock and only without waiting.
 */
final class WorkerSlot
{
    /** The longest the dispatcher waits for room in one worker's ring before it tries the others. */
    static final long LONGEST_SEND_SLICE_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    final int index;
    final int generation;
    final JvmProcess process;
    final WorkerChannel channel;
    /**
     * One of the pool's first workers whose JVM started at once, not after the start stagger: it may be sent its
     * first task before it is ready, which then waits in its ring while the JVM boots (see
     * {@link WorkerTable#startingWorker()}). A replacement may not: when one starts, the other workers are warm, and
     * a task pinned to the new one would wait for its boot and initializer where a warm worker may soon have room.
     */
    final boolean takesTaskWhileStarting;
    /** The process's liveness, as the channel's sends ask it (made once: sends allocate nothing). */
    final BooleanSupplier alive;
    final ArrayDeque<PoolTask> inFlight = new ArrayDeque<>();
    final Set<Integer> knownFunctions = new HashSet<>();
    /** Released functions this worker knew, whose FORGET the dispatcher is to send (it could not be sent at once). */
    final IntArrayList forgets = new IntArrayList();
    int tasksSent;
    /**
     * The dispatcher found no room in this worker's ring: it takes no task until the worker sends a message (it has
     * read then) or {@link #retryAtNs} comes.
     */
    boolean blocked;
    long retryAtNs;
    /** How long the dispatcher's next try of a message longer than a record may wait for room (dispatcher only). */
    long sendSliceNs = WorkerChannel.FIRST_SLICE_NS;
    /** The dispatcher holds this worker's send side (set while it sends outside the lock); its reader must not send. */
    boolean sending;
    boolean ready;
    boolean gone;
    long observedTask;
    long observedSinceNs;
    long timedOutTask;

    WorkerSlot(
        final int index,
        final int generation,
        final JvmProcess process,
        final WorkerChannel channel,
        final boolean takesTaskWhileStarting)
    {
        this.index = index;
        this.generation = generation;
        this.process = process;
        this.channel = channel;
        this.takesTaskWhileStarting = takesTaskWhileStarting;
        this.alive = process::isAlive;
    }

    @Override
    public String toString()
    {
        return "worker " + index + "." + generation + " (pid " + process.pid() + ")";
    }
}
