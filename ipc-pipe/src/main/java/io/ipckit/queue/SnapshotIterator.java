package io.ipckit.queue;

import java.util.Iterator;

/**
 * An iterator over a snapshot of a queue's elements whose {@code remove} removes an equal element from the queue
 * ({@link AbstractSharedQueue#remove(Object)}), for every process.
 * <p>
 * Not thread-safe, as iterators are.
 *
 * @param <E> the element type.
 */
final class SnapshotIterator<E> implements Iterator<E>
{
    private final AbstractSharedQueue<E> queue;
    private final Iterator<E> snapshot;
    private E last;

    SnapshotIterator(final AbstractSharedQueue<E> queue, final Iterator<E> snapshot)
    {
        this.queue = queue;
        this.snapshot = snapshot;
    }

    @Override
    public boolean hasNext()
    {
        return snapshot.hasNext();
    }

    @Override
    public E next()
    {
        last = snapshot.next();
        return last;
    }

    @Override
    public void remove()
    {
        if (last == null)
        {
            throw new IllegalStateException("remove() without a next() before it on an iterator of " + queue);
        }
        queue.remove(last);
        last = null;
    }
}
