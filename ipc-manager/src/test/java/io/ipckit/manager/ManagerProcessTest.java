package io.ipckit.manager;

import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manager across real JVMs: proxies handed to children, named and nested objects, leases of killed clients,
 * a killed manager, call timeouts.
 */
class ManagerProcessTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final List<Manager> managers = new ArrayList<>();

    private Manager start(final String name, final ManagerOptions options)
    {
        final Manager manager = Manager.start(name, options);
        managers.add(manager);
        return manager;
    }

    @AfterEach
    void killManagers()
    {
        for (final Manager manager : managers)
        {
            manager.close();
            if (manager.process() != null && manager.process().isAlive())
            {
                manager.process().kill();
            }
        }
    }

    @Test
    void shouldShareADictWithChildJvmsThroughProxiesTheyWereGiven() throws Exception
    {
        final Manager manager = start("seed", new ManagerOptions());
        final ConcurrentMap<Integer, Integer> res = manager.dict();
        final JvmProcess p1 = dir.start((SerializableRunnable)() -> res.put(1, 1));
        final JvmProcess p2 = dir.start((SerializableRunnable)() -> res.put(2, 2));
        assertTrue(p1.join(60, TimeUnit.SECONDS) && p2.join(60, TimeUnit.SECONDS));
        assertEquals(0, p1.exitCode().getAsInt());
        assertEquals(0, p2.exitCode().getAsInt());
        assertEquals(Map.of(1, 1, 2, 2), Map.copyOf(res));
    }

    @Test
    void shouldReleaseTheLocksAndReferencesOfAClientKilledWithSigkill() throws Exception
    {
        final Manager manager = start("leases", new ManagerOptions());
        final Lock lock = manager.lock();
        final ManagedEvent ready = manager.event();
        final int objectsBefore = manager.objectCount();
        final JvmProcess child = dir.start((SerializableRunnable)() ->
        {
            final Manager mine = Manager.connect("leases");
            lock.lock();
            final ConcurrentMap<String, String> held = mine.dict();
            held.put("held", "by the child");
            ready.set();
            try
            {
                Thread.sleep(Long.MAX_VALUE);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(ready.await(60, TimeUnit.SECONDS), "child took the lock");
        assertEquals(objectsBefore + 1, manager.objectCount());
        assertTrue(!lock.tryLock(), "the child holds the lock");
        child.kill();
        final long start = System.nanoTime();
        assertTrue(lock.tryLock(30, TimeUnit.SECONDS), "lock released after the child died");
        final long releasedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        lock.unlock();
        Eventually.await("the child's dict dropped", Duration.ofSeconds(30),
            () -> manager.objectCount() == objectsBefore);
        System.out.println("lock of a SIGKILLed client released after " + releasedMs + " ms");
    }

    @Test
    void shouldFailEveryCallWithManagerGoneWhenTheManagerIsKilled() throws Exception
    {
        final Manager manager = start("doomed", new ManagerOptions());
        final BlockingQueue<String> queue = manager.queue();
        final ConcurrentMap<String, String> dict = manager.dict();
        final AtomicReference<Throwable> takeFailure = new AtomicReference<>();
        final Thread taker = Thread.ofPlatform().start(() ->
        {
            try
            {
                queue.take();
            }
            catch (final Throwable ex)
            {
                takeFailure.set(ex);
            }
        });
        Eventually.await("taker waits in the manager", Duration.ofSeconds(30),
            () -> Callers.waitsForReply(taker));
        final long start = System.nanoTime();
        manager.process().kill();
        taker.join(TimeUnit.SECONDS.toMillis(30));
        final long failedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertInstanceOf(ManagerGoneException.class, takeFailure.get());
        assertThrows(ManagerGoneException.class, () -> dict.get("k"));
        assertThrows(ManagerGoneException.class, manager::dict);
        assertTrue(manager.isGone());
        System.out.println("a blocked call failed " + failedMs + " ms after the manager was killed");
    }

    /**
     * A program that starts a manager (a daemon JVM) and returns from {@code main} without shutting it down ends it as
     * it exits (SIGTERM): the manager's socket, record and authkey go with it, as its pipes do. They stayed behind.
     */
    @Test
    void shouldRemoveTheManagersFilesWhenTheProgramThatStartedItExits() throws Exception
    {
        final JvmProcess program = dir.start((SerializableRunnable)() ->
        {
            try (Manager manager = Manager.start("left"))
            {
                manager.dict().put(1, 1);
            }
        });
        assertEquals(0, program.join(), "the program's exit code");
        Eventually.await("the manager's files (manager-left.sock, .info, .key) removed after its program exited",
            Duration.ofSeconds(20), () -> dir.list().stream().noneMatch((file) -> file.startsWith("manager-")));
    }

    @Test
    void shouldShareNamedRegisteredAndNestedObjectsWithAnotherJvm() throws Exception
    {
        final Manager manager = start("named", new ManagerOptions().registry(Counter.registry()));
        final Counter counter = manager.create("counter", Counter.class);
        counter.increment();
        final ManagedValue<Integer> snapshot = counter.snapshot();
        assertEquals(1, snapshot.get());
        final ConcurrentMap<String, Object> shelf = manager.dict();
        shelf.put("counter", counter);
        shelf.put("snapshot", snapshot);
        manager.bind("shelf", shelf);
        final JvmProcess child = dir.start((SerializableRunnable)() ->
        {
            try (Manager other = Manager.connect("named"))
            {
                @SuppressWarnings("unchecked")
                final ConcurrentMap<String, Object> found = other.lookup("shelf", ConcurrentMap.class);
                ((Counter)found.get("counter")).increment();
                @SuppressWarnings("unchecked")
                final ManagedValue<Integer> value = (ManagedValue<Integer>)found.get("snapshot");
                value.set(42);
            }
        });
        assertTrue(child.join(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitCode().getAsInt());
        assertEquals(3, counter.increment());
        assertEquals(42, snapshot.get());
        assertEquals(counter, shelf.get("counter"));
    }

    @Test
    void shouldTimeOutACallThatOutlastsTheCallTimeout()
    {
        final Manager manager = start("slow", new ManagerOptions().registry(Counter.registry())
            .callTimeout(200, TimeUnit.MILLISECONDS));
        final Counter counter = manager.create("counter", Counter.class);
        final IpcTimeoutException ex = assertThrows(IpcTimeoutException.class, () -> counter.stall(2_000));
        assertTrue(ex.getMessage().contains("stall(long)"), ex.getMessage());
        try (Manager other = Manager.connect("slow"))
        {
            final Counter same = other.create("counter", Counter.class);
            assertEquals(1, same.increment(), "a slow call holds up its own connection only");
        }
    }
}
