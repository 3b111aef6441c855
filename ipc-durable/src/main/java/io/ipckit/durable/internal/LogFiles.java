package io.ipckit.durable.internal;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.durable.CorruptLogException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of a log directory as ipckit sees them: Chronicle Queue's cycle files ({@value #CYCLE_SUFFIX}), its
 * metadata file ({@value #METADATA_FILE}) and ipckit's doorbell. Checks the head of each file before Chronicle maps
 * it, so that a truncated or foreign file is refused with an exception naming it rather than a Chronicle error deep
 * in a read, and deletes the oldest cycles for retention.
 * <p>
 * Thread-safe (stateless).
 */
public final class LogFiles
{
    /** Suffix of Chronicle Queue's cycle files. */
    public static final String CYCLE_SUFFIX = ".cq4";
    /** Chronicle Queue's metadata file (directory listing, write lock, named readers' positions). */
    public static final String METADATA_FILE = "metadata.cq4t";

    private static final String CYCLE_STORE = "SCQStore";
    /** The bits of a Chronicle document's 4-byte header: not complete yet, metadata, and its length. */
    static final int NOT_COMPLETE = 0x80000000;
    static final int META_DATA = 0x40000000;
    static final int LENGTH_MASK = 0x3FFFFFFF;
    /** The largest cycle-file header (Chronicle's store) read. */
    static final int MAX_HEADER_LENGTH = 64 << 10;
    private static final int HEAD_BYTES = 4 + 1024;

    private LogFiles()
    {
    }

    /**
     * @param directory a log directory.
     * @return its cycle files, oldest first (Chronicle's cycle names sort in time order).
     */
    public static List<Path> cycleFiles(final Path directory)
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.filter((p) -> p.getFileName().toString().endsWith(CYCLE_SUFFIX)).sorted().toList();
        }
        catch (final NoSuchFileException ex)
        {
            return List.of();
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot list the log directory " + directory + ": " + ex, ex);
        }
    }

    /**
     * @param directory a directory.
     * @return whether it holds any file of a log (Chronicle's or ipckit's).
     */
    public static boolean holdsLog(final Path directory)
    {
        return Files.exists(directory.resolve(METADATA_FILE)) || LogDoorbellFile.exists(directory) ||
            !cycleFiles(directory).isEmpty();
    }

    /**
     * Checks that the metadata file and every cycle file start with a complete Chronicle header of the expected
     * type, and that every cycle file still holds the last record its header records ({@link CycleFileEnd#check}).
     *
     * @param directory a log directory.
     * @throws CorruptLogException naming the first file that does not.
     */
    public static void checkHeads(final Path directory)
    {
        final Path metadata = directory.resolve(METADATA_FILE);
        if (Files.exists(metadata))
        {
            checkHead(metadata, "STStore", "Chronicle Queue metadata file");
        }
        for (final Path cycle : cycleFiles(directory))
        {
            checkHead(cycle, CYCLE_STORE, "cycle file");
        }
    }

    private static void checkHead(final Path file, final String storeType, final String what)
    {
        final byte[] head;
        final long size;
        try (InputStream in = Files.newInputStream(file))
        {
            size = Files.size(file);
            head = in.readNBytes(HEAD_BYTES);
        }
        catch (final NoSuchFileException ex)
        {
            return; // deleted by retention meanwhile
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot read " + file + ": " + ex, ex);
        }
        if (size == 0)
        {
            return; // Chronicle creates a cycle file empty and fills its header: a creator may be at it
        }
        if (head.length < 4)
        {
            throw corrupt(file, what, "it is truncated to " + size + " bytes");
        }
        final int header = (head[0] & 0xFF) | (head[1] & 0xFF) << 8 | (head[2] & 0xFF) << 16 | (head[3] & 0xFF) << 24;
        if (header == 0)
        {
            return; // being created
        }
        if ((header & NOT_COMPLETE) != 0)
        {
            return; // its creator is writing the header (it starts as NOT_COMPLETE with no length yet)
        }
        final int length = header & LENGTH_MASK;
        if ((header & META_DATA) == 0 || length == 0 || length > MAX_HEADER_LENGTH)
        {
            throw corrupt(file, what, "it does not start with a Chronicle Queue header (first word 0x" +
                Integer.toHexString(header) + ")");
        }
        if (size < 4L + length)
        {
            throw corrupt(file, what, "it is truncated to " + size + " bytes, shorter than its own " + length +
                "-byte header");
        }
        final String text = new String(head, 4, Math.min(length, head.length - 4), StandardCharsets.ISO_8859_1);
        if (!text.contains(storeType))
        {
            throw corrupt(file, what, "its header is not a " + storeType + " (overwritten, or written by an " +
                "incompatible Chronicle Queue)");
        }
        if (CYCLE_STORE.equals(storeType))
        {
            CycleFileEnd.check(file);
        }
    }

    static CorruptLogException corrupt(final Path file, final String what, final String why)
    {
        return new CorruptLogException("the log's " + what + " " + file + " is corrupt: " + why + "; restore the " +
            "log directory from a backup, or move this file away to keep the rest of the log (its records are lost)");
    }

    /**
     * Deletes the oldest cycle files while more than {@code keepCycles} remain or they take more than
     * {@code keepBytes}; the newest cycle file is always kept. A file's bytes are those it uses, up to the end of its
     * last record ({@link CycleFileEnd#usedBytes}), not its length: Chronicle gives every cycle file the length of a
     * whole block (80 MiB for a daily cycle) and fills it sparsely.
     *
     * @param directory  a log directory.
     * @param keepCycles the most cycle files kept, 0 for no limit.
     * @param keepBytes  the most bytes kept, 0 for no limit.
     * @return the number of files deleted.
     */
    public static int enforceRetention(final Path directory, final int keepCycles, final long keepBytes)
    {
        if (keepCycles == 0 && keepBytes == 0)
        {
            return 0;
        }
        final List<Path> cycles = new ArrayList<>(cycleFiles(directory));
        long totalBytes = 0;
        final long[] sizes = new long[cycles.size()];
        for (int i = 0; i < cycles.size(); i++)
        {
            sizes[i] = CycleFileEnd.usedBytes(cycles.get(i));
            totalBytes += sizes[i];
        }
        int deleted = 0;
        for (int i = 0; i < cycles.size() - 1; i++)
        {
            final int remaining = cycles.size() - i;
            final boolean tooMany = keepCycles > 0 && remaining > keepCycles;
            final boolean tooBig = keepBytes > 0 && totalBytes > keepBytes;
            if (!tooMany && !tooBig)
            {
                break;
            }
            try
            {
                if (Files.deleteIfExists(cycles.get(i)))
                {
                    deleted++;
                }
            }
            catch (final IOException ex)
            {
                throw new IpcException("cannot delete the old cycle file " + cycles.get(i) + " for retention: " +
                    ex + "; check the directory's permissions", ex);
            }
            totalBytes -= sizes[i];
        }
        return deleted;
    }
}
