package io.ipckit.manager;

import io.ipckit.manager.internal.Builtins;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The types a manager can create, by type id: Python's {@code BaseManager.register(typeid, callable, proxytype,
 * exposed, method_to_typeid)}. A type is an interface (what proxies expose: only its methods can be called), a
 * {@link ManagedFactory} that creates the object in the manager, and optionally, per method name, the type id of
 * what that method returns: such a method returns a proxy to a new managed object instead of a copy.
 * <p>
 * {@link #defaults()} holds the {@code SyncManager} set ({@code dict}, {@code list}, ..., see {@link Manager}).
 * Not thread-safe while being filled; read-only once given to a manager. Serializable: it travels to the manager's
 * JVM with its factories.
 */
public final class ManagerRegistry implements Serializable
{
    private static final long serialVersionUID = 1L;

    /**
     * One registered type.
     *
     * @param typeid         its id.
     * @param type           the interface proxies expose.
     * @param factory        creates the object in the manager; null for types only ever returned by methods.
     * @param methodToTypeid per method name, the type id of what it returns as a new managed object.
     */
    public record Entry(String typeid, Class<?> type, ManagedFactory<?> factory, Map<String, String> methodToTypeid)
        implements Serializable
    {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    /** How many of the first entries are the built-in types of {@link #defaults()}: 0 for a registry without them. */
    private int builtins;

    /**
     * @return a registry holding only the built-in types.
     */
    public static ManagerRegistry defaults()
    {
        final ManagerRegistry registry = new ManagerRegistry();
        Builtins.registerAll(registry);
        registry.builtins = registry.entries.size();
        return registry;
    }

    /**
     * Registers a type whose methods return copies.
     *
     * @param typeid  its id, unique in this registry.
     * @param type    an interface.
     * @param factory creates the object in the manager.
     * @param <T>     the type.
     * @return this.
     * @throws IllegalArgumentException when {@code type} is not an interface or {@code typeid} is taken.
     */
    public <T> ManagerRegistry register(final String typeid, final Class<T> type, final ManagedFactory<? extends T> factory)
    {
        return register(typeid, type, factory, Map.of());
    }

    /**
     * Registers a type, some of whose methods return further proxies.
     *
     * @param typeid         its id, unique in this registry.
     * @param type           an interface.
     * @param factory        creates the object in the manager, or null for a type only returned by methods.
     * @param methodToTypeid method name to the type id of its result (types registered here too, by the time the
     *                       manager starts).
     * @param <T>            the type.
     * @return this.
     * @throws IllegalArgumentException when {@code type} is not an interface or {@code typeid} is taken.
     */
    public <T> ManagerRegistry register(
        final String typeid,
        final Class<T> type,
        final ManagedFactory<? extends T> factory,
        final Map<String, String> methodToTypeid)
    {
        Objects.requireNonNull(typeid, "typeid");
        if (!type.isInterface())
        {
            throw new IllegalArgumentException("type of " + typeid + " must be an interface, not " + type.getName());
        }
        if (entries.containsKey(typeid))
        {
            throw new IllegalArgumentException("typeid already registered: " + typeid);
        }
        entries.put(typeid, new Entry(typeid, type, factory, Map.copyOf(methodToTypeid)));
        return this;
    }

    /**
     * @param typeid a type id.
     * @return its entry, or null.
     */
    public Entry entry(final String typeid)
    {
        return entries.get(typeid);
    }

    /**
     * @return true when this registry holds the built-in types ({@link #defaults()}) and nothing registered after
     * them.
     */
    public boolean onlyBuiltins()
    {
        return builtins > 0 && builtins == entries.size();
    }

    @Override
    public String toString()
    {
        return "ManagerRegistry" + entries.keySet();
    }

    /**
     * Serialized as whether it holds the built-in types and the entries registered after them: the JVM that reads it
     * registers the built-in types itself rather than deserializing their factories, lambdas whose classes a JVM
     * spins at run time when it deserializes them.
     */
    @java.io.Serial
    private Object writeReplace()
    {
        return new SerializedForm(builtins > 0,
            List.copyOf(entries.values()).subList(builtins, entries.size()).toArray(new Entry[0]));
    }

    @java.io.Serial
    private void readObject(final java.io.ObjectInputStream in) throws java.io.InvalidObjectException
    {
        throw new java.io.InvalidObjectException("a ManagerRegistry is read through its serialized form");
    }

    /**
     * What a {@link ManagerRegistry} is serialized as: a plain class, not a record, as a JVM reading its first record
     * builds the record's constructor from method handles at run time.
     */
    private static final class SerializedForm implements Serializable
    {
        @java.io.Serial
        private static final long serialVersionUID = 1L;
        /** Whether it holds the built-in types. */
        private final boolean builtins;
        /** The entries registered after them, in order. */
        private final Entry[] added;

        SerializedForm(final boolean builtins, final Entry[] added)
        {
            this.builtins = builtins;
            this.added = added;
        }

        @java.io.Serial
        private Object readResolve() throws java.io.InvalidObjectException
        {
            final ManagerRegistry registry = builtins ? defaults() : new ManagerRegistry();
            for (final Entry entry : added)
            {
                if (entry == null || entry.typeid() == null || entry.type() == null || !entry.type().isInterface() ||
                    entry.methodToTypeid() == null || registry.entries.containsKey(entry.typeid()))
                {
                    throw new java.io.InvalidObjectException("a ManagerRegistry's entry that registering refuses: " +
                        entry);
                }
                registry.entries.put(entry.typeid(), entry);
            }
            return registry;
        }
    }
}
