package io.ipckit.cli;

import io.ipckit.core.ResourceInfo;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.pool.PoolOptions;
import io.ipckit.pool.ProcessPool;
import io.ipckit.pool.SerializableCallable;
import io.ipckit.shm.sync.SharedEvent;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolAndJfrTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldShowThePoolTaskBoardAndRecordAReplacedWorker() throws Exception
    {
        final Path jfr = Files.createTempFile("ipckit-pool-", ".jfr");
        try (Recording recording = new Recording();
            SharedEvent go = SharedEvent.create("go");
            ProcessPool pool = ProcessPool.create(new PoolOptions().name("crunch").workers(1)))
        {
            recording.enable("io.ipckit.PoolWorkerReplaced");
            recording.start();
            final CompletableFuture<String> waiting = pool.submit((SerializableCallable<String>)() ->
            {
                try (SharedEvent event = SharedEvent.open("go"))
                {
                    event.await();
                }
                return "went";
            });
            final String board = SharedDirectory.list().stream().filter((i) -> "Pool".equals(i.kindName()))
                .map(ResourceInfo::name).findFirst().orElseThrow();
            Eventually.await("the worker shows its task on the board", Duration.ofSeconds(60),
                () -> Long.valueOf(1).equals(stat(board).get("busyWorkers")));
            assertEquals(1L, stat(board).get("workers"));
            go.set();
            assertEquals("went", waiting.get(60, TimeUnit.SECONDS));
            Eventually.await("the board shows the worker idle", Duration.ofSeconds(60),
                () -> Long.valueOf(0).equals(stat(board).get("busyWorkers")));

            final CompletableFuture<String> dying = pool.submit((SerializableCallable<String>)() ->
            {
                Runtime.getRuntime().halt(3);
                return "never";
            });
            assertThrows(ExecutionException.class, () -> dying.get(60, TimeUnit.SECONDS));
            assertEquals("again", pool.submit((SerializableCallable<String>)() -> "again").get(60, TimeUnit.SECONDS),
                "the replacement runs the next task (its event was emitted before it started)");
            recording.stop();
            recording.dump(jfr);
            final List<RecordedEvent> events = RecordingFile.readAllEvents(jfr).stream()
                .filter((e) -> e.getEventType().getName().equals("io.ipckit.PoolWorkerReplaced")).toList();
            assertEquals(1, events.size(), events::toString);
            assertEquals("crunch", events.get(0).getString("pool"));
            assertEquals(0, events.get(0).getInt("workerIndex"));
            assertEquals(3, events.get(0).getInt("exitCode"));
            assertTrue(events.get(0).getLong("runningTask") != 0);
            go.unlink();
        }
        finally
        {
            Files.deleteIfExists(jfr);
        }
    }

    private static Map<String, Object> stat(final String name)
    {
        final Cli cli = Cli.run("stat", name, "--json");
        assertEquals(0, cli.code(), cli::toString);
        return JsonCheck.parseObject(cli.out());
    }
}
