package io.ipckit.cli;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.durable.LogReader;
import io.ipckit.durable.SharedLog;
import io.ipckit.durable.SharedLogOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code stat} and {@code tail} show of an ipc-durable {@link SharedLog}: logs live in a directory on disk (a
 * path, or a name under {@link SharedLogOptions#defaultDirectory()}), not in the shared directory. The log is opened
 * as any process would (its files are shared; opening creates nothing), and read only through anonymous readers,
 * so a look never moves a named reader.
 * <p>
 * Thread-safe (stateless); any number of processes may look at a log while others append and read.
 */
final class Logs
{
    private Logs()
    {
    }

    /**
     * @param name a path (it contains a '/') or a name.
     * @return the log directory {@code name} means, or null when it names a resource of the shared directory (or
     *         nothing: the caller then reports the name as not found).
     */
    static Path find(final String name)
    {
        if (name.indexOf('/') >= 0)
        {
            return Path.of(name);
        }
        try
        {
            Resources.info(name);
            return null;
        }
        catch (final ResourceNotFoundException ex)
        {
            final Path dir = SharedLogOptions.defaultDirectory().resolve(name);
            return Files.isDirectory(dir) ? dir : null;
        }
    }

    /**
     * @return one row per log directory under {@link SharedLogOptions#defaultDirectory()}, in name order: its name
     *         and {@link #stat} counters, or its name and the problem when it cannot be opened (not a log, corrupt).
     */
    static List<Map<String, Object>> list()
    {
        final List<Path> dirs;
        try (java.util.stream.Stream<Path> children = Files.list(SharedLogOptions.defaultDirectory()))
        {
            dirs = children.filter(Files::isDirectory).sorted().toList();
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            return List.of();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot list " + SharedLogOptions.defaultDirectory(), ex);
        }
        final List<Map<String, Object>> rows = new ArrayList<>();
        for (final Path dir : dirs)
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", dir.getFileName().toString());
            try (SharedLog<byte[]> log = open(dir))
            {
                row.putAll(stat(log));
            }
            catch (final io.ipckit.core.exceptions.IpcException ex)
            {
                row.put("problem", ex.getMessage());
            }
            rows.add(row);
        }
        return rows;
    }

    /**
     * @param dir a log directory.
     * @return the log, opened with byte-array values.
     * @throws io.ipckit.core.exceptions.IpcException when there is no log there or it cannot be read.
     */
    static SharedLog<byte[]> open(final Path dir)
    {
        return SharedLog.open(dir, Codecs.BYTES, new SharedLogOptions());
    }

    /**
     * @param log an open log.
     * @return its counters: directory, roll cycle, cycle files and their sizes, first and last index, records,
     *         sleeping readers, and each named reader's position and lag.
     */
    static Map<String, Object> stat(final SharedLog<byte[]> log)
    {
        final Map<String, Object> values = new LinkedHashMap<>();
        values.put("kind", "log");
        values.put("directory", log.directory().toString());
        values.put("rollCycle", log.rollCycle().toString());
        final List<Object> cycles = new ArrayList<>();
        long bytes = 0;
        for (final Path file : log.cycleFiles())
        {
            final long size = sizeOrZero(file);
            bytes += size;
            final Map<String, Object> cycle = new LinkedHashMap<>();
            cycle.put("file", file.getFileName().toString());
            cycle.put("bytes", size);
            cycles.add(cycle);
        }
        values.put("cycleCount", cycles.size());
        values.put("cycleBytes", bytes);
        values.put("cycles", cycles);
        final long first = log.firstIndex();
        final long last = log.lastIndex();
        values.put("firstIndex", first);
        values.put("lastIndex", last);
        values.put("records", first < 0 ? 0 : log.recordsFrom(first));
        values.put("sleepingReaders", log.sleepingReaders());
        final Map<String, Object> readers = new LinkedHashMap<>();
        for (final Map.Entry<String, Long> entry : log.readerPositions().entrySet())
        {
            final Map<String, Object> reader = new LinkedHashMap<>();
            reader.put("position", entry.getValue());
            reader.put("lag", log.recordsFrom(entry.getValue()));
            readers.put(entry.getKey(), reader);
        }
        values.put("namedReaders", readers);
        return values;
    }

    /**
     * Reads the last {@code count} records through an anonymous reader: from {@code lastIndex - count + 1} when the
     * log's index arithmetic holds there (the records are in one cycle), else by skipping from the first record.
     *
     * @param log   an open log.
     * @param count how many of the newest records to read.
     * @return their indexes and bytes, oldest first.
     */
    static List<Map.Entry<Long, byte[]>> tail(final SharedLog<byte[]> log, final int count)
    {
        final List<Map.Entry<Long, byte[]>> records = new ArrayList<>();
        final long last = log.lastIndex();
        if (count <= 0 || last < 0)
        {
            return records;
        }
        try (LogReader<byte[]> reader = log.reader())
        {
            final long candidate = Math.max(log.firstIndex(), last - count + 1);
            if (!(reader.seek(candidate) && log.recordsFrom(candidate) <= count))
            {
                reader.toStart();
                final long skip = Math.max(0, log.recordsFrom(log.firstIndex()) - count);
                for (long i = 0; i < skip && reader.poll() != null; i++)
                {
                    // skipping the older records
                }
            }
            byte[] value;
            while (records.size() < count && (value = reader.poll()) != null)
            {
                records.add(Map.entry(reader.lastReadIndex(), value));
            }
        }
        return records;
    }

    private static long sizeOrZero(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            return 0; // removed by retention meanwhile
        }
    }
}
