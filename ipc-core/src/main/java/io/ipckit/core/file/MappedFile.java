package io.ipckit.core.file;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.SharedMemoryExhaustedException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.internal.os.Native;
import io.ipckit.core.internal.process.JvmFlags;
import io.ipckit.core.tracker.ResourceTracker;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A named file in the shared directory, mapped read-write into this process: the raw material of every shared
 * structure. No header is implied; {@link ResourceFile} adds one.
 * <p>
 * {@link #create} makes the file exclusively with mode 0600 and allocates all its pages up front (Linux
 * {@code posix_fallocate}, elsewhere by writing zeros), so a full {@code /dev/shm} is a
 * {@link SharedMemoryExhaustedException} at creation rather than a SIGBUS on first touch. The file gets its name
 * only once it is whole and initialised, so an empty or short file under an ipckit name was never ipckit's. Files larger than 2 GiB
 * are mapped whole as a {@link MemorySegment}; {@link #buffer()} covers the first 2 GiB only.
 * <p>
 * Thread-safe. {@link #close()} unmaps; it is idempotent, but it must not race with threads still reading the
 * memory (as with any unmap, such a read would fault).
 * <p>
 * <b>Truncation by another process.</b> Nothing stops a process with write access from shrinking the file; the
 * pages it loses then raise SIGBUS when touched. {@link #requireIntact()} (slow paths) refuses such a file before
 * touching it, and {@link #failure(Throwable)} turns the {@link InternalError} with which HotSpot reports a SIGBUS
 * inside an Unsafe read, write or copy into a {@link CorruptResourceException} naming the file. HotSpot does not
 * guard one access: a compare-and-set run by the interpreter (the native {@code Unsafe_CompareAndSet*}, i.e. code
 * not yet JIT-compiled) on a lost page kills the JVM with SIGBUS (compiled compare-and-sets are guarded; measured on
 * JDK 25: interpreted read-then-CAS gives InternalError, interpreted bare CAS crashes, C1 and C2 CAS give
 * InternalError). So every compare-and-set on a mapping is preceded by a read of the same word (or page), which
 * faults first, safely. <b>The window that remains</b>: a truncation that lands after that read and before the
 * compare-and-set, while the calling path still runs in the interpreter (its first few thousand executions, the
 * first milliseconds of a process's use). Measured with {@code -Xint}: a read takes about 100 ns, read plus CAS
 * about 190 ns, so the window is about 0.1 us per interpreted compare-and-set, and zero once the path is compiled.
 * Linux gives a JVM no way to close it (HotSpot owns SIGBUS, and a tmpfs file cannot be sealed against shrinking).
 * HotSpot raises that {@link InternalError} synchronously in interpreted code but asynchronously in compiled code
 * (at the thread's next safepoint poll, which can lie after the public method returned, outside its catch): a hot,
 * compiled caller may therefore see the {@link InternalError} itself rather than the
 * {@link CorruptResourceException}; the JVM survives either way. Raw memory handed out ({@link #buffer()},
 * {@link #segment()}) is the caller's own access: a fault there is the JVM's {@link InternalError}.
 * <p>
 * <b>A building block.</b> This class is what ipckit's own structures are made of; each of them guards its use of
 * {@link #buffer()} against its own close. Code that keeps a buffer beyond a close it does not control takes
 * {@link #retainedBuffer()}, whose mapping is its own, as {@code SharedMemory} does.
 */
public final class MappedFile implements AutoCloseable
{
    private static final int ZERO_CHUNK_BYTES = 1 << 20;

    private final String name;
    private final Path path;
    private final Arena arena;
    /** Kept open so that {@link #currentLengthBytes()} asks the mapped file itself (fstat), renamed or unlinked. */
    private final FileChannel channel;
    private final MemorySegment segment;
    private final UnsafeBuffer buffer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MappedFile(
        final String name, final Path path, final Arena arena, final FileChannel channel, final MemorySegment segment)
    {
        this.name = name;
        this.path = path;
        this.arena = arena;
        this.channel = channel;
        this.segment = segment;
        this.buffer = new UnsafeBuffer(segment.address(), (int)Math.min(segment.byteSize(), Integer.MAX_VALUE - 8));
    }

    /**
     * Creates {@code <shared dir>/name} exclusively, with mode 0600 and {@code lengthBytes} allocated and zeroed,
     * and maps it. The file is persistent (the resource tracker never removes it) and published at once.
     *
     * @param name        a valid resource name.
     * @param lengthBytes the file length, at least 1.
     * @return the mapping.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws IllegalArgumentException  when {@code lengthBytes} is not positive.
     * @throws ResourceExistsException   when the name exists.
     * @throws SharedMemoryExhaustedException when the directory has no room.
     * @see #create(String, long, boolean, Consumer)
     */
    public static MappedFile create(final String name, final long lengthBytes)
    {
        return create(name, lengthBytes, true, null);
    }

    /**
     * Creates {@code <shared dir>/name} exclusively, with mode 0600 and {@code lengthBytes} allocated and zeroed,
     * lets {@code initializer} fill it, and only then gives it its name: no process ever sees the name of a file
     * that is empty, short or half written.
     * <p>
     * The file is made under a temporary name of this process ({@link ResourceTracker#CREATING_PREFIX}), recorded
     * by the resource tracker under its final name when it is not persistent, initialised, and then hard-linked to
     * its name (which fails when the name exists). A creator killed at any point leaves nothing the tracker cannot
     * find: the temporary file (removed by {@link ResourceTracker#sweep()} once its process is dead), or a recorded
     * resource. When the record cannot be written the create fails rather than leave an untracked file. When the
     * directory is full, dead processes' resources are swept once and the create is tried again.
     *
     * @param name        a valid resource name.
     * @param lengthBytes the file length, at least 1.
     * @param persistent  true to keep the file when this process dies without unlinking it (it is not tracked).
     * @param initializer writes the file's content before it is named; may be null. If it throws, nothing is left
     *                    behind and the exception propagates.
     * @return the mapping, named.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws IllegalArgumentException  when {@code lengthBytes} is not positive.
     * @throws ResourceExistsException   when the name exists.
     * @throws SharedMemoryExhaustedException when the directory has no room for the file or for its record, even
     *                                        after a sweep.
     */
    public static MappedFile create(
        final String name, final long lengthBytes, final boolean persistent, final Consumer<MappedFile> initializer)
    {
        final Path path = SharedDirectory.resolve(name);
        if (lengthBytes <= 0)
        {
            throw new IllegalArgumentException("cannot create \"" + name + "\" of " + lengthBytes +
                " bytes: the length must be positive");
        }
        ResourceTracker.prepare(path.getParent());
        try
        {
            return createOnce(name, path, lengthBytes, persistent, initializer);
        }
        catch (final SharedMemoryExhaustedException ex)
        {
            // what dead processes left may be what fills the directory: remove it and try once more
            ResourceTracker.sweep(path.getParent());
            return createOnce(name, path, lengthBytes, persistent, initializer);
        }
    }

    private static MappedFile createOnce(
        final String name,
        final Path path,
        final long lengthBytes,
        final boolean persistent,
        final Consumer<MappedFile> initializer)
    {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS))
        {
            throw exists(name, path);
        }
        final Path temporary = ResourceTracker.creatingPath(path.getParent());
        try
        {
            allocate(name, temporary, lengthBytes);
            final MappedFile file = map(name, path, temporary, lengthBytes);
            boolean registered = false;
            try
            {
                if (!persistent)
                {
                    ResourceTracker.register(path, temporary);
                    registered = true;
                }
                if (initializer != null)
                {
                    initializer.accept(file);
                }
                link(name, temporary, path);
                return file;
            }
            catch (final RuntimeException | Error ex)
            {
                if (registered)
                {
                    ResourceTracker.unregister(path);
                }
                file.close();
                throw ex;
            }
        }
        finally
        {
            deleteQuietly(temporary);
        }
    }

    private static void allocate(final String name, final Path temporary, final long lengthBytes)
    {
        if (Native.isLinux())
        {
            final int errno = Native.createAllocated(temporary.toString(), lengthBytes);
            if (errno != 0)
            {
                deleteQuietly(temporary);
                if (errno == Native.ENOSPC || errno == 27 /* EFBIG */)
                {
                    throw exhausted(name, temporary, lengthBytes);
                }
                throw new IpcException("cannot create \"" + name + "\" (" + lengthBytes + " bytes) at " + temporary +
                    ": errno " + errno);
            }
        }
        else
        {
            createPortable(name, temporary, lengthBytes);
        }
    }

    private static void link(final String name, final Path temporary, final Path path)
    {
        try
        {
            Files.createLink(path, temporary);
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw exists(name, path);
        }
        catch (final UnsupportedOperationException ex)
        {
            try
            {
                Files.move(temporary, path); // no hard links here: a move, which also refuses an existing name
            }
            catch (final FileAlreadyExistsException exists)
            {
                throw exists(name, path);
            }
            catch (final IOException io)
            {
                throw new IpcException("cannot name \"" + name + "\" at " + path + ": " + io, io);
            }
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot name \"" + name + "\" at " + path + ": " + ex, ex);
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
        final long size = regularFileSize(name, path);
        if (size == 0)
        {
            throw new CorruptResourceException("\"" + name + "\" at " + path +
                " is empty (0 bytes): its creator has not sized it yet or died first; unlink it and create it again");
        }
        return map(name, path, size);
    }

    /**
     * The size of the file named {@code name}, which must be a regular file of the shared directory itself: a
     * symbolic link is refused, not followed (as {@code shm_open} refuses one with {@code O_NOFOLLOW}), so that a
     * name cannot lead a write out of the directory.
     *
     * @param name the resource's name, for messages.
     * @param path its path in the shared directory.
     * @return its length in bytes.
     * @throws ResourceNotFoundException when no such name exists.
     * @throws WrongResourceKindException when the name is a symbolic link, a directory or another special file.
     * @throws IpcException when its attributes cannot be read.
     */
    static long regularFileSize(final String name, final Path path)
    {
        final BasicFileAttributes attributes;
        try
        {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        catch (final NoSuchFileException ex)
        {
            throw notFound(name, path);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot read the size of \"" + name + "\" at " + path + ": " + ex, ex);
        }
        if (!attributes.isRegularFile())
        {
            throw new WrongResourceKindException("\"" + name + "\" at " + path + " is " +
                (attributes.isSymbolicLink() ? "a symbolic link" : attributes.isDirectory() ? "a directory" :
                "a special file") + ", not a shared memory file: ipckit maps only regular files of its shared " +
                "directory and never follows links; remove it, or use another name");
        }
        return attributes.size();
    }

    static MappedFile map(final String name, final Path path, final long lengthBytes)
    {
        return map(name, path, path, lengthBytes);
    }

    private static MappedFile map(final String name, final Path path, final Path mapped, final long lengthBytes)
    {
        JvmFlags.requireAgronaAccess();
        final Arena arena = Arena.ofShared();
        FileChannel channel = null;
        // the channel is interruptible: opened or mapped with the caller's interrupt flag set it would close itself
        // and fail the open, so the flag is set aside for the two calls and put back
        final boolean interrupted = Thread.interrupted();
        try
        {
            channel = FileChannel.open(mapped, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
            final MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, lengthBytes, arena);
            return new MappedFile(name, path, arena, channel, segment);
        }
        catch (final NoSuchFileException ex)
        {
            arena.close();
            throw notFound(name, path);
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(channel);
            arena.close();
            throw new IpcException("cannot map \"" + name + "\" (" + lengthBytes + " bytes) at " + path + ": " + ex, ex);
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
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

    private static void closeQuietly(final FileChannel channel)
    {
        try
        {
            if (channel != null)
            {
                channel.close();
            }
        }
        catch (final IOException ignore)
        {
            // best effort: the caller is already reporting the real failure
        }
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
     * An Agrona buffer over a mapping of its own (the first 2 GiB of the file when larger), which lives for as long
     * as the buffer is reachable: {@link #close()} does not unmap it, so a caller that keeps the buffer past the close
     * reads and writes the file's pages instead of crashing the JVM, and the pages are let go once the buffer is
     * garbage collected. For raw memory handed to code that cannot be told of a close; each call maps again, so keep
     * the buffer rather than asking for another. Mapped through the descriptor kept with this mapping, so it is the
     * same file even when the name was unlinked or reused.
     *
     * @return a buffer over a fresh mapping of the file.
     * @throws ResourceClosedException when this handle is closed.
     * @throws IpcException when the file cannot be mapped again (no address space).
     */
    public AtomicBuffer retainedBuffer()
    {
        checkOpen();
        final boolean interrupted = Thread.interrupted(); // see map(): an interrupt would close the channel for good
        try
        {
            final long length = Math.min(segment.byteSize(), Integer.MAX_VALUE - 8);
            final MemorySegment own = channel.map(FileChannel.MapMode.READ_WRITE, 0, length, Arena.ofAuto());
            return new UnsafeBuffer(own.asByteBuffer()); // the buffer holds the byte buffer, which holds the mapping
        }
        catch (final IOException | RuntimeException ex)
        {
            checkOpen(); // closed meanwhile: the channel went with it
            throw new IpcException("cannot map \"" + name + "\" at " + path + " again: " + ex, ex);
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
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
     * The file's length now, asked of the file itself (fstat on the descriptor kept with the mapping), so it is right
     * even when the name was unlinked or reused. A system call: for slow paths only.
     *
     * @return the length in bytes, or -1 when it cannot be read.
     */
    public long currentLengthBytes()
    {
        // the channel is interruptible: asked with the caller's interrupt flag set, it would close itself for good
        // (every later look would then read -1), so the flag is set aside for the call and put back
        final boolean interrupted = Thread.interrupted();
        try
        {
            return channel.size();
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Allocates the file's pages over a range by writing zeros there through the descriptor kept with the mapping,
     * so that a later touch of those pages cannot fault for want of room. Through the descriptor, not the name: the
     * name may have been unlinked, or given to another file, since this mapping was made. A system call per MiB,
     * made on a thread of its own: the descriptor's channel closes for good when the thread writing through it is
     * interrupted, so the caller's interrupt waits until the write is done (and stays set). For slow paths only.
     *
     * @param offset where the range starts.
     * @param length its length in bytes.
     * @throws IOException when the file system refuses (no space left) or this mapping is closed.
     */
    public void writeZeros(final long offset, final long length) throws IOException
    {
        final CompletableFuture<Void> written = new CompletableFuture<>();
        ZeroWriter.EXECUTOR.execute(() ->
        {
            try
            {
                final ByteBuffer zeros = ByteBuffer.allocate((int)Math.min(length, 1 << 20));
                long position = offset;
                final long end = offset + length;
                while (position < end)
                {
                    zeros.clear().limit((int)Math.min(zeros.capacity(), end - position));
                    position += channel.write(zeros, position);
                }
                written.complete(null);
            }
            catch (final Throwable ex)
            {
                written.completeExceptionally(ex);
            }
        });
        boolean interrupted = false;
        try
        {
            while (true)
            {
                try
                {
                    written.get();
                    return;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true; // the write goes on: it is waited for, then the flag is put back
                }
                catch (final ExecutionException ex)
                {
                    if (ex.getCause() instanceof IOException io)
                    {
                        throw io;
                    }
                    if (ex.getCause() instanceof RuntimeException runtime)
                    {
                        throw runtime;
                    }
                    throw (Error)ex.getCause();
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * @return true when the file still covers the whole mapping (nobody truncated it); false when it is shorter,
     * when its length cannot be read, or when this mapping is closed.
     */
    public boolean isIntact()
    {
        return !closed.get() && currentLengthBytes() >= segment.byteSize();
    }

    /**
     * The check of slow paths (open, take-over, waits, close): refuses a file that another process truncated, before
     * any access to the pages it lost could raise SIGBUS.
     *
     * @throws ResourceClosedException when this mapping is closed.
     * @throws CorruptResourceException when the file is now shorter than its mapping.
     */
    public void requireIntact()
    {
        checkOpen();
        final long length = currentLengthBytes();
        if (length < segment.byteSize())
        {
            throw truncated(length);
        }
    }

    /**
     * Turns a failure raised while touching the mapping into the exception the public API promises. HotSpot reports
     * a SIGBUS inside an Unsafe read, write or copy (the page is gone: the file was truncated) as an
     * {@link InternalError}, and a {@link MemorySegment} of a closed mapping throws {@link IllegalStateException}.
     * Use at the public edge: {@code catch (InternalError | IllegalStateException ex) { throw file.failure(ex); }}.
     *
     * @param failure what the access threw.
     * @return a {@link ResourceClosedException} when this mapping is closed, a {@link CorruptResourceException}
     * naming the file when it is shorter than the mapping or the failure is HotSpot's report of a lost page (the
     * file may have its length back), otherwise {@code failure} itself when it is unchecked.
     * @throws Error {@code failure}, when it is an error that is neither of the above.
     */
    public RuntimeException failure(final Throwable failure)
    {
        if (closed.get())
        {
            final ResourceClosedException ex = new ResourceClosedException("\"" + name + "\" is closed in this " +
                "process; open it again to use it");
            ex.addSuppressed(failure);
            return ex;
        }
        final long length = currentLengthBytes();
        if (length < segment.byteSize())
        {
            final CorruptResourceException ex = truncated(length);
            ex.addSuppressed(failure);
            return ex;
        }
        if (failure instanceof InternalError && String.valueOf(failure.getMessage()).contains("unsafe memory access"))
        {
            // HotSpot's report of a SIGBUS: a page was gone, though the file has its length again by now
            final CorruptResourceException ex = new CorruptResourceException("\"" + name + "\" at " + path +
                " lost pages while mapped here (another process truncated it, then gave it its length back); " +
                "unlink it and create it again");
            ex.addSuppressed(failure);
            return ex;
        }
        if (failure instanceof RuntimeException runtime)
        {
            return runtime;
        }
        throw (Error)failure;
    }

    private CorruptResourceException truncated(final long length)
    {
        return new CorruptResourceException("\"" + name + "\" at " + path + " was truncated to " +
            (length < 0 ? "an unknown length" : length + " bytes") + " while mapped here (" + segment.byteSize() +
            " bytes): another process shrank it; unlink it and create it again");
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
            closeQuietly(channel);
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

    /** The one thread that writes zeros for {@link #writeZeros}, which nobody interrupts: made when a file first grows. */
    private static final class ZeroWriter
    {
        static final ExecutorService EXECUTOR = Executors.newSingleThreadExecutor((task) ->
            Thread.ofPlatform().daemon(true).name("ipckit-zero-writer").unstarted(task));
    }
}
