package io.ipckit.shm.sync;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IncompatibleVersionException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.kit.PeerWatch;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.IdleCpuWindow;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /**
     * Waits shorter than the liveness-check interval, in a loop, still find a dead owner: the interval runs per lock
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

    /**
     * A waiter blocked on a live holder hands the holder to the kernel ({@link PeerWatch}) and sleeps long; the
     * holder's SIGKILL still ends the wait with a take-over, and the watch ends with the wait.
     */
    @Test
    void shouldWatchTheHolderWhileBlockedAndTakeOverAtItsDeath() throws Exception
    {
        try (SharedLock lock = SharedLock.create("watched.lock"))
        {
            final JvmProcess child = dir.start(SyncChild.class, "hold", "LOCK", "watched.lock");
            Eventually.await("child owns the lock", Duration.ofSeconds(30), () -> lock.ownerPid() == child.pid());
            final int watchedBefore = PeerWatch.instance().watchedProcesses();
            final AtomicReference<Object> outcome = new AtomicReference<>();
            final Thread waiter = startWaiter(lock, outcome);
            awaitWatched("the waiter", watchedBefore + 1);

            child.kill();
            waiter.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(waiter.isAlive(), "the holder's death ended the wait");
            assertEquals("recovered", outcome.get(), "acquired by taking the dead holder's lock over");
            assertEquals(watchedBefore, PeerWatch.instance().watchedProcesses(), "nothing stays watched");
            assertTrue(child.join(30, TimeUnit.SECONDS));
        }
    }

    /**
     * A wait asleep on a watched holder still ends on an interrupt (a futex sleep does not: it ends within a watched
     * slice) and on the handle's close (which rings).
     */
    @Test
    void shouldEndAWatchedWaitOnInterruptionAndOnClose() throws Exception
    {
        final SharedLock lock = SharedLock.create("watched-end.lock");
        try
        {
            final JvmProcess child = dir.start(SyncChild.class, "hold", "LOCK", "watched-end.lock");
            Eventually.await("child owns the lock", Duration.ofSeconds(30), () -> lock.ownerPid() == child.pid());
            final int watchedBefore = PeerWatch.instance().watchedProcesses();

            final AtomicReference<Object> interrupted = new AtomicReference<>();
            final Thread first = startWaiter(lock, interrupted);
            awaitWatched("the first waiter", watchedBefore + 1);
            first.interrupt();
            first.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(first.isAlive(), "the interrupt ended the watched wait");
            assertTrue(interrupted.get() instanceof InterruptedException, String.valueOf(interrupted.get()));

            final AtomicReference<Object> closed = new AtomicReference<>();
            final Thread second = startWaiter(lock, closed);
            awaitWatched("the second waiter", watchedBefore + 1);
            lock.close();
            second.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(second.isAlive(), "the close ended the watched wait");
            assertTrue(closed.get() instanceof io.ipckit.core.exceptions.ResourceClosedException,
                String.valueOf(closed.get()));
            assertEquals(watchedBefore, PeerWatch.instance().watchedProcesses(), "nothing stays watched");
        }
        finally
        {
            lock.close();
        }
    }

    /**
     * Starts a thread that blocks in {@code lockInterruptibly}; its outcome is "acquired", "recovered" (from a dead
     * holder) or what it threw.
     */
    private static Thread startWaiter(final SharedLock lock, final AtomicReference<Object> outcome)
    {
        final Thread waiter = new Thread(() ->
        {
            try
            {
                lock.lockInterruptibly();
                outcome.set(lock.lastAcquireRecoveredFromDeadOwner() ? "recovered" : "acquired");
                lock.unlock();
            }
            catch (final Throwable ex)
            {
                outcome.set(ex);
            }
        }, "watched-waiter");
        waiter.start();
        return waiter;
    }

    private static void awaitWatched(final String waiter, final int processes)
    {
        Eventually.await(waiter + " watching the holder", Duration.ofSeconds(30),
            () -> PeerWatch.instance().watchedProcesses() == processes);
    }

    static void awaitMeasuredWait(final AtomicBuffer buffer, final java.util.function.IntSupplier sleepers)
    {
        Eventually.await("child asleep in its measured wait", Duration.ofSeconds(30),
            () -> buffer.getLongVolatile(SyncChild.READY_OFFSET) == 1 && sleepers.getAsInt() > 0);
    }

    static void assertIdle(final AtomicBuffer buffer)
    {
        assertEquals(1, buffer.getLongVolatile(SyncChild.RESULT_OFFSET), "the wait succeeded");
        IdleCpuWindow.assertCpuBelow(buffer, SyncChild.WINDOW_OFFSET, 20, "idle waiter");
    }

    @Test
    void shouldRefuseTruncatedStateAndCorruptConfiguration()
    {
        ResourceFile.create("short.lock", ResourceKind.LOCK, SyncFiles.LAYOUT_VERSION, 0, 8, false, null).close();
        final CorruptResourceException truncated =
            assertThrows(CorruptResourceException.class, () -> SharedLock.open("short.lock"));
        assertEquals("Lock \"short.lock\" has 8 bytes of state where " + LockDescriptor.LENGTH + " are needed " +
            "(truncated or overwritten); unlink it and create it again", truncated.getMessage());

        ResourceFile.create("bad.sem", ResourceKind.SEMAPHORE, SyncFiles.LAYOUT_VERSION, 0, SemaphoreDescriptor.length(0), false,
            (file) -> file.buffer().putInt(file.headerLength() + SemaphoreDescriptor.OWNER_SLOTS_OFFSET, 1000))
            .close();
        final CorruptResourceException slots =
            assertThrows(CorruptResourceException.class, () -> SharedSemaphore.open("bad.sem"));
        assertTrue(slots.getMessage().contains("\"bad.sem\" has " + SemaphoreDescriptor.length(0) + " bytes"),
            slots.getMessage());

        ResourceFile.create("bad.barrier", ResourceKind.BARRIER, SyncFiles.LAYOUT_VERSION, 0,
            BarrierDescriptor.length(1), false, null).close();
        final CorruptResourceException parties =
            assertThrows(CorruptResourceException.class, () -> SharedBarrier.open("bad.barrier"));
        assertTrue(parties.getMessage().contains("corrupt configuration (0 parties"), parties.getMessage());

        // a slot count whose table length wraps an int to 0 passed the length check and read past the mapping
        ResourceFile.create("wrapped.barrier", ResourceKind.BARRIER, SyncFiles.LAYOUT_VERSION, 0,
            BarrierDescriptor.length(1), false, (file) ->
            {
                file.buffer().putInt(file.headerLength() + BarrierDescriptor.PARTIES_OFFSET, 2);
                file.buffer().putInt(file.headerLength() + BarrierDescriptor.SLOTS_OFFSET, 1 << 28);
            }).close();
        final CorruptResourceException wrappedBarrier =
            assertThrows(CorruptResourceException.class, () -> SharedBarrier.open("wrapped.barrier"));
        assertTrue(wrappedBarrier.getMessage().contains("corrupt configuration (2 parties, 268435456 slots)"),
            wrappedBarrier.getMessage());
        ResourceFile.create("wrapped.sem", ResourceKind.SEMAPHORE, SyncFiles.LAYOUT_VERSION, 0,
            SemaphoreDescriptor.length(0), false,
            (file) -> file.buffer().putInt(file.headerLength() + SemaphoreDescriptor.OWNER_SLOTS_OFFSET, 1 << 28))
            .close();
        final CorruptResourceException wrappedSemaphore =
            assertThrows(CorruptResourceException.class, () -> SharedSemaphore.open("wrapped.sem"));
        assertTrue(wrappedSemaphore.getMessage().contains("corrupt configuration (268435456 owner slots"),
            wrappedSemaphore.getMessage());
    }

    /**
     * Layout 1 packed owners in another bit split and slept on plain wake signals: a process of this ipckit must not
     * share such a file with an older one.
     */
    @Test
    void shouldRefuseFilesOfTheOlderLayout()
    {
        ResourceFile.create("old.lock", ResourceKind.LOCK, 1, 0, LockDescriptor.LENGTH, false, null).close();
        final IncompatibleVersionException ex =
            assertThrows(IncompatibleVersionException.class, () -> SharedLock.open("old.lock"));
        assertEquals("Lock \"old.lock\" has layout version 1 but this ipckit shares only version " +
            SyncFiles.LAYOUT_VERSION + " with other processes: it was created by an older ipckit; use the same " +
            "ipckit version in every process, or unlink it and create it again", ex.getMessage());
        ResourceFile.create("old.event", ResourceKind.EVENT, 1, 0, EventDescriptor.LENGTH, false, null).close();
        assertThrows(IncompatibleVersionException.class, () -> SharedEvent.open("old.event"));
        ResourceFile.create("old.sem", ResourceKind.SEMAPHORE, 1, 0, SemaphoreDescriptor.length(0), false, null)
            .close();
        assertThrows(IncompatibleVersionException.class, () -> SharedSemaphore.open("old.sem"));
        ResourceFile.create("old.barrier", ResourceKind.BARRIER, 1, 0, BarrierDescriptor.length(1), false, null)
            .close();
        assertThrows(IncompatibleVersionException.class, () -> SharedBarrier.open("old.barrier"));
    }

    @Test
    void shouldRefuseWrongKindAndMissingName()
    {
        try (SharedLock lock = SharedLock.create("kind.lock"))
        {
            final WrongResourceKindException wrong =
                assertThrows(WrongResourceKindException.class, () -> SharedReentrantLock.open("kind.lock"));
            assertTrue(wrong.getMessage().contains("is a Lock, not a RLock"), wrong.getMessage());
            assertTrue(lock.unlink());
        }
        assertThrows(ResourceNotFoundException.class, () -> SharedLock.open("missing.lock"));
    }
}
