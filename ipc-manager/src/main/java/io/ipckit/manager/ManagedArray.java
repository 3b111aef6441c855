package io.ipckit.manager;

import java.util.List;

/**
 * A managed fixed-length array, Python's {@code manager.Array(typecode, sequence)}. Every method is atomic in the
 * manager. Thread- and process-safe.
 *
 * @param <T> the element type (serializable and allow-listed).
 */
public interface ManagedArray<T>
{
    /**
     * @return the number of elements (fixed at creation).
     */
    int length();

    /**
     * @param index the position.
     * @return the element there.
     * @throws IndexOutOfBoundsException when {@code index} is outside {@code [0, length())}.
     */
    T get(int index);

    /**
     * @param index the position.
     * @param value its new element.
     * @throws IndexOutOfBoundsException when {@code index} is outside {@code [0, length())}.
     */
    void set(int index, T value);

    /**
     * @return a copy of every element, in order.
     */
    List<T> toList();
}
