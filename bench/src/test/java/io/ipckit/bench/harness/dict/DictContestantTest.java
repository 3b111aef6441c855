package io.ipckit.bench.harness.dict;

import io.ipckit.bench.harness.Contestant;
import io.ipckit.bench.harness.LatencyMetrics;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.Workload;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every workload of ipckit's SharedDict and Chronicle Map briefly through real worker JVMs: the harness's
 * checks (values read back, final state of the manager workload, values belonging to their keys) must pass and the
 * run must leave no file behind. Correctness only: no figure is asserted.
 */
@Timeout(120)
class DictContestantTest
{
    private static final long OPERATIONS = 2_000;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    /**
     * Every workload of ipckit's SharedDict; Chronicle Map's manager workload and one dict workload. The get and put
     * workloads run the same workers and differ only in which role's histogram the result reports, and 2 writers +
     * 2 readers only in how many: that harness code does not depend on the map and runs on SharedDict. Chronicle
     * Map's worker JVMs generate and compile classes at start-up (2 to 3 s each here), so its other three dict
     * workloads would cost about 25 s and prove nothing more of the harness: its two store shapes (Long to Long for
     * the manager, byte[] values for the dict workloads) run here.
     */
    static Stream<Arguments> contestantsAndWorkloads()
    {
        return DictContestant.all().stream().flatMap((contestant) -> contestant.workloads().stream().sorted()
            .filter((workload) -> !contestant.id().equals("chronicle-map") ||
                workload == Workload.MANAGER_DICT_OPERATION || workload == Workload.DICT_GET_1W1R)
            .map((workload) -> Arguments.of(contestant.id(), workload)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("contestantsAndWorkloads")
    void shouldMeasureAndVerify(final String id, final Workload workload) throws Exception
    {
        final Contestant contestant = DictContestant.all().stream().filter((c) -> c.id().equals(id)).findFirst()
            .orElseThrow();

        final Measurement measurement = contestant.measure(workload, context());

        assertEquals(id, measurement.contestant());
        assertTrue(measurement.value() > 0, "a positive figure");
        if (workload == Workload.MANAGER_DICT_OPERATION)
        {
            assertEquals(OPERATIONS, measurement.metrics().get("messages"));
        }
        else
        {
            final long perRole = workload == Workload.DICT_GET_2W2R || workload == Workload.DICT_PUT_2W2R ? 2 : 1;
            assertEquals(OPERATIONS * perRole, measurement.metrics().get("messages"));
            assertEquals(OPERATIONS * perRole, measurement.histogram().getTotalCount());
            assertTrue(measurement.metrics().keySet().containsAll(LatencyMetrics.NAMES));
        }
        assertEquals(List.of("logs", "results", "scratch"), dir.list(), "nothing left behind");
        try (Stream<java.nio.file.Path> left = Files.list(dir.path().resolve("scratch")))
        {
            assertEquals(List.of(), left.toList(), "no map, control or histogram file left in scratch");
        }
    }

    /**
     * The logs directory does not exist yet, as in the harness's first repeat: the contestant creates it.
     */
    private RunContext context() throws Exception
    {
        return new RunContext(1, Duration.ZERO, Duration.ZERO, OPERATIONS, 16, Duration.ofSeconds(60),
            Files.createDirectories(dir.path().resolve("scratch")), dir.path().resolve("logs"),
            Files.createDirectories(dir.path().resolve("results")));
    }
}
