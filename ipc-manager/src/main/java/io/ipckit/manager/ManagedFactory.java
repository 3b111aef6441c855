package io.ipckit.manager;

import java.io.Serializable;

/**
 * Creates a managed object in the manager process from the arguments a client passed to
 * {@link Manager#create(String, Class, Object...)}. Registered with {@link ManagerRegistry#register}; it travels to
 * the manager's JVM serialized, so a lambda must be cast to this type and capture only serializable values.
 *
 * @param <T> the type of the object it creates.
 */
@FunctionalInterface
public interface ManagedFactory<T> extends Serializable
{
    /**
     * Runs in the manager, on a server thread.
     *
     * @param args the client's arguments (possibly empty, never null).
     * @return the new object, implementing the registered interface.
     */
    T create(Object[] args);
}
