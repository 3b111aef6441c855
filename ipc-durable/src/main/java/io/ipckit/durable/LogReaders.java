package io.ipckit.durable;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.durable.internal.LogFiles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The readers one {@link SharedLog} handle opened (closed with it), and the named readers' persisted positions.
 * <p>
 * Thread-safe.
 */
final class LogReaders<T>
{
    /** The metadata key prefix of a named reader's position (Chronicle's {@code indexForId}). */
    private static final String NAMED_READER_KEY_PREFIX = "index.";

    private final SharedLog<T> log;
    private final SingleChronicleQueue queue;
    private final Set<LogReader<?>> open = ConcurrentHashMap.newKeySet();

    LogReaders(final SharedLog<T> log, final SingleChronicleQueue queue)
    {
        this.log = log;
        this.queue = queue;
    }

    /**
     * @param name a validated name, or null for an anonymous reader.
     * @return the new reader, registered to be closed with the log.
     */
    LogReader<T> open(final String name)
    {
        log.checkOpen();
        final LogReader<T> reader;
        try
        {
            reader = new LogReader<>(log, name == null ? queue.createTailer() : queue.createTailer(name), name);
        }
        catch (final IpcException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw log.failure("open a reader" + (name == null ? "" : " named \"" + name + "\""), ex);
        }
        open.add(reader);
        if (log.isClosed())
        {
            reader.close();
            log.checkOpen();
        }
        return reader;
    }

    void closed(final LogReader<?> reader)
    {
        open.remove(reader);
    }

    void closeAll()
    {
        for (final LogReader<?> reader : open)
        {
            reader.close();
        }
    }

    SortedMap<String, Long> positions()
    {
        final SortedMap<String, Long> values = new TreeMap<>();
        try
        {
            queue.metaStore().forEachKey(values, (map, key, value) ->
            {
                final String text = key.toString();
                if (text.startsWith(NAMED_READER_KEY_PREFIX))
                {
                    map.put(text.substring(NAMED_READER_KEY_PREFIX.length()), value.int64());
                }
            });
        }
        catch (final RuntimeException ex)
        {
            throw log.failure("read the named readers in " + log.directory().resolve(LogFiles.METADATA_FILE), ex);
        }
        // Chronicle keeps "index.NAME.lock" and "index.NAME.version" beside a reader's "index.NAME"
        values.keySet().removeIf((key) -> key.endsWith(".lock") &&
            values.containsKey(key.substring(0, key.length() - ".lock".length())) || key.endsWith(".version") &&
            values.containsKey(key.substring(0, key.length() - ".version".length())));
        return values;
    }
}
