package io.ipckit.pool;

import org.agrona.collections.Int2ObjectHashMap;

import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The functions of a pool's tasks, each under an id, encoded once for the workers that need it. A function is known
 * by its encoded bytes, so that equal functions (two instances of a lambda that captured equal values) share an id
 * and are sent once. A function that captures something is held only while a task uses it: each task takes a use,
 * gives it back when it completes, and the last one releases the function (a loop of capturing lambdas then keeps
 * memory bounded). A function whose class has no instance fields (a lambda that captures nothing) is kept for the
 * pool's life, under its class: there is one such function per class, and it is used again and again.
 * <p>
 * Not thread-safe: guarded by the scheduler's lock.
 */
final class FunctionTable
{
    private final Int2ObjectHashMap<Entry> byId = new Int2ObjectHashMap<>();
    private final Map<Encoding, Entry> byEncoding = new HashMap<>();
    /** The instance each held function was registered from: the next use of that same instance needs no encoding. */
    private final IdentityHashMap<Object, Entry> byInstance = new IdentityHashMap<>();
    private final Map<Class<?>, Entry> byStatelessClass = new HashMap<>();
    private int lastId;

    /**
     * Takes {@code uses} uses of a function already held, looked up by its instance (or its class, when it has no
     * instance fields).
     *
     * @return its id, or 0 when it is not held: register it.
     */
    int use(final Object fn, final boolean stateless, final int uses)
    {
        final Entry entry = stateless ? byStatelessClass.get(fn.getClass()) : byInstance.get(fn);
        if (entry == null)
        {
            return 0;
        }
        entry.uses += uses;
        return entry.id;
    }

    /**
     * Registers a function, or takes {@code uses} uses of an equal one already held.
     *
     * @param fn        the function.
     * @param stateless its class has no instance fields: it is kept for the pool's life.
     * @param encoded   its encoding.
     * @param uses      the tasks that will use it (each gives a use back through {@link #release}).
     * @return its id, never 0.
     */
    int register(final Object fn, final boolean stateless, final byte[] encoded, final int uses)
    {
        final Encoding key = new Encoding(encoded);
        Entry entry = byEncoding.get(key);
        if (entry == null)
        {
            entry = new Entry(nextId(), encoded, stateless, key);
            byId.put(entry.id, entry);
            byEncoding.put(key, entry);
        }
        if (stateless)
        {
            entry.kept = true;
            byStatelessClass.putIfAbsent(fn.getClass(), entry);
        }
        else if (entry.instance == null)
        {
            entry.instance = fn;
            byInstance.put(fn, entry);
        }
        entry.uses += uses;
        return entry.id;
    }

    /**
     * Gives back one use of a function.
     *
     * @return true when that was its last use and it is released: tell the workers that know it to forget it.
     */
    boolean release(final int id)
    {
        final Entry entry = byId.get(id);
        if (entry == null || --entry.uses > 0 || entry.kept)
        {
            return false;
        }
        byId.remove(id);
        byEncoding.remove(entry.key);
        if (entry.instance != null)
        {
            byInstance.remove(entry.instance);
        }
        return true;
    }

    /**
     * @return the encoding of the function held under {@code id}, or null when it is released.
     */
    byte[] encoded(final int id)
    {
        final Entry entry = byId.get(id);
        return entry == null ? null : entry.encoded;
    }

    /**
     * @return how many functions are held.
     */
    int size()
    {
        return byId.size();
    }

    private int nextId()
    {
        do
        {
            lastId = lastId == Integer.MAX_VALUE ? 1 : lastId + 1; // ids of released functions may come back
        }
        while (byId.containsKey(lastId));
        return lastId;
    }

    private static final class Entry
    {
        final int id;
        final byte[] encoded;
        final Encoding key;
        boolean kept;
        Object instance;
        int uses;

        Entry(final int id, final byte[] encoded, final boolean kept, final Encoding key)
        {
            this.id = id;
            this.encoded = encoded;
            this.kept = kept;
            this.key = key;
        }
    }

    /**
     * Encoded bytes compared by value.
     */
    private static final class Encoding
    {
        private final byte[] bytes;
        private final int hash;

        Encoding(final byte[] bytes)
        {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Encoding that && hash == that.hash && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }
    }
}
