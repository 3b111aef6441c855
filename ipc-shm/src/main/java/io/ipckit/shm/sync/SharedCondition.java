package io.ipckit.shm.sync;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.shm.ShmOptions;
import org.agrona.concurrent.AtomicBuffer;

import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;

import static io.ipckit.shm.sync.LockDescriptor.COND_BROADCASTS_OFFSET;
import static io.ipckit.shm.sync.LockDescriptor.COND_CONSUMED_OFFSET;
import static io.ipckit.shm.sync.LockDescriptor.COND_GRANTED_OFFSET;
import static io.ipckit.shm.sync.LockDescriptor.COND_REGISTERED_OFFSET;

/**
 * Python's {@code multiprocessing.Condition} as a {@link Condition}: a condition queue shared by every process that
 * opens it, bound to a {@link SharedLock}. Obtain one from {@link SharedLock#newCondition()}, or as a named resource
 * with its own {@link SharedReentrantLock} (Python's default) from {@link #create}/{@link #open}.
 * <p>
 * As every {@link Condition}: await and signal require holding the lock ({@link IllegalMonitorStateException}
 * otherwise); await releases it fully (all holds of a reentrant lock), waits, and reacquires it before returning
 * or throwing. A signal lets one waiter that registered before it leave (the doorbell wakes every sleeper, and the
 * others sleep again); {@link #signalAll()} wakes all of them. A
 * signal that meets a waiter whose timeout or interrupt happens at the same time is consumed by that waiter, which
 * then returns as signalled, so no signal is lost. Spurious wake-ups are rare but permitted.
 * <p>
 * <b>Note to maintainers.</b> The queue is three counters guarded by the lock, as the futex condition variable of
 * older glibc: registered waits, granted signals and consumed signals, plus a broadcast count. A waiter registers
 * (reads granted as its ticket), waits on the condition's {@link Doorbell} (with the kit's {@link Waiter}) without the lock, and leaves when granted moved past
 * its ticket and some granted signal is not consumed yet, or when a broadcast happened; a waiter that times out
 * consumes a signal it grants itself, so that the counters stay balanced. Waiters read the counters without the
 * lock only as a hint, and decide under the lock. A waiter process that dies registered leaves a surplus
 * registration: a later signal may then wake nobody, which only a waiter registered before it could notice.
 * <p>
 * Thread-safe and process-safe.
 */
public final class SharedCondition implements Condition, AutoCloseable
{
    private final SharedLock lock;
    private final ResourceFile file;
    private final boolean ownsFile;
    private final AtomicBuffer buffer;
    private final int registeredOffset;
    private final int grantedOffset;
    private final int consumedOffset;
    private final int broadcastsOffset;
    private final Doorbell doorbell;
    /** One waiter per thread that blocks on this object (a {@link Waiter} serves one thread). */
    private final ThreadLocal<Waiter> waiters;
    private final AtomicBoolean closed = new AtomicBoolean();

    SharedCondition(final SharedLock lock, final ResourceFile file, final boolean ownsFile)
    {
        final int base = file.headerLength();
        this.lock = lock;
        this.file = file;
        this.ownsFile = ownsFile;
        this.buffer = file.buffer();
        this.registeredOffset = base + COND_REGISTERED_OFFSET;
        this.grantedOffset = base + COND_GRANTED_OFFSET;
        this.consumedOffset = base + COND_CONSUMED_OFFSET;
        this.broadcastsOffset = base + COND_BROADCASTS_OFFSET;
        this.doorbell = lock.conditionDoorbell();
        this.waiters = ThreadLocal.withInitial(() -> new Waiter(doorbell, null, lock.guard()));
    }

    /**
     * Creates a named condition with its own reentrant lock, as Python's {@code Condition()}.
     *
     * @param name a valid resource name, unique in the shared directory.
     * @return the condition, to be closed by the caller (which closes its lock).
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     */
    public static SharedCondition create(final String name)
    {
        return create(name, new ShmOptions());
    }

    /**
     * Creates a named condition with its own reentrant lock.
     *
     * @param name    a valid resource name, unique in the shared directory.
     * @param options {@link ShmOptions#persistent} to keep it when this process dies without unlinking it; no other
     *                option applies.
     * @return the condition, to be closed by the caller (which closes its lock).
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws IllegalArgumentException                          when an option that does not apply is set.
     */
    public static SharedCondition create(final String name, final ShmOptions options)
    {
        return standalone(SyncFiles.create(name, ResourceKind.CONDITION, LockDescriptor.LENGTH,
            SyncFiles.persistent(options, ResourceKind.CONDITION, name), null));
    }

    /**
     * Opens a condition created by {@link #create}.
     *
     * @param name the condition's name.
     * @return the condition, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException  when there is no such name.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a condition.
     */
    public static SharedCondition open(final String name)
    {
        return standalone(SyncFiles.open(name, ResourceKind.CONDITION, LockDescriptor.LENGTH));
    }

    private static SharedCondition standalone(final ResourceFile file)
    {
        return new SharedCondition(new SharedReentrantLock(file, false), file, true);
    }

    /**
     * @return the lock this condition is bound to; lock it around every await and signal.
     */
    public SharedLock lock()
    {
        try
        {
            return lock;
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void await() throws InterruptedException
    {
        try
        {
            doAwait(-1, true);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void awaitUninterruptibly()
    {
        try
        {
            try
            {
                doAwait(-1, false);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException("unreachable: uninterruptible wait was interrupted", ex);
            }
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long awaitNanos(final long nanosTimeout) throws InterruptedException
    {
        try
        {
            final long startNs = System.nanoTime();
            final long timeoutNs = Math.max(0, nanosTimeout);
            doAwait(timeoutNs, true);
            return timeoutNs - (System.nanoTime() - startNs);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Python's {@code wait(timeout)}: waits for a signal or the timeout.
     *
     * @param time the most to wait.
     * @param unit its unit.
     * @return false when the time passed without a signal, true when signalled.
     * @throws InterruptedException         when interrupted (the lock is held again).
     * @throws IllegalMonitorStateException when the lock is not held by the calling thread.
     */
    @Override
    public boolean await(final long time, final TimeUnit unit) throws InterruptedException
    {
        try
        {
            return doAwait(Math.max(0, unit.toNanos(time)), true);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean awaitUntil(final Date deadline) throws InterruptedException
    {
        try
        {
            return doAwait(Math.max(0, TimeUnit.MILLISECONDS.toNanos(deadline.getTime() - System.currentTimeMillis())),
                true);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Python's {@code wait_for(predicate)}: waits as long as it takes until {@code predicate} holds, testing it under
     * the lock first and after each wake-up.
     *
     * @param predicate a test of the shared state guarded by the lock.
     * @throws InterruptedException         when interrupted (the lock is held again).
     * @throws IllegalMonitorStateException when the lock is not held by the calling thread.
     */
    public void waitFor(final BooleanSupplier predicate) throws InterruptedException
    {
        try
        {
            waitFor(predicate, -1);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Python's {@code wait_for(predicate, timeout)}: waits until {@code predicate} holds, testing it under the lock
     * first and after each wake-up.
     *
     * @param predicate a test of the shared state guarded by the lock.
     * @param time      the most to wait; 0 or less tests the predicate once without waiting.
     * @param unit      its unit.
     * @return the last value of the predicate: false when the time passed first.
     * @throws InterruptedException         when interrupted (the lock is held again).
     * @throws IllegalMonitorStateException when the lock is not held by the calling thread.
     */
    public boolean waitFor(final BooleanSupplier predicate, final long time, final TimeUnit unit)
        throws InterruptedException
    {
        try
        {
            return waitFor(predicate, Math.max(0, unit.toNanos(time)));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    private boolean waitFor(final BooleanSupplier predicate, final long timeoutNs) throws InterruptedException
    {
        final long startNs = System.nanoTime();
        boolean result = predicate.getAsBoolean();
        while (!result)
        {
            long remainingNs = -1;
            if (timeoutNs >= 0)
            {
                remainingNs = timeoutNs - (System.nanoTime() - startNs);
                if (remainingNs <= 0)
                {
                    break;
                }
            }
            doAwait(remainingNs, true);
            result = predicate.getAsBoolean();
        }
        return result;
    }

    /**
     * Wakes one waiter registered before this call, if any (Python's {@code notify()}).
     *
     * @throws IllegalMonitorStateException when the lock is not held by the calling thread.
     */
    @Override
    public void signal()
    {
        try
        {
            signal(1);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Wakes up to {@code count} waiters registered before this call (Python's {@code notify(n)}).
     *
     * @param count how many waiters to wake, at least 0.
     * @throws IllegalMonitorStateException when the lock is not held by the calling thread.
     */
    public void signal(final int count)
    {
        try
        {
            checkHeld("signal");
            final long registered = buffer.getLong(registeredOffset);
            final long granted = buffer.getLong(grantedOffset);
            final long grant = Math.min(Math.max(count, 0), registered - granted);
            if (grant > 0)
            {
                // release store -> waiters read granted without the lock as a hint
                buffer.putLongRelease(grantedOffset, granted + grant);
                doorbell.ring();
            }
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Wakes every waiter registered before this call (Python's {@code notify_all()}).
     *
     * @throws IllegalMonitorStateException when the lock is not held by the calling thread.
     */
    @Override
    public void signalAll()
    {
        try
        {
            checkHeld("signalAll");
            final long registered = buffer.getLong(registeredOffset);
            if (registered > buffer.getLong(grantedOffset))
            {
                // release store -> waiters that see the new broadcast count leave without consuming; first, so that
                // a holder killed before the two stores below has still woken every waiter (after it, a later signal
                // may also wake a later waiter early: a spurious wake-up, which await allows)
                buffer.putLongRelease(broadcastsOffset, buffer.getLong(broadcastsOffset) + 1);
                buffer.putLongRelease(grantedOffset, registered);
                buffer.putLongRelease(consumedOffset, registered);
                doorbell.ring();
            }
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return the resource name of the file that holds this condition.
     */
    public String name()
    {
        return file.name();
    }

    /**
     * Removes the name of a condition made by {@link #create}; for one made by {@link SharedLock#newCondition()},
     * unlink the lock instead.
     *
     * @return true when this call removed it.
     */
    public boolean unlink()
    {
        return ownsFile && file.unlink();
    }

    /**
     * Closes a condition made by {@link #create}/{@link #open} together with its lock; for one made by
     * {@link SharedLock#newCondition()}, does nothing (close the lock). Idempotent.
     */
    @Override
    public void close()
    {
        if (ownsFile && closed.compareAndSet(false, true))
        {
            lock.close();
            file.close();
        }
    }

    /**
     * @return name and counters, for diagnostics.
     */
    @Override
    public String toString()
    {
        return "Condition{" + file.name() + ", bound to " + lock + "}";
    }

    int sleepers()
    {
        return doorbell.waiters();
    }

    private void checkHeld(final String action)
    {
        if (closed.get())
        {
            throw SyncFiles.closed(file);
        }
        lock.checkHeld(action + " on the condition of");
    }

    /**
     * Waits for a signal.
     *
     * @param timeoutNs     the most to wait; negative waits without limit.
     * @param interruptible true to throw on interruption, false to re-assert it on return.
     * @return true when signalled, false when the timeout passed.
     */
    private boolean doAwait(final long timeoutNs, final boolean interruptible) throws InterruptedException
    {
        checkHeld("await");
        if (interruptible && Thread.interrupted())
        {
            throw new InterruptedException();
        }
        final long ticket = buffer.getLong(grantedOffset);
        final long broadcasts = buffer.getLong(broadcastsOffset);
        buffer.putLongRelease(registeredOffset, buffer.getLong(registeredOffset) + 1);
        final int holds = lock.releaseForWait();
        final long startNs = System.nanoTime();
        final Waiter waiter = waiters.get();
        boolean interrupted = false;
        boolean signalled = false;
        try
        {
            while (true)
            {
                boolean mayLeave = false;
                waiter.begin(timeoutNs < 0 ? -1 : Math.max(0, timeoutNs - (System.nanoTime() - startNs)));
                try
                {
                    mayLeave = awaitHint(waiter, ticket, broadcasts, interruptible);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true; // interruptible only: leaves after reacquiring the lock
                }
                finally
                {
                    waiter.end();
                }
                lock.reacquireAfterWait(holds);
                if (leave(ticket, broadcasts))
                {
                    signalled = true;
                    return true;
                }
                if (!mayLeave || (interrupted && interruptible))
                {
                    break;
                }
                lock.releaseForWait(); // another waiter consumed the signal first: wait again
            }
            // a timed-out or interrupted waiter grants itself the signal it consumes, keeping the counters balanced
            buffer.putLongRelease(grantedOffset, buffer.getLong(grantedOffset) + 1);
            buffer.putLongRelease(consumedOffset, buffer.getLong(consumedOffset) + 1);
            if (interrupted && interruptible)
            {
                interrupted = false;
                throw new InterruptedException();
            }
            return false;
        }
        finally
        {
            if (interrupted && (signalled || !interruptible))
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits without the lock until the counters say this waiter may leave (a hint, decided under the lock), the
     * deadline passes, or an interruptible wait is interrupted.
     *
     * @return true when the counters say this waiter may leave, false when the deadline passed.
     * @throws InterruptedException when interruptible and interrupted; an uninterruptible wait remembers it in the
     *                              thread's flag and goes on.
     */
    private boolean awaitHint(
        final Waiter waiter, final long ticket, final long broadcasts, final boolean interruptible)
        throws InterruptedException
    {
        boolean interrupted = false;
        try
        {
            while (true)
            {
                final int sequence = waiter.sequence();
                if (mayLeave(ticket, broadcasts))
                {
                    return true;
                }
                waiter.peersWatched(); // no process to look at: only a signal (a ring) ends this wait
                try
                {
                    if (!waiter.pause(sequence))
                    {
                        return false;
                    }
                }
                catch (final InterruptedException ex)
                {
                    if (interruptible)
                    {
                        throw ex;
                    }
                    interrupted = true;
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean mayLeave(final long ticket, final long broadcasts)
    {
        if (buffer.getLongAcquire(broadcastsOffset) != broadcasts)
        {
            return true;
        }
        final long granted = buffer.getLongAcquire(grantedOffset);
        return granted != ticket && buffer.getLongAcquire(consumedOffset) != granted;
    }

    private boolean leave(final long ticket, final long broadcasts)
    {
        if (buffer.getLong(broadcastsOffset) != broadcasts)
        {
            return true;
        }
        final long granted = buffer.getLong(grantedOffset);
        final long consumed = buffer.getLong(consumedOffset);
        if (granted != ticket && consumed != granted)
        {
            buffer.putLongRelease(consumedOffset, consumed + 1);
            return true;
        }
        return false;
    }
}
