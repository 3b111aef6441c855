package io.ipckit.shm.sync;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.OwnerLock;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.shm.ShmOptions;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import static io.ipckit.shm.sync.LockDescriptor.COND_DOORBELL_OFFSET;
import static io.ipckit.shm.sync.LockDescriptor.LOCK_DOORBELL_OFFSET;
import static io.ipckit.shm.sync.LockDescriptor.OWNER_OFFSET;
import static io.ipckit.shm.sync.LockDescriptor.OWNER_THREAD_OFFSET;
import static io.ipckit.shm.sync.LockDescriptor.TAKEOVERS_OFFSET;

/**
 * Python's {@code multiprocessing.Lock} as a {@link Lock}: a named mutual-exclusion lock that threads of any process
 * on the host acquire by opening the same name, robust to the death of its owner.
 * <pre>{@code
 * try (SharedLock lock = SharedLock.open("orders.lock")) {
 *     lock.lock();
 *     try {
 *         if (lock.lastAcquireRecoveredFromDeadOwner()) {
 *             repair();                     // the previous owner died holding the lock
 *         }
 *         update();
 *     } finally {
 *         lock.unlock();
 *     }
 * }
 * }</pre>
 * <b>Ownership.</b> The owner is recorded in shared memory as the owning process (pid and start time, one 64-bit
 * word claimed by compare-and-set) and, in this object, as the owning thread: only that thread may
 * {@link #unlock()} ({@link IllegalMonitorStateException} otherwise). Two objects opened on the same name in one
 * process exclude each other as two processes would.
 * <p>
 * <b>Dead owners.</b> A waiting thread checks whether the owning process is still alive when this object has not
 * checked for {@link LivenessCheckInterval#INTERVAL_DEFAULT_MS} ms (property
 * {@value LivenessCheckInterval#INTERVAL_PROP_NAME}, shared with pipes and queues), and then at that interval, so a
 * loop of waits shorter than the interval checks too; while the owner lives, a blocked waiter then has the kernel
 * watch it (see the package notes) and learns of its death at once. When it died (SIGKILL, crash) the waiter takes
 * the lock over with a compare-and-set, and
 * {@link #lastAcquireRecoveredFromDeadOwner()} then returns true until it unlocks, like {@code EOWNERDEAD} of a
 * robust pthread mutex: the data the lock guards may be half-updated. {@link #tryLock()} does not check.
 * <p>
 * <b>Blocking.</b> A waiter first looks at the lock a few times with pauses that double between looks (about
 * 2.5 µs in all), which leaves the lock's cache line with a holder that is busy with it; it then spins briefly and
 * sleeps on the lock's {@link Doorbell} (the kit's {@link Waiter});
 * {@link #unlock()} enters the kernel only when a waiter sleeps, and then wakes every sleeper (one takes the lock,
 * the others sleep again). Idle waiters use no CPU. Unlock happens-before the next acquisition in any
 * process (release store of the owner word, read by the acquirer's compare-and-set). The lock is not fair, as
 * {@link java.util.concurrent.locks.ReentrantLock} by default is not: a thread that unlocks may take it again before
 * a waiter does.
 * <p>
 * This lock is not reentrant: {@link #lock()} by the thread that holds it throws {@link IllegalStateException}
 * instead of deadlocking, {@link #tryLock} returns false; see {@link SharedReentrantLock}.
 * <p>
 * Thread-safe and process-safe. {@link #close()} wakes this object's blocked threads, which then throw
 * {@link io.ipckit.core.exceptions.ResourceClosedException}.
 */
public sealed class SharedLock implements Lock, AutoCloseable permits SharedReentrantLock
{
    private static final VarHandle HOLDER;

    static
    {
        try
        {
            HOLDER = MethodHandles.lookup().findVarHandle(SharedLock.class, "holder", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    static final int TIMED_OUT = 0;
    static final int ACQUIRED = 1;
    static final int RECOVERED = 2;

    private final ResourceFile file;
    private final boolean ownsFile;
    private final boolean reentrant;
    private final AtomicBuffer buffer;
    private final OwnerLock owner = new OwnerLock();
    private final Doorbell doorbell = new Doorbell();
    private final Doorbell conditionDoorbell = new Doorbell();
    private final CloseGuard guard;
    /** One waiter per thread that blocks on this object (a {@link Waiter} serves one thread). */
    private final ThreadLocal<Waiter> waiters;
    /** Kept across calls, so that calls waiting less than the interval each still look once it has passed. */
    private final LivenessCheckInterval ownerCheck = new LivenessCheckInterval();
    /**
     * The thread that holds the lock through this object. Stored with release semantics ({@link #HOLDER}): a plain
     * volatile store would add a full fence to every hold and every release. The holder thread reads its own
     * stores; another thread (a close) reads a value at least as recent as the last release it synchronised with.
     */
    private volatile Thread holder;
    private int holds;
    private boolean recovered;
    private SharedCondition condition;

    SharedLock(final ResourceFile file, final boolean ownsFile, final boolean reentrant)
    {
        this.file = file;
        this.ownsFile = ownsFile;
        this.reentrant = reentrant;
        this.buffer = file.buffer();
        owner.wrap(buffer, file.headerLength() + OWNER_OFFSET);
        doorbell.wrap(buffer, file.headerLength() + LOCK_DOORBELL_OFFSET);
        conditionDoorbell.wrap(buffer, file.headerLength() + COND_DOORBELL_OFFSET);
        this.guard = new CloseGuard(file.kind().displayName() + " \"" + file.name() + "\"");
        this.waiters = ThreadLocal.withInitial(() -> new Waiter(doorbell, null, guard));
    }

    /**
     * Creates a lock, free.
     *
     * @param name a valid resource name, unique in the shared directory.
     * @return the lock, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws io.ipckit.core.exceptions.InvalidNameException    when the name is not valid.
     */
    public static SharedLock create(final String name)
    {
        return create(name, new ShmOptions());
    }

    /**
     * Creates a lock, free.
     *
     * @param name    a valid resource name, unique in the shared directory.
     * @param options {@link ShmOptions#persistent} to keep it when this process dies without unlinking it; no other
     *                option applies.
     * @return the lock, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws io.ipckit.core.exceptions.InvalidNameException    when the name is not valid.
     * @throws IllegalArgumentException                          when an option that does not apply is set.
     */
    public static SharedLock create(final String name, final ShmOptions options)
    {
        return new SharedLock(SyncFiles.create(name, ResourceKind.LOCK, LockDescriptor.LENGTH,
            SyncFiles.persistent(options, ResourceKind.LOCK, name), null), true, false);
    }

    /**
     * Opens a lock created by {@link #create}, in this or another process.
     *
     * @param name the lock's name.
     * @return the lock, to be closed by the caller.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException  when there is no such name.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a lock.
     * @throws io.ipckit.core.exceptions.CorruptResourceException   when the file is damaged.
     */
    public static SharedLock open(final String name)
    {
        return new SharedLock(SyncFiles.open(name, ResourceKind.LOCK, LockDescriptor.LENGTH), true, false);
    }

    /**
     * Acquires the lock, waiting as long as it takes; interruption is remembered and re-asserted on return.
     *
     * @throws IllegalStateException when this lock is not reentrant and the calling thread already holds it.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when closed.
     */
    @Override
    public void lock()
    {
        try
        {
            try
            {
                acquire(-1, false);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException("unreachable: uninterruptible acquire was interrupted", ex);
            }
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Acquires the lock unless the thread is interrupted.
     *
     * @throws InterruptedException  when interrupted before or while waiting.
     * @throws IllegalStateException when this lock is not reentrant and the calling thread already holds it.
     */
    @Override
    public void lockInterruptibly() throws InterruptedException
    {
        try
        {
            acquire(-1, true);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Acquires the lock only if it is free now (no check of the owner's liveness).
     *
     * @return true when acquired.
     */
    @Override
    public boolean tryLock()
    {
        try
        {
            ensureOpen();
            final Thread thread = Thread.currentThread();
            if (holder == thread)
            {
                return reenter();
            }
            if (owner.tryAcquire())
            {
                onAcquired(thread, false);
                return true;
            }
            return false;
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Acquires the lock if it becomes free, or its owner is found dead, within the timeout.
     *
     * @param time the most to wait; 0 or less tries once.
     * @param unit its unit.
     * @return true when acquired, false when the time passed first.
     * @throws InterruptedException when interrupted before or while waiting.
     */
    @Override
    public boolean tryLock(final long time, final TimeUnit unit) throws InterruptedException
    {
        try
        {
            return acquire(Math.max(0, unit.toNanos(time)), true) != TIMED_OUT;
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Releases the lock (one hold of a reentrant lock) and wakes one sleeping waiter, if any.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock through this object.
     */
    @Override
    public void unlock()
    {
        try
        {
            ensureOpen();
            if (holder != Thread.currentThread())
            {
                throw notHeld("unlock");
            }
            if (--holds == 0)
            {
                release();
            }
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * The condition queue of this lock, shared by every process: all conditions returned by this method, in any
     * process, are the same queue (a wait may therefore be woken by a signal meant for another predicate, which
     * {@link java.util.concurrent.locks.Condition} allows as a spurious wake-up).
     *
     * @return the condition, bound to this object.
     */
    @Override
    public SharedCondition newCondition()
    {
        try
        {
            ensureOpen();
            SharedCondition c = condition;
            if (c == null)
            {
                c = new SharedCondition(this, file, false);
                condition = c;
            }
            return c;
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Was the current hold of the calling thread obtained by taking over from an owner process that died holding
     * the lock? Then the data it guards may be inconsistent: repair it before unlocking.
     *
     * @return true when the calling thread holds the lock and took it over from a dead owner.
     */
    public boolean lastAcquireRecoveredFromDeadOwner()
    {
        return holder == Thread.currentThread() && recovered;
    }

    /**
     * @return true when the calling thread holds the lock through this object.
     */
    public boolean isHeldByCurrentThread()
    {
        return holder == Thread.currentThread();
    }

    /**
     * @return true when some thread of some process holds the lock now (a snapshot).
     */
    public boolean isLocked()
    {
        try
        {
            ensureOpen();
            return owner.holder() != OwnerToken.NONE;
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return the pid of the owning process, or 0 when the lock is free (a snapshot, for diagnostics).
     */
    public long ownerPid()
    {
        try
        {
            ensureOpen();
            return OwnerToken.pid(owner.holder());
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return how many times, over the lock's life, a waiter took it over from a dead owner.
     */
    public long takeovers()
    {
        try
        {
            ensureOpen();
            return buffer.getLongVolatile(file.headerLength() + TAKEOVERS_OFFSET);
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
     * Closes this object, first releasing the lock if a thread holds it through this object. Idempotent.
     */
    @Override
    public void close()
    {
        if (guard.closeAndAwait(doorbell, conditionDoorbell))
        {
            try
            {
                if (holder != null && file.isIntact())
                {
                    holder = null;
                    holds = 0;
                    release();
                }
            }
            catch (final InternalError ex)
            {
                // truncated by another process since the check: there is no lock word left to release
            }
            finally
            {
                holder = null;
                if (ownsFile)
                {
                    file.close();
                }
            }
        }
    }

    /**
     * @return name, kind and owner, for diagnostics.
     */
    @Override
    public String toString()
    {
        if (guard.isClosed())
        {
            return file.kind().displayName() + "{" + file.name() + ", closed}";
        }
        final long token = owner.holder();
        return file.kind().displayName() + "{" + file.name() + ", " + (token == OwnerToken.NONE ? "free" :
            "held by pid " + OwnerToken.pid(token) + " thread " + buffer.getLongVolatile(
                file.headerLength() + OWNER_THREAD_OFFSET)) + "}";
    }

    /**
     * Acquires the lock.
     *
     * @param timeoutNs     the most to wait; negative without limit, 0 tries once and checks the owner's liveness.
     * @param interruptible true to throw on interruption, false to remember it and re-assert it on return.
     * @return {@link #ACQUIRED}, {@link #RECOVERED} or {@link #TIMED_OUT}.
     * @throws InterruptedException when interruptible and interrupted.
     */
    final int acquire(final long timeoutNs, final boolean interruptible) throws InterruptedException
    {
        ensureOpen();
        if (interruptible && Thread.interrupted())
        {
            throw new InterruptedException();
        }
        final Thread thread = Thread.currentThread();
        if (holder == thread)
        {
            if (reenter())
            {
                return ACQUIRED;
            }
            if (timeoutNs < 0)
            {
                throw new IllegalStateException(file.kind().displayName() + " \"" + file.name() + "\" is already " +
                    "held by this thread and is not reentrant: waiting would deadlock; use a SharedReentrantLock");
            }
            return TIMED_OUT;
        }
        // a call that may wait first spins a little for a holder that is about to let go: see tryAcquireWithBackoff
        if (owner.tryAcquire() || timeoutNs != 0 && owner.tryAcquireWithBackoff())
        {
            onAcquired(thread, false);
            return ACQUIRED;
        }
        return awaitOwner(thread, timeoutNs, interruptible);
    }

    private int awaitOwner(final Thread thread, final long timeoutNs, final boolean interruptible)
        throws InterruptedException
    {
        final Waiter waiter = waiters.get();
        boolean interrupted = false;
        waiter.begin(timeoutNs);
        try
        {
            while (true)
            {
                final int sequence = waiter.sequence();
                if (owner.holder() == OwnerToken.NONE)
                {
                    if (owner.tryAcquire())
                    {
                        onAcquired(thread, false);
                        return ACQUIRED;
                    }
                    continue;
                }
                if (waiter.livenessCheckDue(ownerCheck))
                {
                    file.requireIntact(); // slow path: refuse a file truncated under a waiter before taking over
                    if (owner.tryTakeOverFromDead() != OwnerToken.NONE)
                    {
                        buffer.getAndAddLong(file.headerLength() + TAKEOVERS_OFFSET, 1);
                        onAcquired(thread, true);
                        return RECOVERED;
                    }
                    final long holder = owner.holder();
                    if (holder != OwnerToken.NONE)
                    {
                        waiter.watchOnly(holder); // the kernel tells this wait when the holder exits; a release rings
                    }
                }
                try
                {
                    if (!waiter.pause(sequence))
                    {
                        return TIMED_OUT;
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
            waiter.end();
            if (interrupted)
            {
                thread.interrupt();
            }
        }
    }

    /**
     * Releases every hold of the calling thread, for a condition wait.
     *
     * @return the number of holds released, to give back to {@link #reacquireAfterWait}.
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock.
     */
    final int releaseForWait()
    {
        final int released = holds;
        holds = 0;
        release();
        return released;
    }

    /**
     * Reacquires the lock after a condition wait, uninterruptibly, and restores the holds.
     *
     * @param savedHolds what {@link #releaseForWait} returned.
     */
    final void reacquireAfterWait(final int savedHolds)
    {
        lock();
        holds = savedHolds;
    }

    /**
     * @param action what the caller was doing, for the message.
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock through this object.
     */
    final void checkHeld(final String action)
    {
        ensureOpen();
        if (holder != Thread.currentThread())
        {
            throw notHeld(action);
        }
    }

    final void ensureOpen()
    {
        if (guard.isClosed())
        {
            throw SyncFiles.closed(file);
        }
    }

    final CloseGuard guard()
    {
        return guard;
    }

    final Doorbell conditionDoorbell()
    {
        return conditionDoorbell;
    }

    /**
     * @return the number of threads asleep (or about to sleep) waiting for the lock, a snapshot.
     */
    final int sleepers()
    {
        return doorbell.waiters();
    }

    final int holdCount()
    {
        return holder == Thread.currentThread() ? holds : 0;
    }

    private boolean reenter()
    {
        if (!reentrant)
        {
            return false;
        }
        if (holds == Integer.MAX_VALUE)
        {
            throw new IllegalStateException(file.kind().displayName() + " \"" + file.name() +
                "\": maximum hold count exceeded");
        }
        holds++;
        return true;
    }

    private void onAcquired(final Thread thread, final boolean fromDeadOwner)
    {
        buffer.putLong(file.headerLength() + OWNER_THREAD_OFFSET, thread.threadId());
        HOLDER.setRelease(this, thread); // after the owner word's compare-and-set, a full fence already
        holds = 1;
        recovered = fromDeadOwner;
    }

    private void release()
    {
        HOLDER.setRelease(this, (Thread)null); // ordered before the owner word's release store below
        recovered = false;
        buffer.putLong(file.headerLength() + OWNER_THREAD_OFFSET, 0);
        owner.release(); // release store -> publishes everything written under the lock to the next owner
        doorbell.ring();
    }

    private IllegalMonitorStateException notHeld(final String action)
    {
        return new IllegalMonitorStateException("cannot " + action + " " + file.kind().displayName() + " \"" +
            file.name() + "\": the calling thread does not hold it through this object (" + this + ")");
    }
}
