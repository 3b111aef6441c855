package io.ipckit.shm;

import io.ipckit.core.ResourceName;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.array.SharedArray;
import io.ipckit.shm.list.ShareableList;
import io.ipckit.shm.value.SharedValue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Python's {@code multiprocessing.managers.SharedMemoryManager}: creates shared resources and, when closed,
 * closes and unlinks every one of them, so a try-with-resources block leaves nothing behind.
 * <pre>{@code
 * try (SharedMemoryManager manager = new SharedMemoryManager()) {
 *     SharedArray frame = manager.sharedArray(DType.UINT8, 1080, 1920, 3);
 *     workers.submit(frame.name());           // other JVMs open it by name
 *     ...
 * }                                           // every resource unlinked here
 * }</pre>
 * No server process is needed (Python's manager starts one): everything it creates is registered with the
 * resource tracker, which removes it if this process dies before {@link #close()}.
 * <p>
 * Thread-safe. {@link #close()} is idempotent; creating through a closed manager throws
 * {@link ResourceClosedException}.
 */
public final class SharedMemoryManager implements AutoCloseable
{
    private final List<Managed> resources = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * A manager with nothing in it yet.
     */
    public SharedMemoryManager()
    {
    }

    /**
     * @param sizeBytes the size.
     * @return a new segment with a random name; see {@link SharedMemory#create(String, long)}.
     */
    public SharedMemory sharedMemory(final long sizeBytes)
    {
        return sharedMemory(ResourceName.random(null), sizeBytes);
    }

    /**
     * @param name      a valid resource name.
     * @param sizeBytes the size.
     * @return a new segment; see {@link SharedMemory#create(String, long)}.
     */
    public SharedMemory sharedMemory(final String name, final long sizeBytes)
    {
        checkOpen();
        final SharedMemory memory = SharedMemory.create(name, sizeBytes);
        return add(memory, memory.name(), memory::unlink, memory);
    }

    /**
     * @param dtype the element type.
     * @param shape the shape.
     * @return a new array with a random name; see {@link SharedArray#create(String, DType, long...)}.
     */
    public SharedArray sharedArray(final DType dtype, final long... shape)
    {
        return sharedArray(ResourceName.random(null), dtype, shape);
    }

    /**
     * @param name  a valid resource name.
     * @param dtype the element type.
     * @param shape the shape.
     * @return a new array; see {@link SharedArray#create(String, DType, long...)}.
     */
    public SharedArray sharedArray(final String name, final DType dtype, final long... shape)
    {
        checkOpen();
        final SharedArray array = SharedArray.create(name, dtype, shape);
        return add(array, array.name(), array::unlink, array);
    }

    /**
     * @param name   a valid resource name.
     * @param dtype  the type.
     * @param length the number of elements.
     * @return a new shared value; see {@link SharedValue#create(String, DType, int)}.
     */
    public SharedValue sharedValue(final String name, final DType dtype, final int length)
    {
        checkOpen();
        final SharedValue value = SharedValue.create(name, dtype, length);
        return add(value, value.name(), value::unlink, value);
    }

    /**
     * @param items the initial items.
     * @return a new list with a random name; see {@link ShareableList#create(String, List)}.
     */
    public ShareableList shareableList(final List<?> items)
    {
        return shareableList(ResourceName.random(null), items, new ShmOptions());
    }

    /**
     * @param name    a valid resource name.
     * @param items   the initial items.
     * @param options the list's options, e.g. {@link ShmOptions#minSlotBytes}.
     * @return a new list; see {@link ShareableList#create(String, List, ShmOptions)}.
     */
    public ShareableList shareableList(final String name, final List<?> items, final ShmOptions options)
    {
        checkOpen();
        final ShareableList list = ShareableList.create(name, items, options);
        return add(list, list.name(), list::unlink, list);
    }

    /**
     * @return the names of the resources created so far and not yet released, in creation order.
     */
    public synchronized List<String> names()
    {
        final List<String> names = new ArrayList<>(resources.size());
        for (final Managed managed : resources)
        {
            names.add(managed.name);
        }
        return names;
    }

    /**
     * Closes and unlinks every resource created here, in reverse order of creation. A resource that someone else
     * already unlinked is skipped. Idempotent.
     *
     * @throws RuntimeException the first failure to release a resource, with any others suppressed, after trying
     *                          every resource.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        RuntimeException failure = null;
        final List<Managed> toRelease;
        synchronized (this)
        {
            toRelease = new ArrayList<>(resources);
            resources.clear();
        }
        for (int i = toRelease.size() - 1; i >= 0; i--)
        {
            final Managed managed = toRelease.get(i);
            try
            {
                managed.unlink.run();
            }
            catch (final ResourceNotFoundException ignore)
            {
                // unlinked by another process already: the goal is reached
            }
            catch (final RuntimeException ex)
            {
                failure = addFailure(failure, ex);
            }
            try
            {
                managed.closeable.close();
            }
            catch (final Exception ex)
            {
                failure = addFailure(failure, ex instanceof RuntimeException runtime ? runtime : new RuntimeException(ex));
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    private static RuntimeException addFailure(final RuntimeException first, final RuntimeException next)
    {
        if (first == null)
        {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private synchronized <T> T add(
        final T resource, final String name, final Runnable unlink, final AutoCloseable closeable)
    {
        if (closed.get())
        {
            unlink.run();
            try
            {
                closeable.close();
            }
            catch (final Exception ignore)
            {
                // the manager closed while this was being created: it is already unlinked
            }
            throw closedException();
        }
        resources.add(new Managed(name, unlink, closeable));
        return resource;
    }

    private void checkOpen()
    {
        if (closed.get())
        {
            throw closedException();
        }
    }

    private static ResourceClosedException closedException()
    {
        return new ResourceClosedException("this SharedMemoryManager is closed and has unlinked what it created; " +
            "use a new manager");
    }

    private record Managed(String name, Runnable unlink, AutoCloseable closeable)
    {
    }
}
