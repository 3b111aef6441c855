package io.ipckit.core.file;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IncompatibleVersionException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.internal.kit.PropertyDefaults;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.tracker.ResourceTracker;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.ipckit.core.file.ResourceHeaderDescriptor.*;

/**
 * A typed resource file: a {@link MappedFile} that starts with the header drawn by {@link ResourceHeaderDescriptor}.
 * <p>
 * {@link #create} fills the header, lets the caller initialise its metadata and data, publishes the file with a
 * release store of the ready field, and only then gives it its name ({@link MappedFile#create(String, long, boolean,
 * Consumer)}). {@link #open} checks magic, kind, layout version and lengths before handing out any offset: a file
 * that is empty, too short, random bytes, the wrong kind or a newer version is refused at once with its own
 * exception, never a crash, an out-of-bounds access or a wait. Only a file with the ipckit magic that is not yet
 * published and whose creator (pid and start time in its header) is alive is waited for, up to the open timeout.
 * <p>
 * Thread-safe; {@link #close()} is idempotent and must not race with use of the memory.
 */
public final class ResourceFile implements AutoCloseable
{
    /** System property: how long {@link #open} waits for a file being created to be published, in milliseconds. */
    public static final String OPEN_TIMEOUT_PROP_NAME = "ipckit.open.timeout.ms";
    /** Default of {@link #OPEN_TIMEOUT_PROP_NAME}. */
    public static final long OPEN_TIMEOUT_DEFAULT_MS = 5_000;

    private final MappedFile file;
    private final ResourceKind kind;
    private final int layoutVersion;
    private final int headerLength;
    private final ProcessIdentity creator;
    private final boolean persistent;

    private ResourceFile(final MappedFile file, final ResourceKind kind)
    {
        final AtomicBuffer buffer = file.buffer();
        this.file = file;
        this.kind = kind;
        this.layoutVersion = buffer.getInt(LAYOUT_VERSION_OFFSET);
        this.headerLength = buffer.getInt(HEADER_LENGTH_OFFSET);
        this.creator = new ProcessIdentity(buffer.getLong(CREATOR_PID_OFFSET), buffer.getLong(CREATOR_START_TIME_OFFSET));
        this.persistent = (buffer.getInt(FLAGS_OFFSET) & FLAG_PERSISTENT) != 0;
    }

    /**
     * Creates and publishes a typed resource file.
     *
     * @param name                a valid resource name.
     * @param kind                the kind of resource.
     * @param layoutVersion       the kind's layout version, at least 1.
     * @param metadataLengthBytes bytes of kind-specific metadata after the common header.
     * @param dataLengthBytes     bytes of data after the header.
     * @param persistent          true to keep the file when this process dies without unlinking it.
     * @param initializer         writes metadata and initial data before the file is published; may be null. If it
     *                            throws, the file is removed and the exception propagates.
     * @return the created file, already published.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws io.ipckit.core.exceptions.SharedMemoryExhaustedException when there is no room.
     */
    public static ResourceFile create(
        final String name,
        final ResourceKind kind,
        final int layoutVersion,
        final int metadataLengthBytes,
        final long dataLengthBytes,
        final boolean persistent,
        final Consumer<ResourceFile> initializer)
    {
        if (layoutVersion < 1 || metadataLengthBytes < 0 || dataLengthBytes < 0)
        {
            throw new IllegalArgumentException("cannot create " + kind.displayName() + " \"" + name +
                "\": layoutVersion=" + layoutVersion + ", metadataLengthBytes=" + metadataLengthBytes +
                ", dataLengthBytes=" + dataLengthBytes + " (versions start at 1, lengths are not negative)");
        }
        final int headerLength = ResourceHeaderDescriptor.headerLength(metadataLengthBytes);
        if (dataLengthBytes > Long.MAX_VALUE - headerLength)
        {
            throw new IllegalArgumentException("cannot create " + kind.displayName() + " \"" + name + "\": " +
                dataLengthBytes + " data bytes and a " + headerLength + "-byte header are more than " + Long.MAX_VALUE +
                " bytes");
        }
        final long totalLength = headerLength + dataLengthBytes;
        final ResourceFile[] created = new ResourceFile[1];
        MappedFile.create(name, totalLength, persistent, (file) ->
        {
            final AtomicBuffer buffer = file.buffer();
            final ProcessIdentity self = ProcessIdentity.current();
            buffer.putInt(KIND_OFFSET, kind.code());
            buffer.putInt(LAYOUT_VERSION_OFFSET, layoutVersion);
            buffer.putInt(HEADER_LENGTH_OFFSET, headerLength);
            buffer.putInt(FLAGS_OFFSET, persistent ? FLAG_PERSISTENT : 0);
            buffer.putLong(TOTAL_LENGTH_OFFSET, totalLength);
            buffer.putLong(CREATOR_PID_OFFSET, self.pid());
            buffer.putLong(CREATOR_START_TIME_OFFSET, self.startTime());
            buffer.putLong(CREATION_TIME_OFFSET, System.currentTimeMillis());
            buffer.putLong(MAGIC_OFFSET, MAGIC);
            final ResourceFile resource = new ResourceFile(file, kind);
            if (initializer != null)
            {
                initializer.accept(resource);
            }
            // release store -> publishes every field and the initialised data (the file is named only after this)
            buffer.putIntRelease(READY_OFFSET, READY);
            created[0] = resource;
        });
        return created[0];
    }

    /**
     * Opens a typed resource, waiting up to {@value #OPEN_TIMEOUT_DEFAULT_MS} ms (or {@link #OPEN_TIMEOUT_PROP_NAME})
     * for a file that is being created: one with the ipckit magic, not yet published, whose creator is alive. Any
     * other file that is not a valid resource (empty, short, zeros, foreign bytes, creator dead) is refused at once.
     *
     * @param name             a valid resource name.
     * @param kind             the kind the caller expects.
     * @param maxLayoutVersion the newest layout version the caller understands.
     * @return the validated file.
     * @throws ResourceNotFoundException     when no such name exists.
     * @throws WrongResourceKindException    when the name is another kind of resource.
     * @throws IncompatibleVersionException  when the file has a newer layout version.
     * @throws CorruptResourceException      when the file is empty, truncated, not an ipckit file, or not published
     *                                       (its creator died, or it is still unpublished at the timeout).
     * @throws IllegalArgumentException      when {@link #OPEN_TIMEOUT_PROP_NAME} is not a whole number of ms, or is
     *                                       negative.
     */
    public static ResourceFile open(final String name, final ResourceKind kind, final int maxLayoutVersion)
    {
        return open(name, kind, maxLayoutVersion, TimeUnit.MILLISECONDS.toNanos(openTimeoutMs()));
    }

    /**
     * @return the open timeout: {@link #OPEN_TIMEOUT_PROP_NAME}, checked, or {@value #OPEN_TIMEOUT_DEFAULT_MS} ms.
     * @throws IllegalArgumentException when the property is not a whole number, or is negative.
     */
    static long openTimeoutMs()
    {
        final long[] timeoutMs = {OPEN_TIMEOUT_DEFAULT_MS};
        PropertyDefaults.applyLong(OPEN_TIMEOUT_PROP_NAME, (ms) ->
        {
            if (ms < 0)
            {
                throw new IllegalArgumentException("the open timeout must be 0 ms or more, got " + ms);
            }
            timeoutMs[0] = ms;
        });
        return timeoutMs[0];
    }

    /**
     * Opens a typed resource, waiting up to {@code timeoutNs} for a file that is being created.
     *
     * @param name             a valid resource name.
     * @param kind             the kind the caller expects.
     * @param maxLayoutVersion the newest layout version the caller understands.
     * @param timeoutNs        how long to wait for an unpublished file.
     * @return the validated file.
     * @see #open(String, ResourceKind, int)
     */
    public static ResourceFile open(
        final String name, final ResourceKind kind, final int maxLayoutVersion, final long timeoutNs)
    {
        final Path path = SharedDirectory.resolve(name);
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (true)
        {
            final long size = sizeOf(name, path);
            if (size < COMMON_HEADER_LENGTH)
            {
                // ipckit names a file only once it is whole: a short one is not (or no longer) an ipckit file
                throw new CorruptResourceException("\"" + name + "\" at " + path + (size == 0 ? " is empty (0 bytes)" :
                    " is truncated: " + size + " bytes") + ", shorter than the " + COMMON_HEADER_LENGTH +
                    "-byte ipckit header: not an ipckit " + kind.displayName() + " (written by another program, or " +
                    "truncated); unlink it and create it again");
            }
            final MappedFile file = MappedFile.map(name, path, size);
            final ProcessIdentity creator;
            boolean keep = false;
            try
            {
                final AtomicBuffer buffer = file.buffer();
                final int ready;
                final long magic;
                try
                {
                    ready = buffer.getIntAcquire(READY_OFFSET);
                    magic = buffer.getLong(MAGIC_OFFSET);
                    if (ready == READY && magic == MAGIC)
                    {
                        final ResourceFile resource = validate(file, name, kind, maxLayoutVersion, size);
                        keep = true;
                        return resource;
                    }
                    creator = new ProcessIdentity(buffer.getLong(CREATOR_PID_OFFSET),
                        buffer.getLong(CREATOR_START_TIME_OFFSET));
                }
                catch (final InternalError ex)
                {
                    throw file.failure(ex); // truncated after its size was read
                }
                if (magic != MAGIC || ready != 0)
                {
                    throw new CorruptResourceException("\"" + name + "\" at " + path + " is not an ipckit " +
                        kind.displayName() + ": its header has no ipckit magic number (" + (magic == 0 ? "zeros" :
                        "foreign or random bytes") + "); unlink it and create it again");
                }
            }
            finally
            {
                if (!keep)
                {
                    file.close();
                }
            }
            if (creator.pid() <= 0 || !creator.isAlive())
            {
                throw new CorruptResourceException("\"" + name + "\" at " + path + " was never published: " +
                    "its creator (pid " + creator.pid() + ") died while creating it; unlink it and create it again");
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new CorruptResourceException("\"" + name + "\" at " + path + " (" + size + " bytes) was not " +
                    "published as a " + kind.displayName() + " within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) +
                    " ms: its creator (pid " + creator.pid() + ", alive) is stuck; unlink it and create it again");
            }
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IpcException("interrupted while opening \"" + name + "\"", ex);
            }
        }
    }

    private static ResourceFile validate(
        final MappedFile file, final String name, final ResourceKind kind, final int maxLayoutVersion, final long size)
    {
        final AtomicBuffer buffer = file.buffer();
        final int code = buffer.getInt(KIND_OFFSET);
        if (code != kind.code())
        {
            final ResourceKind actual = ResourceKind.fromCode(code);
            throw new WrongResourceKindException("\"" + name + "\" is a " +
                (actual == null ? "resource of unknown kind " + code : actual.displayName()) + ", not a " +
                kind.displayName() + ": open it as what it is, or use another name");
        }
        final int version = buffer.getInt(LAYOUT_VERSION_OFFSET);
        if (version < 1)
        {
            throw new CorruptResourceException(kind.displayName() + " \"" + name + "\" has a corrupt header: layout " +
                "version " + version + " (every ipckit writes 1 or more); unlink it and create it again");
        }
        if (version > maxLayoutVersion)
        {
            throw new IncompatibleVersionException(kind.displayName() + " \"" + name + "\" has layout version " +
                version + " but this ipckit reads versions 1.." + maxLayoutVersion +
                ": it was created by a newer ipckit; use the same ipckit version in every process");
        }
        final int headerLength = buffer.getInt(HEADER_LENGTH_OFFSET);
        final long totalLength = buffer.getLong(TOTAL_LENGTH_OFFSET);
        if (headerLength < COMMON_HEADER_LENGTH || headerLength % DATA_ALIGNMENT != 0 || headerLength > totalLength)
        {
            throw new CorruptResourceException(kind.displayName() + " \"" + name + "\" has a corrupt header: " +
                "header length " + headerLength + ", total length " + totalLength + "; unlink it and create it again");
        }
        if (totalLength != size)
        {
            throw new CorruptResourceException(kind.displayName() + " \"" + name + "\" is " + size +
                " bytes but its header says " + totalLength + " (truncated or overwritten); unlink it and create it again");
        }
        return new ResourceFile(file, kind);
    }

    private static long sizeOf(final String name, final Path path)
    {
        try
        {
            return MappedFile.regularFileSize(name, path);
        }
        catch (final ResourceNotFoundException ex)
        {
            throw new ResourceNotFoundException("no resource named \"" + name + "\" in " + path.getParent() +
                ": create it first, or check the name and the shared directory (-Dipckit.dir)", ex);
        }
    }

    /**
     * @return the resource name.
     */
    public String name()
    {
        return file.name();
    }

    /**
     * @return the kind recorded in the header.
     */
    public ResourceKind kind()
    {
        return kind;
    }

    /**
     * @return the layout version recorded in the header.
     */
    public int layoutVersion()
    {
        return layoutVersion;
    }

    /**
     * For a kind whose processes must all speak one protocol over the file: refuses a file of an older layout, as
     * {@link #open} refuses a newer one.
     *
     * @param version the one layout version the caller can share the file with.
     * @throws IncompatibleVersionException when the file has another layout version.
     */
    public void requireLayoutVersion(final int version)
    {
        if (layoutVersion != version)
        {
            throw new IncompatibleVersionException(kind.displayName() + " \"" + name() + "\" has layout version " +
                layoutVersion + " but this ipckit shares only version " + version + " with other processes: it was " +
                "created by " + (layoutVersion < version ? "an older" : "a newer") + " ipckit; use the same ipckit " +
                "version in every process, or unlink it and create it again");
        }
    }

    /**
     * @return offset of the kind-specific metadata ({@link ResourceHeaderDescriptor#COMMON_HEADER_LENGTH}).
     */
    public int metadataOffset()
    {
        return COMMON_HEADER_LENGTH;
    }

    /**
     * @return the header length, which is the offset of the data (a multiple of 64).
     */
    public int headerLength()
    {
        return headerLength;
    }

    /**
     * @return the number of data bytes after the header.
     */
    public long dataLengthBytes()
    {
        return file.lengthBytes() - headerLength;
    }

    /**
     * @return the process that created the resource.
     */
    public ProcessIdentity creator()
    {
        return creator;
    }

    /**
     * @return true when the resource survives its creator's death.
     */
    public boolean isPersistent()
    {
        return persistent;
    }

    /**
     * @return the underlying mapping.
     */
    public MappedFile file()
    {
        return file;
    }

    /**
     * @return a buffer over the whole file (header included); valid until {@link #close()}.
     */
    public AtomicBuffer buffer()
    {
        return file.buffer();
    }

    /**
     * Removes the name (and stops tracking it); mappings stay valid until closed.
     *
     * @return true when this call removed the file.
     */
    public boolean unlink()
    {
        ResourceTracker.unregister(file.path());
        return file.unlink();
    }

    /**
     * @return true when the file still covers its whole mapping; see {@link MappedFile#isIntact()}.
     */
    public boolean isIntact()
    {
        return file.isIntact();
    }

    /**
     * The check of slow paths; see {@link MappedFile#requireIntact()}.
     *
     * @throws io.ipckit.core.exceptions.ResourceClosedException when closed.
     * @throws CorruptResourceException when another process truncated the file.
     */
    public void requireIntact()
    {
        file.requireIntact();
    }

    /**
     * @param failure what an access to the mapping threw.
     * @return the exception the public API promises; see {@link MappedFile#failure(Throwable)}.
     */
    public RuntimeException failure(final Throwable failure)
    {
        return file.failure(failure);
    }

    /**
     * Unmaps the file; idempotent.
     */
    @Override
    public void close()
    {
        file.close();
    }

    /**
     * @return a description for diagnostics.
     */
    @Override
    public String toString()
    {
        return kind.displayName() + "{" + file.name() + ", v" + layoutVersion + ", " + file.lengthBytes() + " bytes}";
    }
}
