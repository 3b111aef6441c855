package io.ipckit.queue;

import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Waiter;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
 * and a waiter whose call ended outside the gate is handed back, so a handle allocates one waiter per thread that
 * ever slept beside another, once.
 * <p>
 * A close while the call is outside ends it with {@code ResourceClosedException} before it touches the queue again:
 * it looks at the handle's guard when it wakes and between slices of its way back in, so a close from a handler that
 * holds the gate does not wait for it.
 * <p>
 * Thread-safe where it must be: the spares are taken and kept inside the gate, which guards them; a waiter comes
 * back from outside through one atomic reference.
 */
final class GateFreeSleep
{
    /** The longest single wait to enter the gate again, between two looks at the guard. */
    private static final long ENTER_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final HandleGate gate;
    private final CloseGuard guard;
    private final Supplier<Waiter> newWaiter;
    /** A waiter whose call ended outside the gate, inactive: the next {@link #spare()} takes it. */
    private final AtomicReference<Waiter> handedBack = new AtomicReference<>();
    private Waiter[] spares = new Waiter[1];
    private int spareCount;

    /**
     * @param gate      the handle's consumer gate.
     * @param guard     the handle's close guard.
     * @param newWaiter makes a waiter like the handle's own (same doorbell, options and guard).
     */
    GateFreeSleep(final HandleGate gate, final CloseGuard guard, final Supplier<Waiter> newWaiter)
    {
        this.gate = gate;
        this.guard = guard;
        this.newWaiter = newWaiter;
    }

    /**
     * Where a core keeps the waiter of the call inside its consumer gate.
     */
    interface WaiterSlot
    {
        /**
         * @return the waiter of the call inside the gate.
         */
        Waiter waiter();

        /**
         * @param waiter the waiter the handle's calls use from now on.
         */
        void waiter(Waiter waiter);
    }

    /**
     * Inside the gate, holding nothing else: lends the handle a spare waiter, sleeps outside the gate on the caller's
     * own ({@link #sleep}), and, back inside, gives the caller its waiter again.
     *
     * @param slot     the core's waiter field, whose waiter is the caller's active wait.
     * @param sequence the doorbell sequence read before the caller's last look at the queue.
     * @return true when back inside the gate; false when the wait's time ran out (outside the gate, its wait ended).
     * @throws InterruptedException when interrupted while outside (the gate not held, the wait ended).
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the handle was closed meanwhile (the gate not
     *                                                           held, the wait ended).
     */
    boolean sleepOutside(final WaiterSlot slot, final int sequence) throws InterruptedException
    {
        final Waiter own = slot.waiter();
        slot.waiter(spare());
        if (!sleep(own, sequence))
        {
            return false;
        }
        keepSpare(slot.waiter());
        slot.waiter(own);
        return true;
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
    private Waiter spare()
    {
        if (spareCount > 0)
        {
            return spares[--spareCount];
        }
        final Waiter back = handedBack.getAndSet(null);
        return back != null ? back : newWaiter.get();
    }

    /**
     * Back inside the gate after {@link #sleep}: keeps the waiter the handle used meanwhile, inactive again, for the
     * next sleep.
     *
     * @param lent the waiter {@link #spare()} gave, or one another sleeping call lent after it.
     */
    private void keepSpare(final Waiter lent)
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
     * @return true when back inside the gate, the handle still open; false when the wait's time ran out, outside the
     * gate, with {@code own} ended.
     * @throws InterruptedException when interrupted while asleep or entering; outside the gate, {@code own} ended.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the handle was closed meanwhile; outside the
     *                                                           gate, {@code own} ended.
     */
    private boolean sleep(final Waiter own, final int sequence) throws InterruptedException
    {
        gate.exit();
        boolean inside = false;
        try
        {
            if (!own.pause(sequence))
            {
                return false;
            }
            while (!inside)
            {
                guard.checkOpen(); // a close from a call that holds the gate waits for this wait to end, not to enter
                final long leftNs = own.remainingNs();
                if (leftNs == 0)
                {
                    return false;
                }
                inside = gate.enter(leftNs < 0 ? ENTER_SLICE_NS : Math.min(leftNs, ENTER_SLICE_NS)) !=
                    AbstractSharedQueue.TIMED_OUT;
            }
            if (guard.isClosed()) // closed just before the gate let this thread in: touch nothing of the queue
            {
                inside = false;
                gate.exit();
                guard.checkOpen();
            }
            return true;
        }
        finally
        {
            if (!inside)
            {
                own.end();
                handedBack.set(own);
            }
        }
    }
}
