package io.ipckit.cli;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.durable.SharedLogOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code stat} and {@code tail} of an ipc-durable log written by another JVM, by path and by name under the
 * default log directory (a fresh directory under the module's target, passed to the child as an ipckit property).
 */
class LogCommandsTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private Path logs;
    private String previous;

    @BeforeEach
    void createLogDirectory() throws IOException
    {
        final Path root = Path.of(System.getProperty("project.build.directory", "target"), "cli-logs");
        Files.createDirectories(root);
        logs = Files.createDirectory(root.resolve("logs-" + UUID.randomUUID().toString().substring(0, 8)))
            .toAbsolutePath();
        previous = System.getProperty(SharedLogOptions.DIRECTORY_PROP_NAME);
        System.setProperty(SharedLogOptions.DIRECTORY_PROP_NAME, logs.toString());
    }

    @AfterEach
    void deleteLogDirectory() throws IOException
    {
        if (previous == null)
        {
            System.clearProperty(SharedLogOptions.DIRECTORY_PROP_NAME);
        }
        else
        {
            System.setProperty(SharedLogOptions.DIRECTORY_PROP_NAME, previous);
        }
        try (Stream<Path> walk = Files.walk(logs))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void shouldStatAndTailALogWrittenByAnotherProcess() throws InterruptedException
    {
        final Path log = logs.resolve("events");
        write(log, 10, "audit", 4);

        final Cli stat = Cli.run("stat", log.toString(), "--json");
        assertEquals(0, stat.code(), stat::toString);
        final Map<String, Object> values = JsonCheck.parseObject(stat.out());
        assertEquals("log", values.get("kind"));
        assertEquals(10L, values.get("records"), stat::toString);
        assertEquals(1L, values.get("cycleCount"), stat::toString);
        @SuppressWarnings("unchecked") final Map<String, Object> readers =
            (Map<String, Object>)values.get("namedReaders");
        assertEquals(List.of("audit"), List.copyOf(readers.keySet()), stat::toString);
        @SuppressWarnings("unchecked") final Map<String, Object> audit = (Map<String, Object>)readers.get("audit");
        assertEquals(6L, audit.get("lag"), stat::toString);

        final Cli tail = Cli.run("tail", log.toString(), "-n", "3", "--json");
        assertEquals(0, tail.code(), tail::toString);
        final List<Map<String, Object>> rows = JsonCheck.parseArrayOfObjects(tail.out());
        assertEquals(List.of("record-7", "record-8", "record-9"), rows.stream().map((r) -> r.get("text")).toList());
        assertEquals(values.get("lastIndex"), rows.get(2).get("index"), tail::toString);

        // a non-consuming look: the named reader did not move
        final Map<String, Object> again = JsonCheck.parseObject(Cli.run("stat", log.toString(), "--json").out());
        @SuppressWarnings("unchecked") final Map<String, Object> after =
            (Map<String, Object>)((Map<String, Object>)again.get("namedReaders")).get("audit");
        assertEquals(6L, after.get("lag"));
    }

    @Test
    void shouldFindALogByNameAndShowFewerRecordsThanAsked() throws InterruptedException
    {
        write(logs.resolve("small"), 2, "late", 0);

        final Cli tail = Cli.run("tail", "small");
        assertEquals(0, tail.code(), tail::toString);
        assertTrue(tail.out().contains("a log of 2 records, showing the last 2"), tail::toString);
        assertTrue(tail.out().contains("\"record-0\"") && tail.out().contains("\"record-1\""), tail::toString);

        final Cli stat = Cli.run("stat", "small");
        assertEquals(0, stat.code(), stat::toString);
        assertTrue(stat.out().contains("records: 2"), stat::toString);
        assertTrue(stat.out().contains("late:") && stat.out().contains("lag: 2"), stat::toString);
    }

    @Test
    void shouldShowAnEmptyLog() throws InterruptedException
    {
        write(logs.resolve("empty"), 0, "nobody", 0);

        final Cli tail = Cli.run("tail", "empty", "--json");
        assertEquals(0, tail.code(), tail::toString);
        assertEquals(List.of(), JsonCheck.parseArrayOfObjects(tail.out()));
        final Map<String, Object> values = JsonCheck.parseObject(Cli.run("stat", "empty", "--json").out());
        assertEquals(0L, values.get("records"));
        assertEquals(-1L, values.get("lastIndex"));
    }

    @Test
    void shouldListTheLogsUnderTheLogDirectory() throws InterruptedException, IOException
    {
        write(logs.resolve("alpha"), 3, "one", 1);
        write(logs.resolve("beta"), 0, "two", 0);
        Files.createDirectory(logs.resolve("gamma"));

        final Cli json = Cli.run("ls", "--logs", "--json");
        assertEquals(0, json.code(), json::toString);
        final List<Map<String, Object>> rows = JsonCheck.parseArrayOfObjects(json.out());
        assertEquals(List.of("alpha", "beta", "gamma"), rows.stream().map((r) -> r.get("name")).toList());
        assertEquals(3L, rows.get(0).get("records"), json::toString);
        assertEquals(0L, rows.get(1).get("records"), json::toString);
        assertTrue(rows.get(2).get("problem").toString().contains("no log in"), json::toString);

        final Cli text = Cli.run("ls", "--logs");
        assertEquals(0, text.code(), text::toString);
        assertEquals(4, text.out().lines().count(), text::toString);
        assertTrue(text.out().lines().anyMatch((l) -> l.startsWith("beta ") && l.contains(" - ")), text::toString);
        assertTrue(text.out().lines().anyMatch((l) -> l.startsWith("gamma ") && l.contains("unreadable")),
            text::toString);
    }

    @Test
    void shouldFailCleanlyOnADirectoryWithoutALog() throws IOException
    {
        final Path notALog = Files.createDirectory(logs.resolve("plain"));

        final Cli stat = Cli.run("stat", notALog.toString());
        assertEquals(Ipckit.EXIT_FAILURE, stat.code(), stat::toString);
        assertTrue(stat.err().contains("no log in"), stat::toString);
        final Cli tail = Cli.run("tail", notALog.toString());
        assertEquals(Ipckit.EXIT_FAILURE, tail.code(), tail::toString);
    }

    private void write(final Path log, final int records, final String reader, final int read)
        throws InterruptedException
    {
        final JvmProcess child = dir.start(LogWriter.class, log.toString(), Integer.toString(records), reader,
            Integer.toString(read));
        assertTrue(child.join(60, TimeUnit.SECONDS), child + " did not finish");
        assertEquals(0, child.exitCode().orElseThrow(), child + " failed");
    }
}
