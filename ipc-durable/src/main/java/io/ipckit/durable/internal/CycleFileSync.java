package io.ipckit.durable.internal;

import io.ipckit.core.exceptions.IpcException;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Forces a log's files to the disk ({@code fsync}) for one appending handle: every cycle file it wrote to since the
 * last force, not only the current one (records written before a roll, and the end-of-file marker Chronicle writes
 * at the roll, are in the previous file), and the log's directory whenever a file appeared in it since the last
 * force (a new cycle file; at the handle's first force, the files created with the log), since a file whose
 * directory entry is lost is lost with its records. The current file's channel stays open between calls, as
 * appends go to it for a whole cycle; the files of past cycles are opened, forced and closed once.
 * <p>
 * Not thread-safe: the appender calls it under its lock.
 */
public final class CycleFileSync implements AutoCloseable
{
    private final Path directory;
    /** Past cycle files written to since the last force, oldest first. */
    private final List<File> unforced = new ArrayList<>();
    private final List<Path> lastForced = new ArrayList<>();
    private File written;
    private boolean directoryUnforced = true;
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
     * Notes the cycle file the appender writes to now; called when its cycle changes (once per cycle, off the
     * record's path). The file written to before, and any file between the two (a batch that spanned more than one
     * roll), is forced by the next {@link #force}.
     *
     * @param file the appender's current cycle file.
     * @throws IpcException when the directory cannot be listed.
     */
    public void written(final File file)
    {
        if (file.equals(written))
        {
            return;
        }
        if (written != null)
        {
            unforced.add(written);
            final String from = written.getName();
            final String to = file.getName();
            for (final Path between : LogFiles.cycleFiles(directory))
            {
                final String name = between.getFileName().toString();
                if (name.compareTo(from) > 0 && name.compareTo(to) < 0)
                {
                    unforced.add(between.toFile()); // Chronicle's cycle names sort in time order
                }
            }
        }
        written = file;
        directoryUnforced = true;
    }

    /**
     * Forces to the disk the cycle files written to since the last call ({@link #written}), then {@code current},
     * or the newest cycle file when it is null (nothing happens when the log has none), then the log's directory
     * when a file appeared since the last call: the files' dirty pages, those written through Chronicle's mappings
     * included, and their directory entries are then on the disk. A past file deleted meanwhile (by retention) is
     * passed over.
     *
     * @param current the cycle file an appender writes to, or null.
     * @throws IpcException when a file or the directory cannot be forced, naming it.
     */
    public void force(final File current)
    {
        lastForced.clear();
        for (final File past : unforced)
        {
            if (!past.equals(current))
            {
                forceOnce(past);
            }
        }
        unforced.clear();
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
                if (channel != null && !lastForced.contains(syncedFile.toPath()))
                {
                    channel.force(false); // the newest file this handle forced before another one appeared
                    lastForced.add(syncedFile.toPath());
                }
                close();
                channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE);
                syncedFile = file;
                directoryUnforced = true;
            }
            channel.force(false);
            lastForced.add(file.toPath());
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot force the cycle file " + file + " of the log to disk: " + ex, ex);
        }
        if (directoryUnforced)
        {
            forceDirectory();
            directoryUnforced = false;
        }
    }

    /**
     * @return the files and directory the last {@link #force} forced, in order; for tests.
     */
    public List<Path> lastForced()
    {
        return List.copyOf(lastForced);
    }

    private void forceOnce(final File file)
    {
        try (FileChannel past = FileChannel.open(file.toPath(), StandardOpenOption.WRITE))
        {
            past.force(false);
            lastForced.add(file.toPath());
        }
        catch (final NoSuchFileException ex)
        {
            // deleted by retention: nothing of it to keep
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot force the cycle file " + file + " of the log to disk: " + ex, ex);
        }
    }

    private void forceDirectory()
    {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
            lastForced.add(directory);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot force the log directory " + directory + " to disk (its new files' " +
                "entries): " + ex + "; check that the file system supports fsync of a directory", ex);
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
