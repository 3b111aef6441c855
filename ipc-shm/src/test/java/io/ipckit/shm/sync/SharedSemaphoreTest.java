package io.ipckit.shm.sync;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.ShmOptions;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(60)
class SharedSemaphoreTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldExcludeAcrossTwoJvmsAsBinarySemaphore() throws Exception
    {
        final int iterations = 2000;
        try (SharedSemaphore semaphore = SharedSemaphore.createBounded("mutex.sem", 1);
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            countInTwoChildren(semaphore, "mutex.sem", iterations, report.buffer());
        }
    }

    /**
     * Two processes take turns holding the one permit, each in the one owner slot, which every release frees and
     * every acquire claims again while the other process waits for it.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldExcludeAcrossTwoJvmsTakingTurnsInOneOwnerSlot() throws Exception
    {
        final int iterations = 500;
        try (SharedSemaphore semaphore =
                SharedSemaphore.create("turns.sem", 1, new ShmOptions().bounded(true).ownerSlots(1));
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            countInTwoChildren(semaphore, "turns.sem", iterations, report.buffer());
            assertEquals(0, semaphore.recoveredPermits(), "no process died holding a permit");
            assertEquals(0, ownerSlotsTaken("turns.sem", 1), "every slot freed");
        }
    }

    /**
     * Threads of one process, through two handles, acquire and release all the ways there are. The process's permits
     * are recorded in its one slot without a lock once it has the slot; the slot is freed when the last thread leaves
     * it holding none, and claimed again by the next.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldLeaveNoOwnerSlotAfterManyThreadsAcquireAndRelease() throws Exception
    {
        final int threads = 4;
        final int iterations = 20_000;
        final int permits = 3;
        try (SharedSemaphore first =
                SharedSemaphore.create("churn.sem", permits, new ShmOptions().bounded(true).ownerSlots(1));
            SharedSemaphore second = SharedSemaphore.open("churn.sem"))
        {
            final AtomicInteger inUse = new AtomicInteger();
            final AtomicInteger overuse = new AtomicInteger();
            final AtomicInteger blockingTaken = new AtomicInteger();
            final AtomicInteger impossibleTaken = new AtomicInteger();
            final CyclicBarrier start = new CyclicBarrier(threads);
            final List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                final SharedSemaphore semaphore = t % 2 == 0 ? first : second;
                final CompletableFuture<Void> run = new CompletableFuture<>();
                runs.add(run);
                Thread.ofPlatform().daemon().start(() ->
                {
                    try
                    {
                        start.await(10, TimeUnit.SECONDS);
                        for (int i = 0; i < iterations; i++)
                        {
                            final int n = 1 + (i + thread) % permits;
                            final boolean got = switch (i % 4)
                            {
                                case 0 ->
                                {
                                    semaphore.acquire(n);
                                    blockingTaken.incrementAndGet();
                                    yield true;
                                }
                                case 1 -> semaphore.tryAcquire(n);
                                case 2 -> semaphore.tryAcquire(n, 1, TimeUnit.MILLISECONDS);
                                default ->
                                {
                                    if (semaphore.tryAcquire(permits + 1)) // more than there are: never
                                    {
                                        impossibleTaken.incrementAndGet();
                                    }
                                    yield false;
                                }
                            };
                            if (got)
                            {
                                if (inUse.addAndGet(n) > permits)
                                {
                                    overuse.incrementAndGet();
                                }
                                inUse.addAndGet(-n);
                                semaphore.release(n);
                            }
                        }
                        run.complete(null);
                    }
                    catch (final Throwable ex)
                    {
                        run.completeExceptionally(ex);
                    }
                });
            }
            for (final CompletableFuture<Void> run : runs)
            {
                run.get(50, TimeUnit.SECONDS);
            }
            assertEquals(0, overuse.get(), "more permits in use than the semaphore has");
            assertEquals(threads * ((iterations + 3) / 4), blockingTaken.get(), "every blocking acquire returned");
            assertEquals(0, impossibleTaken.get(), "no acquire took more permits than the semaphore has");
            assertEquals(permits, first.availablePermits());
            assertEquals(0, first.permitsHeldByThisProcess());
            assertEquals(0, second.permitsHeldByThisProcess());
            assertEquals(0, ownerSlotsTaken("churn.sem", 1), "the slot freed with the last release");
            assertTrue(first.tryAcquire(permits), "the slot claimed again");
            assertEquals(permits, second.permitsHeldByThisProcess(), "both handles see the one slot");
            second.release(permits);
            assertEquals(0, ownerSlotsTaken("churn.sem", 1));
        }
    }

    /**
     * Acquires and releases through handles of an owner-tracking semaphore while another thread holds the JVM-wide
     * lock of the process tables (the barrier's). Before, every acquire took that lock twice (to count itself in flight
     * in its process's slot and out again) and every release once, so this waited for the holder.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldTakeNoJvmWideLockToAcquireOrRelease() throws Exception
    {
        try (SharedSemaphore semaphore = SharedSemaphore.create("nolock.sem", 2, new ShmOptions().ownerSlots(1));
            SharedSemaphore other = SharedSemaphore.open("nolock.sem"))
        {
            final CompletableFuture<Long> held = new CompletableFuture<>();
            final Thread user = new Thread(() ->
            {
                try
                {
                    semaphore.acquire(); // claims the slot
                    other.acquire(); // has it
                    final boolean none = !semaphore.tryAcquire() && !other.tryAcquire(1, 1, TimeUnit.MILLISECONDS);
                    final long both = semaphore.permitsHeldByThisProcess();
                    semaphore.release();
                    other.release(); // frees it
                    held.complete(none ? both : -1);
                }
                catch (final Throwable t)
                {
                    held.completeExceptionally(t);
                }
            });
            synchronized (ProcessTable.CLAIM_LOCK)
            {
                user.start();
                try
                {
                    assertEquals(2, held.get(10, TimeUnit.SECONDS));
                }
                catch (final TimeoutException ex)
                {
                    fail("an acquire or release waited for the JVM-wide claim lock");
                }
            }
            user.join(TimeUnit.SECONDS.toMillis(10));
            assertEquals(2, semaphore.availablePermits());
            assertEquals(0, ownerSlotsTaken("nolock.sem", 1));
        }
    }

    @Test
    void shouldFollowPythonSemaphoreSemantics() throws Exception
    {
        try (SharedSemaphore semaphore = SharedSemaphore.create("py.sem", 2);
            SharedSemaphore other = SharedSemaphore.open("py.sem"))
        {
            assertFalse(semaphore.isBounded());
            assertTrue(semaphore.tryAcquire());
            assertTrue(other.tryAcquire(1, TimeUnit.SECONDS));
            assertEquals(0, other.availablePermits());
            assertFalse(semaphore.tryAcquire(), "acquire(blocking=False) returns False");
            final long startNs = System.nanoTime();
            assertFalse(semaphore.tryAcquire(100, TimeUnit.MILLISECONDS), "acquire(timeout=0.1) returns False");
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(100));
            semaphore.release(3);
            assertEquals(3, other.availablePermits(), "an unbounded semaphore may go above its initial value");
            assertFalse(other.tryAcquire(4));
            other.acquire(3);
            assertEquals(0, semaphore.availablePermits());
            assertThrows(IllegalArgumentException.class, () -> semaphore.release(-1));
            assertTrue(semaphore.toString().contains("Semaphore{py.sem, 0 available}"), semaphore.toString());
        }
    }

    @Test
    void shouldRefuseBoundedSemaphoreReleaseAboveInitialValue() throws Exception
    {
        try (SharedSemaphore semaphore = SharedSemaphore.createBounded("bounded.sem", 2))
        {
            assertTrue(semaphore.isBounded());
            final IllegalStateException full = assertThrows(IllegalStateException.class, semaphore::release);
            assertEquals("BoundedSemaphore \"bounded.sem\" released too many times: 2 available + 1 released > 2; " +
                "release only permits that were acquired", full.getMessage());
            semaphore.acquire(2);
            semaphore.release();
            assertThrows(IllegalStateException.class, () -> semaphore.release(2));
            assertEquals(1, semaphore.availablePermits(), "a refused release changes nothing");
            semaphore.release();
            assertEquals(2, semaphore.availablePermits());
        }
    }

    @Test
    void shouldWakeWaiterInAnotherThreadOnRelease() throws Exception
    {
        try (SharedSemaphore semaphore = SharedSemaphore.create("wake.sem", 0);
            SharedSemaphore other = SharedSemaphore.open("wake.sem"))
        {
            final CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return other.tryAcquire(2, 20, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            Eventually.await("waiter asleep", Duration.ofSeconds(10), () -> semaphore.sleepers() > 0);
            semaphore.release();
            semaphore.release();
            assertTrue(waiter.get(10, TimeUnit.SECONDS));
            assertEquals(0, semaphore.availablePermits());
        }
    }

    @Test
    void shouldRecoverPermitsOfKilledHolderWhenTrackingOwners() throws Exception
    {
        try (SharedSemaphore semaphore =
                SharedSemaphore.create("tracked.sem", 3, new ShmOptions().bounded(true).ownerSlots(8));
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            assertTrue(semaphore.isTrackingOwners());
            semaphore.acquire();
            assertEquals(1, semaphore.permitsHeldByThisProcess());
            final JvmProcess child = dir.start(SyncChild.class,
                "sem-hold", "tracked.sem", "2", "report");
            Eventually.await("child holds 2 permits", Duration.ofSeconds(30),
                () -> report.buffer().getLongVolatile(SyncChild.READY_OFFSET) == 1);
            assertFalse(semaphore.tryAcquire());
            child.kill();
            assertTrue(semaphore.tryAcquire(2, 10, TimeUnit.SECONDS), "permits of the dead holder recovered");
            assertEquals(2, semaphore.recoveredPermits());
            assertEquals(3, semaphore.permitsHeldByThisProcess());
            semaphore.release(3);
            assertEquals(0, semaphore.permitsHeldByThisProcess());
            assertEquals(3, semaphore.availablePermits(), "recovery never exceeds the bound");
        }
    }

    /**
     * A survivor killed while it gave back a dead holder's permits left that holder's slot seized under its own token
     * (under -1 before), with the permits in it: the next process that needs a slot takes it over and gives them back.
     * Before, the slot and its permits were lost for good, and this acquire failed with "owner table is full".
     */
    @Test
    void shouldRecoverTheSlotOfAKilledRecoverer()
    {
        final long deadCleaner = 0x1234L << 32 | 0x3FFF_FFFFL; // no pid reaches 2^30
        for (final long left : new long[] {-1L, deadCleaner | OwnerToken.RECLAIM_MARK})
        {
            final String name = "cleaner-" + Long.toHexString(left) + ".sem";
            try (SharedSemaphore semaphore =
                    SharedSemaphore.create(name, 3, new ShmOptions().bounded(true).ownerSlots(1));
                MappedFile raw = MappedFile.open(name))
            {
                final int base = io.ipckit.core.file.ResourceHeaderDescriptor.headerLength(0);
                final int slot = base + SemaphoreDescriptor.OWNER_TABLE_OFFSET;
                raw.buffer().putIntVolatile(base + SemaphoreDescriptor.PERMITS_OFFSET, 1); // 2 held by the dead holder
                raw.buffer().putLongVolatile(slot + 8, 2);
                raw.buffer().putLongVolatile(slot, left);

                assertTrue(semaphore.tryAcquire(3), Long.toHexString(left) + ": the slot's permits recovered");
                assertEquals(2, semaphore.recoveredPermits());
                assertEquals(3, semaphore.permitsHeldByThisProcess());
                semaphore.release(3);
                assertEquals(3, semaphore.availablePermits());
            }
        }
    }

    @Test
    void shouldNotRecoverPermitsWithoutOwnerTracking() throws Exception
    {
        try (SharedSemaphore semaphore = SharedSemaphore.create("untracked.sem", 1);
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            final JvmProcess child = dir.start(SyncChild.class,
                "sem-hold", "untracked.sem", "1", "report");
            Eventually.await("child holds the permit", Duration.ofSeconds(30),
                () -> report.buffer().getLongVolatile(SyncChild.READY_OFFSET) == 1);
            child.kill();
            assertTrue(child.join(10, TimeUnit.SECONDS));
            assertFalse(semaphore.tryAcquire(4 * io.ipckit.core.internal.kit.LivenessCheckInterval.INTERVAL_DEFAULT_MS, TimeUnit.MILLISECONDS));
            assertEquals(0, semaphore.recoveredPermits());
        }
    }

    /**
     * A slot used to stay claimed for as long as its process lived, even with no permit held, and even a tryAcquire
     * that took nothing claimed one: owner slots capped the processes that ever touched the semaphore, not those that
     * hold permits at once.
     */
    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldFreeTheOwnerSlotOfAProcessThatHoldsNoPermit() throws Exception
    {
        try (SharedSemaphore semaphore = SharedSemaphore.create("sem1", 1, new ShmOptions().ownerSlots(1));
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            semaphore.acquire();
            semaphore.release();
            final JvmProcess child = dir.start(SyncChild.class, "sem-hold", "sem1", "1", "report");
            Eventually.await("the child holds the permit in the one slot", Duration.ofSeconds(30),
                () -> report.buffer().getLongVolatile(SyncChild.READY_OFFSET) == 1 || !child.isAlive());
            assertTrue(child.isAlive(), "the child's acquire found a slot");
            assertFalse(semaphore.tryAcquire(), "no permit, and no slot needed to say so");
            child.kill();
            assertTrue(child.join(10, TimeUnit.SECONDS));
            assertTrue(semaphore.tryAcquire(10, TimeUnit.SECONDS), "the dead child's permit recovered");
            assertEquals(1, semaphore.recoveredPermits());
            semaphore.release();
            assertEquals(0, semaphore.permitsHeldByThisProcess());
        }
    }

    /**
     * A full owner table is waited out like a lack of permits. Before, with the one slot held by a child that holds
     * one of two permits, tryAcquire() and every acquire threw "its owner table is full".
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldWaitForTheOwnerSlotOfAHolderKilledWithSigkill() throws Exception
    {
        try (SharedSemaphore semaphore = SharedSemaphore.create("full.sem", 2, new ShmOptions().ownerSlots(1));
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            final JvmProcess child = dir.start(SyncChild.class, "sem-hold", "full.sem", "1", "report");
            Eventually.await("child holds a permit in the one slot", Duration.ofSeconds(30),
                () -> report.buffer().getLongVolatile(SyncChild.READY_OFFSET) == 1);

            assertFalse(semaphore.tryAcquire(), "no slot now: false, as for no permit");
            assertFalse(semaphore.tryAcquire(1, 0, TimeUnit.SECONDS), "a timeout of 0 does not wait either");
            assertFalse(semaphore.tryAcquire(1, 50, TimeUnit.MILLISECONDS), "no slot within the timeout");
            assertTrue(semaphore.tryAcquire(0), "0 permits need no slot");
            assertEquals(1, semaphore.availablePermits(), "nothing taken");

            final CompletableFuture<Throwable> interrupted = new CompletableFuture<>();
            final Thread blocked = new Thread(() ->
            {
                try
                {
                    semaphore.acquire();
                    interrupted.complete(null);
                }
                catch (final Throwable t)
                {
                    interrupted.complete(t);
                }
            });
            blocked.start();
            Eventually.await("acquire asleep, waiting for a slot", Duration.ofSeconds(10),
                () -> semaphore.sleepers() > 0 || interrupted.isDone());
            blocked.interrupt();
            assertInstanceOf(InterruptedException.class, interrupted.get(10, TimeUnit.SECONDS));
            blocked.join(TimeUnit.SECONDS.toMillis(10));

            final CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return semaphore.tryAcquire(30, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            Eventually.await("timed acquire asleep, waiting for a slot", Duration.ofSeconds(10),
                () -> semaphore.sleepers() > 0 || waiter.isDone());
            assertFalse(waiter.isDone(), "no slot while the holder lives");
            child.kill();
            assertTrue(waiter.get(20, TimeUnit.SECONDS), "the killed holder's slot given to the waiter");
            assertEquals(1, semaphore.recoveredPermits());
            assertEquals(1, semaphore.permitsHeldByThisProcess());
            semaphore.release();
            assertEquals(2, semaphore.availablePermits());
            assertEquals(0, ownerSlotsTaken("full.sem", 1));
        }
    }

    /**
     * A child's blocking acquire, while the parent holds a permit in the one slot, waits until the parent releases
     * and so frees the slot. Before, the child's acquire threw "its owner table is full" at once.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldWakeAChildWaitingForAnOwnerSlotWhenTheHolderReleases() throws Exception
    {
        try (SharedSemaphore semaphore = SharedSemaphore.create("slot.sem", 2, new ShmOptions().ownerSlots(1));
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            semaphore.acquire();
            final JvmProcess child = dir.start(SyncChild.class, "sem-acquire", "slot.sem", "1", "report");
            Eventually.await("child asleep, waiting for a slot", Duration.ofSeconds(30),
                () -> report.buffer().getLongVolatile(SyncChild.READY_OFFSET) == 1 && semaphore.sleepers() > 0 ||
                    !child.isAlive());
            assertTrue(child.isAlive(), "the child's acquire waits instead of failing");
            assertEquals(0, report.buffer().getLongVolatile(SyncChild.RESULT_OFFSET));
            assertEquals(1, semaphore.availablePermits(), "a permit is free, the slot is not");
            semaphore.release();
            assertTrue(child.join(30, TimeUnit.SECONDS), child + " did not finish");
            assertEquals(0, child.exitCode().orElseThrow());
            assertEquals(1, report.buffer().getLongVolatile(SyncChild.RESULT_OFFSET));
            assertEquals(2, semaphore.availablePermits());
            assertEquals(0, ownerSlotsTaken("slot.sem", 1));
        }
    }

    @Test
    void shouldThrowWhenInterruptedWhileWaiting() throws Exception
    {
        try (SharedSemaphore semaphore = SharedSemaphore.create("int.sem", 0))
        {
            final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            final Thread thread = new Thread(() ->
            {
                try
                {
                    semaphore.acquire();
                    outcome.complete(null);
                }
                catch (final Throwable t)
                {
                    outcome.complete(t);
                }
            });
            thread.start();
            Eventually.await("waiter asleep", Duration.ofSeconds(10), () -> semaphore.sleepers() > 0);
            thread.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS));
            assertEquals(0, semaphore.availablePermits());
        }
    }

    @Test
    void shouldRefuseNegativePermitsAndWrongKind()
    {
        assertThrows(IllegalArgumentException.class, () -> SharedSemaphore.create("neg.sem", -1));
        try (SharedEvent event = SharedEvent.create("not.sem"))
        {
            final WrongResourceKindException ex =
                assertThrows(WrongResourceKindException.class, () -> SharedSemaphore.open("not.sem"));
            assertTrue(ex.getMessage().contains("is a Event, not a Semaphore"), ex.getMessage());
        }
    }

    @Test
    void shouldRefuseAtOpenBoundedSemaphoreWithMorePermitsThanItsBound()
    {
        try (SharedSemaphore semaphore = SharedSemaphore.createBounded("over.sem", 2);
            MappedFile raw = MappedFile.open("over.sem"))
        {
            final int permits = io.ipckit.core.file.ResourceHeaderDescriptor.headerLength(0) +
                SemaphoreDescriptor.PERMITS_OFFSET;
            raw.buffer().putIntVolatile(permits, 3);
            final CorruptResourceException ex =
                assertThrows(CorruptResourceException.class, () -> SharedSemaphore.open("over.sem"));
            assertTrue(ex.getMessage().contains("3 permits available but a bound of 2"), ex.getMessage());
            raw.buffer().putIntVolatile(permits, -1);
            assertThrows(CorruptResourceException.class, () -> SharedSemaphore.open("over.sem"));
            raw.buffer().putIntVolatile(permits, 2);
            try (SharedSemaphore reopened = SharedSemaphore.open("over.sem"))
            {
                assertEquals(2, reopened.availablePermits());
            }
        }
    }

    /**
     * @param name  a semaphore with owner tracking.
     * @param slots its owner slots.
     * @return the slots of its owner table that name a process, read from its file.
     */
    private static int ownerSlotsTaken(final String name, final int slots)
    {
        try (MappedFile raw = MappedFile.open(name))
        {
            final int table = io.ipckit.core.file.ResourceHeaderDescriptor.headerLength(0) +
                SemaphoreDescriptor.OWNER_TABLE_OFFSET;
            int taken = 0;
            for (int slot = 0; slot < slots; slot++)
            {
                taken += raw.buffer().getLongVolatile(table + slot * ProcessTable.SLOT_LENGTH) != 0 ? 1 : 0;
            }
            return taken;
        }
    }

    /**
     * Holds the one permit until two child JVMs are ready to count under {@code name}, lets them go, and checks that
     * they never overlapped and counted every iteration.
     */
    private void countInTwoChildren(
        final SharedSemaphore semaphore, final String name, final int iterations, final AtomicBuffer buffer)
        throws Exception
    {
        semaphore.acquire();
        final String count = Integer.toString(iterations);
        final JvmProcess a = dir.start(SyncChild.class, "count", "SEMAPHORE", name, count, "report");
        final JvmProcess b = dir.start(SyncChild.class, "count", "SEMAPHORE", name, count, "report");
        Eventually.await("children ready", Duration.ofSeconds(30),
            () -> buffer.getLongVolatile(SyncChild.READY_OFFSET) == 2);
        semaphore.release();
        for (final JvmProcess child : new JvmProcess[]{a, b})
        {
            assertTrue(child.join(30, TimeUnit.SECONDS), child + " did not finish");
            assertEquals(0, child.exitCode().orElseThrow());
        }
        assertEquals(0, buffer.getLongVolatile(SyncChild.OVERLAPS_OFFSET));
        assertEquals(2L * iterations, buffer.getLongVolatile(SyncChild.COUNTER_OFFSET));
        assertEquals(1, semaphore.availablePermits());
    }
}
