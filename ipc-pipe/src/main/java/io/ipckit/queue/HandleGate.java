package io.ipckit.queue;

import io.ipckit.core.internal.wait.AsymmetricFence;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises the threads of one queue handle on one side (producing or consuming), for free while only one thread
 * uses that side.
 * <p>
 * The first thread that enters becomes the <em>sole</em> thread: it enters and exits with two release stores of a
 * flag and two loads, no atomic instruction and no fence, so a put costs what the ring write costs. The first time
 * another thread enters, it takes the {@link ReentrantLock}, marks the gate shared, runs the waiting side of
 * {@link AsymmetricFence} and waits until the sole thread is out of its call; from then on every thread, the sole
 * one included, uses the lock. The Dekker pair is the sole thread's "in call" flag against the shared mark: either
 * the sole thread sees the mark when it enters (and takes the lock instead), or the revoking thread sees it in its
 * call (and waits for its exit, which unparks it).
 * <p>
 * Thread-safe. Not reentrant: a thread inside must {@link #exit()} before it enters again.
 */
final class HandleGate
{
    private static final VarHandle SOLE_THREAD;
    private static final VarHandle SOLE_IN_CALL;
    private static final long REVOKE_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(10);

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            SOLE_THREAD = lookup.findVarHandle(HandleGate.class, "soleThread", Thread.class);
            SOLE_IN_CALL = lookup.findVarHandle(HandleGate.class, "soleInCall", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    @SuppressWarnings("unused") // through SOLE_THREAD
    private volatile Thread soleThread;
    @SuppressWarnings("unused") // through SOLE_IN_CALL; written only by the sole thread
    private int soleInCall;
    private volatile boolean shared;
    private volatile Thread revoker;
    /** Guarded by {@link #lock}: the sole thread is known to be out of its last fast call. */
    private boolean revoked;

    /**
     * Enters the gate.
     *
     * @param timeoutNs the most to wait for another thread's call to end, 0 for a short grace
     *                  ({@link QueueCore#LOCK_GRACE_NS}), negative without a limit.
     * @return the part of {@code timeoutNs} left (0 as given, -1 for any negative value), or
     * {@link AbstractSharedQueue#TIMED_OUT}.
     * @throws InterruptedException when the thread is interrupted on entry (unless {@code timeoutNs} is 0: a call
     *                              that does not wait ignores the flag) or while waiting.
     */
    long enter(final long timeoutNs) throws InterruptedException
    {
        if (timeoutNs != 0 && Thread.interrupted())
        {
            throw new InterruptedException(); // as the lock's interruptible and timed forms do
        }
        final Thread current = Thread.currentThread();
        if (current == soleThread || soleThread == null && SOLE_THREAD.compareAndSet(this, null, current))
        {
            if ((int)SOLE_IN_CALL.getOpaque(this) == 1)
            {
                throw reentered();
            }
            SOLE_IN_CALL.setRelease(this, 1);
            AsymmetricFence.progressSide(); // the "in call" store before the load of the shared mark
            if (!shared)
            {
                return timeoutNs < 0 ? -1 : timeoutNs; // never TIMED_OUT
            }
            leaveSoleCall();
        }
        return enterLocked(timeoutNs);
    }

    /**
     * The fast way in for the thread that owns the gate, when no other thread has used it: an "in call" store and a
     * load, and nothing for {@link #exit(boolean)} to read. A caller that gets false enters with {@link #enter(long)}
     * (which also gives the gate to a first thread).
     *
     * @param timeoutNs the caller's timeout: when it is not 0, an interruption on entry throws, as in
     *                  {@link #enter(long)}.
     * @return true when entered.
     * @throws InterruptedException  when the thread is interrupted on entry and {@code timeoutNs} is not 0.
     * @throws IllegalStateException when the thread is already inside the gate.
     */
    boolean enterSole(final long timeoutNs) throws InterruptedException
    {
        if (timeoutNs != 0 && Thread.interrupted())
        {
            throw new InterruptedException();
        }
        return enterSoleNow();
    }

    /**
     * {@link #enterSole(long)} for a call that does not wait: the interrupt flag is neither read nor changed.
     *
     * @return true when entered.
     * @throws IllegalStateException when the thread is already inside the gate.
     */
    boolean enterSoleNow()
    {
        if (!isSoleThread()) // then the caller enters, which also gives the gate to a first thread
        {
            return false;
        }
        if ((int)SOLE_IN_CALL.get(this) == 1)
        {
            throw reentered();
        }
        SOLE_IN_CALL.setRelease(this, 1);
        AsymmetricFence.progressSide(); // the "in call" store before the load of the shared mark
        if (!shared)
        {
            return true;
        }
        leaveSoleCall();
        return false;
    }

    /**
     * Enters the gate without a limit, as {@link java.util.concurrent.locks.Lock#lock()} does: an interruption does
     * not stop the wait and stays set.
     */
    void enterUninterruptibly()
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                enter(-1);
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Leaves the gate.
     *
     * @param sole true when entered by {@link #enterSole(long)}, false when by {@link #enter(long)}.
     */
    void exit(final boolean sole)
    {
        if (sole)
        {
            leaveSoleCall();
        }
        else
        {
            exit();
        }
    }

    /**
     * Leaves the gate entered by this thread.
     */
    void exit()
    {
        if (isSoleInCall())
        {
            leaveSoleCall();
        }
        else // the lock, taken by enterLocked
        {
            lock.unlock();
        }
    }

    /**
     * Leaves the gate when the calling thread is inside it: for a call whose wait left the gate and did not enter it
     * again ({@link GateFreeSleep}: its time ran out, or it was interrupted or closed while outside).
     */
    void exitIfHeld()
    {
        if (isSoleInCall())
        {
            leaveSoleCall();
        }
        else if (lock.isHeldByCurrentThread())
        {
            lock.unlock();
        }
    }

    /**
     * For the thread inside the gate: whether another thread waits to enter. One volatile load while a single thread
     * has used the gate.
     *
     * @return true when another thread is taking the gate over from the sole thread, or is queued for its lock.
     */
    boolean isContended()
    {
        return shared && (revoker != null || lock.hasQueuedThreads());
    }

    /**
     * @return true when the calling thread is inside the gate.
     */
    boolean isHeldByCurrentThread()
    {
        return isSoleInCall() || lock.isHeldByCurrentThread();
    }

    /**
     * @return true when the calling thread is the gate's sole thread, inside it or not: one plain load, for a caller
     * whose own state says whether the sole thread is inside (a claim made by {@link #enterSoleNow()} and kept until
     * its commit).
     */
    boolean isSoleThread()
    {
        // a plain read: only the thread it names ever wrote it (once), and any other value answers false
        return (Thread)SOLE_THREAD.get(this) == Thread.currentThread();
    }

    /**
     * @return true when the calling thread is inside the gate as its sole thread (by {@link #enterSole(long)}, or by
     * {@link #enter(long)} before any other thread used the gate): {@link #exit(boolean) exit(true)} leaves it.
     */
    boolean isSoleInCall()
    {
        return Thread.currentThread() == soleThread && (int)SOLE_IN_CALL.getOpaque(this) == 1;
    }

    private static IllegalStateException reentered()
    {
        return new IllegalStateException("a queue call was made from inside another call of the same thread on the " +
            "same handle (a put between claim and commit, or a queue call from a handler): finish the outer call " +
            "first, or use another handle");
    }

    /**
     * Enters for closing: waits at most {@code timeoutNs} whatever interruptions come, and leaves the interrupt flag
     * as it found it (set if it was set or an interruption came).
     *
     * @return true when entered.
     */
    boolean enterForClose(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        boolean interrupted = Thread.interrupted();
        try
        {
            while (true)
            {
                try
                {
                    return enter(Math.max(1, deadlineNs - System.nanoTime())) != AbstractSharedQueue.TIMED_OUT;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
                catch (final IllegalStateException ex)
                {
                    return false; // closing from inside a call of this thread: the caller's call is still running
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

    private void leaveSoleCall()
    {
        SOLE_IN_CALL.setRelease(this, 0);
        AsymmetricFence.progressSide(); // the "out of call" store before the load of the shared mark
        if (shared)
        {
            final Thread waiting = revoker;
            if (waiting != null)
            {
                LockSupport.unpark(waiting);
            }
        }
    }

    private long enterLocked(final long timeoutNs) throws InterruptedException
    {
        if (lock.isHeldByCurrentThread())
        {
            throw reentered();
        }
        final long startNs = System.nanoTime();
        if (timeoutNs < 0)
        {
            lock.lockInterruptibly();
        }
        else if (!lock.tryLock(timeoutNs == 0 ? QueueCore.LOCK_GRACE_NS : timeoutNs, TimeUnit.NANOSECONDS))
        {
            return AbstractSharedQueue.TIMED_OUT;
        }
        if (!revoked)
        {
            // the sole thread itself, here, is out of its call; any other thread waits for the sole call to end
            if (Thread.currentThread() != soleThread)
            {
                try
                {
                    if (!revoke(startNs, timeoutNs))
                    {
                        lock.unlock();
                        return AbstractSharedQueue.TIMED_OUT;
                    }
                }
                catch (final InterruptedException | RuntimeException ex)
                {
                    lock.unlock();
                    throw ex;
                }
            }
            revoked = true;
        }
        return AbstractSharedQueue.remainingNs(startNs, timeoutNs);
    }

    /**
     * Holding the lock: marks the gate shared and waits until the sole thread has left its call.
     */
    private boolean revoke(final long startNs, final long timeoutNs) throws InterruptedException
    {
        revoker = Thread.currentThread();
        try
        {
            shared = true;
            // the sole thread's CPU orders its "in call" store before its next load; without that guarantee the
            // check below could let two threads in, so a failed barrier is retried and then refused
            int attempts = 0;
            while (!AsymmetricFence.waitingSide())
            {
                if (++attempts == 3)
                {
                    throw new IllegalStateException("cannot hand the queue handle over to a second thread: " +
                        "membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) fails; start the JVM with -D" +
                        AsymmetricFence.ENABLED_PROP_NAME + "=false, or use one handle per thread");
                }
            }
            final long limitNs = timeoutNs == 0 ? QueueCore.LOCK_GRACE_NS : timeoutNs;
            while ((int)SOLE_IN_CALL.getVolatile(this) != 0)
            {
                final long leftNs = limitNs < 0 ? REVOKE_SLICE_NS : limitNs - (System.nanoTime() - startNs);
                if (leftNs <= 0)
                {
                    return false;
                }
                LockSupport.parkNanos(this, Math.min(leftNs, REVOKE_SLICE_NS));
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
            }
            return true;
        }
        finally
        {
            revoker = null;
        }
    }
}
