package io.ipckit.shm.sync;

import io.ipckit.core.file.MappedFile;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class SharedConditionTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldWakeWaitersInOtherJvmsWhenTheirPredicateHolds() throws Exception
    {
        try (SharedCondition condition = SharedCondition.create("cond");
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            final AtomicBuffer buffer = report.buffer();
            final JvmProcess first = dir.start(SyncChild.class,
                "cond-wait", "cond", "report", "0", "30000");
            final JvmProcess second = dir.start(SyncChild.class,
                "cond-wait", "cond", "report", "1", "30000");
            Eventually.await("both children waiting", Duration.ofSeconds(30),
                () -> buffer.getLongVolatile(SyncChild.READY_OFFSET) == 2 && condition.sleepers() == 2);

            condition.lock().lock();
            buffer.putLong(SyncChild.COUNTER_OFFSET, 1);
            condition.signalAll();
            condition.lock().unlock();
            assertTrue(first.join(30, TimeUnit.SECONDS));
            assertEquals(1, buffer.getLongVolatile(SyncChild.PER_CHILD_OFFSET), "wait_for(counter > 0) satisfied");
            Eventually.await("second child waiting again", Duration.ofSeconds(10), () -> condition.sleepers() == 1);
            assertTrue(second.isAlive(), "wait_for(counter > 1) is not satisfied yet");

            condition.lock().lock();
            buffer.putLong(SyncChild.COUNTER_OFFSET, 2);
            condition.signal();
            condition.lock().unlock();
            assertTrue(second.join(30, TimeUnit.SECONDS));
            assertEquals(0, second.exitCode().orElseThrow());
            assertEquals(1, buffer.getLongVolatile(SyncChild.PER_CHILD_OFFSET + 8));
        }
    }

    @Test
    void shouldWakeOneWaiterPerSignalAndAllOnSignalAll() throws Exception
    {
        try (SharedCondition condition = SharedCondition.create("one"))
        {
            final AtomicInteger woken = new AtomicInteger();
            final List<SharedCondition> opened = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final SharedCondition mine = SharedCondition.open("one");
                opened.add(mine);
                final Thread thread = new Thread(() ->
                {
                    mine.lock().lock();
                    try
                    {
                        if (mine.await(30, TimeUnit.SECONDS))
                        {
                            woken.incrementAndGet();
                        }
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                    finally
                    {
                        mine.lock().unlock();
                    }
                });
                threads.add(thread);
                thread.start();
            }
            Eventually.await("three waiters asleep", Duration.ofSeconds(10), () -> condition.sleepers() == 3);
            condition.lock().lock();
            condition.signal();
            condition.lock().unlock();
            Eventually.await("one waiter woken", Duration.ofSeconds(10), () -> woken.get() == 1);
            Eventually.await("two still asleep", Duration.ofSeconds(10), () -> condition.sleepers() == 2);
            assertEquals(1, woken.get());

            condition.lock().lock();
            condition.signalAll();
            condition.lock().unlock();
            for (final Thread thread : threads)
            {
                thread.join(10_000);
                assertFalse(thread.isAlive());
            }
            assertEquals(3, woken.get());
            opened.forEach(SharedCondition::close);
        }
    }

    @Test
    void shouldReacquireFromKilledLockOwnerAfterAWaitAndReportRecovery() throws Exception
    {
        try (SharedCondition condition = SharedCondition.create("robust.cond"))
        {
            final SharedLock lock = condition.lock();
            final CompletableFuture<Boolean> recovered = new CompletableFuture<>();
            final Thread waiter = new Thread(() ->
            {
                lock.lock();
                try
                {
                    // woken by the child once it holds the lock (a timeout here would race the child's JVM start)
                    condition.await(30, TimeUnit.SECONDS);
                    recovered.complete(lock.isHeldByCurrentThread() && lock.lastAcquireRecoveredFromDeadOwner());
                }
                catch (final Throwable t)
                {
                    recovered.completeExceptionally(t);
                }
                finally
                {
                    lock.unlock();
                }
            });
            waiter.start();
            Eventually.await("waiter asleep on the condition", Duration.ofSeconds(10), () -> condition.sleepers() > 0);
            final JvmProcess child = dir.start(SyncChild.class, "cond-hold", "robust.cond");
            Eventually.await("child holds the lock", Duration.ofSeconds(30), () -> lock.ownerPid() == child.pid());
            Eventually.await("waiter woken and waits for the lock", Duration.ofSeconds(10),
                () -> lock.sleepers() > 0);
            child.kill();
            assertTrue(recovered.get(10, TimeUnit.SECONDS),
                "the wait returned holding a lock recovered from a dead owner");
            waiter.join(10_000);
            assertFalse(lock.isLocked());
            assertEquals(1, lock.takeovers());
        }
    }

    @Test
    void shouldReturnFalseOnTimeoutWithTheLockHeldAgain() throws Exception
    {
        try (SharedReentrantLock lock = SharedReentrantLock.create("timed.lock"))
        {
            final SharedCondition condition = lock.newCondition();
            assertSame(condition, lock.newCondition());
            lock.lock();
            lock.lock();
            final long startNs = System.nanoTime();
            assertFalse(condition.await(100, TimeUnit.MILLISECONDS), "wait(0.1) returns False");
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(100));
            assertEquals(2, lock.getHoldCount(), "every hold restored");
            assertTrue(condition.awaitNanos(TimeUnit.MILLISECONDS.toNanos(10)) <= 0);
            assertFalse(condition.waitFor(() -> false, 50, TimeUnit.MILLISECONDS), "wait_for returns the predicate");
            assertTrue(condition.waitFor(() -> true, 0, TimeUnit.MILLISECONDS));
            assertFalse(condition.waitFor(() -> false, -1, TimeUnit.SECONDS), "a timeout <= 0 does not wait");
            assertFalse(condition.awaitUntil(new java.util.Date(System.currentTimeMillis() + 20)));
            lock.unlock();
            lock.unlock();
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void shouldRefuseAwaitAndSignalWithoutTheLock() throws Exception
    {
        try (SharedLock lock = SharedLock.create("plain.lock"))
        {
            final SharedCondition condition = lock.newCondition();
            final IllegalMonitorStateException ex =
                assertThrows(IllegalMonitorStateException.class, () -> condition.await(1, TimeUnit.SECONDS));
            assertTrue(ex.getMessage().contains("cannot await on the condition of Lock \"plain.lock\""),
                ex.getMessage());
            assertThrows(IllegalMonitorStateException.class, condition::signal);
            assertThrows(IllegalMonitorStateException.class, condition::signalAll);
        }
    }

    @Test
    void shouldThrowInterruptedWithTheLockHeldAgain() throws Exception
    {
        try (SharedLock lock = SharedLock.create("int.lock"))
        {
            final SharedCondition condition = lock.newCondition();
            final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            final Thread thread = new Thread(() ->
            {
                lock.lock();
                try
                {
                    condition.await();
                    outcome.complete(null);
                }
                catch (final Throwable t)
                {
                    outcome.complete(lock.isHeldByCurrentThread() ? t : new AssertionError("lock not held", t));
                }
                finally
                {
                    lock.unlock();
                }
            });
            thread.start();
            Eventually.await("waiter asleep", Duration.ofSeconds(10), () -> condition.sleepers() > 0);
            thread.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS));
            thread.join(10_000);
            assertFalse(lock.isLocked());

            lock.lock();
            condition.signal();
            assertFalse(condition.await(10, TimeUnit.MILLISECONDS), "the cancelled wait left no signal behind");
            lock.unlock();
        }
    }
}
