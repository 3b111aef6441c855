package io.ipckit.core;

import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.ProcessIdentity;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.ipckit.core.file.ResourceHeaderDescriptor.*;

/**
 * Reads the headers of the files in a shared directory for {@link SharedDirectory#list()}.
 * <p>
 * Linear in the number of files, with a fixed cost each: one directory pass, then per file one {@code stat} and one
 * positioned read of the {@value io.ipckit.core.file.ResourceHeaderDescriptor#COMMON_HEADER_LENGTH}-byte common
 * header into a buffer reused for every file. Nothing is mapped (a mapping costs two system calls and a page-table
 * update). Each distinct creator's liveness is read from {@code /proc} once per listing, however many resources it
 * created. Never throws for a file's content: whatever cannot be trusted is reported as
 * {@link ResourceInfo.State#CORRUPT} with the reason.
 * <p>
 * Not thread-safe (it reuses one buffer); {@link SharedDirectory} makes one per call.
 */
final class HeaderScanner
{
    private static final int SIZE_OF_MAGIC = 8;

    private final ByteBuffer header = ByteBuffer.allocate(COMMON_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final Map<ProcessIdentity, Boolean> alive = new HashMap<>();

    /**
     * @param dir a shared directory.
     * @return every resource file in it, sorted by name; registry files and names that are not resource names are
     * left out.
     * @throws java.io.UncheckedIOException when the directory cannot be read.
     */
    List<ResourceInfo> scan(final Path dir)
    {
        final List<ResourceInfo> infos = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir))
        {
            for (final Path path : stream)
            {
                final ResourceInfo info = read(path);
                if (info != null)
                {
                    infos.add(info);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot list the shared directory " + dir, ex);
        }
        infos.sort(Comparator.comparing(ResourceInfo::name));
        return infos;
    }

    /**
     * @param path a file in the shared directory.
     * @return what it holds, or null when it is not a resource file (a folder, a registry, a foreign name) or has
     * just disappeared.
     */
    ResourceInfo read(final Path path)
    {
        final String name = path.getFileName().toString();
        if (!ResourceName.isValid(name))
        {
            return null;
        }
        final BasicFileAttributes attributes;
        try
        {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        }
        catch (final IOException ex)
        {
            return null;
        }
        if (!attributes.isRegularFile())
        {
            return null;
        }
        final long size = attributes.size();
        final long modified = attributes.lastModifiedTime().toMillis();
        header.clear();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            while (header.hasRemaining() && channel.read(header, header.position()) > 0)
            {
                // a short read on tmpfs happens only at the end of the file
            }
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            return corrupt(name, 0, 0, size, null, modified, false, "unreadable: " + ex.getMessage());
        }
        final int read = header.position();
        if (read < SIZE_OF_MAGIC || header.getLong(MAGIC_OFFSET) != MAGIC)
        {
            return new ResourceInfo(name, ResourceInfo.State.RAW, null, 0, 0, size, null, false, modified, false, null);
        }
        if (read < COMMON_HEADER_LENGTH)
        {
            return corrupt(name, 0, 0, size, null, modified, false, "truncated: " + size + " bytes, shorter than the " +
                COMMON_HEADER_LENGTH + "-byte ipckit header");
        }
        return readHeader(name, size, modified);
    }

    private ResourceInfo readHeader(final String name, final long size, final long modified)
    {
        final int code = header.getInt(KIND_OFFSET);
        final int version = header.getInt(LAYOUT_VERSION_OFFSET);
        final int headerLength = header.getInt(HEADER_LENGTH_OFFSET);
        final boolean persistent = (header.getInt(FLAGS_OFFSET) & FLAG_PERSISTENT) != 0;
        final long totalLength = header.getLong(TOTAL_LENGTH_OFFSET);
        final long pid = header.getLong(CREATOR_PID_OFFSET);
        final ProcessIdentity creator = pid > 0 ? new ProcessIdentity(pid, header.getLong(CREATOR_START_TIME_OFFSET)) : null;
        final long created = header.getLong(CREATION_TIME_OFFSET);
        final boolean ready = header.getInt(READY_OFFSET) == READY;
        final boolean creatorAlive = creator != null && alive.computeIfAbsent(creator, ProcessIdentity::isAlive);
        final long createdAt = created > 0 ? created : modified;
        if (!ready)
        {
            if (header.getInt(READY_OFFSET) == 0 && creatorAlive)
            {
                return new ResourceInfo(name, ResourceInfo.State.PUBLISHING, ResourceKind.fromCode(code), code, version,
                    size, creator, true, createdAt, persistent, null);
            }
            return corrupt(name, code, version, size, creator, createdAt, creatorAlive, persistent,
                creator == null || creatorAlive ? "ready field is garbage" :
                "never published: its creator (pid " + creator.pid() + ") died while creating it");
        }
        final ResourceKind kind = ResourceKind.fromCode(code);
        final String problem;
        if (kind == null)
        {
            problem = "unknown kind code " + code;
        }
        else if (version < 1)
        {
            problem = "layout version " + version;
        }
        else if (headerLength < COMMON_HEADER_LENGTH || headerLength % DATA_ALIGNMENT != 0 || headerLength > totalLength)
        {
            problem = "header length " + headerLength + " with total length " + totalLength;
        }
        else if (totalLength != size)
        {
            problem = "file is " + size + " bytes but its header says " + totalLength + " (truncated or overwritten)";
        }
        else
        {
            problem = null;
        }
        if (problem != null)
        {
            return corrupt(name, code, version, size, creator, createdAt, creatorAlive, persistent, problem);
        }
        return new ResourceInfo(name, ResourceInfo.State.READY, kind, code, version, size, creator, creatorAlive,
            createdAt, persistent, null);
    }

    private static ResourceInfo corrupt(
        final String name, final int code, final int version, final long size, final ProcessIdentity creator,
        final long createdAt, final boolean creatorAlive, final String problem)
    {
        return corrupt(name, code, version, size, creator, createdAt, creatorAlive, false, problem);
    }

    private static ResourceInfo corrupt(
        final String name, final int code, final int version, final long size, final ProcessIdentity creator,
        final long createdAt, final boolean creatorAlive, final boolean persistent, final String problem)
    {
        return new ResourceInfo(name, ResourceInfo.State.CORRUPT, ResourceKind.fromCode(code), code, version, size, creator, creatorAlive,
            createdAt, persistent, problem);
    }
}
