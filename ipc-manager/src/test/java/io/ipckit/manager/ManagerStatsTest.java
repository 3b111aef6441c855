package io.ipckit.manager;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Manager#stats()} and {@link ManagerDirectory} across real JVMs: a manager in its own JVM with a client in
 * another, what each holds, and who removes the files of a SIGKILLed manager.
 */
class ManagerStatsTest
{
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final List<Manager> managers = new ArrayList<>();

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
    void shouldReportTheClientsObjectsAndLocksOfAManagerInAnotherJvm() throws Exception
    {
        final Manager manager = Manager.start("counted");
        managers.add(manager);
        final ConcurrentMap<String, Integer> results = manager.dict();
        manager.bind("results", results);
        final Lock lock = manager.lock();
        final ManagedEvent ready = manager.event();
        final JvmProcess child = dir.start((SerializableRunnable)() ->
        {
            lock.lock();
            results.put("child", 1);
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
        assertTrue(ready.await(60, TimeUnit.SECONDS), "the child took the lock");

        final ManagerStats stats = manager.stats();
        assertEquals(manager.process().pid(), stats.pid());
        assertEquals(2, stats.clients().size(), stats::toString);
        assertEquals(0, stats.clientsRemembered() + stats.snapshots() + stats.snapshotNanos() + stats.snapshotsPutOff(),
            "not durable");
        final ManagerStats.Client me = stats.clients().stream().filter(ManagerStats.Client::caller).findFirst()
            .orElseThrow();
        assertEquals(ProcessHandle.current().pid(), me.pid());
        assertEquals(3, me.objectsHeld(), stats::toString);
        assertEquals(0, me.locksHeld());
        final ManagerStats.Client other = stats.clients().stream().filter((c) -> !c.caller()).findFirst().orElseThrow();
        assertEquals(child.pid(), other.pid());
        assertTrue(other.alive() && other.local());
        assertEquals(1, other.locksHeld(), stats::toString);
        assertEquals(3, other.objectsHeld(), stats::toString);
        assertTrue(other.callsServed() >= 3, stats::toString);
        assertEquals(3, stats.objectCount());
        assertEquals(List.of("dict", "lock", "event"), stats.objects().stream().map(ManagerStats.ManagedObject::typeid)
            .toList());
        assertEquals("results", stats.objects().get(0).boundName());
        assertTrue(stats.objects().get(0).pinned());
        assertNull(stats.objects().get(1).boundName());
        assertEquals(2, stats.objects().get(1).references(), "one reference in each JVM");
        assertTrue(stats.callsServed() >= me.callsServed() + other.callsServed());
        assertTrue(stats.threads() > 0);
        assertTrue(stats.startedAtMillis() <= System.currentTimeMillis());

        final ManagerInfo running = ManagerDirectory.info("counted");
        assertEquals(ManagerInfo.State.RUNNING, running.state());
        assertEquals(manager.process().pid(), running.process().pid());
        assertEquals(List.of(running), ManagerDirectory.list());

        child.kill();
        Eventually.await("the killed child's lease ended and its references dropped", DEADLINE, () ->
        {
            final ManagerStats after = manager.stats();
            return after.clients().size() == 1 && after.objects().get(1).references() == 1;
        });
        assertTrue(lock.tryLock(), "the killed child's lock was released");
        assertEquals(1, manager.stats().clients().get(0).locksHeld());
        lock.unlock();
    }

    @Test
    void shouldRemoveTheFilesOfAManagerKilledWithSigkillFromTheJvmThatStartedIt() throws Exception
    {
        final Manager manager = Manager.start("doomed");
        managers.add(manager);
        final long pid = manager.process().pid();
        assertTrue(ManagerDirectory.info("doomed").alive());
        assertEquals(4, ManagerDirectory.info("doomed").files().size(), "socket, key, lock file and record");
        manager.process().kill();
        assertTrue(manager.process().join(30, TimeUnit.SECONDS));

        // the manager's JVM recorded its socket, key, lock file and record with its resource tracker: this JVM, which
        // started it, removes them (and the registry) when it sees it exit
        Eventually.await("the killed manager's files removed", DEADLINE, () -> directoryIsEmpty());
        assertFalse(ManagerDirectory.exists("doomed"));
        assertEquals(List.of(), ManagerDirectory.list());
        assertThrows(ManagerGoneException.class, manager::stats);
        assertEquals(pid, manager.process().pid());
    }

    @Test
    void shouldListAManagerKilledAfterItsStarterAsDeadAndRemoveItsFiles() throws Exception
    {
        // a manager that outlives the program that started it (daemon false), then is killed: nobody is left to
        // see it exit, so its files stay and read as a dead manager's until removed by hand or by a sweep
        final JvmProcess starter = dir.start((SerializableRunnable)() ->
        {
            Manager.start("orphan", new ManagerOptions().daemon(false));
            try
            {
                Thread.sleep(Long.MAX_VALUE);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        Eventually.await("the starter's manager running", DEADLINE,
            () -> ManagerDirectory.exists("orphan") && ManagerDirectory.info("orphan").files().size() == 3 &&
                ManagerDirectory.info("orphan").process() != null);
        final long pid = ManagerDirectory.info("orphan").process().pid();
        final ProcessHandle orphan = ProcessHandle.of(pid).orElseThrow();
        try
        {
            starter.kill();
            assertTrue(starter.join(30, TimeUnit.SECONDS));
            assertTrue(orphan.isAlive(), "not a daemon: it outlives its starter");
            orphan.destroyForcibly();
            orphan.onExit().get(30, TimeUnit.SECONDS);

            final ManagerInfo dead = ManagerDirectory.info("orphan");
            assertEquals(ManagerInfo.State.DEAD, dead.state());
            assertEquals(pid, dead.process().pid());
            assertEquals(3, dead.files().size(), dead::toString);
            assertEquals(dead.files(), ManagerDirectory.unlink("orphan"));
            assertFalse(ManagerDirectory.exists("orphan"));
            assertThrows(ResourceNotFoundException.class, () -> ManagerDirectory.info("orphan"));
            assertEquals(List.of(), ManagerDirectory.list());
            io.ipckit.core.tracker.ResourceTracker.sweep(); // the dead manager's registry, whose files are gone
            assertTrue(directoryIsEmpty(), "nothing of the manager left");
        }
        finally
        {
            orphan.destroyForcibly();
        }
    }

    private static boolean directoryIsEmpty()
    {
        try (var files = Files.list(SharedDirectory.path()))
        {
            return files.findAny().isEmpty();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @Test
    void shouldTellAStartingManagerFromALeftOverKey() throws Exception
    {
        final java.nio.file.Path key = SharedDirectory.path().resolve("manager-early.key");
        Files.write(key, new byte[32]);
        assertEquals(ManagerInfo.State.STARTING, ManagerDirectory.info("early").state());
        Files.setLastModifiedTime(key, java.nio.file.attribute.FileTime.fromMillis(
            System.currentTimeMillis() - ManagerDirectory.STARTING_GRACE.toMillis() - 1_000));
        assertEquals(ManagerInfo.State.DEAD, ManagerDirectory.info("early").state());
        final java.nio.file.Path record = SharedDirectory.path().resolve("manager-early.info");
        Files.writeString(record, "not a record");
        assertEquals(ManagerInfo.State.DEAD, ManagerDirectory.info("early").state(), "an unreadable record is ignored");
        assertEquals(2, ManagerDirectory.unlink("early").size());
    }

    @Test
    void shouldReportStatsOfAServerInThisProcess() throws Exception
    {
        final java.nio.file.Path socket = SharedDirectory.path().resolve("served.sock");
        final byte[] key = "secret".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (ManagerServer server = Manager.serve(java.net.UnixDomainSocketAddress.of(socket), key,
            ManagerRegistry.defaults());
            Manager client = Manager.connect(server.address(), key))
        {
            client.list().add("x");
            final ManagerStats stats = server.stats();
            assertEquals(ProcessHandle.current().pid(), stats.pid());
            assertEquals(1, stats.clients().size());
            assertFalse(stats.clients().get(0).caller(), "asked in the manager's own process");
            assertEquals(1, stats.objectCount());
            assertEquals(List.of(), ManagerDirectory.list(), "a served manager is not one started by name");
        }
    }
}
