package io.ipckit.manager;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Two starts of one name never touch each other's files: one claims the name, the other is refused before it
 * writes or removes anything, and a live manager's record refuses a start even when its socket is gone.
 */
class ManagerStartRaceTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseAStartWhileAnotherStartOfTheNameHoldsItsClaim() throws Exception
    {
        final Path lock = SharedDirectory.path().resolve("manager-race.lock");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = channel.lock())
        {
            Manager started = null;
            try
            {
                final ResourceExistsException refused = assertThrows(ResourceExistsException.class,
                    () -> Manager.start("race"));
                assertTrue(refused.getMessage().startsWith("manager race is being started"), refused.getMessage());
                assertEquals(List.of("manager-race.lock"), managerFiles("race"), "the refused start wrote nothing");
            }
            catch (final AssertionError ex)
            {
                started = Manager.connect("race"); // a start that was not refused left a manager: stop it
                started.shutdown();
                throw ex;
            }
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseAStartWhileTheRecordNamesALiveManagerWithoutItsSocket() throws Exception
    {
        try (Manager first = Manager.start("alive"))
        {
            final ConcurrentMap<String, Integer> dict = first.dict();
            Files.delete(Manager.socketPath("alive")); // as a careless rm would
            final byte[] key = Files.readAllBytes(Manager.keyPath("alive"));
            Manager second = null;
            try
            {
                final ResourceExistsException refused = assertThrows(ResourceExistsException.class,
                    () -> Manager.start("alive"));
                assertTrue(refused.getMessage().contains("is already running (pid " + first.process().pid() + ","),
                    refused.getMessage());
            }
            catch (final AssertionError ex)
            {
                second = Manager.connect("alive");
                second.shutdown();
                throw ex;
            }
            assertArrayEquals(key, Files.readAllBytes(Manager.keyPath("alive")), "the refused start kept the key");
            assertEquals(first.process().pid(), ManagerDirectory.info("alive").process().pid());
            dict.put("still", 1);
            assertEquals(1, dict.get("still"));
            first.shutdown();
        }
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldLetExactlyOneOfTwoConcurrentStartsWinWithItsOwnFiles() throws Exception
    {
        final CyclicBarrier barrier = new CyclicBarrier(2);
        final List<Manager> won = new CopyOnWriteArrayList<>();
        final List<Throwable> lost = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++)
        {
            threads.add(Thread.ofPlatform().start(() ->
            {
                try
                {
                    barrier.await(30, TimeUnit.SECONDS);
                    won.add(Manager.start("both"));
                }
                catch (final Throwable ex)
                {
                    lost.add(ex);
                }
            }));
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        try
        {
            assertEquals(1, won.size(), "winners " + won + ", losers " + lost);
            assertEquals(1, lost.size());
            assertInstanceOf(ResourceExistsException.class, lost.get(0));
            final Manager winner = won.get(0);
            assertEquals(winner.process().pid(), ManagerDirectory.info("both").process().pid());
            try (Manager joined = Manager.connect("both"))
            {
                final ConcurrentMap<String, Integer> dict = joined.dict();
                dict.put("x", 1);
                assertEquals(1, dict.get("x"));
            }
            winner.shutdown();
            assertTrue(winner.process().join(10, TimeUnit.SECONDS));
            assertEquals(List.of(), managerFiles("both"), "a shutdown removes every file, the lock file too");
        }
        finally
        {
            for (final Manager manager : won)
            {
                manager.close();
                manager.process().kill();
            }
        }
    }

    private static List<String> managerFiles(final String name) throws IOException
    {
        try (Stream<Path> entries = Files.list(SharedDirectory.path()))
        {
            return entries.map((entry) -> entry.getFileName().toString())
                .filter((file) -> file.startsWith("manager-" + name + ".")).sorted().toList();
        }
    }
}
