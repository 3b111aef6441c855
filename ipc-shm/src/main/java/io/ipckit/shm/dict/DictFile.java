package io.ipckit.shm.dict;

import io.ipckit.core.ResourceName;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.SharedMemoryExhaustedException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceHeaderDescriptor;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.os.Native;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.tracker.ResourceTracker;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.ipckit.core.file.ResourceHeaderDescriptor.*;
import static io.ipckit.shm.dict.SharedDictDescriptor.*;

/**
 * Creates, opens and grows the file of a {@link SharedDict}.
 * <p>
 * The file is created at its full length, {@code maxBytes} of segments plus the header and directory, as a sparse
 * file: every process maps the whole range once and never remaps. Only the header, the directory and the initial
 * segments are allocated at creation; each later segment's pages are allocated ({@link #allocate}) by writing
 * zeros through the file before the segment is first used, so a full {@code /dev/shm} is a
 * {@link SharedMemoryExhaustedException} from the put that needed the room, never a SIGBUS on first touch.
 * <p>
 * This is the one place the dict does not use {@link ResourceFile#create}, which allocates the whole length: the
 * header is written here field by field after {@link ResourceHeaderDescriptor}, published with the same release
 * store of the ready field, and the file is then opened through {@link ResourceFile#open} like any other.
 * <p>
 * Thread-safe (stateless).
 */
final class DictFile
{
    private static final int PAGE_BYTES = 4096;

    private DictFile()
    {
    }

    /**
     * Creates and publishes a dict file, then opens it.
     *
     * @param name    a valid name.
     * @param options the shape of the file.
     * @return the opened file.
     */
    static ResourceFile create(final String name, final SharedDictOptions options)
    {
        ResourceName.validate(name);
        options.validateForCreate(name);
        final int segmentBytes = options.segmentBytes();
        final int maxSegments = (int)Math.min(options.maxBytes() / segmentBytes, Integer.MAX_VALUE);
        final int maxDepth = Math.min(64 - Long.numberOfLeadingZeros(maxSegments - 1L) + 2, 24);
        final int initialDepth = Integer.numberOfTrailingZeros(options.initialSegments());
        final int headerLength = ResourceHeaderDescriptor.headerLength(METADATA_LENGTH);
        final int directoryOffset = headerLength;
        final long segmentsOffset = align((long)directoryOffset + 4L * (1L << maxDepth), PAGE_BYTES);
        final long totalLength = segmentsOffset + (long)maxSegments * segmentBytes;
        if (totalLength > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("cannot create SharedDict \"" + name + "\": maxBytes=" +
                options.maxBytes() + " makes a file of " + totalLength + " bytes, more than 2 GiB; lower maxBytes");
        }
        final long initialLength = segmentsOffset + (long)options.initialSegments() * segmentBytes;
        final Path path = SharedDirectory.resolve(name);
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS))
        {
            throw exists(name, path);
        }
        // made under a temporary name that says which process makes it, and named only once ready, as MappedFile
        // does: an opener never meets it half-made, and a creator killed on the way leaves nothing a sweep keeps
        final Path temporary = ResourceTracker.creatingPath(path.getParent());
        boolean registered = false;
        boolean linked = false;
        try
        {
            createAllocated(name, temporary, initialLength);
            try (RandomAccessFile file = new RandomAccessFile(temporary.toFile(), "rw"))
            {
                file.setLength(totalLength);
            }
            try (Arena arena = Arena.ofConfined();
                 FileChannel channel = FileChannel.open(temporary, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                final MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, initialLength, arena);
                final UnsafeBuffer buffer = new UnsafeBuffer(segment.address(), (int)initialLength);
                writeHeader(buffer, options, headerLength, totalLength, maxDepth, maxSegments, directoryOffset,
                    segmentsOffset, initialDepth);
                if (!options.persistent())
                {
                    ResourceTracker.register(path, temporary);
                    registered = true;
                }
                // release store -> publishes the header, the directory and the initial segments to openers
                buffer.putIntRelease(READY_OFFSET, READY);
            }
            link(name, temporary, path);
            linked = true;
            return ResourceFile.open(name, ResourceKind.SHARED_DICT, LAYOUT_VERSION);
        }
        catch (final IOException ex)
        {
            unregisterIf(registered, path);
            throw new IpcException("cannot create SharedDict \"" + name + "\" at " + path + ": " + ex, ex);
        }
        catch (final RuntimeException | Error ex)
        {
            unregisterIf(registered, path);
            if (linked)
            {
                deleteQuietly(path);
            }
            throw ex;
        }
        finally
        {
            deleteQuietly(temporary);
        }
    }

    private static void writeHeader(final UnsafeBuffer buffer, final SharedDictOptions options, final int headerLength,
        final long totalLength, final int maxDepth, final int maxSegments, final int directoryOffset,
        final long segmentsOffset, final int initialDepth)
    {
        final int segmentBytes = options.segmentBytes();
        final ProcessIdentity self = ProcessIdentity.current();
        buffer.putInt(KIND_OFFSET, ResourceKind.SHARED_DICT.code());
        buffer.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
        buffer.putInt(HEADER_LENGTH_OFFSET, headerLength);
        buffer.putInt(FLAGS_OFFSET, options.persistent() ? FLAG_PERSISTENT : 0);
        buffer.putLong(TOTAL_LENGTH_OFFSET, totalLength);
        buffer.putLong(CREATOR_PID_OFFSET, self.pid());
        buffer.putLong(CREATOR_START_TIME_OFFSET, self.startTime());
        buffer.putLong(CREATION_TIME_OFFSET, System.currentTimeMillis());
        buffer.putLong(MAGIC_OFFSET, MAGIC);

        buffer.putInt(SEGMENT_LENGTH_OFFSET, segmentBytes);
        buffer.putInt(SLOT_COUNT_OFFSET, segmentBytes / 64);
        buffer.putInt(MAX_DEPTH_OFFSET, maxDepth);
        buffer.putInt(MAX_SEGMENTS_OFFSET, maxSegments);
        buffer.putInt(DIRECTORY_OFFSET_OFFSET, directoryOffset);
        buffer.putInt(SEGMENTS_OFFSET_OFFSET, (int)segmentsOffset);
        buffer.putInt(GLOBAL_DEPTH_OFFSET, initialDepth);
        buffer.putInt(SEGMENTS_USED_OFFSET, options.initialSegments());
        final int heapStart = SEG_SLOTS_OFFSET + 8 * (segmentBytes / 64);
        for (int i = 0; i < options.initialSegments(); i++)
        {
            buffer.putInt(directoryOffset + 4 * i, i);
            final int at = (int)segmentsOffset + i * segmentBytes;
            buffer.putInt(at + SEG_STATE_OFFSET, STATE_LIVE);
            buffer.putInt(at + SEG_DEPTH_OFFSET, initialDepth);
            buffer.putInt(at + SEG_PREFIX_OFFSET, i);
            buffer.putInt(at + SEG_HEAP_TOP_OFFSET, heapStart);
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
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw new IpcException("cannot name SharedDict \"" + name + "\" at " + path + ": " + ex, ex);
        }
    }

    private static void unregisterIf(final boolean registered, final Path path)
    {
        if (registered)
        {
            ResourceTracker.unregister(path);
        }
    }

    /**
     * Allocates the pages of a segment that has never been used, so that touching it cannot fault.
     *
     * @param file   the dict's file.
     * @param offset the segment's offset.
     * @param length the segment length.
     * @throws SharedMemoryExhaustedException when the file system is full.
     */
    static void allocate(final ResourceFile file, final long offset, final int length)
    {
        try
        {
            // through this mapping's own descriptor: by name, a dict unlinked (by its creator's tracker, say) could
            // no longer grow, and one whose name was reused would write zeros over the new dict's segments
            file.file().writeZeros(offset, length);
        }
        catch (final IOException ex)
        {
            throw new SharedMemoryExhaustedException("SharedDict \"" + file.name() + "\" cannot grow by " + length +
                " bytes in " + file.file().path().getParent() + ": " + ex + "; free shared memory (unlink unused " +
                "resources) or enlarge the file system");
        }
    }

    /**
     * Checks the dict's own metadata after {@link ResourceFile#open} has checked the common header.
     *
     * @param file the opened file.
     * @throws CorruptResourceException when the metadata does not describe this file.
     */
    static void validate(final ResourceFile file)
    {
        if (file.headerLength() < file.metadataOffset() + METADATA_LENGTH)
        {
            throw new CorruptResourceException("SharedDict \"" + file.name() + "\" has corrupt metadata (a header of " +
                file.headerLength() + " bytes, too short for its " + METADATA_LENGTH + " bytes of metadata); " +
                "unlink it and create it again");
        }
        final UnsafeBuffer b = new UnsafeBuffer(file.buffer(), 0, file.headerLength());
        final int segmentBytes = b.getInt(SEGMENT_LENGTH_OFFSET);
        final int slots = b.getInt(SLOT_COUNT_OFFSET);
        final int maxDepth = b.getInt(MAX_DEPTH_OFFSET);
        final int maxSegments = b.getInt(MAX_SEGMENTS_OFFSET);
        final int directoryOffset = b.getInt(DIRECTORY_OFFSET_OFFSET);
        final long segmentsOffset = b.getInt(SEGMENTS_OFFSET_OFFSET);
        final long length = file.file().lengthBytes();
        final boolean ok = segmentBytes >= SharedDictOptions.MIN_SEGMENT_BYTES && Integer.bitCount(segmentBytes) == 1 &&
            slots == segmentBytes / 64 && maxDepth >= 0 && maxDepth <= 24 && maxSegments >= 2 &&
            directoryOffset == file.headerLength() &&
            segmentsOffset >= directoryOffset + 4L * (1L << maxDepth) &&
            segmentsOffset + (long)maxSegments * segmentBytes == length &&
            b.getInt(GLOBAL_DEPTH_OFFSET) >= 0 && b.getInt(GLOBAL_DEPTH_OFFSET) <= maxDepth &&
            b.getInt(SEGMENTS_USED_OFFSET) >= 1 && b.getInt(SEGMENTS_USED_OFFSET) <= maxSegments;
        if (!ok)
        {
            throw new CorruptResourceException("SharedDict \"" + file.name() + "\" has corrupt metadata (segment " +
                "length " + segmentBytes + ", slots " + slots + ", max depth " + maxDepth + ", max segments " +
                maxSegments + ", directory at " + directoryOffset + ", segments at " + segmentsOffset + ", file " +
                length + " bytes); unlink it and create it again");
        }
    }

    private static void createAllocated(final String name, final Path path, final long length)
    {
        if (Native.isLinux())
        {
            final int errno = Native.createAllocated(path.toString(), length);
            if (errno == Native.EEXIST)
            {
                throw exists(name, path);
            }
            if (errno != 0)
            {
                deleteQuietly(path);
                throw errno == Native.ENOSPC ? exhausted(name, path, length) :
                    new IpcException("cannot create SharedDict \"" + name + "\" at " + path + ": errno " + errno);
            }
            return;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            final ByteBuffer zeros = ByteBuffer.allocate(1 << 16);
            long position = 0;
            while (position < length)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), length - position));
                position += channel.write(zeros, position);
            }
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw exists(name, path);
        }
        catch (final IOException ex)
        {
            deleteQuietly(path);
            throw exhausted(name, path, length);
        }
    }

    private static ResourceExistsException exists(final String name, final Path path)
    {
        return new ResourceExistsException("cannot create SharedDict \"" + name + "\": " + path + " already exists; " +
            "open it, unlink it first, or choose another name");
    }

    private static SharedMemoryExhaustedException exhausted(final String name, final Path path, final long length)
    {
        return new SharedMemoryExhaustedException("cannot allocate " + length + " bytes for SharedDict \"" + name +
            "\" in " + path.getParent() + ": no space left; free shared memory or enlarge the file system");
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignore)
        {
            // best effort: the caller reports the real failure
        }
    }

    private static long align(final long value, final int alignment)
    {
        return (value + alignment - 1) & -alignment;
    }
}
