package io.ipckit.manager.internal;

import io.ipckit.manager.Namespace;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A namespace in the manager. Thread-safe.
 */
final class ServerNamespace implements Namespace, java.io.Serializable
{
    private static final long serialVersionUID = 1L;

    private final Map<String, Object> attributes = new ConcurrentHashMap<>();

    @Override
    public Object get(final String name)
    {
        return attributes.get(name);
    }

    @Override
    public Object set(final String name, final Object value)
    {
        return value == null ? attributes.remove(name) : attributes.put(name, value);
    }

    @Override
    public Object remove(final String name)
    {
        return attributes.remove(name);
    }

    @Override
    public Map<String, Object> asMap()
    {
        return new TreeMap<>(attributes);
    }

    @Override
    public String toString()
    {
        return "Namespace" + asMap();
    }
}
