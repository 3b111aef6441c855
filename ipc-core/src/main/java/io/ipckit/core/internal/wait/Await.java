package io.ipckit.core.internal.wait;

import org.agrona.concurrent.IdleStrategy;

import java.util.function.BooleanSupplier;

/**
 * Waits for a condition in shared memory, in one of two ways: by default sleeping on a {@link WakeSignal} that the
 * side making progress signals (no CPU while idle), or, when the caller passes an Agrona {@link IdleStrategy},
 * by polling the condition with that strategy (lowest latency, burns a core with a busy-spin strategy).
 * <p>
 * Stateless and thread-safe.
 */
public final class Await
{
    private Await()
    {
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @param condition    reads shared memory; must be cheap and side-effect free.
     * @param signal       signalled by whoever makes the condition true; used when {@code idleStrategy} is null.
     * @param idleStrategy when not null, poll with it instead of sleeping on the signal.
     * @param timeoutNs    the most to wait; negative waits without a limit.
     * @return true when the condition holds, false when the timeout passed first.
     * @throws InterruptedException when the thread is interrupted.
     */
    public static boolean until(
        final BooleanSupplier condition,
        final WakeSignal signal,
        final IdleStrategy idleStrategy,
        final long timeoutNs) throws InterruptedException
    {
        if (condition.getAsBoolean())
        {
            return true;
        }
        final long start = System.nanoTime();
        if (idleStrategy != null)
        {
            idleStrategy.reset();
            while (!condition.getAsBoolean())
            {
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
                if (timeoutNs >= 0 && System.nanoTime() - start >= timeoutNs)
                {
                    return false;
                }
                idleStrategy.idle();
            }
            return true;
        }
        while (true)
        {
            final int sequence = signal.sequence();
            if (condition.getAsBoolean())
            {
                return true;
            }
            final long remainingNs = timeoutNs < 0 ? -1 : timeoutNs - (System.nanoTime() - start);
            if (timeoutNs >= 0 && remainingNs <= 0)
            {
                return false;
            }
            signal.awaitChange(sequence, remainingNs);
        }
    }
}
