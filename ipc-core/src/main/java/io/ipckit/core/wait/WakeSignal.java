package io.ipckit.core.wait;

import io.ipckit.core.os.Native;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.locks.LockSupport;

import static io.ipckit.core.wait.WakeSignalDescriptor.SEQUENCE_OFFSET;
import static io.ipckit.core.wait.WakeSignalDescriptor.WAITERS_OFFSET;

/**
 * Blocking wait and wake between processes on a 32-bit word in shared memory: the side that makes progress
 * {@link #signal}s, the side that waits for it {@link #awaitChange sleeps} — briefly spinning, then in the kernel
 * on a {@code futex} — until the sequence moves on. The signaller enters the kernel only when the waiter count
 * says someone sleeps, so an uncontended signal costs one atomic add and one load.
 * <p>
 * The protocol, for a waiter whose condition lives in shared memory:
 * <pre>{@code
 * int seq = signal.sequence();          // 1. read the sequence first
 * while (!condition()) {                 // 2. then test the condition
 *     signal.awaitChange(seq, timeoutNs);// 3. sleep only while the sequence is still seq
 *     seq = signal.sequence();
 * }
 * }</pre>
 * and for the signaller: make the condition true, then {@link #signal}. A signal between 1 and 3 changes the
 * sequence, so the kernel refuses to sleep; a signal that sees no waiter happened before the waiter's increment
 * (both are full-fence atomic operations), so its sequence change is visible at 3.
 * <p>
 * A flyweight: {@link #wrap} it over a region laid out by {@link WakeSignalDescriptor}. Thread-safe and
 * process-safe for any number of waiters and signallers; the flyweight object itself is not to be re-wrapped
 * while in use. Off Linux it degrades to short parks instead of futex sleeps.
 */
public final class WakeSignal
{
    /** Longest single kernel sleep, so that interruption and deadlines are noticed promptly. */
    public static final long MAX_SLEEP_SLICE_NS = 100_000_000L;
    /** Spins on the word before sleeping, to catch a signal that is about to come without a system call. */
    public static final int DEFAULT_SPIN_TRIES = 200;

    private AtomicBuffer buffer;
    private int offset;
    private long address;

    /**
     * Creates an unwrapped flyweight.
     */
    public WakeSignal()
    {
    }

    /**
     * Creates a flyweight over a region.
     *
     * @param buffer the shared memory.
     * @param offset the region's offset, 4-byte aligned.
     */
    public WakeSignal(final AtomicBuffer buffer, final int offset)
    {
        wrap(buffer, offset);
    }

    /**
     * Points this flyweight at a region.
     *
     * @param buffer the shared memory.
     * @param offset the region's offset, 4-byte aligned.
     * @return this.
     * @throws IllegalArgumentException when the address is not 4-byte aligned.
     */
    public WakeSignal wrap(final AtomicBuffer buffer, final int offset)
    {
        final long address = buffer.addressOffset() + offset;
        if ((address & 3) != 0)
        {
            throw new IllegalArgumentException("a futex word must be 4-byte aligned, address " + address + " is not");
        }
        buffer.boundsCheck(offset, WakeSignalDescriptor.LENGTH);
        this.buffer = buffer;
        this.offset = offset;
        this.address = address;
        return this;
    }

    /**
     * @return the current sequence, read with acquire semantics.
     */
    public int sequence()
    {
        return buffer.getIntAcquire(offset + SEQUENCE_OFFSET);
    }

    /**
     * @return the number of waiters that are asleep or about to sleep.
     */
    public int waiters()
    {
        return buffer.getIntVolatile(offset + WAITERS_OFFSET);
    }

    /**
     * Moves the sequence on and wakes every sleeper, if there is any.
     */
    public void signalAll()
    {
        signal(Integer.MAX_VALUE);
    }

    /**
     * Moves the sequence on and wakes up to {@code count} sleepers, if there is any. Waiters that were spinning
     * see the new sequence without being woken.
     *
     * @param count the most sleepers to wake.
     */
    public void signal(final int count)
    {
        // full fence: orders the caller's state change before the waiters read, see the class comment
        buffer.getAndAddInt(offset + SEQUENCE_OFFSET, 1);
        if (buffer.getIntVolatile(offset + WAITERS_OFFSET) > 0)
        {
            wake(count);
        }
    }

    private void wake(final int count)
    {
        if (Native.isLinux())
        {
            Native.futexWake(address + SEQUENCE_OFFSET, count);
        }
    }

    /**
     * Waits until the sequence differs from {@code observedSequence}, the timeout passes, or the thread is
     * interrupted. Spins {@link #DEFAULT_SPIN_TRIES} times, then sleeps in the kernel in slices of at most
     * {@link #MAX_SLEEP_SLICE_NS}.
     *
     * @param observedSequence a value read from {@link #sequence()} before testing the condition.
     * @param timeoutNs        the most to wait; negative waits without a limit.
     * @return true when the sequence changed, false when the timeout passed first.
     * @throws InterruptedException when the thread is interrupted (its flag is cleared, as usual).
     */
    public boolean awaitChange(final int observedSequence, final long timeoutNs) throws InterruptedException
    {
        return awaitChange(observedSequence, timeoutNs, DEFAULT_SPIN_TRIES);
    }

    /**
     * As {@link #awaitChange(int, long)} with a chosen number of spins before sleeping.
     *
     * @param observedSequence a value read from {@link #sequence()} before testing the condition.
     * @param timeoutNs        the most to wait; negative waits without a limit.
     * @param spinTries        spins before the first kernel sleep.
     * @return true when the sequence changed, false when the timeout passed first.
     * @throws InterruptedException when the thread is interrupted.
     */
    public boolean awaitChange(final int observedSequence, final long timeoutNs, final int spinTries)
        throws InterruptedException
    {
        final int sequenceOffset = offset + SEQUENCE_OFFSET;
        for (int i = 0; i < spinTries; i++)
        {
            if (buffer.getIntAcquire(sequenceOffset) != observedSequence)
            {
                return true;
            }
            Thread.onSpinWait();
        }
        final long start = System.nanoTime();
        buffer.getAndAddInt(offset + WAITERS_OFFSET, 1);
        try
        {
            while (true)
            {
                if (buffer.getIntAcquire(sequenceOffset) != observedSequence)
                {
                    return true;
                }
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
                final long sliceNs;
                if (timeoutNs < 0)
                {
                    sliceNs = MAX_SLEEP_SLICE_NS;
                }
                else
                {
                    final long remainingNs = timeoutNs - (System.nanoTime() - start);
                    if (remainingNs <= 0)
                    {
                        return false;
                    }
                    sliceNs = Math.min(remainingNs, MAX_SLEEP_SLICE_NS);
                }
                if (Native.isLinux())
                {
                    Native.futexWait(address + SEQUENCE_OFFSET, observedSequence, sliceNs);
                }
                else
                {
                    LockSupport.parkNanos(Math.min(sliceNs, 100_000L));
                }
            }
        }
        finally
        {
            buffer.getAndAddInt(offset + WAITERS_OFFSET, -1);
        }
    }
}
