package io.ipckit.core.internal.wait;

import io.ipckit.core.internal.os.Native;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.locks.LockSupport;

import static io.ipckit.core.internal.wait.WakeSignalDescriptor.SEQUENCE_OFFSET;
import static io.ipckit.core.internal.wait.WakeSignalDescriptor.WAITERS_OFFSET;

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
 * <b>The flagged protocol</b> ({@link #flaggedSequence()}, {@link #signalAllFlagged()},
 * {@link #awaitChangeFlagged}) is for signallers that only ever wake everyone, and keeps them out of the kernel while
 * woken sleepers have not run yet. Bit 0 of the word says "someone may be asleep": a sleeper sets it (compare-and-set,
 * while the counter still reads as observed) and sleeps on the word with the bit; a signaller adds 2 (the counter
 * lives in bits 1..31) and, only if the bit was set, clears it and wakes every sleeper. A signaller that comes after
 * that wake but before the woken sleepers ran (on a busy machine they wait for a core) finds the bit clear and makes
 * no system call, where the sleeper count would still say "asleep". The sleeper count is kept as in the plain
 * protocol, for {@link #waiters()}. A region is used with one protocol only. A sleeper that dies leaves the bit set:
 * the next signal makes one unneeded wake and clears it.
 * <p>
 * A flyweight: {@link #wrap} it over a region laid out by {@link WakeSignalDescriptor}. Thread-safe and
 * process-safe for any number of waiters and signallers; the flyweight object itself is not to be re-wrapped
 * while in use. Off Linux it degrades to short parks instead of futex sleeps, and so it does in a JVM's first moments,
 * until {@link NativeBinding} has bound the futex call (wakes made meanwhile are queued until then).
 */
public final class WakeSignal
{
    /**
     * Longest single kernel sleep, so that deadlines and a caller's other looks come on time (an interrupt ends a sleep
     * at once: {@link InterruptibleSleep}).
     */
    public static final long MAX_SLEEP_SLICE_NS = 100_000_000L;
    /** Spins on the word before sleeping, to catch a signal that is about to come without a system call. */
    public static final int DEFAULT_SPIN_TRIES = 200;
    /** The flagged protocol's "someone may be asleep" bit. */
    private static final int SLEEPING_FLAG = 1;
    /** The flagged protocol's counter step: the counter lives above the flag. */
    private static final int FLAGGED_STEP = 2;

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
            if (NativeBinding.instance().isBound())
            {
                Native.futexWake(address + SEQUENCE_OFFSET, count);
            }
            else
            {
                NativeBinding.instance().wake(address + SEQUENCE_OFFSET); // wakes every sleeper, once bound
            }
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
                final long sliceNs = nextSliceNs(timeoutNs, start, MAX_SLEEP_SLICE_NS);
                if (sliceNs <= 0)
                {
                    return false;
                }
                sleep(observedSequence, sliceNs);
            }
        }
        finally
        {
            buffer.getAndAddInt(offset + WAITERS_OFFSET, -1);
        }
    }

    /**
     * @return the address of the futex word sleepers wait on, for a waker that must not write the word.
     */
    public long futexAddress()
    {
        return address + SEQUENCE_OFFSET;
    }

    /**
     * The flagged protocol's sequence (the word without its sleeping flag), to be read before testing the condition.
     *
     * @return the current sequence, read with acquire semantics, bit 0 clear.
     */
    public int flaggedSequence()
    {
        return buffer.getIntAcquire(offset + SEQUENCE_OFFSET) & ~SLEEPING_FLAG;
    }

    /**
     * The flagged protocol's signal: moves the sequence on and, only when a sleeper has flagged the word since the
     * last wake, clears the flag and wakes every sleeper. Call after the store that makes the sleepers' condition
     * true; the first atomic add is a full fence.
     */
    public void signalAllFlagged()
    {
        final int sequenceOffset = offset + SEQUENCE_OFFSET;
        int word = buffer.getAndAddInt(sequenceOffset, FLAGGED_STEP) + FLAGGED_STEP;
        while ((word & SLEEPING_FLAG) != 0)
        {
            // whoever clears the flag wakes: a sleeper that flagged the word sleeps until then (or a later counter)
            if (buffer.compareAndSetInt(sequenceOffset, word, word & ~SLEEPING_FLAG))
            {
                wake(Integer.MAX_VALUE);
                return;
            }
            word = buffer.getIntVolatile(sequenceOffset);
        }
    }

    /**
     * The flagged protocol's wait: until the sequence moves on from {@code observedSequence} (a value of
     * {@link #flaggedSequence()}), the timeout passes, or the thread is interrupted. Spins {@link #DEFAULT_SPIN_TRIES}
     * times, then flags the word and sleeps in the kernel in slices of at most {@link #MAX_SLEEP_SLICE_NS}.
     *
     * @param observedSequence a value read from {@link #flaggedSequence()} before testing the condition.
     * @param timeoutNs        the most to wait; negative waits without a limit.
     * @return true when the sequence changed, false when the timeout passed first.
     * @throws InterruptedException when the thread is interrupted (its flag is cleared, as usual).
     */
    public boolean awaitChangeFlagged(final int observedSequence, final long timeoutNs) throws InterruptedException
    {
        return awaitChangeFlagged(observedSequence, timeoutNs, DEFAULT_SPIN_TRIES, MAX_SLEEP_SLICE_NS);
    }

    /**
     * As {@link #awaitChangeFlagged(int, long)} with chosen spins and longest kernel sleep: tests spin 0 times, so
     * that every wait goes through the flag and the kernel, and sleep long, so that a lost wake-up shows as a wait
     * that never ends instead of a slice's delay.
     */
    boolean awaitChangeFlagged(
        final int observedSequence, final long timeoutNs, final int spinTries, final long maxSliceNs)
        throws InterruptedException
    {
        return awaitChangeFlagged(observedSequence, timeoutNs, spinTries, maxSliceNs, false, false);
    }

    /**
     * As {@link #awaitChangeFlagged(int, long)} with a chosen number of spins, polling the word with short parks
     * instead of sleeping in the kernel when {@code poll} is true: for a waiter whose last look at its condition may
     * have missed a publish (see {@link AsymmetricFence#waitingSideIfBound()}), which a futex sleep would then sleep
     * through.
     *
     * @param observedSequence a value read from {@link #flaggedSequence()} before testing the condition.
     * @param timeoutNs        the most to wait; negative waits without a limit.
     * @param spinTries        spins before the word is flagged; 0 for a waiter that has polled already.
     * @param poll             true to poll, parking at most {@link NativeBinding#POLL_NS} at a time.
     * @return true when the sequence changed, false when the timeout passed first.
     * @throws InterruptedException when the thread is interrupted (its flag is cleared, as usual).
     */
    public boolean awaitChangeFlagged(
        final int observedSequence, final long timeoutNs, final int spinTries, final boolean poll)
        throws InterruptedException
    {
        return awaitChangeFlagged(observedSequence, timeoutNs, spinTries, MAX_SLEEP_SLICE_NS, poll, false);
    }

    /**
     * As {@link #awaitChangeFlagged(int, long, int, boolean)} without spinning first and with a single kernel sleep of
     * up to {@code timeoutNs}:
     * returns as soon as the sleep ends, woken or not, so that a caller woken for another reason than the sequence
     * (a watched process exited, {@code PeerWatch}) looks at that reason.
     *
     * @param observedSequence a value read from {@link #flaggedSequence()} before testing the condition.
     * @param timeoutNs        the most to wait, 0 or more.
     * @return true when the sequence changed, false otherwise.
     * @throws InterruptedException when the thread is interrupted (its flag is cleared, as usual).
     */
    public boolean awaitChangeFlaggedOnce(final int observedSequence, final long timeoutNs)
        throws InterruptedException
    {
        // no spin first: a caller sleeping once per slice has spun (or chosen not to) before its first slice
        return awaitChangeFlagged(observedSequence, timeoutNs, 0, Math.max(0, timeoutNs), false, true);
    }

    private boolean awaitChangeFlagged(
        final int observedSequence, final long timeoutNs, final int spinTries, final long maxSliceNs,
        final boolean poll, final boolean once) throws InterruptedException
    {
        final int sequenceOffset = offset + SEQUENCE_OFFSET;
        for (int i = 0; i < spinTries; i++)
        {
            if ((buffer.getIntAcquire(sequenceOffset) & ~SLEEPING_FLAG) != observedSequence)
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
                final int word = buffer.getIntVolatile(sequenceOffset);
                if ((word & ~SLEEPING_FLAG) != observedSequence)
                {
                    return true;
                }
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
                final long sliceNs = nextSliceNs(timeoutNs, start, maxSliceNs);
                if (sliceNs <= 0)
                {
                    return false;
                }
                if (poll)
                {
                    NativeBinding.instance().parkPolling(sliceNs);
                    continue;
                }
                // flag the word while its counter is still the observed one: a signal after this sees the flag and
                // wakes; one before it changed the counter, so the compare-and-set fails and the loop returns
                if ((word & SLEEPING_FLAG) == 0 &&
                    !buffer.compareAndSetInt(sequenceOffset, word, word | SLEEPING_FLAG))
                {
                    continue;
                }
                sleep(word | SLEEPING_FLAG, sliceNs);
                if (once)
                {
                    return (buffer.getIntVolatile(sequenceOffset) & ~SLEEPING_FLAG) != observedSequence;
                }
            }
        }
        finally
        {
            buffer.getAndAddInt(offset + WAITERS_OFFSET, -1);
        }
    }

    /**
     * @return the next kernel sleep of a wait begun at {@code startNs}: {@code maxSliceNs} without a timeout, else
     * what is left of it up to {@code maxSliceNs}, or 0 when the timeout has passed.
     */
    private static long nextSliceNs(final long timeoutNs, final long startNs, final long maxSliceNs)
    {
        if (timeoutNs < 0)
        {
            return maxSliceNs;
        }
        final long remainingNs = timeoutNs - (System.nanoTime() - startNs);
        return remainingNs <= 0 ? 0 : Math.min(remainingNs, maxSliceNs);
    }

    /**
     * Sleeps for at most {@code sliceNs} while the word still holds {@code expectedWord} (a futex wait; off Linux, a
     * short park).
     */
    private void sleep(final int expectedWord, final long sliceNs)
    {
        if (Native.isLinux())
        {
            if (NativeBinding.instance().isBound())
            {
                InterruptibleSleep.futexWait(address + SEQUENCE_OFFSET, expectedWord, sliceNs);
            }
            else
            {
                NativeBinding.instance().parkPolling(sliceNs); // the caller looks at the word again
            }
        }
        else
        {
            LockSupport.parkNanos(Math.min(sliceNs, 100_000L));
        }
    }
}
