package io.ipckit.durable;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.durable.internal.LogFiles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The readers one {@link SharedLog} handle opened (closed with it), and the named readers' persisted positions.
 * <p>
 * The log's store outlives its readers: each open reader holds it, as the log handle does until its close, and the
 * store is let go ({@code releaseStore}) when the last hold goes. A reader whose close found a read still in it (a
 * handler that ran on, another thread's poll) lets go of its hold when that read ends, so the store is never freed
 * under a read.
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
    /** The log handle's hold (until its close) and one per reader not yet released; 0 once the store is let go. */
    private final AtomicInteger holds = new AtomicInteger(1);
    private final Runnable releaseStore;

    /**
     * @param releaseStore closes the queue and what else the readers read; runs once, when the last hold goes.
     */
    LogReaders(final SharedLog<T> log, final SingleChronicleQueue queue, final Runnable releaseStore)
    {
        this.log = log;
        this.queue = queue;
        this.releaseStore = releaseStore;
    }

    /**
     * @param name a validated name, or null for an anonymous reader.
     * @return the new reader, registered to be closed with the log.
     */
    LogReader<T> open(final String name)
    {
        log.checkOpen();
        holdStore();
        final LogReader<T> reader;
        try
        {
            reader = new LogReader<>(log, name == null ? queue.createTailer() : queue.createTailer(name), name);
        }
        catch (final IpcException ex)
        {
            release();
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            release();
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

    /**
     * Lets go of one hold: a reader's once it is released, the log handle's at its close. The last one lets go of
     * the store.
     */
    void release()
    {
        if (holds.decrementAndGet() == 0)
        {
            releaseStore.run();
        }
    }

    /**
     * Takes a hold of the store for a look at it from another call of the log (released with {@link #release()}).
     *
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the log is closed and its store let go.
     */
    void holdStore()
    {
        if (!hold())
        {
            log.checkOpen(); // the store goes only after the close, so this throws
            throw new IllegalStateException("the store of the log in " + log.directory() + " is released");
        }
    }

    private boolean hold()
    {
        int current;
        do
        {
            current = holds.get();
            if (current == 0)
            {
                return false;
            }
        }
        while (!holds.compareAndSet(current, current + 1));
        return true;
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
