package io.ipckit.shm.sync;

import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class SharedBarrierTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldReleaseAllPartiesAcrossJvmsWithDistinctIndexesAndRunTheActionOnce() throws Exception
    {
        try (MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            final AtomicBuffer buffer = report.buffer();
            try (SharedBarrier barrier = SharedBarrier.create("trip", 3,
                () -> buffer.getAndAddLong(SyncChild.COUNTER_OFFSET, 1)))
            {
                final JvmProcess a = startParty("trip", 0, 30_000);
                final JvmProcess b = startParty("trip", 1, 30_000);
                final int mine = barrier.await(30, TimeUnit.SECONDS);
                joinAll(a, b);
                final Set<Long> indexes = new TreeSet<>();
                indexes.add((long)mine + 1);
                indexes.add(buffer.getLongVolatile(SyncChild.PER_CHILD_OFFSET));
                indexes.add(buffer.getLongVolatile(SyncChild.PER_CHILD_OFFSET + 8));
                assertEquals(Set.of(1L, 2L, 3L), indexes, "arrival indexes 0, 1, 2, one each");
                assertEquals(1, buffer.getLongVolatile(SyncChild.COUNTER_OFFSET), "the action ran once");
                assertFalse(barrier.isBroken());
                assertEquals(0, barrier.getNumberWaiting());
            }
        }
    }

    @Test
    void shouldBeReusableGenerationAfterGeneration() throws Exception
    {
        try (SharedBarrier barrier = SharedBarrier.create("cyclic", 2);
            SharedBarrier other = SharedBarrier.open("cyclic"))
        {
            for (int generation = 0; generation < 5; generation++)
            {
                final CompletableFuture<Integer> party = CompletableFuture.supplyAsync(() -> awaitQuietly(other));
                final int mine = barrier.await(10, TimeUnit.SECONDS);
                assertEquals(1, mine + party.get(10, TimeUnit.SECONDS), "indexes 0 and 1");
            }
        }
    }

    @Test
    void shouldFailEveryWaiterWhenAborted() throws Exception
    {
        try (SharedBarrier barrier = SharedBarrier.create("abort", 3);
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            final JvmProcess child = startParty("abort", 0, 30_000);
            Eventually.await("child waiting", Duration.ofSeconds(30), () -> barrier.getNumberWaiting() == 1);
            barrier.abort();
            joinAll(child);
            assertEquals(-1, report.buffer().getLongVolatile(SyncChild.PER_CHILD_OFFSET), "the child's wait broke");
            assertTrue(barrier.isBroken());
            final BrokenBarrierException ex = assertThrows(BrokenBarrierException.class, barrier::await);
            assertEquals("Barrier \"abort\" is broken: it was aborted; call reset() to use it again", ex.getMessage());

            barrier.reset();
            assertFalse(barrier.isBroken());
            final CompletableFuture<Throwable> party = new CompletableFuture<>();
            final CompletableFuture<Throwable> another = new CompletableFuture<>();
            waiter(barrier, party);
            waiter(barrier, another);
            barrier.await(10, TimeUnit.SECONDS);
            assertEquals(null, party.get(10, TimeUnit.SECONDS));
            assertEquals(null, another.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldBreakForEveryWaiterWhenOneTimesOut() throws Exception
    {
        try (SharedBarrier barrier = SharedBarrier.create("timeout", 3);
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            final JvmProcess child = startParty("timeout", 0, 30_000);
            Eventually.await("child waiting", Duration.ofSeconds(30), () -> barrier.getNumberWaiting() == 1);
            final TimeoutException timedOut =
                assertThrows(TimeoutException.class, () -> barrier.await(100, TimeUnit.MILLISECONDS));
            assertTrue(timedOut.getMessage().contains("2 of 3 parties arrived"), timedOut.getMessage());
            joinAll(child);
            assertEquals(-1, report.buffer().getLongVolatile(SyncChild.PER_CHILD_OFFSET), "the child's wait broke");
            assertTrue(barrier.isBroken());
        }
    }

    @Test
    void shouldBreakWhenAnAttachedProcessIsKilled() throws Exception
    {
        try (SharedBarrier barrier = SharedBarrier.create("death", 3);
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            final JvmProcess waiting = startParty("death", 0, 30_000);
            final JvmProcess doomed = dir.start(SyncChild.class,
                "barrier-attach", "death", "report");
            Eventually.await("both children attached", Duration.ofSeconds(30),
                () -> report.buffer().getLongVolatile(SyncChild.READY_OFFSET) == 2 && barrier.getNumberWaiting() == 1);
            doomed.kill();
            final BrokenBarrierException ex =
                assertThrows(BrokenBarrierException.class, () -> barrier.await(10, TimeUnit.SECONDS));
            assertEquals("Barrier \"death\" is broken: attached process pid " + doomed.pid() + " died; call reset() " +
                "to use it again", ex.getMessage());
            joinAll(waiting);
            assertEquals(-1, report.buffer().getLongVolatile(SyncChild.PER_CHILD_OFFSET), "the child's wait broke");
        }
    }

    /**
     * A party killed while it broke the barrier for a dead process, before it freed that process's slot, left the slot
     * seized (-1 in files of earlier versions): a waiter seizes it again and breaks. Before, the mark named no process,
     * nobody looked at it again, and the wait timed out.
     */
    @Test
    void shouldBreakForASlotWhoseBreakerWasKilled()
    {
        try (SharedBarrier barrier = SharedBarrier.create("breaker", 2);
            MappedFile raw = MappedFile.open("breaker"))
        {
            final int table = io.ipckit.core.file.ResourceHeaderDescriptor.headerLength(0) +
                BarrierDescriptor.TABLE_OFFSET;
            final int free = raw.buffer().getLongVolatile(table) == 0 ? table : table + ProcessTable.SLOT_LENGTH;
            raw.buffer().putLongVolatile(free, -1L);
            final BrokenBarrierException ex = assertThrows(BrokenBarrierException.class,
                () -> barrier.await(20, TimeUnit.SECONDS), "a waiter looked at the seized slot");
            assertEquals("Barrier \"breaker\" is broken: attached process pid 2147483647 died; call reset() to use it " +
                "again", ex.getMessage());
            barrier.reset();
            assertEquals(0, raw.buffer().getLongVolatile(free), "the slot freed");
        }
    }

    @Test
    void shouldBreakWhenTheLastPartyIsKilledRunningTheAction() throws Exception
    {
        try (SharedBarrier barrier = SharedBarrier.create("stuck", 1);
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            final JvmProcess doomed = dir.start(SyncChild.class, "barrier-stuck-action", "stuck", "report");
            Eventually.await("the child running the action", Duration.ofSeconds(30),
                () -> report.buffer().getLongVolatile(SyncChild.READY_OFFSET) == 1);
            doomed.kill();
            // nobody waits in the round whose action died: this party, arriving for the next one, must notice
            final BrokenBarrierException ex = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(BrokenBarrierException.class, () -> barrier.await(10, TimeUnit.SECONDS)),
                "an arrival waited on a round whose last party was killed running the action");
            assertEquals("Barrier \"stuck\" is broken: attached process pid " + doomed.pid() + " died; call reset() " +
                "to use it again", ex.getMessage());
            barrier.reset();
            assertEquals(0, barrier.await(10, TimeUnit.SECONDS), "reset makes it usable again");
        }
    }

    @Test
    void shouldBreakTheNextRoundForAPartyInterruptedWhileTheActionRuns() throws Exception
    {
        final HeldAction action = new HeldAction(false);
        try (SharedBarrier barrier = SharedBarrier.create("action", 2, action))
        {
            final CompletableFuture<Object> first = arrive(barrier);
            final CompletableFuture<Object> last = arrive(barrier);
            final LateParty late = action.lateInterruptedParty(barrier);
            assertEquals(java.util.Set.of(0, 1), java.util.Set.of(first.get(10, TimeUnit.SECONDS),
                last.get(10, TimeUnit.SECONDS)), "the round whose parties had all arrived trips");
            assertInstanceOf(InterruptedException.class, late.outcome.get(10, TimeUnit.SECONDS));
            assertTrue(barrier.isBroken(), "the late party's own round is broken");
        }
    }

    @Test
    void shouldKeepTheInterruptOfAPartyWhoseRoundBrokeWhileTheActionRan() throws Exception
    {
        final HeldAction action = new HeldAction(true);
        try (SharedBarrier barrier = SharedBarrier.create("failing", 2, action))
        {
            arrive(barrier);
            arrive(barrier);
            final LateParty late = action.lateInterruptedParty(barrier);
            assertInstanceOf(BrokenBarrierException.class, late.outcome.get(10, TimeUnit.SECONDS));
            // before: the interrupt was taken in and lost, where CyclicBarrier keeps it
            assertTrue(late.flagAfter.get(10, TimeUnit.SECONDS), "the late party's interrupt kept");
        }
    }

    /**
     * A waiter whose time ran out while the last party ran the action used to break the round whose parties had all
     * arrived: it got TimeoutException and the last party BrokenBarrierException after its action succeeded.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldTripARoundWhoseWaiterTimesOutWhileTheActionRuns() throws Exception
    {
        final HeldAction action = new HeldAction(false);
        try (SharedBarrier barrier = SharedBarrier.create("late.timeout", 2, action))
        {
            final LateParty waiting = new LateParty();
            final Thread thread = startParty(barrier, waiting, 200);
            Eventually.await("one waiting", Duration.ofSeconds(10), () -> barrier.getNumberWaiting() == 1);
            final CompletableFuture<Object> last = arrive(barrier);
            assertTrue(action.runs.await(30, TimeUnit.SECONDS), "the action ran");
            awaitGivenUp(thread, waiting, "the waiter's timeout passed");
            action.mayEnd.countDown();
            assertEquals(1, last.get(10, TimeUnit.SECONDS), "the last party's round tripped");
            assertEquals(0, waiting.outcome.get(10, TimeUnit.SECONDS), "the waiter's round tripped");
            assertFalse(barrier.isBroken());
        }
    }

    /**
     * As {@link #shouldTripARoundWhoseWaiterTimesOutWhileTheActionRuns}, for a waiter interrupted while the action
     * runs: its round trips and its interrupt is kept, as CyclicBarrier does.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldTripARoundWhoseWaiterIsInterruptedWhileTheActionRuns() throws Exception
    {
        final HeldAction action = new HeldAction(false);
        try (SharedBarrier barrier = SharedBarrier.create("late.interrupt", 2, action))
        {
            final LateParty waiting = new LateParty();
            final Thread thread = startParty(barrier, waiting, -1);
            Eventually.await("one waiting", Duration.ofSeconds(10), () -> barrier.getNumberWaiting() == 1);
            final CompletableFuture<Object> last = arrive(barrier);
            assertTrue(action.runs.await(30, TimeUnit.SECONDS), "the action ran");
            thread.interrupt();
            awaitGivenUp(thread, waiting, "the waiter took in its interrupt");
            action.mayEnd.countDown();
            assertEquals(1, last.get(10, TimeUnit.SECONDS), "the last party's round tripped");
            assertEquals(0, waiting.outcome.get(10, TimeUnit.SECONDS), "the waiter's round tripped");
            assertTrue(waiting.flagAfter.get(10, TimeUnit.SECONDS), "the waiter's interrupt kept");
            assertFalse(barrier.isBroken());
        }
    }

    /**
     * Waits until a party has given up its wait: it returned, or (with the fix) it waits on for the round whose
     * parties have all arrived.
     */
    private static void awaitGivenUp(final Thread thread, final LateParty party, final String description)
    {
        Eventually.await(description, Duration.ofSeconds(10), () -> party.outcome.isDone() ||
            java.util.Arrays.stream(thread.getStackTrace())
                .anyMatch((frame) -> "awaitTripOfFullRound".equals(frame.getMethodName())));
    }

    /**
     * Starts a thread that awaits the barrier, with a timeout in ms or, when negative, without, and records its outcome
     * and its interrupt flag after it.
     */
    private static Thread startParty(final SharedBarrier barrier, final LateParty party, final long timeoutMs)
    {
        return Thread.ofPlatform().start(() ->
        {
            try
            {
                party.outcome.complete(
                    timeoutMs < 0 ? barrier.await() : barrier.await(timeoutMs, TimeUnit.MILLISECONDS));
            }
            catch (final Throwable ex)
            {
                party.outcome.complete(ex);
            }
            party.flagAfter.complete(Thread.currentThread().isInterrupted());
        });
    }

    /**
     * Closing a handle that a party waited in used to leave its arrival counted, the round unbroken: the next round
     * tripped one real party short.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldBreakTheRoundWhenTheHandleOfAWaitingPartyIsClosed() throws Exception
    {
        try (SharedBarrier barrier = SharedBarrier.create("bc", 2))
        {
            final SharedBarrier closing = SharedBarrier.open("bc");
            final LateParty waiting = new LateParty();
            startParty(closing, waiting, -1);
            Eventually.await("one waiting", Duration.ofSeconds(10), () -> barrier.getNumberWaiting() == 1);
            closing.close();
            assertInstanceOf(ResourceClosedException.class, waiting.outcome.get(10, TimeUnit.SECONDS));
            assertTrue(barrier.isBroken(), "the closed party's round is broken");
            assertEquals(0, barrier.getNumberWaiting());
            final BrokenBarrierException ex =
                assertThrows(BrokenBarrierException.class, () -> barrier.await(1, TimeUnit.SECONDS));
            assertEquals("Barrier \"bc\" is broken: a waiting party's handle was closed; call reset() to use it again",
                ex.getMessage());
        }
    }

    /**
     * A barrier action that runs until the test lets it end, then returns or fails.
     */
    private static final class HeldAction implements Runnable
    {
        private final java.util.concurrent.CountDownLatch runs = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch mayEnd = new java.util.concurrent.CountDownLatch(1);
        private final boolean fails;

        HeldAction(final boolean fails)
        {
            this.fails = fails;
        }

        @Override
        public void run()
        {
            runs.countDown();
            try
            {
                mayEnd.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (fails)
            {
                throw new IllegalStateException("the action fails");
            }
        }

        /**
         * Once the action runs, starts a party that arrives interrupted while the round before runs it, waits until
         * that party waits for the round before, then lets the action end.
         */
        LateParty lateInterruptedParty(final SharedBarrier barrier) throws InterruptedException
        {
            assertTrue(runs.await(30, TimeUnit.SECONDS), "the action ran");
            final LateParty late = new LateParty();
            final Thread party = Thread.ofPlatform().start(() ->
            {
                Thread.currentThread().interrupt();
                try
                {
                    late.outcome.complete(barrier.await());
                }
                catch (final Throwable ex)
                {
                    late.outcome.complete(ex);
                }
                late.flagAfter.complete(Thread.currentThread().isInterrupted());
            });
            Eventually.await("the late party waiting for the round before", Duration.ofSeconds(10),
                () -> late.outcome.isDone() || java.util.Arrays.stream(party.getStackTrace())
                    .anyMatch((frame) -> "pause".equals(frame.getMethodName())));
            mayEnd.countDown();
            return late;
        }
    }

    /**
     * What a late party's await gave, and whether its interrupt flag was set after it.
     */
    private static final class LateParty
    {
        final CompletableFuture<Object> outcome = new CompletableFuture<>();
        final CompletableFuture<Boolean> flagAfter = new CompletableFuture<>();
    }

    private static CompletableFuture<Object> arrive(final SharedBarrier barrier)
    {
        final CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread.ofPlatform().start(() ->
        {
            try
            {
                outcome.complete(barrier.await(30, TimeUnit.SECONDS));
            }
            catch (final Throwable ex)
            {
                outcome.complete(ex);
            }
        });
        return outcome;
    }

    @Test
    void shouldBreakWhenAWaiterIsInterruptedOrResetWhileWaiting() throws Exception
    {
        try (SharedBarrier barrier = SharedBarrier.create("int", 3))
        {
            final CompletableFuture<Throwable> interrupted = new CompletableFuture<>();
            final CompletableFuture<Throwable> other = new CompletableFuture<>();
            final Thread first = waiter(barrier, interrupted);
            final Thread second = waiter(barrier, other);
            Eventually.await("two waiting", Duration.ofSeconds(10), () -> barrier.getNumberWaiting() == 2);
            first.interrupt();
            assertInstanceOf(InterruptedException.class, interrupted.get(10, TimeUnit.SECONDS));
            final Throwable broken = other.get(10, TimeUnit.SECONDS);
            assertInstanceOf(BrokenBarrierException.class, broken);
            assertTrue(broken.getMessage().contains("a waiting party was interrupted"), broken.getMessage());
            second.join(10_000);

            barrier.reset();
            final CompletableFuture<Throwable> reset = new CompletableFuture<>();
            waiter(barrier, reset);
            Eventually.await("one waiting", Duration.ofSeconds(10), () -> barrier.getNumberWaiting() == 1);
            barrier.reset();
            final Throwable afterReset = reset.get(10, TimeUnit.SECONDS);
            assertInstanceOf(BrokenBarrierException.class, afterReset);
            assertTrue(afterReset.getMessage().contains("reset while this party waited"), afterReset.getMessage());
            assertFalse(barrier.isBroken(), "reset leaves the barrier usable");
        }
    }

    @Test
    void shouldBreakAndRethrowWhenTheActionThrows() throws Exception
    {
        final IllegalStateException failure = new IllegalStateException("action failed");
        try (SharedBarrier barrier = SharedBarrier.create("action", 2, () ->
        {
            throw failure;
        }); SharedBarrier other = SharedBarrier.open("action"))
        {
            final CompletableFuture<Throwable> first = new CompletableFuture<>();
            waiter(other, first);
            Eventually.await("one waiting", Duration.ofSeconds(10), () -> barrier.getNumberWaiting() == 1);
            assertSame(failure, assertThrows(IllegalStateException.class, () -> barrier.await(10, TimeUnit.SECONDS)));
            final Throwable broken = first.get(10, TimeUnit.SECONDS);
            assertInstanceOf(BrokenBarrierException.class, broken);
            assertTrue(broken.getMessage().contains("the barrier action threw"), broken.getMessage());
        }
    }

    /**
     * A reset that read the state of a round before its last party tripped it used to clear that round's released bit
     * after the fact: the last party returned normally and the other got "reset while this party waited". Every round
     * must end the same way for both of its parties, whichever of the trip and the reset wins.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldEndEveryRoundTheSameWayForAllItsPartiesWhenResetRacesTheTrip() throws Exception
    {
        final int rounds = 15_000; // the race split a round within the first few hundred before the fix
        try (SharedBarrier first = SharedBarrier.create("race", 2); SharedBarrier second = SharedBarrier.open("race"))
        {
            final java.util.concurrent.CyclicBarrier lockStep = new java.util.concurrent.CyclicBarrier(2);
            final String[][] outcomes = new String[2][rounds];
            final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            final Thread resetter = Thread.ofPlatform().start(() ->
            {
                final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
                while (!done.get())
                {
                    final long untilNs = System.nanoTime() + random.nextLong(20_000);
                    while (System.nanoTime() - untilNs < 0)
                    {
                        Thread.onSpinWait();
                    }
                    first.reset();
                }
            });
            try
            {
                final Thread other = Thread.ofPlatform().start(() -> loopRounds(first, lockStep, outcomes[0]));
                loopRounds(second, lockStep, outcomes[1]);
                assertTrue(other.join(Duration.ofSeconds(30)), "the other party finished its rounds");
            }
            finally
            {
                done.set(true);
                resetter.join(10_000);
            }
            int tripped = 0;
            for (int round = 0; round < rounds; round++)
            {
                final boolean returnedA = outcomes[0][round].startsWith("index");
                final boolean returnedB = outcomes[1][round].startsWith("index");
                assertEquals(returnedA, returnedB, "round " + round + " ended differently for its parties: " +
                    outcomes[0][round] + " / " + outcomes[1][round]);
                tripped += returnedA ? 1 : 0;
            }
            assertTrue(tripped > 0, "some round tripped");
        }
    }

    /**
     * One party's rounds: an await each, its outcome recorded, then a step in lock with the other party so that both
     * look at the same round.
     */
    private static void loopRounds(
        final SharedBarrier barrier, final java.util.concurrent.CyclicBarrier lockStep, final String[] outcomes)
    {
        try
        {
            for (int round = 0; round < outcomes.length; round++)
            {
                try
                {
                    outcomes[round] = "index " + barrier.await(10, TimeUnit.SECONDS);
                }
                catch (final BrokenBarrierException | TimeoutException ex)
                {
                    outcomes[round] = ex.toString();
                }
                lockStep.await(10, TimeUnit.SECONDS);
            }
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldRefuseInvalidParties()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> SharedBarrier.create("zero", 0));
        assertTrue(ex.getMessage().contains("for 0 parties"), ex.getMessage());
    }

    private JvmProcess startParty(final String name, final int index, final long timeoutMs)
    {
        return dir.start(SyncChild.class,
            "barrier", name, "report", Integer.toString(index), Long.toString(timeoutMs));
    }

    private static void joinAll(final JvmProcess... children) throws InterruptedException
    {
        for (final JvmProcess child : children)
        {
            assertTrue(child.join(30, TimeUnit.SECONDS), child + " did not finish");
            assertEquals(0, child.exitCode().orElseThrow(), child + " failed");
        }
    }

    private static Thread waiter(final SharedBarrier barrier, final CompletableFuture<Throwable> outcome)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                barrier.await(30, TimeUnit.SECONDS);
                outcome.complete(null);
            }
            catch (final Throwable t)
            {
                outcome.complete(t);
            }
        });
        thread.start();
        return thread;
    }

    private static int awaitQuietly(final SharedBarrier barrier)
    {
        try
        {
            return barrier.await(10, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
