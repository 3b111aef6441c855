package io.ipckit.manager;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every built-in managed type, called from this JVM on a manager in another JVM, checked against Python's
 * behaviour where Python defines it. One manager for the class's tests keeps the suite short.
 */
class ManagedTypesTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private Manager manager;

    @BeforeEach
    void startManager()
    {
        manager = Manager.start("types");
    }

    @AfterEach
    void stopManager()
    {
        if (manager.process() != null && manager.process().isAlive())
        {
            manager.process().kill();
        }
        manager.close();
    }

    @Test
    void shouldTakeTheLongestTimeoutsAsNoLimit() throws Exception
    {
        final BlockingQueue<String> queue = manager.queue();
        queue.put("waiting");
        final Lock lock = manager.lock();
        // before: the call's time (the timeout plus the call timeout) wrapped negative, and the call timed out at once
        assertEquals("waiting", queue.poll(Long.MAX_VALUE, TimeUnit.SECONDS));
        assertTrue(lock.tryLock(Long.MAX_VALUE, TimeUnit.NANOSECONDS));
        lock.unlock();
    }

    @Test
    void shouldHoldTheLockAgainWhenAnInterruptedConditionWaitThrows() throws Exception
    {
        final ManagedCondition condition = manager.condition();
        final CompletableFuture<String> outcome = new CompletableFuture<>();
        final CountDownLatch waiting = new CountDownLatch(1);
        final Thread waiter = Thread.ofPlatform().start(() ->
        {
            condition.lock();
            String how = "signalled";
            try
            {
                waiting.countDown();
                condition.await();
            }
            catch (final InterruptedException ex)
            {
                how = "interrupted";
            }
            finally
            {
                try
                {
                    condition.unlock();
                    outcome.complete(how);
                }
                catch (final RuntimeException ex)
                {
                    outcome.complete(how + ", then unlock failed: " + ex);
                }
            }
        });
        waiting.await();
        condition.lock(); // granted once the waiter's await has let the lock go
        waiter.interrupt();
        try
        {
            // before: the waiter threw at once, without the lock, and its unlock failed while this thread held it
            assertThrows(TimeoutException.class, () -> outcome.get(1, TimeUnit.SECONDS),
                "the interrupted await ended before it could take the lock back");
        }
        finally
        {
            condition.unlock();
        }
        assertEquals("interrupted", outcome.get(30, TimeUnit.SECONDS));
        assertTrue(condition.tryLock(5, TimeUnit.SECONDS), "the lock is free again");
        condition.unlock();
    }

    @Test
    void shouldBehaveAsPythonsManagedContainers() throws Exception
    {
        final ConcurrentMap<String, Integer> dict = manager.dict(Map.of("a", 1));
        assertNull(dict.put("b", 2));
        assertEquals(2, dict.size());
        assertEquals(1, dict.get("a"));
        assertNull(dict.putIfAbsent("c", 3));
        assertEquals(3, dict.merge("c", 10, Integer::sum) - 10);
        assertEquals(13, dict.get("c"));
        assertEquals(Set.of("a", "b", "c"), Set.copyOf(dict.keySet()));
        int sum = 0;
        for (final Map.Entry<String, Integer> e : dict.entrySet())
        {
            sum += e.getValue();
        }
        assertEquals(16, sum);
        assertEquals(16, dict.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(dict.toString().contains("a=1"));
        assertThrows(NullPointerException.class, () -> dict.put("n", null));

        final List<String> list = manager.list(List.of("x"));
        list.add("y");
        list.add(0, "w");
        assertEquals(List.of("w", "x", "y"), new ArrayList<>(list));
        final Iterator<String> it = list.iterator();
        assertEquals("w", it.next());
        assertEquals("y", list.get(2));
        assertThrows(IndexOutOfBoundsException.class, () -> list.get(9));
        assertEquals(3, list.size());

        final Set<Integer> set = manager.set();
        assertTrue(set.add(1));
        assertFalse(set.add(1));
        assertTrue(set.contains(1));

        final Namespace ns = manager.namespace();
        ns.set("x", 10);
        assertEquals(10, ns.get("x"));
        assertEquals(Map.of("x", 10), ns.asMap());

        final ManagedValue<Long> value = manager.value(5L);
        assertTrue(value.compareAndSet(5L, 6L));
        assertFalse(value.compareAndSet(5L, 7L));
        assertEquals(6L, value.get());

        final ManagedArray<Double> array = manager.array(new Double[] {1.0, 2.0});
        array.set(1, 3.0);
        assertEquals(List.of(1.0, 3.0), array.toList());
        assertEquals(2, array.length());
    }

    @Test
    void shouldBehaveAsPythonsManagedQueues() throws Exception
    {
        final BlockingQueue<String> queue = manager.queue(1);
        assertTrue(queue.offer("a"));
        assertFalse(queue.offer("b", 10, TimeUnit.MILLISECONDS));
        assertEquals("a", queue.take());
        assertNull(queue.poll(10, TimeUnit.MILLISECONDS));
        final Thread producer = Thread.ofPlatform().start(() ->
        {
            try
            {
                queue.put("late");
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals("late", queue.poll(30, TimeUnit.SECONDS));
        producer.join();

        // Python's maxsize of 0 or less is no bound; before, the manager's LinkedBlockingQueue refused it with an
        // IllegalArgumentException without a message
        for (final int maxsize : new int[]{0, -1})
        {
            final BlockingQueue<String> unbounded = manager.queue(maxsize);
            for (int i = 0; i < 3; i++)
            {
                assertTrue(unbounded.offer("e" + i), "maxsize " + maxsize);
            }
            assertEquals(Integer.MAX_VALUE, unbounded.remainingCapacity() + 3);
        }
        // by type id, the bound goes to the manager as given: refused with a message (a durable manager's journal
        // replays creates as they were sent, so one refused before must still be)
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> manager.create("joinableQueue", BlockingQueue.class, 0)).getMessage().contains("at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> manager.barrier(0)).getMessage()
            .contains("barrier: parties must be at least 1, not 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> manager.semaphore(-1)).getMessage()
            .contains("semaphore: the initial count must be 0 or more, not -1"));

        final ManagedJoinableQueue<Integer> joinable = manager.joinableQueue();
        joinable.put(1);
        joinable.add(2);
        assertFalse(joinable.join(10, TimeUnit.MILLISECONDS));
        joinable.take();
        joinable.taskDone();
        joinable.take();
        joinable.taskDone();
        assertTrue(joinable.join(1, TimeUnit.SECONDS));
        final IllegalStateException tooMany = assertThrows(IllegalStateException.class, joinable::taskDone);
        assertTrue(tooMany.getMessage().contains("more times"));
    }

    @Test
    void shouldBehaveAsPythonsManagedSynchronizers() throws Exception
    {
        final Lock lock = manager.lock();
        lock.lock();
        final IllegalStateException again = assertThrows(IllegalStateException.class, lock::lock);
        assertTrue(again.getMessage().contains("not reentrant"));
        final AtomicBoolean otherGot = new AtomicBoolean(true);
        final Thread other = Thread.ofPlatform().start(() -> otherGot.set(lock.tryLock()));
        other.join();
        assertFalse(otherGot.get(), "another thread of this process must not get a held lock");
        lock.unlock();
        assertThrows(IllegalMonitorStateException.class, lock::unlock);

        final Lock rlock = manager.rlock();
        rlock.lock();
        rlock.lock();
        rlock.unlock();
        rlock.unlock();
        assertThrows(IllegalMonitorStateException.class, rlock::unlock);

        final ManagedSemaphore bounded = manager.boundedSemaphore(1);
        bounded.acquire();
        assertFalse(bounded.tryAcquire(0, TimeUnit.SECONDS));
        bounded.release();
        assertThrows(IllegalStateException.class, bounded::release);
        final ManagedSemaphore semaphore = manager.semaphore(0);
        semaphore.release();
        assertEquals(1, semaphore.availablePermits());

        final ManagedEvent event = manager.event();
        assertFalse(event.await(10, TimeUnit.MILLISECONDS));
        final Thread setter = Thread.ofPlatform().start(event::set);
        event.await();
        setter.join();
        assertTrue(event.isSet());

        final ManagedCondition condition = manager.condition();
        final AtomicInteger state = new AtomicInteger();
        final CountDownLatch waiting = new CountDownLatch(1);
        final Thread waiter = Thread.ofPlatform().start(() ->
        {
            condition.lock();
            try
            {
                waiting.countDown();
                while (state.get() == 0)
                {
                    condition.await();
                }
                state.set(2);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            finally
            {
                condition.unlock();
            }
        });
        waiting.await();
        condition.lock();
        state.set(1);
        condition.signalAll();
        condition.unlock();
        waiter.join(30_000);
        assertEquals(2, state.get());

        final Lock withCondition = manager.lock();
        final Condition ofLock = withCondition.newCondition();
        withCondition.lock();
        assertFalse(ofLock.await(10, TimeUnit.MILLISECONDS));
        withCondition.unlock();

        final ManagedBarrier barrier = manager.barrier(2);
        final AtomicInteger index = new AtomicInteger(-1);
        final Thread party = Thread.ofPlatform().start(() ->
        {
            try
            {
                index.set(barrier.await());
            }
            catch (final InterruptedException | BrokenBarrierException ex)
            {
                index.set(-2);
            }
        });
        final int mine = barrier.await();
        party.join();
        assertEquals(1, mine + index.get());
        assertThrows(TimeoutException.class, () -> barrier.await(10, TimeUnit.MILLISECONDS));
        assertTrue(barrier.isBroken());
    }

    @Test
    void shouldReturnTheManagerSideExceptionWithItsTraceAsCause()
    {
        final List<Integer> list = manager.list();
        final IndexOutOfBoundsException ex = assertThrows(IndexOutOfBoundsException.class, () -> list.get(3));
        final RemoteManagerException remote = assertInstanceOf(RemoteManagerException.class, ex.getCause());
        assertTrue(remote.remoteClassName().contains("IndexOutOfBounds"));
        assertTrue(remote.getStackTrace().length > 0);
        assertTrue(java.util.Arrays.stream(remote.getStackTrace())
                .anyMatch((e) -> e.getClassName().equals("io.ipckit.manager.internal.ServerCore")),
            "the trace is the manager's: " + java.util.Arrays.toString(remote.getStackTrace()));
    }

    @Test
    void shouldDropObjectsWhoseProxiesWereCollected()
    {
        final int before = manager.objectCount();
        for (int i = 0; i < 50; i++)
        {
            manager.dict().put("i", i);
        }
        io.ipckit.core.testing.Eventually.await("the manager dropped the 50 collected dicts",
            java.time.Duration.ofSeconds(30), () ->
            {
                System.gc();
                return manager.objectCount() == before;
            });
    }

    @Test
    void shouldCancelABlockingCallWhoseCallerIsInterrupted() throws Exception
    {
        final BlockingQueue<String> queue = manager.queue();
        final java.util.concurrent.atomic.AtomicReference<Throwable> outcome =
            new java.util.concurrent.atomic.AtomicReference<>();
        final Thread taker = Thread.ofPlatform().start(() ->
        {
            try
            {
                outcome.set(new AssertionError("took " + queue.take()));
            }
            catch (final Throwable ex)
            {
                outcome.set(ex);
            }
        });
        io.ipckit.core.testing.Eventually.await("the taker waits", java.time.Duration.ofSeconds(30),
            () -> Callers.waitsForReply(taker));
        taker.interrupt();
        taker.join(30_000);
        assertInstanceOf(InterruptedException.class, outcome.get());
        queue.put("kept");
        assertEquals("kept", queue.poll(10, TimeUnit.SECONDS), "the cancelled take did not steal the element");
    }

    @Test
    void shouldCompareProxiesByTheObjectTheyStandFor()
    {
        final Lock a = manager.lock();
        final Lock b = manager.lock();
        assertEquals(a, a);
        assertNotEquals(a, b);
        assertEquals(a.hashCode(), a.hashCode());
    }
}
