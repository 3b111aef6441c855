package io.ipckit.core.internal.kit;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.wait.WakeSignal;
import io.ipckit.core.internal.wait.WakeSignalDescriptor;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Many threads through one {@link Doorbell} in a mapped file, in lock-step rounds: in each round one of the ringers
 * publishes the round number with a release store and rings, and every waiter waits for it with the waiter protocol,
 * then acknowledges. In every other round the ringer publishes only once every waiter is past its spins and on its
 * way into the kernel (the signal's sleeper count says so), so the futex path is taken thousands of times; in the
 * others it races with the waiters' spins. A ring normally wakes a sleeper in microseconds; a lost one leaves it
 * asleep until its kernel sleep slice ({@link WakeSignal#MAX_SLEEP_SLICE_NS}) ends, so more than a few waits that
 * long fail the test, as does a wait that times out (10 s), a waiter that skips a round, or a waiter left registered.
 */
class DoorbellStressTest
{
    private static final int RINGERS = 2;
    private static final int WAITERS = 3;
    private static final int ROUNDS = 5_000;
    private static final long LOST_WAKE_UP_NS = TimeUnit.SECONDS.toNanos(10);
    /** Waits that may last a whole sleep slice (a waiter descheduled that long on a loaded machine), of 15,000. */
    private static final int MAX_SLOW_WAITS = 25;

    private static final int ROUND_OFFSET = 0;
    private static final int ACKS_OFFSET = 64;
    private static final int BELL_OFFSET = 128;
    private static final int LENGTH = BELL_OFFSET + DoorbellDescriptor.LENGTH;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldWakeEveryWaiterForEveryRoundWithManyRingersAndWaiters() throws Exception
    {
        try (ResourceFile file = ResourceFile.create("bell", ResourceKind.TEST, 1, 0, LENGTH, false, null))
        {
            final AtomicBuffer buffer = file.buffer();
            final int base = file.headerLength();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicInteger slowWaits = new AtomicInteger();
            final CyclicBarrier start = new CyclicBarrier(RINGERS + WAITERS);
            final List<Thread> threads = new ArrayList<>();
            for (int r = 0; r < RINGERS; r++)
            {
                final int ringer = r;
                threads.add(Thread.ofPlatform().name("ringer-" + r).start(() -> run(failure, start, () ->
                    ring(new Doorbell().wrap(buffer, base + BELL_OFFSET), buffer, base, ringer, failure))));
            }
            for (int w = 0; w < WAITERS; w++)
            {
                threads.add(Thread.ofPlatform().name("waiter-" + w).start(() -> run(failure, start, () ->
                    await(new Doorbell().wrap(buffer, base + BELL_OFFSET), buffer, base, failure, slowWaits))));
            }
            for (final Thread thread : threads)
            {
                thread.join(TimeUnit.MINUTES.toMillis(2));
            }
            assertNull(failure.get(), () -> "a thread failed: " + failure.get());
            assertEquals(ROUNDS, buffer.getLongVolatile(base + ROUND_OFFSET));
            assertEquals((long)ROUNDS * WAITERS, buffer.getLongVolatile(base + ACKS_OFFSET));
            assertEquals(0, buffer.getIntVolatile(base + BELL_OFFSET + DoorbellDescriptor.WAITERS_OFFSET),
                "every waiter deregistered");
            file.unlink();
        }
    }

    /**
     * Ringer {@code ringer} publishes the rounds r with {@code r % RINGERS == ringer}, each once every waiter has
     * acknowledged the round before it.
     */
    private static void ring(final Doorbell bell, final AtomicBuffer buffer, final int base, final int ringer,
        final AtomicReference<Throwable> failure)
    {
        for (long round = ringer + 1; round <= ROUNDS; round += RINGERS)
        {
            final long acksBefore = (round - 1) * WAITERS;
            final long deadlineNs = System.nanoTime() + LOST_WAKE_UP_NS;
            while (buffer.getLongAcquire(base + ACKS_OFFSET) < acksBefore)
            {
                if (failure.get() != null)
                {
                    return;
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new AssertionError("round " + (round - 1) + " was not acknowledged by every waiter in 10 s");
                }
                Thread.yield();
            }
            if ((round & 1) == 1)
            {
                // every other round: only once every waiter is past its spins, on the way into the kernel
                awaitSleepers(buffer, base, failure);
            }
            buffer.putLongRelease(base + ROUND_OFFSET, round); // publishes the round the waiters wait for
            bell.ring();
        }
    }

    private static void awaitSleepers(final AtomicBuffer buffer, final int base,
        final AtomicReference<Throwable> failure)
    {
        final int sleepersOffset = base + BELL_OFFSET + DoorbellDescriptor.SIGNAL_OFFSET +
            WakeSignalDescriptor.WAITERS_OFFSET;
        final long deadlineNs = System.nanoTime() + LOST_WAKE_UP_NS;
        while (buffer.getIntVolatile(sleepersOffset) < WAITERS && failure.get() == null)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("the waiters did not go to sleep within 10 s");
            }
            Thread.yield();
        }
    }

    private static void await(final Doorbell bell, final AtomicBuffer buffer, final int base,
        final AtomicReference<Throwable> failure, final AtomicInteger slowWaits) throws InterruptedException
    {
        for (long round = 1; round <= ROUNDS && failure.get() == null; round++)
        {
            bell.beginWait();
            try
            {
                while (true)
                {
                    final int sequence = bell.sequence();
                    final long seen = buffer.getLongAcquire(base + ROUND_OFFSET);
                    if (seen == round)
                    {
                        break;
                    }
                    if (seen > round)
                    {
                        throw new AssertionError("round " + round + " skipped: saw " + seen);
                    }
                    final long startNs = System.nanoTime();
                    if (!bell.awaitChange(sequence, LOST_WAKE_UP_NS) &&
                        buffer.getLongAcquire(base + ROUND_OFFSET) < round)
                    {
                        throw new AssertionError("lost wake-up: round " + round + " never woke this waiter (" +
                            Thread.currentThread().getName() + ")");
                    }
                    if (System.nanoTime() - startNs >= WakeSignal.MAX_SLEEP_SLICE_NS &&
                        slowWaits.incrementAndGet() > MAX_SLOW_WAITS)
                    {
                        throw new AssertionError("lost wake-ups: more than " + MAX_SLOW_WAITS + " waits lasted a " +
                            "whole kernel sleep slice, i.e. only the slice's end woke them");
                    }
                }
            }
            finally
            {
                bell.endWait();
            }
            buffer.getAndAddLong(base + ACKS_OFFSET, 1);
        }
    }

    private static void run(final AtomicReference<Throwable> failure, final CyclicBarrier start, final Body body)
    {
        try
        {
            start.await(30, TimeUnit.SECONDS);
            body.run();
        }
        catch (final Throwable t)
        {
            failure.compareAndSet(null, t);
        }
    }

    @FunctionalInterface
    private interface Body
    {
        void run() throws Exception;
    }
}
