package io.ipckit.pool;

import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import org.agrona.ExpandableArrayBuffer;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ipckit.pool.PoolMessageDescriptor.*;

/**
 * Starts a pool's worker JVMs: creates the worker's pipe, clears its slot on the task board, starts
 * {@link PoolWorker} as a daemon child (the one place the pool starts processes), and queues the INIT message (the
 * initializer and the task limit) for the worker to read once it has opened its end. When the pool is created, the
 * workers after the first start {@link PoolOptions#workerStartStagger(TimeUnit) later}, so that the first, which takes
 * the first task, boots alone.
 * <p>
 * Not thread-safe: the scheduler calls it with its lock held.
 */
final class WorkerLauncher
{
    private final String poolName;
    private final TaskBoard board;
    private final List<String> jvmOptions;
    private final boolean aotCache;
    private final long startStaggerNs;
    private final String classPath;
    private final int ringCapacityBytes;
    private final int maxTasksPerWorker;
    private final byte[] encodedInitializer;

    WorkerLauncher(
        final String poolName, final PoolOptions options, final TaskBoard board, final byte[] encodedInitializer)
    {
        this.poolName = poolName;
        this.board = board;
        this.jvmOptions = options.jvmOptions();
        this.aotCache = options.aotCache();
        this.startStaggerNs = options.workerStartStagger(TimeUnit.NANOSECONDS);
        this.classPath = options.classPath();
        this.ringCapacityBytes = options.ringCapacityBytes();
        this.maxTasksPerWorker = options.maxTasksPerWorker();
        this.encodedInitializer = encodedInitializer;
    }

    /**
     * Starts worker {@code index}.
     *
     * @param index      the worker's index (its slot on the task board).
     * @param generation how many workers ran at this index before.
     * @return the worker's slot; its INIT message is sent (or the worker was killed when found dead meanwhile).
     * @throws io.ipckit.core.exceptions.IpcException when the pipe cannot be created or the JVM cannot start.
     */
    WorkerSlot launch(final int index, final int generation)
    {
        final String channelName = poolName + "-w" + index + "-" + generation;
        final WorkerChannel channel = WorkerChannel.create(channelName, ringCapacityBytes);
        board.currentTask(index, 0);
        final long startDelayNs = index > 0 && generation == 0 ? startStaggerNs : 0;
        final JvmProcess process;
        try
        {
            process = JvmProcess.start(PoolWorker.class, new ProcessOptions()
                .name(poolName + "-worker-" + index)
                .args(channelName, board.name(), Integer.toString(index))
                .jvmOptions(jvmOptions.toArray(new String[0]))
                .aotCache(aotCache)
                .classPath(classPath)
                .startDelay(startDelayNs, TimeUnit.NANOSECONDS)
                .daemon(true));
        }
        catch (final RuntimeException ex)
        {
            channel.unlink();
            channel.close();
            throw ex;
        }
        final boolean firstStartedAtOnce = generation == 0 && startDelayNs == 0;
        final WorkerSlot slot = new WorkerSlot(index, generation, process, channel, firstStartedAtOnce);
        final ExpandableArrayBuffer init = new ExpandableArrayBuffer(ITEMS_OFFSET + encodedInitializer.length);
        final int length = TaskSender.writeMessage(init, 0, INIT, 0, maxTasksPerWorker, 1, encodedInitializer);
        try
        {
            channel.send(init, 0, length, slot.alive);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.kill(); // its INIT may be missing or cut: a task after it must not run without it; replaced
        }
        catch (final PeerGoneException ex)
        {
            process.kill(); // its reader fails or requeues what it held, as for any death
        }
        return slot;
    }
}
