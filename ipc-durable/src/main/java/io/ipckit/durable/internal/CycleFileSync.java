package io.ipckit.durable.internal;

import io.ipckit.core.exceptions.IpcException;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Forces a log's cycle file to the disk ({@code fsync}), keeping the file's channel open between calls since
 * appends go to the same file for a whole cycle.
 * <p>
 * Not thread-safe: the appender calls it under its lock.
 */
public final class CycleFileSync implements AutoCloseable
{
    private final Path directory;
    private File syncedFile;
    private FileChannel channel;

    /**
     * @param directory the log directory.
     */
    public CycleFileSync(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * Forces {@code current} to the disk, or the newest cycle file when it is null (nothing happens when the log has
     * none): the file's dirty pages, those written through Chronicle's mappings included, are then on the disk.
     *
     * @param current the cycle file an appender writes to, or null.
     * @throws IpcException when the file cannot be forced.
     */
    public void force(final File current)
    {
        File file = current;
        if (file == null)
        {
            final List<Path> cycles = LogFiles.cycleFiles(directory);
            if (cycles.isEmpty())
            {
                return;
            }
            file = cycles.getLast().toFile();
        }
        try
        {
            if (!file.equals(syncedFile))
            {
                close();
                channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE);
                syncedFile = file;
            }
            channel.force(false);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot force the cycle file " + file + " of the log to disk: " + ex, ex);
        }
    }

    /**
     * Closes the channel of the last file forced, if any; idempotent.
     */
    @Override
    public void close()
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // a channel only this handle used, opened to force it; nothing is lost
            }
            channel = null;
            syncedFile = null;
        }
    }
}
