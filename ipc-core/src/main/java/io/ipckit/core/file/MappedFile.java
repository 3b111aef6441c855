package io.ipckit.core.file;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.SharedMemoryExhaustedException;
import io.ipckit.core.internal.os.Native;
import io.ipckit.core.internal.process.JvmFlags;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A named file in the shared directory, mapped read-write into this process: the raw material of every shared
 * structure. No header is implied; {@link ResourceFile} adds one.
 * <p>
 * {@link #create} makes the file exclusively with mode 0600 and allocates all its pages up front (Linux
 * {@code posix_fallocate}, elsewhere by writing zeros), so a full {@code /dev/shm} is a
 * {@link SharedMemoryExhaustedException} at creation rather than a SIGBUS on first touch. Files larger than 2 GiB
 * are mapped whole as a {@link MemorySegment}; {@link #buffer()} covers the first 2 GiB only.
 * <p>
 * Thread-safe. {@link #close()} unmaps; it is idempotent, but it must not race with threads still reading the
 * memory (as with any unmap, such a read would fault).
 */
public final class MappedFile implements AutoCloseable
{
    private static final int ZERO_CHUNK_BYTES = 1 << 20;

    private final String name;
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final UnsafeBuffer buffer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MappedFile(final String name, final Path path, final Arena arena, final MemorySegment segment)
    {
        this.name = name;
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.buffer = new UnsafeBuffer(segment.address(), (int)Math.min(segment.byteSize(), Integer.MAX_VALUE - 8));
    }

    /**
     * Creates {@code <shared dir>/name} exclusively, with mode 0600 and {@code lengthBytes} allocated and zeroed,
     * and maps it.
     *
     * @param name        a valid resource name.
     * @param lengthBytes the file length, at least 1.
     * @return the mapping.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws IllegalArgumentException  when {@code lengthBytes} is not positive.
     * @throws ResourceExistsException   when the name exists.
     * @throws SharedMemoryExhaustedException when the directory has no room.
     */
    public static MappedFile create(final String name, final long lengthBytes)
    {
        final Path path = SharedDirectory.resolve(name);
        if (lengthBytes <= 0)
        {
            throw new IllegalArgumentException("cannot create \"" + name + "\" of " + lengthBytes +
                " bytes: the length must be positive");
        }
        if (Native.isLinux())
        {
            final int errno = Native.createAllocated(path.toString(), lengthBytes);
            if (errno == Native.EEXIST)
            {
                throw exists(name, path);
            }
            if (errno != 0)
            {
                deleteQuietly(path);
                if (errno == Native.ENOSPC || errno == 27 /* EFBIG */)
                {
                    throw exhausted(name, path, lengthBytes);
                }
                throw new IpcException("cannot create \"" + name + "\" (" + lengthBytes + " bytes) at " + path +
                    ": errno " + errno);
            }
        }
        else
        {
            createPortable(name, path, lengthBytes);
        }
        try
        {
            return map(name, path, lengthBytes);
        }
        catch (final RuntimeException ex)
        {
            deleteQuietly(path);
            throw ex;
        }
    }

    /**
     * Opens and maps an existing file whole.
     *
     * @param name a valid resource name.
     * @return the mapping.
     * @throws ResourceNotFoundException when no such name exists.
     * @throws IpcException when the file is empty or cannot be mapped.
     */
    public static MappedFile open(final String name)
    {
        final Path path = SharedDirectory.resolve(name);
        final long size;
        try
        {
            size = Files.size(path);
        }
        catch (final NoSuchFileException ex)
        {
            throw notFound(name, path);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot read the size of \"" + name + "\" at " + path + ": " + ex, ex);
        }
        if (size == 0)
        {
            throw new io.ipckit.core.exceptions.CorruptResourceException("\"" + name + "\" at " + path +
                " is empty (0 bytes): its creator has not sized it yet or died first; unlink it and create it again");
        }
        return map(name, path, size);
    }

    static MappedFile map(final String name, final Path path, final long lengthBytes)
    {
        JvmFlags.requireAgronaAccess();
        final Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, lengthBytes, arena);
            return new MappedFile(name, path, arena, segment);
        }
        catch (final NoSuchFileException ex)
        {
            arena.close();
            throw notFound(name, path);
        }
        catch (final IOException | RuntimeException ex)
        {
            arena.close();
            throw new IpcException("cannot map \"" + name + "\" (" + lengthBytes + " bytes) at " + path + ": " + ex, ex);
        }
    }

    private static void createPortable(final String name, final Path path, final long lengthBytes)
    {
        final EnumSet<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (FileChannel channel = path.getFileSystem().supportedFileAttributeViews().contains("posix") ?
            FileChannel.open(path, options, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))) :
            FileChannel.open(path, options))
        {
            final ByteBuffer zeros = ByteBuffer.allocateDirect((int)Math.min(ZERO_CHUNK_BYTES, lengthBytes));
            long position = 0;
            while (position < lengthBytes)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), lengthBytes - position));
                position += channel.write(zeros, position);
            }
            channel.force(false);
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw exists(name, path);
        }
        catch (final IOException ex)
        {
            deleteQuietly(path);
            throw exhausted(name, path, lengthBytes);
        }
    }

    private static ResourceExistsException exists(final String name, final Path path)
    {
        return new ResourceExistsException("cannot create \"" + name + "\": " + path + " already exists; open it, " +
            "unlink it first, or choose another name");
    }

    private static ResourceNotFoundException notFound(final String name, final Path path)
    {
        return new ResourceNotFoundException("no resource named \"" + name + "\" in " + path.getParent() +
            ": create it first, or check the name and the shared directory (-Dipckit.dir)");
    }

    private static SharedMemoryExhaustedException exhausted(final String name, final Path path, final long lengthBytes)
    {
        return new SharedMemoryExhaustedException("cannot allocate " + lengthBytes + " bytes for \"" + name +
            "\" in " + path.getParent() + ": no space left; free shared memory (unlink unused resources) or enlarge" +
            " the file system (e.g. mount -o remount,size=... /dev/shm)");
    }

    static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignore)
        {
            // best effort: the caller is already reporting the real failure
        }
    }

    /**
     * @return the resource name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the file's path.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return the mapped length in bytes.
     */
    public long lengthBytes()
    {
        return segment.byteSize();
    }

    /**
     * @return the whole mapping; valid until {@link #close()}.
     */
    public MemorySegment segment()
    {
        checkOpen();
        return segment;
    }

    /**
     * @return an Agrona buffer over the mapping (its first 2 GiB when larger); valid until {@link #close()}.
     */
    public AtomicBuffer buffer()
    {
        checkOpen();
        return buffer;
    }

    /**
     * @return the address of the first byte of the mapping.
     */
    public long address()
    {
        return segment.address();
    }

    /**
     * @return true once {@link #close()} has been called.
     */
    public boolean isClosed()
    {
        return closed.get();
    }

    /**
     * Removes the name from the shared directory; this mapping (and others' mappings) stay valid until closed.
     *
     * @return true when this call removed the file, false when it was already gone.
     */
    public boolean unlink()
    {
        try
        {
            return Files.deleteIfExists(path);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot unlink \"" + name + "\" at " + path + ": " + ex, ex);
        }
    }

    /**
     * Unmaps the file. Idempotent; the name stays in the shared directory.
     */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            arena.close();
        }
    }

    private void checkOpen()
    {
        if (closed.get())
        {
            throw new ResourceClosedException("\"" + name + "\" is closed in this process; open it again to use it");
        }
    }

    /**
     * @return a description for diagnostics.
     */
    @Override
    public String toString()
    {
        return "MappedFile{" + name + ", " + segment.byteSize() + " bytes, " + path + (closed.get() ? ", closed}" : "}");
    }
}
