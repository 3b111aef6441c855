package io.ipckit.core.internal.kit;

import io.ipckit.core.internal.wait.WakeSignal;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;

import io.ipckit.core.internal.wait.AsymmetricFence;

import static io.ipckit.core.internal.kit.DoorbellDescriptor.SIGNAL_OFFSET;
import static io.ipckit.core.internal.kit.DoorbellDescriptor.WAITERS_OFFSET;

/**
 * A {@link WakeSignal} that the side making progress rings for the price of one load when nobody waits (one fence and
 * one load where {@link AsymmetricFence} is not available): a waiter registers in a count <em>before</em> testing its condition, and the ringer signals only when the
 * count is non-zero. Layout in {@link DoorbellDescriptor}.
 * <p>
 * Waiter protocol (every waiter of ipc-pipe uses it):
 * <pre>{@code
 * bell.beginWait();
 * try {
 *     while (true) {
 *         int seq = bell.sequence();
 *         if (condition()) break;
 *         bell.awaitChange(seq, sliceNs);
 *     }
 * } finally { bell.endWait(); }
 * }</pre>
 * Ringer: make the condition true with an ordered (release or volatile) store, then {@link #ring()}. Either the
 * ringer's load of the count sees the waiter (and signals, moving the sequence on), or the waiter's increment came
 * later, so its condition test sees the ringer's store: {@link #beginWait()} runs the waiting side of
 * {@link AsymmetricFence}, which fences the ringer's CPU between its store and its load.
 * <p>
 * The signal uses {@link WakeSignal}'s flagged protocol: a ring enters the kernel only when a sleeper flagged the word
 * since the last wake, so the rings that come while woken sleepers wait for a core (on a busy machine, every record
 * a producer publishes meanwhile) cost an atomic add, not a futex wake each.
 * <p>
 * A flyweight; thread-safe and process-safe once wrapped.
 */
public final class Doorbell
{
    private final WakeSignal signal = new WakeSignal();
    private AtomicBuffer buffer;
    private int waitersOffset;
    /** The memory's base object (null off-heap) and the absolute address of the waiter count. */
    private Object base;
    private long waitersAddress;

    /**
     * Points this doorbell at a region laid out by {@link DoorbellDescriptor}.
     *
     * @param buffer the shared memory.
     * @param offset the region's offset, 4-byte aligned.
     * @return this.
     */
    public Doorbell wrap(final AtomicBuffer buffer, final int offset)
    {
        buffer.boundsCheck(offset, DoorbellDescriptor.LENGTH); // the waiter count is then read by its address
        signal.wrap(buffer, offset + SIGNAL_OFFSET);
        this.buffer = buffer;
        this.waitersOffset = offset + WAITERS_OFFSET;
        this.base = buffer.byteArray();
        this.waitersAddress = buffer.addressOffset() + waitersOffset;
        return this;
    }

    /**
     * Wakes every waiter if there is any, without {@link AsymmetricFence#progressSide()}: for a caller that ran it
     * (or an atomic read-modify-write) after the store that makes the waiters' condition true, or as an early notice
     * that a later {@link #ring()} backs up.
     */
    public void ringIfWaiting()
    {
        if (UnsafeApi.getIntVolatile(base, waitersAddress) > 0)
        {
            signal.signalAllFlagged();
        }
    }

    /**
     * Wakes every waiter if there is any. Call after the store that makes the waiters' condition true.
     */
    public void ring()
    {
        // the caller's publishing store must be ordered before the load of the waiter count
        AsymmetricFence.progressSide();
        if (UnsafeApi.getIntVolatile(base, waitersAddress) > 0)
        {
            signal.signalAllFlagged();
        }
    }

    /**
     * Registers the calling thread as a waiter, then runs the waiting side of {@link AsymmetricFence} (a few
     * microseconds); pair with {@link #endWait()} in a finally block, and test the condition once more after it.
     */
    public void beginWait()
    {
        buffer.getAndAddInt(waitersOffset, 1);
        AsymmetricFence.waitingSide();
    }

    /**
     * As {@link #beginWait()}, but without binding the system call of {@link AsymmetricFence}'s barrier when this JVM
     * has not bound it yet ({@link io.ipckit.core.internal.wait.NativeBinding}): a starting JVM's first waits then
     * poll instead of sleeping. Pair with {@link #endWait()}.
     *
     * @return true when the barrier was made: the wait may sleep ({@link #awaitChange(int, long, boolean)} with
     * true); false when it must poll until {@link #fenceLate()} makes the barrier.
     */
    public boolean beginWaitLazily()
    {
        buffer.getAndAddInt(waitersOffset, 1);
        return AsymmetricFence.waitingSideIfBound();
    }

    /**
     * For a wait registered by {@link #beginWaitLazily()} without the barrier: makes it once the system call is bound,
     * so that the wait may sleep from then on (test the condition once more first).
     *
     * @return true when the barrier was made now; false while the call is not bound (keep polling).
     */
    public boolean fenceLate()
    {
        return AsymmetricFence.waitingSideIfBound();
    }

    /**
     * Deregisters a waiter registered by {@link #beginWait()}.
     */
    public void endWait()
    {
        buffer.getAndAddInt(waitersOffset, -1);
    }

    /**
     * @return the number of threads registered as waiting (polling once more before they sleep, or asleep), a
     * snapshot for diagnostics and tests.
     */
    public int waiters()
    {
        return buffer.getIntVolatile(waitersOffset);
    }

    /**
     * @return the signal sequence, to be read before testing the condition.
     */
    public int sequence()
    {
        return signal.flaggedSequence();
    }

    /**
     * Spins briefly, then sleeps until the sequence moves on from {@code observedSequence} or {@code timeoutNs}
     * passes.
     *
     * @param observedSequence the value of {@link #sequence()} read before testing the condition.
     * @param timeoutNs        the most to wait, at least 0.
     * @return true when the sequence moved on.
     * @throws InterruptedException when the thread is interrupted.
     */
    public boolean awaitChange(final int observedSequence, final long timeoutNs) throws InterruptedException
    {
        return signal.awaitChangeFlagged(observedSequence, timeoutNs);
    }

    /**
     * As {@link #awaitChange(int, long)} for a wait registered by {@link #beginWaitLazily()}.
     *
     * @param observedSequence the value of {@link #sequence()} read before testing the condition.
     * @param timeoutNs        the most to wait, at least 0.
     * @param fenced           what {@link #beginWaitLazily()} returned: false polls with short parks.
     * @param spin             true to spin briefly before sleeping; false sleeps at once (a wait whose last slice
     *                         passed without a ring: a spin would only cost its CPU).
     * @return true when the sequence moved on.
     * @throws InterruptedException when the thread is interrupted.
     */
    public boolean awaitChange(
        final int observedSequence, final long timeoutNs, final boolean fenced, final boolean spin)
        throws InterruptedException
    {
        return signal.awaitChangeFlagged(
            observedSequence, timeoutNs, spin ? WakeSignal.DEFAULT_SPIN_TRIES : 0, !fenced);
    }

    /**
     * One kernel sleep of up to {@code timeoutNs}, for a fenced wait registered by {@link #beginWaitLazily()}: returns
     * when the sequence moves on, the time passes, or anything else wakes the futex word ({@link #futexAddress()}).
     *
     * @param observedSequence the value of {@link #sequence()} read before testing the condition.
     * @param timeoutNs        the most to wait, at least 0.
     * @return true when the sequence moved on.
     * @throws InterruptedException when the thread is interrupted.
     */
    public boolean awaitChangeOnce(final int observedSequence, final long timeoutNs) throws InterruptedException
    {
        return signal.awaitChangeFlaggedOnce(observedSequence, timeoutNs);
    }

    /**
     * @return the address of the futex word this doorbell's sleepers wait on.
     */
    public long futexAddress()
    {
        return signal.futexAddress();
    }
}
