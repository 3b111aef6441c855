package io.ipckit.shm.sync;

import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Lock} contract, held to every shared lock type as one suite (as the Disruptor's {@code SequencerTest}
 * runs over its sequencers): lock and unlock, {@code tryLock} with and without a timeout (0 or less does not wait),
 * interruption, unlock by a non-owner, reentrancy where the type has it, {@code newCondition}, use after close, and
 * a dead owner's lock taken over across JVMs. What differs between the types is a declared property of the type
 * ({@link Kind#reentrant}), not a separate test.
 */
@Timeout(60)
class LockContractTest
{
    /** The lock types under test, by the name {@link SyncChild} opens them with. */
    enum Kind
    {
        LOCK(false, SharedLock::create, SharedLock::open),
        RLOCK(true, SharedReentrantLock::create, SharedReentrantLock::open);

        final boolean reentrant;
        private final Function<String, SharedLock> create;
        private final Function<String, SharedLock> open;

        Kind(final boolean reentrant, final Function<String, SharedLock> create,
            final Function<String, SharedLock> open)
        {
            this.reentrant = reentrant;
            this.create = create;
            this.open = open;
        }

        SharedLock create(final String name)
        {
            return create.apply(name);
        }

        SharedLock open(final String name)
        {
            return open.apply(name);
        }
    }

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldLockAndUnlockExcludingOtherHolders(final Kind kind) throws Exception
    {
        try (SharedLock lock = kind.create("l"); SharedLock other = kind.open("l"))
        {
            assertFalse(lock.isLocked());
            lock.lock();
            assertTrue(lock.isLocked());
            assertTrue(lock.isHeldByCurrentThread());
            assertEquals(ProcessHandle.current().pid(), lock.ownerPid());
            assertFalse(other.tryLock(), "another object on the name is another owner");
            assertFalse(CompletableFuture.supplyAsync(lock::tryLock).get(10, TimeUnit.SECONDS), "another thread");
            lock.unlock();
            assertFalse(lock.isLocked());
            assertEquals(0, lock.ownerPid());
            assertTrue(other.tryLock());
            other.unlock();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldTryOnceWithoutWaitingWhenTheTimeoutIsZeroOrLess(final Kind kind) throws Exception
    {
        try (SharedLock lock = kind.create("l"); SharedLock other = kind.open("l"))
        {
            assertTrue(lock.tryLock(0, TimeUnit.SECONDS), "a free lock is taken with no wait");
            final long startNs = System.nanoTime();
            assertFalse(other.tryLock(0, TimeUnit.SECONDS));
            assertFalse(other.tryLock(-1, TimeUnit.DAYS));
            assertFalse(other.tryLock(Long.MIN_VALUE, TimeUnit.NANOSECONDS));
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(5), "no call waited");
            lock.unlock();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldTimeOutTryLockAfterItsTimeoutAndAcquireWhenReleasedWithinIt(final Kind kind) throws Exception
    {
        try (SharedLock lock = kind.create("l"); SharedLock other = kind.open("l"))
        {
            lock.lock();
            final long startNs = System.nanoTime();
            assertFalse(other.tryLock(100, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(100));

            final CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    final boolean acquired = other.tryLock(30, TimeUnit.SECONDS);
                    other.unlock();
                    return acquired;
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            Eventually.await("waiter asleep on the lock", Duration.ofSeconds(10), () -> lock.sleepers() > 0);
            lock.unlock();
            assertTrue(waiter.get(10, TimeUnit.SECONDS), "the unlock woke the sleeping waiter");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldThrowInterruptedExceptionFromLockInterruptiblyAndTimedTryLock(final Kind kind) throws Exception
    {
        try (SharedLock lock = kind.create("l"); SharedLock other = kind.open("l"))
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
            assertTrue(lock.isHeldByCurrentThread(), "the interrupted waiter did not take the lock");

            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> other.tryLock(1, TimeUnit.SECONDS));
            assertFalse(Thread.interrupted(), "the flag is cleared, as InterruptedException does");
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, other::lockInterruptibly);
            lock.unlock();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldKeepWaitingWhenInterruptedInLockAndRestoreTheFlag(final Kind kind) throws Exception
    {
        try (SharedLock lock = kind.create("l"); SharedLock other = kind.open("l"))
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
            lock.unlock();
            thread.join(10_000);
            assertFalse(thread.isAlive());
            assertTrue(flagAfter.get(), "interrupt flag re-asserted");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldRejectUnlockByANonOwner(final Kind kind) throws Exception
    {
        try (SharedLock lock = kind.create("owned"); SharedLock other = kind.open("owned"))
        {
            final IllegalMonitorStateException free = assertThrows(IllegalMonitorStateException.class, lock::unlock);
            assertTrue(free.getMessage().startsWith("cannot unlock ") && free.getMessage().contains("\"owned\""),
                free.getMessage());

            lock.lock();
            assertThrows(IllegalMonitorStateException.class, other::unlock, "another object");
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
            assertInstanceOf(IllegalMonitorStateException.class, fromOtherThread.get(10, TimeUnit.SECONDS),
                "another thread");
            assertTrue(lock.isHeldByCurrentThread());
            lock.unlock();
            assertFalse(lock.isLocked());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldReenterOnlyWhereTheTypeIsReentrant(final Kind kind) throws Exception
    {
        try (SharedLock lock = kind.create("re"); SharedLock other = kind.open("re"))
        {
            lock.lock();
            if (kind.reentrant)
            {
                assertTrue(lock.tryLock());
                assertTrue(lock.tryLock(1, TimeUnit.SECONDS));
                lock.lockInterruptibly();
                assertEquals(4, ((SharedReentrantLock)lock).getHoldCount());
                lock.unlock();
                lock.unlock();
                lock.unlock();
                assertTrue(lock.isLocked(), "held until as many unlocks as locks");
                assertFalse(other.tryLock());
            }
            else
            {
                final IllegalStateException ex = assertThrows(IllegalStateException.class, lock::lock);
                assertTrue(ex.getMessage().contains("not reentrant: waiting would deadlock"), ex.getMessage());
                assertFalse(lock.tryLock());
                assertFalse(lock.tryLock(10, TimeUnit.MILLISECONDS));
            }
            lock.unlock();
            assertFalse(lock.isLocked());
            assertTrue(other.tryLock());
            other.unlock();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldGiveAConditionThatReleasesTheLockWhileWaiting(final Kind kind) throws Exception
    {
        try (SharedLock lock = kind.create("c"); SharedLock other = kind.open("c"))
        {
            final Condition condition = lock.newCondition();
            assertThrows(IllegalMonitorStateException.class, condition::await, "await without the lock");
            assertThrows(IllegalMonitorStateException.class, condition::signal, "signal without the lock");

            lock.lock();
            assertFalse(condition.await(0, TimeUnit.SECONDS), "no signal, no wait");
            assertTrue(lock.isHeldByCurrentThread(), "held again after the wait");

            final Condition otherCondition = other.newCondition();
            final CompletableFuture<Boolean> signalled = CompletableFuture.supplyAsync(() ->
            {
                other.lock();
                try
                {
                    return otherCondition.await(30, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
                finally
                {
                    other.unlock();
                }
            });
            lock.unlock();
            Eventually.await("the other object waits on the condition, the lock released", Duration.ofSeconds(10),
                () -> ((SharedCondition)condition).sleepers() > 0 && !lock.isLocked());
            lock.lock();
            condition.signal();
            lock.unlock();
            assertTrue(signalled.get(10, TimeUnit.SECONDS), "one condition queue per name, in every object");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldReleaseOnCloseAndRefuseEveryUseAfterIt(final Kind kind) throws Exception
    {
        final SharedLock lock = kind.create("closed");
        try (SharedLock other = kind.open("closed"))
        {
            lock.lock();
            lock.close();
            lock.close();
            assertFalse(other.isLocked(), "close released the hold");
            final ResourceClosedException closed = assertThrows(ResourceClosedException.class, lock::lock);
            assertTrue(closed.getMessage().contains("\"closed\" is closed"), closed.getMessage());
            assertThrows(ResourceClosedException.class, lock::tryLock);
            assertThrows(ResourceClosedException.class, () -> lock.tryLock(1, TimeUnit.SECONDS));
            assertThrows(ResourceClosedException.class, lock::lockInterruptibly);
            assertThrows(ResourceClosedException.class, lock::unlock);
            assertThrows(ResourceClosedException.class, lock::newCondition);
            assertThrows(ResourceClosedException.class, lock::isLocked);
            assertTrue(other.unlink());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldWakeAThreadBlockedInTheLockWhenItsObjectIsClosed(final Kind kind) throws Exception
    {
        try (SharedLock lock = kind.create("blocked"); SharedLock other = kind.open("blocked"))
        {
            lock.lock();
            final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            final Thread thread = new Thread(() ->
            {
                try
                {
                    other.lock();
                    outcome.complete(null);
                }
                catch (final Throwable t)
                {
                    outcome.complete(t);
                }
            });
            thread.start();
            Eventually.await("waiter asleep", Duration.ofSeconds(10), () -> lock.sleepers() > 0);
            other.close();
            assertInstanceOf(ResourceClosedException.class, outcome.get(10, TimeUnit.SECONDS));
            assertTrue(lock.isHeldByCurrentThread());
            lock.unlock();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldTakeOverFromAKilledOwnerInAnotherJvmAndReportRecovery(final Kind kind) throws Exception
    {
        try (SharedLock lock = kind.create("robust"))
        {
            final JvmProcess child = dir.start(SyncChild.class, "hold", kind.name(), "robust");
            Eventually.await("child owns the lock", Duration.ofSeconds(30), () -> lock.ownerPid() == child.pid());
            assertFalse(lock.tryLock(), "tryLock() does not look at the owner's liveness, and it is alive");

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
}
