package io.ipckit.durable.internal;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.nio.file.Path;

/**
 * A log's retention ({@link LogFiles#enforceRetention}): the oldest cycle files are deleted when the log is opened
 * and each time this handle's appender starts a new cycle, and Chronicle's directory listing is then refreshed.
 * <p>
 * Not thread-safe: the appender calls {@link #enforce()} under its lock when it starts a cycle; it comes once at
 * open too.
 */
public final class LogRetention
{
    private final Path directory;
    private final int retainCycles;
    private final long retainBytes;
    private final SingleChronicleQueue queue;

    /**
     * @param directory    the log directory.
     * @param retainCycles the most cycle files kept, 0 for no limit.
     * @param retainBytes  the most bytes kept, 0 for no limit.
     * @param queue        the log's queue, whose listing is refreshed after a deletion.
     */
    public LogRetention(final Path directory, final int retainCycles, final long retainBytes,
        final SingleChronicleQueue queue)
    {
        this.directory = directory;
        this.retainCycles = retainCycles;
        this.retainBytes = retainBytes;
        this.queue = queue;
    }

    /**
     * Deletes the cycle files retention does not keep.
     *
     * @throws io.ipckit.core.exceptions.IpcException when the directory cannot be listed.
     */
    public void enforce()
    {
        if (LogFiles.enforceRetention(directory, retainCycles, retainBytes) > 0)
        {
            queue.refreshDirectoryListing();
        }
    }
}
