package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.Workload;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpckitContestantsTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldMeasureAndVerifyPoolTasks() throws Exception
    {
        final RunContext context = context(1000);
        final Measurement measurement = new IpckitPoolContestant().measure(Workload.POOL_TASK, context);
        assertEquals("ipckit-pool", measurement.contestant());
        assertEquals(1000.0, measurement.metrics().get("tasks"));
        assertTrue(measurement.value() > 0);
    }

    @Test
    void shouldMeasureAndVerifyDefaultChunking() throws Exception
    {
        // two maps of 100,000 items: tens of milliseconds, so that the CPU clocks, which count in 10 ms ticks
        // (/proc and times(2)), have moved; one map of 3,000 items took a millisecond and sometimes read 0 ns of CPU
        final Measurement measurement = new IpckitPoolContestant().measure(Workload.POOL_MAP_DEFAULT, context(200_000));
        assertEquals(200_000.0, measurement.metrics().get("tasks"));
        assertTrue(measurement.value() > 0 && measurement.metrics().get("cpuNsPerTask") > 0);
    }

    @Test
    void shouldMeasureAndVerifyStartUp() throws Exception
    {
        // two measured starts after the contestant's three warm-up starts: the count only has to be honoured
        for (final Workload workload : new Workload[] {Workload.POOL_START, Workload.PROCESS_START})
        {
            final Measurement measurement = new IpckitStartContestant().measure(workload, context(2));
            assertEquals(2.0, measurement.metrics().get("starts"), workload.id());
            assertTrue(measurement.value() > 0 && measurement.metrics().get("cpuNsPerStart") > 0, workload.id());
        }
        assertEquals(java.util.List.of("logs", "results", "scratch"), dir.list(), "every pipe is gone");
    }

    @Test
    void shouldMeasureAndVerifyTheArrayHandOff() throws Exception
    {
        final RunContext context = context(3);
        final Measurement measurement = new IpckitArrayContestant().measure(Workload.ARRAY_HANDOFF_64MIB, context);
        assertEquals(3.0, measurement.metrics().get("rounds"));
        assertTrue(measurement.value() > 0 && measurement.metrics().get("in_process_ns") > 0);
        assertEquals(java.util.List.of("logs", "results", "scratch"), dir.list(), "array and pipe are gone");
    }

    @Test
    void shouldMeasureAndVerifyTheLockCounter() throws Exception
    {
        final RunContext context = context(5000);
        final Measurement measurement = new IpckitLockContestant().measure(Workload.LOCK_INCREMENT_2_PROCESSES, context);
        assertEquals(10_000.0, measurement.metrics().get("increments"));
        assertTrue(measurement.value() > 0);
        assertEquals(java.util.List.of("logs", "results", "scratch"), dir.list(), "lock and counter are gone");
    }

    private RunContext context(final long maxMessages) throws java.io.IOException
    {
        return new RunContext(1, Duration.ZERO, Duration.ZERO, maxMessages, 16, Duration.ofSeconds(60),
            Files.createDirectories(dir.path().resolve("scratch")), Files.createDirectories(dir.path().resolve("logs")),
            Files.createDirectories(dir.path().resolve("results")));
    }
}
