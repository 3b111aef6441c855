package io.ipckit.cli;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.manager.ManagedEvent;
import io.ipckit.manager.Manager;
import io.ipckit.manager.ManagerDirectory;
import io.ipckit.manager.ManagerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands on a manager started by name in another JVM, with a client in a third: {@code ls}, {@code stat}
 * (and {@code --watch}), {@code rm}, and {@code dump}/{@code tail}/{@code unlock} refusing; then the same manager
 * SIGKILLed, its files removed by this JVM, which started it; and a manager killed after its starter: listed dead,
 * {@code rm --dead} removing its files.
 */
class ManagerCommandsTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private Manager manager;

    @AfterEach
    void killManager()
    {
        if (manager != null)
        {
            manager.close();
            if (manager.process().isAlive())
            {
                manager.process().kill();
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldListStatAndRemoveAManagerOfAnotherJvmAliveThenKilled() throws Exception
    {
        manager = Manager.start("jobs");
        final long managerPid = manager.process().pid();
        final ConcurrentMap<String, Integer> results = manager.dict();
        manager.bind("results", results);
        final Lock lock = manager.lock();
        final ManagedEvent ready = manager.event();
        final JvmProcess client = dir.start((SerializableRunnable)() ->
        {
            lock.lock();
            results.put("done", 1);
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
        assertTrue(ready.await(60, TimeUnit.SECONDS), "the client took the lock");

        final Cli ls = Cli.run("ls", "--json");
        assertEquals(0, ls.code(), ls::toString);
        final List<Map<String, Object>> rows = JsonCheck.parseArrayOfObjects(ls.out());
        assertEquals(1, rows.size(), "the manager, not its key or record as segments: " + ls);
        final Map<String, Object> row = rows.get(0);
        assertEquals("jobs", row.get("name"));
        assertEquals("Manager", row.get("kind"));
        assertEquals("running", row.get("state"));
        assertEquals(managerPid, row.get("creatorPid"));
        assertEquals(Boolean.TRUE, row.get("alive"));
        final Cli text = Cli.run("ls", "--kind", "manager");
        assertEquals(2, text.out().lines().count(), text::toString);
        assertTrue(text.out().lines().skip(1).findFirst().orElseThrow()
            .matches("jobs +Manager +- +- +" + managerPid + " +yes .*running"), text::toString);

        final Cli stat = Cli.run("stat", "jobs", "--json");
        assertEquals(0, stat.code(), stat::toString);
        final Map<String, Object> counters = JsonCheck.parseObject(stat.out());
        assertEquals(managerPid, counters.get("managerPid"));
        assertEquals(2L, counters.get("clientCount"), "this test's handle and the client; not the CLI's own");
        final List<Map<String, Object>> clients = (List<Map<String, Object>>)counters.get("clients");
        final Map<String, Object> theClient = clients.stream().filter((c) -> c.get("pid").equals(client.pid()))
            .findFirst().orElseThrow(() -> new AssertionError(stat));
        assertEquals(1L, theClient.get("locks"));
        assertEquals(3L, theClient.get("objects"));
        assertEquals(Boolean.TRUE, theClient.get("alive"));
        final Map<String, Object> mine = clients.stream().filter((c) -> c.get("pid").equals(ProcessHandle.current()
            .pid())).findFirst().orElseThrow(() -> new AssertionError(stat));
        assertEquals(0L, mine.get("locks"));
        assertEquals(3L, counters.get("objectCount"));
        final List<Map<String, Object>> objects = (List<Map<String, Object>>)counters.get("objects");
        assertEquals(List.of("dict", "lock", "event"), objects.stream().map((o) -> o.get("type")).toList());
        assertEquals("results", objects.get(0).get("boundName"));
        assertEquals(2L, objects.get(1).get("references"));
        assertTrue((Long)counters.get("callsServed") >= 6, stat::toString);

        final Cli watch = Cli.run("stat", "jobs", "--watch", "50ms", "--count", "2", "--json");
        assertEquals(0, watch.code(), watch::toString);
        assertEquals(2, watch.out().lines().count(), watch::toString);
        watch.out().lines().forEach((line) -> assertEquals(2L, JsonCheck.parseObject(line).get("clientCount")));
        final Cli statText = Cli.run("stat", "jobs");
        assertTrue(statText.out().contains("clients: \n") && statText.out().contains(" locks=1 "), statText::toString);

        for (final String command : List.of("dump", "tail", "unlock"))
        {
            final Cli refused = Cli.run(command, "jobs");
            assertEquals(1, refused.code(), refused::toString);
            assertTrue(refused.err().contains("`ipckit " + command + "` does not apply to a manager"),
                refused::toString);
        }
        final Cli rmLive = Cli.run("rm", "jobs");
        assertEquals(1, rmLive.code(), rmLive::toString);
        assertTrue(rmLive.err().contains("is running"), rmLive::toString);
        assertEquals(0, Cli.run("rm", "--dead").code());
        assertTrue(Files.exists(SharedDirectory.path().resolve("manager-jobs.sock")), "rm --dead spares it");

        manager.process().kill();
        assertTrue(manager.process().join(30, TimeUnit.SECONDS));
        // this JVM started it: its resource tracker removes the killed manager's socket, key and record
        io.ipckit.core.testing.Eventually.await("the killed manager's files removed", java.time.Duration.ofSeconds(60),
            () -> "[]".equals(Cli.run("ls", "--json").out().trim()));
        client.kill();
        assertTrue(client.join(30, TimeUnit.SECONDS));
        io.ipckit.core.testing.Eventually.await("nothing left in the directory", java.time.Duration.ofSeconds(60),
            () -> listDirectory().isEmpty());
    }

    @Test
    void shouldListStatAndRemoveAManagerKilledAfterTheJvmThatStartedIt() throws Exception
    {
        // not a daemon, so it outlives its starter; killed then, nobody sees it exit: its files stay, read as dead
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
        io.ipckit.core.testing.Eventually.await("the starter's manager running", java.time.Duration.ofSeconds(60),
            () -> ManagerDirectory.exists("orphan") && ManagerDirectory.info("orphan").files().size() == 3 &&
                ManagerDirectory.info("orphan").process() != null);
        final long managerPid = ManagerDirectory.info("orphan").process().pid();
        final ProcessHandle orphan = ProcessHandle.of(managerPid).orElseThrow();
        try
        {
            starter.kill();
            assertTrue(starter.join(30, TimeUnit.SECONDS));
            orphan.destroyForcibly();
            orphan.onExit().get(30, TimeUnit.SECONDS);

            final Map<String, Object> dead = JsonCheck.parseArrayOfObjects(Cli.run("ls", "--json").out()).get(0);
            assertEquals("orphan", dead.get("name"));
            assertEquals("dead", dead.get("state"));
            assertEquals(Boolean.FALSE, dead.get("alive"));
            assertEquals(managerPid, dead.get("creatorPid"));
            final Cli statDead = Cli.run("stat", "orphan");
            assertEquals(1, statDead.code(), statDead::toString);
            assertTrue(statDead.err().contains("is dead (pid " + managerPid + ")"), statDead::toString);

            final Cli rm = Cli.run("rm", "--dead", "--json");
            assertEquals(0, rm.code(), rm::toString);
            final List<Map<String, Object>> removed = JsonCheck.parseArrayOfObjects(rm.out());
            assertEquals(1, removed.size(), rm::toString);
            assertEquals("orphan", removed.get(0).get("name"));
            assertEquals(Boolean.TRUE, removed.get(0).get("removed"));
            assertEquals("[]", Cli.run("ls", "--json").out().trim());
            assertEquals(List.of(), listDirectory(), "rm --dead swept the dead manager's registry too");
        }
        finally
        {
            orphan.destroyForcibly();
        }
    }

    private static List<String> listDirectory()
    {
        try (var files = Files.list(SharedDirectory.path()))
        {
            return files.map((f) -> f.getFileName().toString()).toList();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
