package io.ipckit.manager;

/**
 * A managed single value, Python's {@code manager.Value(typecode, value)}. Every method is atomic in the manager.
 * Thread- and process-safe.
 *
 * @param <T> the value's type (serializable and allow-listed).
 */
public interface ManagedValue<T>
{
    /**
     * @return the current value.
     */
    T get();

    /**
     * @param value the new value.
     */
    void set(T value);

    /**
     * @param value the new value.
     * @return the value it replaced.
     */
    T getAndSet(T value);

    /**
     * Sets {@code update} when the current value {@link Object#equals equals} {@code expected}.
     *
     * @param expected the value expected now.
     * @param update   the new value.
     * @return true when it was set.
     */
    boolean compareAndSet(T expected, T update);
}
