package io.ipckit.manager.internal;

import io.ipckit.manager.ManagedValue;

import java.util.Objects;

/**
 * A single value in the manager. Thread-safe (every method synchronized).
 *
 * @param <T> the value type.
 */
final class ServerValue<T> implements ManagedValue<T>, java.io.Serializable
{
    private static final long serialVersionUID = 1L;

    private T value;

    ServerValue(final T value)
    {
        this.value = value;
    }

    @Override
    public synchronized T get()
    {
        return value;
    }

    @Override
    public synchronized void set(final T value)
    {
        this.value = value;
    }

    @Override
    public synchronized T getAndSet(final T value)
    {
        final T previous = this.value;
        this.value = value;
        return previous;
    }

    @Override
    public synchronized boolean compareAndSet(final T expected, final T update)
    {
        if (Objects.equals(value, expected))
        {
            value = update;
            return true;
        }
        return false;
    }

    @Override
    public synchronized String toString()
    {
        return "Value(" + value + ")";
    }
}
