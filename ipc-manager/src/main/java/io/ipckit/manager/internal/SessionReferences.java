package io.ipckit.manager.internal;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The references one client session holds to the manager's objects, per object: counted up as the session's replies
 * carry proxies of this manager out ({@link #countOutgoing}), down by the client's DECREF frames ({@link #decref}),
 * and dropped all at once when the session ends ({@link #dropAll}); each change is passed on to the object table, so
 * an object no session refers to (and not pinned) is released. Thread-safe: replies of blocking calls are written on
 * their own threads.
 */
final class SessionReferences
{
    private final ObjectTable table;
    private final Map<Long, AtomicLong> counts = new ConcurrentHashMap<>();

    /**
     * @param table the manager's objects.
     */
    SessionReferences(final ObjectTable table)
    {
        this.table = table;
    }

    /**
     * Counts a proxy of this manager that a reply carries out; passes every value through, as the codec's hook.
     *
     * @param obj a value being written.
     * @return {@code obj}.
     */
    Object countOutgoing(final Object obj)
    {
        if (obj instanceof ProxyRef ref && ref.managerId().equals(table.managerId()))
        {
            counts.computeIfAbsent(ref.objectId(), (id) -> new AtomicLong()).incrementAndGet();
            table.incref(ref.objectId());
        }
        return obj;
    }

    /**
     * The client released one proxy of an object; a release of an object it holds none of changes nothing.
     *
     * @param objectId the object.
     */
    void decref(final long objectId)
    {
        final AtomicLong count = counts.get(objectId);
        if (count != null && count.getAndUpdate((c) -> c > 0 ? c - 1 : 0) > 0)
        {
            table.decref(objectId, 1);
        }
    }

    /**
     * Drops every reference the session holds: it ended.
     */
    void dropAll()
    {
        for (final Map.Entry<Long, AtomicLong> entry : counts.entrySet())
        {
            final long count = entry.getValue().getAndSet(0);
            if (count > 0)
            {
                table.decref(entry.getKey(), count);
            }
        }
    }

    /**
     * @return the counts, per object, for statistics (zero for an object all of whose proxies were released).
     */
    Collection<AtomicLong> counts()
    {
        return counts.values();
    }
}
