package io.ipckit.queue;

import io.ipckit.core.internal.kit.Waiter;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Lets a consumer call that found its queue empty sleep outside its handle's consumer {@link HandleGate}, so that a
 * wait for an element does not hold up the handle's other threads: their {@code peek}, {@code drainTo}, iteration
 * or {@code poll()} answers at once, as {@code ArrayBlockingQueue}'s do while a {@code take} awaits its condition.
 * <p>
 * A call leaves the gate only when that costs nothing on the fast path: when its wait is about to sleep in the
 * kernel (it registered on the doorbell) or another thread waits to enter ({@link #isDue}). It takes nothing with
 * it: it holds no lane lock and has begun no taking of one. It keeps its own {@link Waiter} (its registration, its
 * deadline) and lends the handle a spare one for the calls that enter meanwhile. Spares are kept for the next sleep,
 * so a handle allocates one waiter per thread that ever slept beside another, once.
 * <p>
 * Not thread-safe: {@link #spare()} and {@link #keepSpare} are called inside the gate, which guards the spares.
 */
final class GateFreeSleep
{
    private final HandleGate gate;
    private final Supplier<Waiter> newWaiter;
    private Waiter[] spares = new Waiter[1];
    private int spareCount;

    /**
     * @param gate      the handle's consumer gate.
     * @param newWaiter makes a waiter like the handle's own (same doorbell, options and guard).
     */
    GateFreeSleep(final HandleGate gate, final Supplier<Waiter> newWaiter)
    {
        this.gate = gate;
        this.newWaiter = newWaiter;
    }

    /**
     * @param waiter the caller's active wait.
     * @return true when the call should sleep outside the gate: its wait is about to sleep in the kernel, or another
     * thread waits to enter.
     */
    boolean isDue(final Waiter waiter)
    {
        return waiter.isRegistered() || gate.isContended();
    }

    /**
     * Inside the gate, before {@link #sleep}: the waiter the handle's calls use while the caller's sleeps outside.
     *
     * @return an inactive waiter.
     */
    Waiter spare()
    {
        return spareCount > 0 ? spares[--spareCount] : newWaiter.get();
    }

    /**
     * Back inside the gate after {@link #sleep}: keeps the waiter the handle used meanwhile, inactive again, for the
     * next sleep.
     *
     * @param lent the waiter {@link #spare()} gave, or one another sleeping call lent after it.
     */
    void keepSpare(final Waiter lent)
    {
        if (spareCount == spares.length)
        {
            spares = Arrays.copyOf(spares, spareCount * 2);
        }
        spares[spareCount++] = lent;
    }

    /**
     * Leaves the gate, pauses on {@code own} and enters the gate again within what is left of the wait's time.
     *
     * @param own      the caller's active wait; the handle uses a {@link #spare()} meanwhile.
     * @param sequence the doorbell sequence read before the caller's last look at the queue.
     * @return true when back inside the gate; false when the wait's time ran out, outside the gate, with {@code own}
     * ended.
     * @throws InterruptedException when interrupted while asleep or entering; outside the gate, {@code own} ended.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the handle was closed meanwhile; outside the
     *                                                           gate, {@code own} ended.
     */
    boolean sleep(final Waiter own, final int sequence) throws InterruptedException
    {
        gate.exit();
        boolean inside = false;
        try
        {
            if (own.pause(sequence))
            {
                final long leftNs = own.remainingNs();
                inside = leftNs != 0 && gate.enter(leftNs) != AbstractSharedQueue.TIMED_OUT;
            }
            return inside;
        }
        finally
        {
            if (!inside)
            {
                own.end();
            }
        }
    }
}
