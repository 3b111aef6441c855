package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.Workload;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpckitManagerContestantTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldMeasureAndVerifyManagerDictOperations() throws Exception
    {
        final RunContext context = new RunContext(1, Duration.ZERO, Duration.ZERO, 4000, 16, Duration.ofSeconds(60),
            Files.createDirectories(dir.path().resolve("scratch")), Files.createDirectories(dir.path().resolve("logs")),
            Files.createDirectories(dir.path().resolve("results")));
        for (final boolean durable : new boolean[] {false, true})
        {
            final Measurement measurement = new IpckitManagerContestant(durable)
                .measure(Workload.MANAGER_DICT_OPERATION, context);
            assertEquals(4000.0, measurement.metrics().get("operations"));
            assertEquals(1024.0, measurement.metrics().get("keys"));
            assertTrue(measurement.value() > 0);
            assertTrue(measurement.metrics().get("putNs") > 0);
            assertEquals(List.of("logs", "results", "scratch"), dir.list(), "the manager removed its socket and key");
        }
    }

    @Test
    void shouldMeasureAndVerifyAManagerServedOverAeron() throws Exception
    {
        final RunContext context = new RunContext(1, Duration.ZERO, Duration.ZERO, 2000, 16, Duration.ofSeconds(60),
            Files.createDirectories(dir.path().resolve("scratch")), Files.createDirectories(dir.path().resolve("logs")),
            Files.createDirectories(dir.path().resolve("results")));
        final Measurement measurement = new IpckitManagerContestant(ServedManager.AERON)
            .measure(Workload.MANAGER_DICT_OPERATION, context);
        assertEquals("ipckit-manager-aeron", measurement.contestant());
        assertEquals(2000.0, measurement.metrics().get("operations"));
        assertEquals(1000.0, measurement.metrics().get("keys"));
        assertTrue(measurement.value() > 0);
    }

    @Test
    void shouldMeasureAndVerifyTheReplayOfADurableManager() throws Exception
    {
        final RunContext context = new RunContext(1, Duration.ZERO, Duration.ZERO, 2000, 16, Duration.ofSeconds(60),
            Files.createDirectories(dir.path().resolve("scratch")), Files.createDirectories(dir.path().resolve("logs")),
            Files.createDirectories(dir.path().resolve("results")));
        final Measurement measurement = new IpckitManagerContestant(true).measure(Workload.MANAGER_REPLAY, context);
        assertEquals(2003.0, measurement.metrics().get("entries"),
            "the first snapshot, the handle's hello, the dict's creation, sets");
        assertTrue(measurement.value() > 0);
        assertTrue(Files.list(dir.path().resolve("scratch")).toList().isEmpty(), "journals and sockets removed");
    }
}
