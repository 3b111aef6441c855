package io.ipckit.shm.sync;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.shm.ShmOptions;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.TimeUnit;

import static io.ipckit.shm.sync.EventDescriptor.DOORBELL_OFFSET;
import static io.ipckit.shm.sync.EventDescriptor.FLAG_OFFSET;
import static io.ipckit.shm.sync.EventDescriptor.SETS_OFFSET;

/**
 * Python's {@code multiprocessing.Event}: a named flag that processes {@link #set}, {@link #clear} and
 * {@link #await} across JVMs. Waiters spin briefly, then sleep on a {@link Doorbell} (the kit's {@link Waiter}); {@link #set} wakes every sleeper and
 * enters the kernel only when some sleep. A {@link #set} during a wait ends it with true even when a {@link #clear}
 * follows at once, as in Python. Everything written before {@link #set} happens-before the return of an
 * {@link #await} that sees it set or that it woke.
 * <p>
 * Thread-safe and process-safe. {@link #close()} wakes this object's blocked threads, which then throw
 * {@link io.ipckit.core.exceptions.ResourceClosedException}.
 */
public final class SharedEvent implements AutoCloseable
{
    private final ResourceFile file;
    private final AtomicBuffer buffer;
    private final int flagOffset;
    private final int setsOffset;
    private final Doorbell doorbell = new Doorbell();
    private final CloseGuard guard;
    /** One waiter per thread that blocks on this object (a {@link Waiter} serves one thread). */
    private final ThreadLocal<Waiter> waiters;

    private SharedEvent(final ResourceFile file)
    {
        this.file = file;
        this.buffer = file.buffer();
        this.flagOffset = file.headerLength() + FLAG_OFFSET;
        this.setsOffset = file.headerLength() + SETS_OFFSET;
        doorbell.wrap(buffer, file.headerLength() + DOORBELL_OFFSET);
        this.guard = new CloseGuard("Event \"" + file.name() + "\"");
        this.waiters = ThreadLocal.withInitial(() -> new Waiter(doorbell, null, guard));
    }

    /**
     * Creates an event, clear.
     *
     * @param name a valid resource name, unique in the shared directory.
     * @return the event, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     */
    public static SharedEvent create(final String name)
    {
        return create(name, new ShmOptions());
    }

    /**
     * Creates an event, clear.
     *
     * @param name    a valid resource name, unique in the shared directory.
     * @param options {@link ShmOptions#persistent} to keep it when this process dies without unlinking it; no other
     *                option applies.
     * @return the event, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws IllegalArgumentException                          when an option that does not apply is set.
     */
    public static SharedEvent create(final String name, final ShmOptions options)
    {
        return new SharedEvent(SyncFiles.create(name, ResourceKind.EVENT, EventDescriptor.LENGTH,
            SyncFiles.persistent(options, ResourceKind.EVENT, name), null));
    }

    /**
     * Opens an event created by {@link #create}.
     *
     * @param name the event's name.
     * @return the event, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException  when there is no such name.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not an event.
     */
    public static SharedEvent open(final String name)
    {
        return new SharedEvent(SyncFiles.open(name, ResourceKind.EVENT, EventDescriptor.LENGTH));
    }

    /**
     * Sets the flag and wakes every waiter.
     */
    public void set()
    {
        try
        {
            ensureOpen();
            // release store -> publishes what the setter wrote before set() to every waiter that sees the flag
            buffer.putIntRelease(flagOffset, 1);
            while (true)
            {
                final int sets = buffer.getIntVolatile(setsOffset);
                // full fence CAS -> a waiter that sees the count move sees what the flag publishes, even if a clear()
                // came since
                if (buffer.compareAndSetInt(setsOffset, sets, sets + 1))
                {
                    break;
                }
            }
            doorbell.ring();
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Clears the flag; later waits block until the next {@link #set}.
     */
    public void clear()
    {
        try
        {
            ensureOpen();
            buffer.putIntRelease(flagOffset, 0);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return true when the flag is set.
     */
    public boolean isSet()
    {
        try
        {
            ensureOpen();
            return buffer.getIntAcquire(flagOffset) != 0;
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Waits until the flag is set, as long as it takes.
     *
     * @throws InterruptedException when interrupted before or while waiting.
     */
    public void await() throws InterruptedException
    {
        try
        {
            await(-1);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Python's {@code wait(timeout)}: waits until the flag is set or the timeout passes.
     *
     * @param time the most to wait.
     * @param unit its unit.
     * @return true when the flag was set, or was set during the wait (even if cleared again since); false when the
     *         time passed without it being set.
     * @throws InterruptedException when interrupted before or while waiting.
     */
    public boolean await(final long time, final TimeUnit unit) throws InterruptedException
    {
        try
        {
            return await(Math.max(0, unit.toNanos(time)));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return the resource name.
     */
    public String name()
    {
        return file.name();
    }

    /**
     * Removes the name; processes that have it open keep using it.
     *
     * @return true when this call removed it.
     */
    public boolean unlink()
    {
        return file.unlink();
    }

    /**
     * Unmaps the event. Idempotent.
     */
    @Override
    public void close()
    {
        if (guard.closeAndAwait(doorbell))
        {
            file.close();
        }
    }

    /**
     * @return name and flag, for diagnostics.
     */
    @Override
    public String toString()
    {
        return "Event{" + file.name() + (guard.isClosed() ? ", closed}" : isSet() ? ", set}" : ", clear}");
    }

    int sleepers()
    {
        return doorbell.waiters();
    }

    private boolean await(final long timeoutNs) throws InterruptedException
    {
        ensureOpen();
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        // read before the flag: a set that this read misses moves the count later
        final int sets = buffer.getIntAcquire(setsOffset);
        if (buffer.getIntAcquire(flagOffset) != 0)
        {
            return true;
        }
        final Waiter waiter = waiters.get();
        waiter.begin(timeoutNs);
        try
        {
            while (true)
            {
                final int sequence = waiter.sequence();
                if (buffer.getIntAcquire(flagOffset) != 0 || buffer.getIntAcquire(setsOffset) != sets)
                {
                    return true; // set, or set and cleared again since this wait began
                }
                waiter.peersWatched(); // no process to look at: only set() (a ring) ends this wait
                if (!waiter.pause(sequence))
                {
                    return false;
                }
            }
        }
        finally
        {
            waiter.end();
        }
    }

    private void ensureOpen()
    {
        if (guard.isClosed())
        {
            throw SyncFiles.closed(file);
        }
    }
}
