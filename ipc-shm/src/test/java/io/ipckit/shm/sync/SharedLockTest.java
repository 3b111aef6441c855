package io.ipckit.shm.sync;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class SharedLockTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    static SharedLock create(final String kind, final String name)
    {
        return "RLOCK".equals(kind) ? SharedReentrantLock.create(name) : SharedLock.create(name);
    }

    @ParameterizedTest
    @CsvSource({"LOCK, 2", "LOCK, 4", "RLOCK, 2"})
    void shouldExcludeAcrossJvmsIncrementingPlainCounter(final String kind, final int jvms) throws Exception
    {
        final int iterations = 2000;
        try (SharedLock lock = create(kind, "counter.lock"); MappedFile report = MappedFile.create("report",
            SyncChild.REPORT_LENGTH))
        {
            final AtomicBuffer buffer = report.buffer();
            lock.lock();
            final List<JvmProcess> children = new ArrayList<>();
            for (int i = 0; i < jvms; i++)
            {
                children.add(dir.start(SyncChild.class,
                    "count", kind, "counter.lock", Integer.toString(iterations), "report"));
            }
            Eventually.await("all children ready", Duration.ofSeconds(30),
                () -> buffer.getLongVolatile(SyncChild.READY_OFFSET) == jvms);
            lock.unlock();
            for (final JvmProcess child : children)
            {
                assertTrue(child.join(30, TimeUnit.SECONDS), child + " did not finish");
                assertEquals(0, child.exitCode().orElseThrow(), child + " failed");
            }
            lock.lock();
            try
            {
                assertEquals(0, buffer.getLongVolatile(SyncChild.OVERLAPS_OFFSET));
                assertEquals((long)jvms * iterations, buffer.getLongVolatile(SyncChild.COUNTER_OFFSET));
            }
            finally
            {
                lock.unlock();
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"LOCK", "RLOCK"})
    void shouldTakeOverFromKilledOwnerWithinOneSecondAndReportRecovery(final String kind) throws Exception
    {
        try (SharedLock lock = create(kind, "robust.lock"))
        {
            final JvmProcess child = dir.start(SyncChild.class, "hold", kind, "robust.lock");
            Eventually.await("child owns the lock", Duration.ofSeconds(30), () -> lock.ownerPid() == child.pid());
            assertFalse(lock.tryLock());

            final CompletableFuture<Boolean> waiter = new CompletableFuture<>();
            final Thread thread = new Thread(() ->
            {
                try
                {
                    final boolean acquired = lock.tryLock(10, TimeUnit.SECONDS);
                    final boolean recovered = lock.lastAcquireRecoveredFromDeadOwner();
                    if (acquired)
                    {
                        lock.unlock();
                    }
                    waiter.complete(acquired && recovered);
                }
                catch (final Throwable t)
                {
                    waiter.completeExceptionally(t);
                }
            });
            thread.start();
            Eventually.await("waiter asleep on the lock", Duration.ofSeconds(10), () -> lock.sleepers() > 0);

            final long killedNs = System.nanoTime();
            child.kill();
            assertTrue(waiter.get(10, TimeUnit.SECONDS), "acquired and saw the recovery flag");
            final long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
            assertTrue(takeoverMs < 1000, "took over " + takeoverMs + " ms after SIGKILL, the bound is 1 s");
            assertEquals(1, lock.takeovers());

            assertTrue(lock.tryLock(1, TimeUnit.SECONDS));
            assertFalse(lock.lastAcquireRecoveredFromDeadOwner(), "a normal acquisition is not a recovery");
            lock.unlock();
        }
    }

    @Test
    void shouldTimeOutWhileAnotherProcessHoldsTheLock() throws Exception
    {
        try (SharedLock lock = SharedLock.create("held.lock"))
        {
            final JvmProcess child = dir.start(SyncChild.class, "hold", "LOCK", "held.lock");
            Eventually.await("child owns the lock", Duration.ofSeconds(30), () -> lock.ownerPid() == child.pid());
            assertFalse(lock.tryLock());
            final long startNs = System.nanoTime();
            assertFalse(lock.tryLock(200, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(200));
            assertTrue(lock.isLocked());
            assertFalse(lock.isHeldByCurrentThread());
            assertTrue(lock.toString().contains("held by pid " + child.pid()), lock.toString());
        }
    }

    @Test
    void shouldRejectUnlockByNonOwner() throws Exception
    {
        try (SharedLock lock = SharedLock.create("owned.lock"); SharedLock other = SharedLock.open("owned.lock"))
        {
            final IllegalMonitorStateException notHeld = assertThrows(IllegalMonitorStateException.class, lock::unlock);
            assertTrue(notHeld.getMessage().contains("\"owned.lock\""), notHeld.getMessage());

            lock.lock();
            assertThrows(IllegalMonitorStateException.class, other::unlock);
            final CompletableFuture<Throwable> fromOtherThread = new CompletableFuture<>();
            final Thread thread = new Thread(() ->
            {
                try
                {
                    lock.unlock();
                    fromOtherThread.complete(null);
                }
                catch (final Throwable t)
                {
                    fromOtherThread.complete(t);
                }
            });
            thread.start();
            assertInstanceOf(IllegalMonitorStateException.class, fromOtherThread.get(10, TimeUnit.SECONDS));
            assertTrue(lock.isHeldByCurrentThread());
            lock.unlock();
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void shouldRefuseToReacquireNonReentrantLockInsteadOfDeadlocking() throws Exception
    {
        try (SharedLock lock = SharedLock.create("plain.lock"))
        {
            lock.lock();
            final IllegalStateException ex = assertThrows(IllegalStateException.class, lock::lock);
            assertTrue(ex.getMessage().contains("not reentrant"), ex.getMessage());
            assertFalse(lock.tryLock());
            assertFalse(lock.tryLock(10, TimeUnit.MILLISECONDS));
            lock.unlock();
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void shouldReenterPerThreadAndReleaseAfterAsManyUnlocks() throws Exception
    {
        try (SharedReentrantLock lock = SharedReentrantLock.create("re.lock");
            SharedReentrantLock other = SharedReentrantLock.open("re.lock"))
        {
            lock.lock();
            assertTrue(lock.tryLock());
            assertTrue(lock.tryLock(1, TimeUnit.SECONDS));
            assertEquals(3, lock.getHoldCount());
            assertFalse(other.tryLock(), "another object is another owner");
            assertFalse(CompletableFuture.supplyAsync(lock::tryLock).get(10, TimeUnit.SECONDS), "another thread");
            lock.unlock();
            lock.unlock();
            assertTrue(lock.isLocked());
            assertFalse(other.tryLock());
            lock.unlock();
            assertEquals(0, lock.getHoldCount());
            assertTrue(other.tryLock());
            other.unlock();
        }
    }

    @Test
    void shouldThrowWhenInterruptedWhileWaitingInterruptibly() throws Exception
    {
        try (SharedLock lock = SharedLock.create("int.lock"); SharedLock other = SharedLock.open("int.lock"))
        {
            lock.lock();
            final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            final Thread thread = new Thread(() ->
            {
                try
                {
                    other.lockInterruptibly();
                    outcome.complete(null);
                }
                catch (final Throwable t)
                {
                    outcome.complete(t);
                }
            });
            thread.start();
            Eventually.await("waiter asleep", Duration.ofSeconds(10), () -> lock.sleepers() > 0);
            thread.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS));
            assertTrue(lock.isHeldByCurrentThread());

            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> other.tryLock(1, TimeUnit.SECONDS));
            assertFalse(Thread.interrupted());
            lock.unlock();
        }
    }

    @Test
    void shouldKeepWaitingWhenInterruptedInLockAndRestoreTheFlag() throws Exception
    {
        try (SharedLock lock = SharedLock.create("unint.lock"); SharedLock other = SharedLock.open("unint.lock"))
        {
            lock.lock();
            final AtomicBoolean flagAfter = new AtomicBoolean();
            final Thread thread = new Thread(() ->
            {
                other.lock();
                flagAfter.set(Thread.currentThread().isInterrupted());
                other.unlock();
            });
            thread.start();
            Eventually.await("waiter asleep", Duration.ofSeconds(10), () -> lock.sleepers() > 0);
            thread.interrupt();
            Eventually.await("waiter back asleep after the interrupt", Duration.ofSeconds(10),
                () -> lock.sleepers() > 0 && thread.isAlive());
            assertTrue(thread.isAlive());
            lock.unlock();
            thread.join(10_000);
            assertFalse(thread.isAlive());
            assertTrue(flagAfter.get(), "interrupt flag re-asserted");
        }
    }

    /**
     * Waits shorter than the owner-check interval, in a loop, still find a dead owner: the interval runs per lock
     * object across calls, not per wait.
     */
    @Test
    void shouldTakeOverADeadOwnerThroughALoopOfShortWaits() throws Exception
    {
        try (SharedLock lock = SharedLock.create("short-waits"))
        {
            final JvmProcess child = dir.start(SyncChild.class, "hold", "LOCK", "short-waits");
            Eventually.await("child owns the lock", Duration.ofSeconds(30), () -> lock.ownerPid() == child.pid());
            child.kill();
            assertTrue(child.join(30, TimeUnit.SECONDS));
            Eventually.await("a 20 ms tryLock takes the dead owner's lock over", Duration.ofSeconds(10),
                () ->
                {
                    try
                    {
                        return lock.tryLock(20, TimeUnit.MILLISECONDS);
                    }
                    catch (final InterruptedException ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                });
            assertTrue(lock.lastAcquireRecoveredFromDeadOwner());
            lock.unlock();
        }
    }

    static void awaitMeasuredWait(final AtomicBuffer buffer, final java.util.function.IntSupplier sleepers)
    {
        Eventually.await("child asleep in its measured wait", Duration.ofSeconds(30),
            () -> buffer.getLongVolatile(SyncChild.READY_OFFSET) == 1 && sleepers.getAsInt() > 0);
    }

    static void assertIdle(final AtomicBuffer buffer)
    {
        assertEquals(1, buffer.getLongVolatile(SyncChild.RESULT_OFFSET), "the wait succeeded");
        final long wallMs = TimeUnit.NANOSECONDS.toMillis(buffer.getLongVolatile(SyncChild.WALL_NS_OFFSET));
        final long cpuMs = TimeUnit.NANOSECONDS.toMillis(buffer.getLongVolatile(SyncChild.CPU_NS_OFFSET));
        System.out.println("idle waiter: " + cpuMs + " ms CPU in " + wallMs + " ms blocked");
        assertTrue(wallMs >= 2_000, "blocked for " + wallMs + " ms");
        // the bound is per 2 s blocked; a window stretched by a loaded machine is scaled back to 2 s
        final double cpuMsPer2s = buffer.getLongVolatile(SyncChild.CPU_NS_OFFSET) / 1e6 * 2_000.0 /
            (buffer.getLongVolatile(SyncChild.WALL_NS_OFFSET) / 1e6);
        assertTrue(cpuMsPer2s < 20, "the waiter used " + cpuMs + " ms of CPU while blocked for " + wallMs +
            " ms, " + String.format("%.1f", cpuMsPer2s) + " ms per 2 s (bound: 20 ms per 2 s)");
    }

    @Test
    void shouldRefuseTruncatedStateAndCorruptConfiguration()
    {
        ResourceFile.create("short.lock", ResourceKind.LOCK, 1, 0, 8, false, null).close();
        final CorruptResourceException truncated =
            assertThrows(CorruptResourceException.class, () -> SharedLock.open("short.lock"));
        assertEquals("Lock \"short.lock\" has 8 bytes of state where " + LockDescriptor.LENGTH + " are needed " +
            "(truncated or overwritten); unlink it and create it again", truncated.getMessage());

        ResourceFile.create("bad.sem", ResourceKind.SEMAPHORE, 1, 0, SemaphoreDescriptor.length(0), false,
            (file) -> file.buffer().putInt(file.headerLength() + SemaphoreDescriptor.OWNER_SLOTS_OFFSET, 1000))
            .close();
        final CorruptResourceException slots =
            assertThrows(CorruptResourceException.class, () -> SharedSemaphore.open("bad.sem"));
        assertTrue(slots.getMessage().contains("\"bad.sem\" has " + SemaphoreDescriptor.length(0) + " bytes"),
            slots.getMessage());

        ResourceFile.create("bad.barrier", ResourceKind.BARRIER, 1, 0, BarrierDescriptor.length(1), false, null)
            .close();
        final CorruptResourceException parties =
            assertThrows(CorruptResourceException.class, () -> SharedBarrier.open("bad.barrier"));
        assertTrue(parties.getMessage().contains("corrupt configuration (0 parties"), parties.getMessage());
    }

    @Test
    void shouldRefuseWrongKindMissingNameAndUseAfterClose()
    {
        try (SharedLock lock = SharedLock.create("kind.lock"))
        {
            final WrongResourceKindException wrong =
                assertThrows(WrongResourceKindException.class, () -> SharedReentrantLock.open("kind.lock"));
            assertTrue(wrong.getMessage().contains("is a Lock, not a RLock"), wrong.getMessage());
        }
        assertThrows(ResourceNotFoundException.class, () -> SharedLock.open("missing.lock"));
        final SharedLock lock = SharedLock.open("kind.lock");
        lock.lock();
        lock.close();
        lock.close();
        final ResourceClosedException closed = assertThrows(ResourceClosedException.class, lock::tryLock);
        assertTrue(closed.getMessage().contains("\"kind.lock\" is closed"), closed.getMessage());
        try (SharedLock again = SharedLock.open("kind.lock"))
        {
            assertFalse(again.isLocked(), "close released the hold");
            assertTrue(again.unlink());
        }
    }
}
