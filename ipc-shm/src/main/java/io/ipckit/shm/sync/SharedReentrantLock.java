package io.ipckit.shm.sync;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.shm.ShmOptions;

/**
 * Python's {@code multiprocessing.RLock}: a {@link SharedLock} that the thread holding it may acquire again, as
 * {@link java.util.concurrent.locks.ReentrantLock}; it is released when {@link #unlock()} has been called as many
 * times as it was acquired. Reentrancy is per thread of the owning process, through one object: other threads, other
 * objects on the same name and other processes wait. A dead owner is taken over as for {@link SharedLock}.
 * <p>
 * Thread-safe and process-safe.
 */
public final class SharedReentrantLock extends SharedLock
{
    SharedReentrantLock(final ResourceFile file, final boolean ownsFile)
    {
        super(file, ownsFile, true);
    }

    /**
     * Creates a reentrant lock, free.
     *
     * @param name a valid resource name, unique in the shared directory.
     * @return the lock, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     */
    public static SharedReentrantLock create(final String name)
    {
        return create(name, new ShmOptions());
    }

    /**
     * Creates a reentrant lock, free.
     *
     * @param name    a valid resource name, unique in the shared directory.
     * @param options {@link ShmOptions#persistent} to keep it when this process dies without unlinking it; no other
     *                option applies.
     * @return the lock, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws IllegalArgumentException                          when an option that does not apply is set.
     */
    public static SharedReentrantLock create(final String name, final ShmOptions options)
    {
        return new SharedReentrantLock(SyncFiles.create(name, ResourceKind.RLOCK, LockDescriptor.LENGTH,
            SyncFiles.persistent(options, ResourceKind.RLOCK, name), null), true);
    }

    /**
     * Opens a reentrant lock created by {@link #create}.
     *
     * @param name the lock's name.
     * @return the lock, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException  when there is no such name.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a reentrant lock.
     */
    public static SharedReentrantLock open(final String name)
    {
        return new SharedReentrantLock(SyncFiles.open(name, ResourceKind.RLOCK, LockDescriptor.LENGTH), true);
    }

    /**
     * @return the number of holds of the calling thread, 0 when it does not hold the lock.
     */
    public int getHoldCount()
    {
        return holdCount();
    }
}
