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
        /** A durable manager's wake-up of calls waiting to change this object (under its journal lock), or null. */
        java.util.concurrent.locks.Condition changed;

        Managed(final long id, final Object target, final ManagerRegistry.Entry entry, final ProxyRef ref)
        {
            this.id = id;
            this.target = target;
            this.entry = entry;
            this.ref = ref;
        }
    }

    private volatile String managerId = UUID.randomUUID().toString();
    private final Map<Long, Managed> objects = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicLong transientIds = new AtomicLong();

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

    /**
     * Puts back an object of a durable manager's snapshot, before any client connects.
     *
     * @param id     its id.
     * @param target the object.
     * @param entry  its type.
     * @return the object's entry.
     */
    Managed restore(final long id, final Object target, final ManagerRegistry.Entry entry)
    {
        final Managed managed = new Managed(id, target, entry,
            new ProxyRef(managerId, id, entry.typeid(), entry.type().getName()));
        managed.pinned = true;
        objects.put(id, managed);
        return managed;
    }

    /**
     * Takes the identity of a durable manager's previous run and forgets every object, before a snapshot's objects
     * are restored.
     *
     * @param id     the manager's id.
     * @param lastId the last object id handed out.
     */
    void resume(final String id, final long lastId)
    {
        objects.clear();
        managerId = id;
        nextId.set(lastId);
    }

    long lastId()
    {
        return nextId.get();
    }

    java.util.Collection<Managed> all()
    {
        return objects.values();
    }

    /**
     * Registers an object that a durable manager does not keep (a pool's future), under a negative id that no
     * replay hands out.
     *
     * @param target the object.
     * @param entry  its type.
     * @return its ref.
     */
    ProxyRef registerTransient(final Object target, final ManagerRegistry.Entry entry)
    {
        final long id = -transientIds.incrementAndGet();
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
            if (objects.remove(id, managed) && managed.target instanceof ServerPool pool)
            {
                pool.close();
            }
        }
    }

    int size()
    {
        return objects.size();
    }
}
