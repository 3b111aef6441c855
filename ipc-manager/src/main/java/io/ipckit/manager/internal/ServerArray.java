package io.ipckit.manager.internal;

import io.ipckit.manager.ManagedArray;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A fixed-length array in the manager. Thread-safe.
 *
 * @param <T> the element type.
 */
final class ServerArray<T> implements ManagedArray<T>, java.io.Serializable
{
    private static final long serialVersionUID = 1L;

    private final AtomicReferenceArray<T> elements;

    ServerArray(final T[] initial)
    {
        elements = new AtomicReferenceArray<>(initial);
    }

    @Override
    public int length()
    {
        return elements.length();
    }

    @Override
    public T get(final int index)
    {
        return elements.get(index);
    }

    @Override
    public void set(final int index, final T value)
    {
        elements.set(index, value);
    }

    @Override
    public List<T> toList()
    {
        final List<T> copy = new ArrayList<>(elements.length());
        for (int i = 0; i < elements.length(); i++)
        {
            copy.add(elements.get(i));
        }
        return copy;
    }

    @Override
    public String toString()
    {
        return "Array" + toList();
    }
}
