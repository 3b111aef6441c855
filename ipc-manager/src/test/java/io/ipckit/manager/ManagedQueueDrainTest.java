package io.ipckit.manager;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link BlockingQueue#drainTo} on a proxy hands the drained elements to the caller's collection (it ran on the
 * manager's copy of it, and the elements were lost), keeps the interface's contract, and replays from the journal.
 */
class ManagedQueueDrainTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldDeliverTheDrainedElementsToTheCallersCollection() throws Exception
    {
        try (Manager manager = Manager.start("drain"))
        {
            final BlockingQueue<Integer> queue = manager.queue();
            for (int i = 1; i <= 5; i++)
            {
                queue.put(i);
            }
            final List<Integer> sink = new ArrayList<>(List.of(0));
            assertEquals(2, queue.drainTo(sink, 2));
            assertEquals(List.of(0, 1, 2), sink);
            assertEquals(0, queue.drainTo(sink, 0));
            assertEquals(3, queue.drainTo(sink));
            assertEquals(List.of(0, 1, 2, 3, 4, 5), sink);
            assertEquals(0, queue.size());

            queue.put(6);
            final List<Integer> managed = manager.list();
            assertEquals(1, queue.drainTo(managed), "a managed collection is filled in the manager");
            assertEquals(List.of(6), new ArrayList<>(managed));

            queue.put(7);
            try (Manager other = Manager.start("drain-other"))
            {
                final List<Integer> elsewhere = other.list();
                assertEquals(1, queue.drainTo(elsewhere), "a collection of another manager is filled through its proxy");
                assertEquals(List.of(7), new ArrayList<>(elsewhere));
                assertEquals(List.of(6), new ArrayList<>(managed), "no object of this manager with the same id changed");
                other.shutdown();
            }

            assertThrows(IllegalArgumentException.class, () -> queue.drainTo(queue));
            assertThrows(NullPointerException.class, () -> queue.drainTo(null));
            assertThrows(NullPointerException.class, () -> queue.drainTo(null, 1));
            manager.shutdown();
        }
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldKeepADrainAcrossARestartOfADurableManager() throws Exception
    {
        final ManagerOptions options = new ManagerOptions().durable(dir.path().resolve("journal"));
        try (Manager first = Manager.start("drained", options))
        {
            final BlockingQueue<Integer> queue = first.queue();
            first.bind("q", queue);
            for (int i = 1; i <= 5; i++)
            {
                queue.put(i);
            }
            final List<Integer> sink = new ArrayList<>();
            assertEquals(3, queue.drainTo(sink, 3));
            assertEquals(List.of(1, 2, 3), sink);
            first.shutdown();
            assertTrue(first.process().join(30, TimeUnit.SECONDS), "the first manager's JVM exited");
        }
        try (Manager second = Manager.start("drained", options))
        {
            @SuppressWarnings("unchecked")
            final BlockingQueue<Integer> queue = second.lookup("q", BlockingQueue.class);
            final List<Integer> rest = new ArrayList<>();
            assertEquals(2, queue.drainTo(rest));
            assertEquals(List.of(4, 5), rest);
            second.shutdown();
        }
    }
}
