package io.ipckit.manager;

import java.util.Map;

/**
 * A managed bag of named attributes, Python's {@code manager.Namespace()}: {@code ns.x = 1} is
 * {@code ns.set("x", 1)}. Through a proxy every method is one call to the manager, atomic there.
 * Thread- and process-safe.
 */
public interface Namespace
{
    /**
     * @param name an attribute name.
     * @return its value, or null when unset.
     */
    Object get(String name);

    /**
     * @param name  an attribute name.
     * @param value its new value (serializable and allow-listed); null removes it.
     * @return the previous value, or null.
     */
    Object set(String name, Object value);

    /**
     * @param name an attribute name.
     * @return the removed value, or null.
     */
    Object remove(String name);

    /**
     * @return a copy of every attribute.
     */
    Map<String, Object> asMap();
}
