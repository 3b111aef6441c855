package io.ipckit.durable.internal;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IncompatibleVersionException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.internal.kit.Doorbell;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.ipckit.durable.internal.LogDoorbellDescriptor.CREATION_TIME_OFFSET;
import static io.ipckit.durable.internal.LogDoorbellDescriptor.DOORBELL_OFFSET;
import static io.ipckit.durable.internal.LogDoorbellDescriptor.FILE_LENGTH;
import static io.ipckit.durable.internal.LogDoorbellDescriptor.FILE_NAME;
import static io.ipckit.durable.internal.LogDoorbellDescriptor.HEADER_LENGTH;
import static io.ipckit.durable.internal.LogDoorbellDescriptor.HEADER_LENGTH_OFFSET;
import static io.ipckit.durable.internal.LogDoorbellDescriptor.LAYOUT_VERSION;
import static io.ipckit.durable.internal.LogDoorbellDescriptor.LAYOUT_VERSION_OFFSET;
import static io.ipckit.durable.internal.LogDoorbellDescriptor.MAGIC;
import static io.ipckit.durable.internal.LogDoorbellDescriptor.MAGIC_OFFSET;

/**
 * A log's doorbell file ({@link LogDoorbellDescriptor}), mapped into this process. It also marks a directory as an
 * ipckit log and records the log's layout version, so a log of another version is refused at open, naming the file.
 * <p>
 * Thread-safe; {@link #close()} is idempotent and must come after every thread stopped waiting on the doorbell.
 */
public final class LogDoorbellFile implements AutoCloseable
{
    private final Path path;
    private final Arena arena;
    private final UnsafeBuffer buffer;
    private final Doorbell doorbell = new Doorbell();
    private final AtomicBoolean closed = new AtomicBoolean();

    private LogDoorbellFile(final Path path, final Arena arena, final MemorySegment segment)
    {
        this.path = path;
        this.arena = arena;
        this.buffer = new UnsafeBuffer(segment.address(), FILE_LENGTH);
        doorbell.wrap(buffer, DOORBELL_OFFSET);
    }

    /**
     * @param directory a log directory.
     * @return whether it holds a doorbell file.
     */
    public static boolean exists(final Path directory)
    {
        return Files.exists(directory.resolve(FILE_NAME));
    }

    /**
     * Creates the doorbell file unless it exists (another process may create it at the same moment: one wins, the
     * other opens the winner's), then opens it.
     *
     * @param directory the log directory, which exists.
     * @param exclusive true to fail when the file exists or another process creates it first.
     * @return the mapped file.
     * @throws ResourceExistsException      when {@code exclusive} and the file exists.
     * @throws CorruptResourceException     when an existing file is not a valid doorbell file.
     * @throws IncompatibleVersionException when it belongs to a log of another layout version.
     */
    public static LogDoorbellFile createOrOpen(final Path directory, final boolean exclusive)
    {
        final Path path = directory.resolve(FILE_NAME);
        if (exclusive || !Files.exists(path))
        {
            final Path temporary = directory.resolve(FILE_NAME + "." + ProcessHandle.current().pid() + "." +
                System.nanoTime() + ".tmp");
            try
            {
                final ByteBuffer header = ByteBuffer.allocate(FILE_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
                header.putLong(MAGIC_OFFSET, MAGIC);
                header.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
                header.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
                header.putLong(CREATION_TIME_OFFSET, System.currentTimeMillis());
                try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE))
                {
                    while (header.hasRemaining())
                    {
                        channel.write(header);
                    }
                    channel.force(true);
                }
                // a link never replaces: the first creator wins, everyone opens the same complete file
                Files.createLink(path, temporary);
            }
            catch (final FileAlreadyExistsException ex)
            {
                if (exclusive)
                {
                    throw new ResourceExistsException("cannot create a log in " + directory + ": another process " +
                        "created one there first; open it, or choose another directory");
                }
                // another process created it meanwhile: open theirs
            }
            catch (final IOException ex)
            {
                throw new IpcException("cannot create the doorbell file " + path + ": " + ex +
                    "; check that the log directory is writable", ex);
            }
            finally
            {
                try
                {
                    Files.deleteIfExists(temporary);
                }
                catch (final IOException ignore)
                {
                    // a leftover temporary file is harmless: it is never opened
                }
            }
        }
        return open(path);
    }

    private static LogDoorbellFile open(final Path path)
    {
        final long size;
        try
        {
            size = Files.size(path);
        }
        catch (final NoSuchFileException ex)
        {
            throw new CorruptResourceException("the log doorbell file " + path + " vanished while opening the log; " +
                "do not delete files inside a log directory, delete the whole directory");
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot read " + path + ": " + ex, ex);
        }
        if (size != FILE_LENGTH)
        {
            throw new CorruptResourceException("the log doorbell file " + path + " is " + size + " bytes where " +
                FILE_LENGTH + " are expected (truncated or overwritten); delete it and open the log with " +
                "SharedLog.openOrCreate, which recreates it, or restore the log directory from a backup");
        }
        final Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_LENGTH, arena);
            final LogDoorbellFile file = new LogDoorbellFile(path, arena, segment);
            file.validate();
            return file;
        }
        catch (final IOException ex)
        {
            arena.close();
            throw new IpcException("cannot map the log doorbell file " + path + ": " + ex, ex);
        }
        catch (final RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
    }

    private void validate()
    {
        if (buffer.getLong(MAGIC_OFFSET) != MAGIC)
        {
            throw new CorruptResourceException("the log doorbell file " + path + " has no ipckit magic number " +
                "(foreign or overwritten bytes); delete it and open the log with SharedLog.openOrCreate, which " +
                "recreates it, or restore the log from a backup");
        }
        final int version = buffer.getInt(LAYOUT_VERSION_OFFSET);
        if (version != LAYOUT_VERSION)
        {
            throw new IncompatibleVersionException("the log in " + path.getParent() + " has layout version " +
                version + " (recorded in " + path + ") but this ipckit reads version " + LAYOUT_VERSION +
                ": it was written by " + (version > LAYOUT_VERSION ? "a newer" : "an older") + " ipckit; use the " +
                "same ipckit version in every process, or replay it with that version into a new log");
        }
        if (buffer.getInt(HEADER_LENGTH_OFFSET) != HEADER_LENGTH)
        {
            throw new CorruptResourceException("the log doorbell file " + path + " has a corrupt header (header " +
                "length " + buffer.getInt(HEADER_LENGTH_OFFSET) + "); delete it and open the log with " +
                "SharedLog.openOrCreate, which recreates it");
        }
    }

    /**
     * @return the doorbell; valid until {@link #close()}.
     */
    public Doorbell doorbell()
    {
        return doorbell;
    }

    /**
     * @return the file's path.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return the threads of every process registered as waiting on the doorbell (polling a last time, or asleep).
     */
    public int waiters()
    {
        return buffer.getIntVolatile(DOORBELL_OFFSET + io.ipckit.core.internal.kit.DoorbellDescriptor.WAITERS_OFFSET);
    }

    /**
     * @return the threads of every process asleep in the kernel on the doorbell.
     */
    public int sleepers()
    {
        return buffer.getIntVolatile(DOORBELL_OFFSET + io.ipckit.core.internal.kit.DoorbellDescriptor.SIGNAL_OFFSET +
            io.ipckit.core.internal.wait.WakeSignalDescriptor.WAITERS_OFFSET);
    }

    /**
     * Unmaps the file; idempotent.
     */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            arena.close();
        }
    }
}
