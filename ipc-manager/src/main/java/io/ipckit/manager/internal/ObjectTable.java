package io.ipckit.manager.internal;

import io.ipckit.manager.ManagerRegistry;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The manager's objects by id, with their reference counts. An object lives while some connection holds a
 * reference to it (counted per connection by {@link ServerSession}, summed here), or while it is pinned: bound to a
 * name, or escaped into another managed object as a nested proxy (the manager cannot see when a container lets go
 * of a ref, so an escaped object lives until shutdown). Thread-safe.
 */
final class ObjectTable
{
    /**
     * One managed object.
     */
    static final class Managed
    {
        final long id;
        final Object target;
        final ManagerRegistry.Entry entry;
        final ProxyRef ref;
        final AtomicLong refs = new AtomicLong();
        volatile boolean pinned;

        Managed(final long id, final Object target, final ManagerRegistry.Entry entry, final ProxyRef ref)
        {
            this.id = id;
            this.target = target;
            this.entry = entry;
            this.ref = ref;
        }
    }

    private final String managerId = UUID.randomUUID().toString();
    private final Map<Long, Managed> objects = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();

    String managerId()
    {
        return managerId;
    }

    ProxyRef register(final Object target, final ManagerRegistry.Entry entry)
    {
        final long id = nextId.incrementAndGet();
        final ProxyRef ref = new ProxyRef(managerId, id, entry.typeid(), entry.type().getName());
        objects.put(id, new Managed(id, target, entry, ref));
        return ref;
    }

    Managed get(final long id)
    {
        return objects.get(id);
    }

    void incref(final long id)
    {
        final Managed managed = objects.get(id);
        if (managed != null)
        {
            managed.refs.incrementAndGet();
        }
    }

    void decref(final long id, final long count)
    {
        final Managed managed = objects.get(id);
        if (managed != null && managed.refs.addAndGet(-count) <= 0 && !managed.pinned)
        {
            objects.remove(id, managed);
        }
    }

    java.util.Collection<Managed> all()
    {
        return objects.values();
    }

    int size()
    {
        return objects.size();
    }
}
