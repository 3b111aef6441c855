package io.ipckit.manager;

import io.ipckit.core.testing.TestDirectory;
import io.ipckit.manager.connection.FrameTooLargeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pipe fast path keeps the socket's frame limit both ways, and a frame that fails a fast path worker (here an
 * {@link OutOfMemoryError} in the manager) ends only its own client's session.
 */
class ManagerPipeLimitsTest
{
    private static final int LIMIT = 1 << 20;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseFramesOverTheLimitOnThePipeBothWays()
    {
        try (Manager manager = Manager.start("limits", new ManagerOptions().maxFrameBytes(LIMIT)))
        {
            final ConcurrentMap<String, byte[]> dict = manager.dict();
            final FrameTooLargeException request = assertThrows(FrameTooLargeException.class,
                () -> dict.put("big", new byte[2 * LIMIT]));
            assertTrue(request.getMessage().contains("exceeds the maximum of " + LIMIT + " bytes"),
                request.getMessage());
            dict.put("a", new byte[LIMIT * 3 / 5]);
            dict.put("b", new byte[LIMIT * 3 / 5]);
            final FrameTooLargeException reply = assertThrows(FrameTooLargeException.class,
                () -> new ArrayList<>(dict.values()));
            assertTrue(reply.getMessage().contains("reply of ") &&
                reply.getMessage().contains("exceeds the maximum of " + LIMIT + " bytes"), reply.getMessage());
            assertEquals(LIMIT * 3 / 5, dict.get("a").length, "the session goes on after both refusals");
            manager.shutdown();
        }
    }

    /** A client with a larger limit than the manager's: its frame is refused before the manager allocates it. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldEndTheSessionOfAPipeClientThatSendsAFrameOverTheManagersLimit()
    {
        try (Manager manager = Manager.start("larger", new ManagerOptions().maxFrameBytes(LIMIT));
             Manager greedy = Manager.connect("larger", new ManagerOptions().maxFrameBytes(8 * LIMIT)))
        {
            final ConcurrentMap<String, byte[]> dict = manager.dict();
            manager.bind("d", dict);
            @SuppressWarnings("unchecked")
            final ConcurrentMap<String, byte[]> greedyDict = greedy.lookup("d", ConcurrentMap.class);
            final ManagerGoneException ended = assertThrows(ManagerGoneException.class,
                () -> greedyDict.put("big", new byte[2 * LIMIT]));
            assertTrue(ended.getMessage().contains("over the maximum of " + LIMIT + " bytes"), ended.getMessage());
            assertFalse(dict.containsKey("big"));
            dict.put("small", new byte[1]);
            assertEquals(1, dict.get("small").length, "the other client is served on");
            manager.shutdown();
        }
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldServeOtherPipeClientsAfterAFrameFailedAWorkerWithAnError()
    {
        final ManagerOptions options = new ManagerOptions().jvmOptions("-Xmx48m").maxFrameBytes(256 << 20)
            .callTimeout(5, TimeUnit.SECONDS);
        try (Manager manager = Manager.start("oom", options);
             Manager other = Manager.connect("oom", options))
        {
            final BlockingQueue<Integer> queue = manager.queue();
            queue.add(1);
            manager.bind("q", queue);
            @SuppressWarnings("unchecked")
            final BlockingQueue<Integer> otherQueue = other.lookup("q", BlockingQueue.class);
            final ConcurrentMap<String, byte[]> dict = manager.dict();
            assertThrows(RuntimeException.class, () -> dict.put("big", new byte[64 << 20]));
            assertEquals(1, otherQueue.poll(1, TimeUnit.SECONDS), "the other client's call was served");
            try (Manager late = Manager.connect("oom", options))
            {
                final List<Integer> list = late.list();
                list.add(2);
                assertEquals(List.of(2), new ArrayList<>(list), "a new client is served");
            }
            other.shutdown(); // the first handle's session ended with its frame
            assertTrue(manager.process().join(10, TimeUnit.SECONDS), "the manager's JVM exited");
        }
        catch (final InterruptedException ex)
        {
            fail(ex);
        }
    }
}
