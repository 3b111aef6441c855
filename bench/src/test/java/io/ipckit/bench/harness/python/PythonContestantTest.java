package io.ipckit.bench.harness.python;

import io.ipckit.bench.harness.Contestant;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.Workload;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs every Python multiprocessing peer with a few hundred messages or operations in real Python processes and
 * checks that the harness accepts the counts and checksums it reports. Runs when a python3 with numpy exists
 * (CI installs one).
 */
@Timeout(120)
class PythonContestantTest
{
    private static final long OPERATIONS = 500;
    private static final Path PYTHON = PythonContestant.findPython(null);

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    static Stream<Arguments> contestantsAndWorkloads()
    {
        assumeTrue(PYTHON != null, "no python3 with numpy");
        return PythonContestant.all(PYTHON).stream().flatMap((contestant) -> contestant.workloads().stream()
            .map((workload) -> Arguments.of(contestant.id(), workload)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("contestantsAndWorkloads")
    void shouldRunAndVerify(final String id, final Workload workload) throws Exception
    {
        final Contestant contestant = PythonContestant.all(PYTHON).stream()
            .filter((c) -> c.id().equals(id)).findFirst().orElseThrow();

        final Measurement measurement = contestant.measure(workload, context());

        assertTrue(measurement.value() > 0, "a positive figure");
        if (workload == Workload.ROUND_TRIP_32B)
        {
            assertEquals(OPERATIONS, measurement.histogram().getTotalCount());
        }
        if (workload == Workload.POOL_START || workload == Workload.PROCESS_START)
        {
            assertEquals(5.0, measurement.metrics().get("messages"), "five measured starts when capped");
            assertTrue(measurement.metrics().get("cpu_per_start_ns") > 0);
        }
        else if (workload != Workload.ARRAY_HANDOFF_64MIB)
        {
            final long producers = workload == Workload.THROUGHPUT_2_TO_2_64B ||
                workload == Workload.LOCK_INCREMENT_2_PROCESSES ? 2 : 1;
            assertEquals(OPERATIONS * producers, measurement.metrics().get("messages"));
        }
    }

    @Test
    void shouldParseTheResultLine()
    {
        final Map<String, String> fields = PythonContestant.parse(
            "RESULT contestant=python-pipe workload=rtt-32b value=15072 unit=ns sent=2000 received=2000");

        assertEquals("python-pipe", fields.get("contestant"));
        assertEquals("2000", fields.get("received"));
        assertThrows(RuntimeException.class, () -> PythonContestant.parse("RESULT contestant"));
    }

    private RunContext context() throws Exception
    {
        return new RunContext(1, Duration.ZERO, Duration.ZERO, OPERATIONS, 16, Duration.ofSeconds(60),
            Files.createDirectories(dir.path().resolve("scratch")), dir.path().resolve("logs"),
            Files.createDirectories(dir.path().resolve("results")));
    }
}
