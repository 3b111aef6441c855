package io.ipckit.shm;

import io.ipckit.core.ResourceName;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.tracker.ResourceTracker;
import io.ipckit.shm.internal.ShmOptionsCheck;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.foreign.MemorySegment;

/**
 * A named block of raw shared memory: Python's {@code multiprocessing.shared_memory.SharedMemory} for Java.
 * <p>
 * The segment has no header: {@code <shared dir>/<name>} is a plain POSIX shared-memory object (on Linux a file in
 * {@code /dev/shm}), so CPython's {@code SharedMemory(name)} opens the same bytes, and a segment Python created
 * opens here with {@link #open(String)}. The bytes are available as an Agrona {@link AtomicBuffer} (the first
 * 2 GiB) and as a {@link MemorySegment} (the whole segment, however large).
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.create("frames", 1 << 20)) {
 *     shm.buffer().putLongRelease(0, 42L);
 *     ...
 *     shm.unlink();
 * }
 * }</pre>
 * Verbs follow Python: {@code create} fails if the name exists, {@code open} fails if it does not, {@link #close()}
 * lets this process go, {@link #unlink()} removes the name (mappings stay valid until closed). A segment created
 * without {@code persistent} is registered with the {@link ResourceTracker}: if the creating process dies without
 * unlinking it, it is removed.
 * <p>
 * Thread-safe and process-safe as shared memory is: the bytes carry no synchronisation; use the buffer's
 * acquire/release and atomic methods, or a lock. {@link #close()} is idempotent. After it, {@link #buffer()} and
 * {@link #segment()} throw {@link io.ipckit.core.exceptions.ResourceClosedException}, and a {@link MemorySegment}
 * obtained before throws {@link IllegalStateException}. An Agrona buffer cannot be told of a close, so
 * {@link #buffer()} maps the segment a second time, for the buffer alone: that mapping lives as long as the buffer is
 * reachable, whatever {@link #close()} does, so a late access through a kept buffer reaches the segment's pages
 * instead of crashing the JVM, and the pages (of an unlinked segment, its memory) are let go once the buffer is
 * garbage collected (Python refuses such a close with {@code BufferError}; Java cannot see whether the buffer is
 * still referenced). Drop the buffer with the handle when you are done.
 * <p>
 * {@link #open(String)} maps any regular file of the shared directory, an ipckit structure's included (raw access
 * to its bytes, as Python's {@code SharedMemory(name)} has); it never follows a symbolic link.
 */
public final class SharedMemory implements AutoCloseable
{
    private final MappedFile file;
    private final boolean tracked;
    /** The buffer over a mapping of its own, made by the first {@link #buffer()}; guarded by this. */
    private AtomicBuffer buffer;

    private SharedMemory(final MappedFile file, final boolean tracked)
    {
        this.file = file;
        this.tracked = tracked;
    }

    /**
     * Creates a segment with a random name ({@code ipc_} and 16 hex digits), as Python's
     * {@code SharedMemory(create=True, size=n)}.
     *
     * @param sizeBytes the size, at least 1 byte.
     * @return the new segment, zero-filled, its pages allocated.
     * @throws IllegalArgumentException when {@code sizeBytes} is not positive.
     * @throws io.ipckit.core.exceptions.SharedMemoryExhaustedException when the shared directory has no room.
     */
    public static SharedMemory create(final long sizeBytes)
    {
        return create(ResourceName.random(null), sizeBytes, new ShmOptions());
    }

    /**
     * Creates a named segment that the resource tracker removes if this process dies without unlinking it.
     *
     * @param name      a valid resource name ({@code [A-Za-z0-9][A-Za-z0-9._-]*}).
     * @param sizeBytes the size, at least 1 byte.
     * @return the new segment, zero-filled, its pages allocated.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws IllegalArgumentException when {@code sizeBytes} is not positive.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws io.ipckit.core.exceptions.SharedMemoryExhaustedException when the shared directory has no room.
     */
    public static SharedMemory create(final String name, final long sizeBytes)
    {
        return create(name, sizeBytes, new ShmOptions());
    }

    /**
     * Creates a named segment.
     *
     * @param name       a valid resource name.
     * @param sizeBytes  the size, at least 1 byte.
     * @param options    {@link ShmOptions#persistent} to keep the segment when this process dies without unlinking it
     *                   (it lives until someone unlinks it or the machine restarts); no other option applies.
     * @return the new segment, zero-filled, its pages allocated.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws IllegalArgumentException when {@code sizeBytes} is not positive, or an option that does not apply is
     *                                  set.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws io.ipckit.core.exceptions.SharedMemoryExhaustedException when the shared directory has no room.
     */
    public static SharedMemory create(final String name, final long sizeBytes, final ShmOptions options)
    {
        ResourceName.validate(name);
        final boolean persistent = ShmOptionsCheck.applicableOnly(
            options, "SharedMemory \"" + name + "\"", ShmOptions.PERSISTENT).persistent();
        if (sizeBytes <= 0)
        {
            throw new IllegalArgumentException("cannot create shared memory \"" + name + "\" of " + sizeBytes +
                " bytes: the size must be at least 1 byte");
        }
        final MappedFile file = MappedFile.create(name, sizeBytes, persistent, null);
        return new SharedMemory(file, !persistent);
    }

    /**
     * Opens an existing segment, whoever created it (another JVM, CPython, {@code shm_open}), mapping all of it.
     *
     * @param name the segment's name.
     * @return the segment.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws ResourceNotFoundException when no such segment exists (never created, or unlinked).
     * @throws io.ipckit.core.exceptions.CorruptResourceException when the segment is empty (0 bytes).
     */
    public static SharedMemory open(final String name)
    {
        return new SharedMemory(MappedFile.open(name), false);
    }

    /**
     * @return the name, as passed to {@link #open(String)} by other processes.
     */
    public String name()
    {
        return file.name();
    }

    /**
     * @return the size in bytes (Python's {@code size}).
     */
    public long size()
    {
        return file.lengthBytes();
    }

    /**
     * An Agrona buffer over the bytes (the first 2 GiB of a larger segment), the same one on every call. Its mapping is
     * its own: it stays valid after {@link #close()}, until the buffer is garbage collected (see the class
     * description).
     *
     * @return an Agrona buffer over the bytes, or over the first 2 GiB of a larger segment.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when closed.
     * @throws io.ipckit.core.exceptions.IpcException when the second mapping cannot be made (no address space).
     */
    public synchronized AtomicBuffer buffer()
    {
        if (buffer == null || file.isClosed())
        {
            buffer = file.retainedBuffer(); // throws once closed
        }
        return buffer;
    }

    /**
     * @return the whole segment, bounds-checked and invalidated on {@link #close()}.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when closed.
     */
    public MemorySegment segment()
    {
        return file.segment();
    }

    /**
     * @return true once {@link #close()} has been called.
     */
    public boolean isClosed()
    {
        return file.isClosed();
    }

    /**
     * Removes the name, as Python's {@code unlink()} and POSIX {@code shm_unlink}: no process can open it any more,
     * while every existing mapping stays valid until closed. Any process may unlink.
     *
     * @throws ResourceNotFoundException when the name is already gone (unlinked by another process).
     */
    public void unlink()
    {
        if (tracked)
        {
            ResourceTracker.unregister(file.path());
        }
        if (!file.unlink())
        {
            throw new ResourceNotFoundException("cannot unlink shared memory \"" + name() + "\": it is already " +
                "unlinked (by this or another process); nothing to do");
        }
    }

    /**
     * Lets the segment go in this process; the name stays until {@link #unlink()}. Unmaps it; a buffer from
     * {@link #buffer()} keeps its own mapping until it is garbage collected (see the class description). Idempotent.
     */
    @Override
    public void close()
    {
        file.close();
    }

    /**
     * @return name and size, like Python's repr.
     */
    @Override
    public String toString()
    {
        return "SharedMemory{" + name() + ", " + size() + " bytes" + (isClosed() ? ", closed}" : "}");
    }
}
