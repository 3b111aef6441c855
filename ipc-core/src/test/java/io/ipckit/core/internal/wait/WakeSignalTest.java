package io.ipckit.core.internal.wait;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.KernelSleep;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class WakeSignalTest
{
    /** Child -> parent signal. */
    static final int TO_PARENT = 0;
    /** Parent -> child signal. */
    static final int TO_CHILD = 64;
    /** Round counter written by the child. */
    static final int CHILD_ROUND = 128;
    /** Child's "I am about to sleep" flag. */
    static final int CHILD_WAITING = 136;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldBeWokenByAnotherProcessAndWakeIt() throws Exception
    {
        exchangeWithChild(new ProcessOptions());
    }

    @Test
    void shouldExchangeSignalsWithAProcessThatHasNotBoundTheFutexCall() throws Exception
    {
        // the child polls instead of sleeping, and queues its wakes, for the whole test
        exchangeWithChild(new ProcessOptions().jvmOptions("-D" + NativeBinding.DELAY_PROP_NAME + "=60000"));
    }

    private void exchangeWithChild(final ProcessOptions options) throws Exception
    {
        try (ResourceFile file = ResourceFile.create("signal", ResourceKind.TEST, 1, 0, 256, false, null))
        {
            final AtomicBuffer buffer = file.buffer();
            final int base = file.headerLength();
            final WakeSignal toParent = new WakeSignal(buffer, base + TO_PARENT);
            final WakeSignal toChild = new WakeSignal(buffer, base + TO_CHILD);
            final JvmProcess child = dir.start(Echo.class, options.args("signal", "3").daemon(true));
            for (int round = 1; round <= 3; round++)
            {
                final int r = round;
                // the child sleeps on its signal until the parent signals round r
                Eventually.await("child asleep in round " + r, Duration.ofSeconds(30),
                    () -> toChild.waiters() > 0 && buffer.getIntVolatile(base + CHILD_WAITING) == r);
                buffer.putIntRelease(base + CHILD_ROUND + 4, r);
                toChild.signalAll();
                // the parent sleeps until the child answers
                assertTrue(Await.until(() -> buffer.getIntAcquire(base + CHILD_ROUND) == r, toParent, null,
                    TimeUnit.SECONDS.toNanos(30)), "child answered round " + r);
            }
            assertTrue(child.join(30, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().getAsInt());
            file.unlink();
        }
    }

    @Test
    void shouldReturnFalseOnTimeoutWithoutSignal() throws Exception
    {
        final WakeSignal signal = new WakeSignal(new UnsafeBuffer(ByteBuffer.allocateDirect(64)), 0);
        final long start = System.nanoTime();
        assertFalse(signal.awaitChange(signal.sequence(), TimeUnit.MILLISECONDS.toNanos(120)));
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMs >= 120, "returned early after " + elapsedMs + " ms");
        assertTrue(elapsedMs < 10_000, "returned far too late: " + elapsedMs + " ms");
        assertEquals(0, signal.waiters());
    }

    @Test
    void shouldReturnAtOnceWhenTheSequenceAlreadyMoved() throws Exception
    {
        final WakeSignal signal = new WakeSignal(new UnsafeBuffer(ByteBuffer.allocateDirect(64)), 0);
        final int seen = signal.sequence();
        signal.signalAll();
        assertTrue(signal.awaitChange(seen, -1));
        assertTrue(Await.until(() -> true, signal, new BusySpinIdleStrategy(), 0));
        assertFalse(Await.until(() -> false, signal, new BusySpinIdleStrategy(), TimeUnit.MILLISECONDS.toNanos(20)));
    }

    @Test
    void shouldWakeAnInterruptedWaiter() throws Exception
    {
        final WakeSignal signal = new WakeSignal(new UnsafeBuffer(ByteBuffer.allocateDirect(64)), 0);
        final AtomicReference<Throwable> outcome = new AtomicReference<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final Thread waiter = new Thread(() ->
        {
            try
            {
                signal.awaitChange(signal.sequence(), -1);
            }
            catch (final Throwable t)
            {
                outcome.set(t);
            }
            done.complete(null);
        });
        waiter.start();
        Eventually.await("waiter asleep", Duration.ofSeconds(10), () -> signal.waiters() == 1);
        waiter.interrupt();
        done.get(10, TimeUnit.SECONDS);
        assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
        assertEquals(0, signal.waiters());
    }

    /**
     * A thread asleep in the kernel, in slices of ten minutes, ends its sleep as soon as it is interrupted, twice in a
     * row (an interrupt uses up the thread's {@link InterruptibleSleep}); another thread asleep on the same word wakes
     * with it, finds nothing changed, sleeps again and wakes at the signal. Before, the interrupted thread slept out its
     * slice: ten minutes, past the test's deadline.
     */
    @Test
    @Timeout(120)
    void shouldEndAKernelSleepAtOnceWhenItsThreadIsInterrupted() throws Exception
    {
        assumeTrue(KernelSleep.visible(), "needs Linux's /proc to see a thread asleep in the kernel");
        NativeBinding.instance().bindNow();
        assumeTrue(NativeBinding.instance().isBound(), "the futex call is not bound on this machine");
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        final WakeSignal signal = new WakeSignal(buffer, 0);
        final long slice = TimeUnit.MINUTES.toNanos(10);
        final int seen = signal.flaggedSequence();
        final CompletableFuture<Boolean> other = new CompletableFuture<>();
        Thread.ofPlatform().name("ipckit-other").start(() ->
        {
            try
            {
                other.complete(signal.awaitChangeFlagged(seen, -1, 0, slice));
            }
            catch (final Throwable t)
            {
                other.completeExceptionally(t);
            }
        });
        final List<Throwable> outcomes = new CopyOnWriteArrayList<>();
        final Thread sleeper = Thread.ofPlatform().name("ipckit-sleeper").start(() ->
        {
            for (int i = 0; i < 2; i++)
            {
                try
                {
                    signal.awaitChangeFlagged(seen, -1, 0, slice);
                    outcomes.add(new AssertionError("woken without an interrupt"));
                }
                catch (final Throwable t)
                {
                    outcomes.add(t);
                }
            }
        });
        for (int round = 1; round <= 2; round++)
        {
            final int done = round;
            KernelSleep.awaitInFutex("ipckit-sleeper", signal.futexAddress(), Duration.ofSeconds(30));
            KernelSleep.awaitInFutex("ipckit-other", signal.futexAddress(), Duration.ofSeconds(30));
            sleeper.interrupt();
            Eventually.await("interrupted sleep " + round + " ended", Duration.ofSeconds(60),
                () -> outcomes.size() == done);
            assertTrue(outcomes.get(round - 1) instanceof InterruptedException, String.valueOf(outcomes.get(round - 1)));
        }
        sleeper.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(other.isDone(), "the other sleeper went back to sleep");
        KernelSleep.awaitInFutex("ipckit-other", signal.futexAddress(), Duration.ofSeconds(30));
        signal.signalAllFlagged();
        assertTrue(other.get(60, TimeUnit.SECONDS), "woken by the signal");
    }

    @Test
    void shouldWakeEveryFlaggedSleeperOnceAndStayOutOfTheKernelUntilOneSleepsAgain() throws Exception
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        final WakeSignal signal = new WakeSignal(buffer, 0);
        final int seen = signal.flaggedSequence();
        final CompletableFuture<Boolean> first = new CompletableFuture<>();
        final CompletableFuture<Boolean> second = new CompletableFuture<>();
        startFlaggedSleeper(signal, seen, first);
        startFlaggedSleeper(signal, seen, second);
        Eventually.await("both asleep on the flagged word", Duration.ofSeconds(10),
            () -> signal.waiters() == 2 && (buffer.getIntVolatile(0) & 1) == 1);

        signal.signalAllFlagged();
        assertTrue(first.get(10, TimeUnit.SECONDS));
        assertTrue(second.get(10, TimeUnit.SECONDS));
        assertEquals(0, buffer.getIntVolatile(0) & 1, "the waking signal cleared the flag");
        assertEquals(seen + 2, signal.flaggedSequence());
        signal.signalAllFlagged(); // no sleeper flagged the word since: the counter moves on, the flag stays clear
        assertEquals(seen + 4, buffer.getIntVolatile(0));
        Eventually.await("sleepers gone", Duration.ofSeconds(10), () -> signal.waiters() == 0);

        assertTrue(signal.awaitChangeFlagged(seen, -1), "an old sequence returns at once");
        assertFalse(signal.awaitChangeFlagged(signal.flaggedSequence(), TimeUnit.MILLISECONDS.toNanos(200)));
        assertEquals(1, buffer.getIntVolatile(0) & 1, "a sleeper that timed out leaves its flag for the next signal");
        signal.signalAllFlagged();
        assertEquals(0, buffer.getIntVolatile(0) & 1);
    }

    /**
     * Two threads answer each other through two flagged signals, 5,000 rounds each way, every wait going through the
     * flag and the kernel (no spinning) in kernel slices of a minute: a lost wake-up would stop the exchange for a
     * minute, past the test's deadline.
     */
    @Test
    @Timeout(30)
    void shouldNeverLoseAWakeUpInTheFlaggedProtocol() throws Exception
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        final WakeSignal toA = new WakeSignal(buffer, 0);
        final WakeSignal toB = new WakeSignal(buffer, 64);
        final int aRound = 128;
        final int bRound = 192;
        final int rounds = 5_000;
        final long sliceNs = TimeUnit.SECONDS.toNanos(60);
        final CompletableFuture<Void> b = new CompletableFuture<>();
        final Thread answerer = new Thread(() ->
        {
            try
            {
                for (int round = 1; round <= rounds; round++)
                {
                    awaitValue(buffer, aRound, round, toB, sliceNs);
                    buffer.putIntRelease(bRound, round);
                    toA.signalAllFlagged();
                }
                b.complete(null);
            }
            catch (final Throwable t)
            {
                b.completeExceptionally(t);
            }
        });
        answerer.setDaemon(true);
        answerer.start();
        for (int round = 1; round <= rounds; round++)
        {
            buffer.putIntRelease(aRound, round);
            toB.signalAllFlagged();
            awaitValue(buffer, bRound, round, toA, sliceNs);
        }
        b.get(30, TimeUnit.SECONDS);
        assertEquals(rounds, buffer.getIntVolatile(bRound));
    }

    private static void awaitValue(
        final AtomicBuffer buffer, final int index, final int value, final WakeSignal signal, final long sliceNs)
        throws InterruptedException
    {
        while (true)
        {
            final int sequence = signal.flaggedSequence();
            if (buffer.getIntAcquire(index) == value)
            {
                return;
            }
            signal.awaitChangeFlagged(sequence, -1, 0, sliceNs);
        }
    }

    private static void startFlaggedSleeper(
        final WakeSignal signal, final int seen, final CompletableFuture<Boolean> outcome)
    {
        final Thread sleeper = new Thread(() ->
        {
            try
            {
                outcome.complete(signal.awaitChangeFlagged(seen, TimeUnit.SECONDS.toNanos(30)));
            }
            catch (final Throwable t)
            {
                outcome.completeExceptionally(t);
            }
        });
        sleeper.setDaemon(true);
        sleeper.start();
    }

    @Test
    void shouldRefuseAMisalignedWord()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        assertThrows(IllegalArgumentException.class, () -> new WakeSignal(buffer, 2));
    }

    /**
     * For each round: announce it is about to sleep, sleep on TO_CHILD until the parent's round arrives, answer.
     */
    public static final class Echo
    {
        public static void main(final String[] args) throws InterruptedException
        {
            try (ResourceFile file = ResourceFile.open(args[0], ResourceKind.TEST, 1))
            {
                final AtomicBuffer buffer = file.buffer();
                final int base = file.headerLength();
                final WakeSignal toParent = new WakeSignal(buffer, base + TO_PARENT);
                final WakeSignal toChild = new WakeSignal(buffer, base + TO_CHILD);
                for (int round = 1; round <= Integer.parseInt(args[1]); round++)
                {
                    final int seq = toChild.sequence();
                    buffer.putIntRelease(base + CHILD_WAITING, round);
                    while (buffer.getIntAcquire(base + CHILD_ROUND + 4) != round)
                    {
                        if (!toChild.awaitChange(seq, TimeUnit.SECONDS.toNanos(30), 0))
                        {
                            System.exit(2);
                        }
                    }
                    buffer.putIntRelease(base + CHILD_ROUND, round);
                    toParent.signalAll();
                }
            }
        }
    }
}
