package io.ipckit.manager;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast path of clients of the manager's host, across real JVMs: calls through a pipe in shared memory from many
 * clients and threads with the manager's threads bounded, a killed manager and a killed client on the pipe, and the
 * socket kept on request.
 */
class ManagerPipeTest
{
    private static final int THREADS = 8;
    private static final int CALLS = 300;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final List<AutoCloseable> closing = new ArrayList<>();
    private Manager manager;

    private Manager start(final String name)
    {
        manager = Manager.start(name, new ManagerOptions().registry(Counter.registry()));
        return manager;
    }

    @AfterEach
    void stop() throws Exception
    {
        for (final AutoCloseable c : closing)
        {
            c.close();
        }
        if (manager != null)
        {
            manager.close();
            if (manager.process().isAlive())
            {
                manager.process().kill();
                manager.process().join(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void shouldServeManyClientsAndThreadsThroughPipesWithBoundedManagerThreads() throws Exception
    {
        start("many");
        assertTrue(manager.usesPipe(), "a manager of this host is reached through a pipe");
        final Counter counter = manager.create("counter", Counter.class);
        final int threadsBefore = counter.platformThreads();
        final ConcurrentMap<String, Integer> dict = manager.dict();
        manager.bind("dict", dict);
        final JvmProcess child = dir.start((SerializableRunnable)() ->
        {
            try (Manager mine = Manager.connect("many"))
            {
                hammer(mine, "child");
            }
        });
        final List<Manager> clients = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            final Manager client = Manager.connect("many");
            closing.add(client);
            clients.add(client);
            assertTrue(client.usesPipe());
        }
        final List<Thread> threads = new ArrayList<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < clients.size(); i++)
        {
            final Manager client = clients.get(i);
            final String prefix = "in-" + i;
            threads.add(Thread.ofPlatform().start(() ->
            {
                try
                {
                    hammer(client, prefix);
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }));
        }
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(120));
        }
        assertTrue(child.join(120, TimeUnit.SECONDS));
        assertEquals(0, child.exitCode().getAsInt(), "the child's calls all came back right");
        assertEquals(null, failure.get());
        assertEquals((clients.size() + 1) * THREADS * CALLS, dict.size());
        // the handshake threads end once their clients attached; a thread per client would add 13
        Eventually.await("the manager's platform threads back to about " + threadsBefore + " with 13 more clients",
            Duration.ofSeconds(30), () -> counter.platformThreads() <= threadsBefore + 2);
    }

    /**
     * {@link #THREADS} threads of one client put and read back {@link #CALLS} keys each.
     */
    private static void hammer(final Manager client, final String prefix)
    {
        final ConcurrentMap<String, Integer> dict = client.lookup("dict", ConcurrentMap.class);
        final List<Thread> threads = new ArrayList<>();
        final AtomicInteger wrong = new AtomicInteger();
        for (int t = 0; t < THREADS; t++)
        {
            final String key = prefix + "-" + t + "-";
            threads.add(Thread.ofPlatform().start(() ->
            {
                for (int i = 0; i < CALLS; i++)
                {
                    dict.put(key + i, i);
                    if (dict.get(key + i) != i)
                    {
                        wrong.incrementAndGet();
                    }
                }
            }));
        }
        for (final Thread thread : threads)
        {
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(120));
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        if (wrong.get() != 0)
        {
            throw new IllegalStateException(wrong.get() + " reads returned another value");
        }
    }

    @Test
    void shouldFailEveryWaitingThreadWithManagerGoneWhenTheManagerIsKilled() throws Exception
    {
        start("killed");
        final BlockingQueue<String> queue = manager.queue();
        final List<Thread> takers = new ArrayList<>();
        final List<AtomicReference<Throwable>> failures = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            failures.add(failure);
            takers.add(Thread.ofPlatform().start(() ->
            {
                try
                {
                    queue.take();
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }));
        }
        for (final Thread taker : takers)
        {
            Eventually.await("takers wait in the manager", Duration.ofSeconds(30), () -> Callers.waitsForReply(taker));
        }
        final long start = System.nanoTime();
        manager.process().kill();
        for (final Thread taker : takers)
        {
            taker.join(TimeUnit.SECONDS.toMillis(30));
        }
        final long failedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        for (final AtomicReference<Throwable> failure : failures)
        {
            assertInstanceOf(ManagerGoneException.class, failure.get());
        }
        assertThrows(ManagerGoneException.class, () -> queue.offer("late"));
        System.out.println("4 threads waiting on a pipe failed " + failedMs + " ms after the manager was killed");
    }

    @Test
    void shouldReleaseTheLockOfAKilledPipeClientWhileOthersKeepCalling() throws Exception
    {
        start("lease");
        final Lock lock = manager.lock();
        final ManagedEvent ready = manager.event();
        final ConcurrentMap<String, Integer> dict = manager.dict();
        final JvmProcess child = dir.start((SerializableRunnable)() ->
        {
            lock.lock();
            ready.set();
            while (true)
            {
                dict.merge("child", 1, Integer::sum);
            }
        });
        assertTrue(ready.await(60, TimeUnit.SECONDS), "the child took the lock");
        Eventually.await("the child calls", Duration.ofSeconds(30), () -> dict.getOrDefault("child", 0) > 10);
        child.kill();
        final long start = System.nanoTime();
        assertTrue(lock.tryLock(30, TimeUnit.SECONDS), "the dead child's lock was released");
        final long releasedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        lock.unlock();
        dict.put("after", 1);
        assertEquals(1, dict.get("after"), "the manager serves the others");
        System.out.println("lock of a SIGKILLed pipe client released after " + releasedMs + " ms");
    }

    @Test
    void shouldTimeOutACallThatCannotBeSentWhileTheManagerRunsASlowCall() throws Exception
    {
        manager = Manager.start("full", new ManagerOptions().registry(Counter.registry())
            .callTimeout(1, TimeUnit.SECONDS));
        assertTrue(manager.usesPipe());
        final Counter counter = manager.create("counter", Counter.class);
        final ConcurrentMap<String, byte[]> values = manager.dict();
        final AtomicReference<Throwable> stalled = new AtomicReference<>();
        final Thread stalling = Thread.ofPlatform().start(() ->
        {
            try
            {
                counter.stall(5_000); // runs on the worker that reads this client's pipe: nothing reads it meanwhile
            }
            catch (final Throwable ex)
            {
                stalled.set(ex);
            }
        });
        Eventually.await("the slow call runs", Duration.ofSeconds(30), () -> Callers.waitsForReply(stalling));
        // a frame longer than the pipe's ring: before, its send waited for room until the slow call ended
        final io.ipckit.core.exceptions.IpcTimeoutException unsent = assertTimeoutPreemptively(Duration.ofMillis(3_500),
            () -> assertThrows(io.ipckit.core.exceptions.IpcTimeoutException.class,
                () -> values.put("large", new byte[1 << 20])),
            "a call waited past its call timeout for room in a pipe the manager did not read");
        assertTrue(unsent.getMessage().contains("could not be sent within 1000 ms"), unsent.getMessage());
        stalling.join(TimeUnit.SECONDS.toMillis(30));
        assertInstanceOf(io.ipckit.core.exceptions.IpcTimeoutException.class, stalled.get());
        Eventually.await("the manager serving the pipe again once the slow call ends", Duration.ofSeconds(30), () ->
        {
            try
            {
                values.put("small", new byte[16]);
                return true;
            }
            catch (final io.ipckit.core.exceptions.IpcTimeoutException ex)
            {
                return false; // the slow call still runs in the manager
            }
        });
        assertEquals(16, values.get("small").length, "the pipe serves again, the cut frame discarded");
        assertFalse(values.containsKey("large"));
    }

    @Test
    void shouldTimeOutOnThePipeAndKeepServingOtherClientsDuringASlowCall() throws Exception
    {
        manager = Manager.start("slow", new ManagerOptions().registry(Counter.registry())
            .callTimeout(200, TimeUnit.MILLISECONDS));
        final Counter counter = manager.create("counter", Counter.class);
        manager.bind("counter", counter);
        final AtomicReference<Throwable> stalled = new AtomicReference<>();
        final Thread stalling = Thread.ofPlatform().start(() ->
        {
            try
            {
                counter.stall(3_000);
            }
            catch (final Throwable ex)
            {
                stalled.set(ex);
            }
        });
        Eventually.await("the slow call runs", Duration.ofSeconds(30), () -> Callers.waitsForReply(stalling));
        int last = 0;
        try (Manager other = Manager.connect("slow"))
        {
            assertTrue(other.usesPipe());
            final Counter same = other.lookup("counter", Counter.class);
            for (int i = 0; i < 50; i++)
            {
                last = same.increment();
            }
        }
        stalling.join(TimeUnit.SECONDS.toMillis(30));
        assertInstanceOf(io.ipckit.core.exceptions.IpcTimeoutException.class, stalled.get());
        assertEquals(50, last, "the other client's calls all ran during the slow call");
    }

    /**
     * A call longer than the pipe's 64 KB ring goes in parts, the client waiting for room between them, and the
     * manager's workers sleep on a doorbell of their own that a client rings once its frame is whole. Before, a worker
     * asleep when the frame began (idle for 50 µs is enough) read the parts written so far only at the end of its
     * 250 ms sleep slice, each time the ring filled: a 280 KB putAll took 2.3 s (measured), and the 1 MB ones here took
     * over 4 s, past this test's 3 s call timeout. The client now rings while it waits for room; they take tens of
     * milliseconds. The reply of the same length comes back as well.
     */
    @Test
    void shouldPassCallsLongerThanThePipesRingWithoutWaitingOutTheWorkersSleep() throws Exception
    {
        manager = Manager.start("long", new ManagerOptions().callTimeout(3, TimeUnit.SECONDS));
        assertTrue(manager.usesPipe(), "a manager of this host is reached through a pipe");
        final ConcurrentMap<Integer, String> dict = manager.dict();
        final int perCall = 40_000;
        for (int round = 0; round < 3; round++)
        {
            final java.util.Map<Integer, String> batch = new java.util.HashMap<>();
            for (int i = 0; i < perCall; i++)
            {
                batch.put(round * perCall + i, "value number " + i); // about 1 MB serialized in all
            }
            dict.putAll(batch); // the workers idled while the batch was built: they sleep as it begins
        }
        assertEquals(3 * perCall, dict.size());
        final java.util.Map<Integer, String> copy = new java.util.HashMap<>(dict); // one reply of the whole dict
        assertEquals(3 * perCall, copy.size());
        assertEquals("value number 7", copy.get(2 * perCall + 7));
    }

    @Test
    void shouldKeepAClientOnTheSocketWhenItAsks() throws Exception
    {
        start("socket");
        final ConcurrentMap<String, Boolean> seen = manager.dict();
        manager.bind("seen", seen);
        final JvmProcess child = dir.start((SerializableRunnable)() ->
        {
            try (Manager mine = Manager.connect("socket"))
            {
                final ConcurrentMap<String, Boolean> shared = mine.lookup("seen", ConcurrentMap.class);
                shared.put("pipe", mine.usesPipe());
            }
        }, new ProcessOptions().jvmOptions("-Dipckit.manager.pipe=false"));
        assertTrue(child.join(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitCode().getAsInt());
        assertFalse(seen.get("pipe"), "the child stayed on the socket");
    }
}
