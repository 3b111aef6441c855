package io.ipckit.bench.harness.report;

import io.ipckit.bench.harness.Comparison;
import io.ipckit.bench.harness.Contestant;
import io.ipckit.bench.harness.LatencyMetrics;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.Workload;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MarkdownReportTest
{
    @Test
    void shouldReportMedianRangeAndRatios()
    {
        final List<Measurement> measurements = new ArrayList<>();
        for (final double value : new double[]{10e6, 30e6, 20e6})
        {
            measurements.add(throughput("raw-ring", value));
        }
        for (final double value : new double[]{5e6, 4e6, 6e6})
        {
            measurements.add(throughput("uds", value));
        }
        final Comparison.Results results = new Comparison.Results(
            List.of(contestant("raw-ring"), contestant("uds")), measurements,
            List.of(new Comparison.Failure("uds", Workload.ROUND_TRIP_32B, 2, true, "checksum 1 where 2")));

        final String report = MarkdownReport.render(results, List.of("header"), List.of());

        assertTrue(report.contains("| raw-ring label (`raw-ring`) | 20.00 M/s | 10.00 M/s – 30.00 M/s | 1.00× | 3 |"),
            report);
        assertTrue(report.contains("| uds label (`uds`) | 5.00 M/s | 4.00 M/s – 6.00 M/s | 0.25× | 3 |"), report);
        assertTrue(report.contains("| `raw-ring` | 1 | 4.00× |"), report);
        assertTrue(report.contains("| rtt-32b | uds | 2 | **wrong result** | checksum 1 where 2 |"), report);
    }

    @Test
    void shouldWriteHistogramFilesAndAChart(@TempDir final Path directory) throws Exception
    {
        final Histogram histogram = new Histogram(3);
        for (int i = 1; i <= 1000; i++)
        {
            histogram.recordValue(i * 100L);
        }
        final Measurement measurement = new Measurement("raw-ring", Workload.ROUND_TRIP_32B, 1,
            histogram.getValueAtPercentile(50), LatencyMetrics.of(histogram), histogram);

        final List<Path> files = HistogramFiles.write(List.of(measurement), directory.resolve("hgrm"));
        final boolean drawn = LatencyChart.write(List.of(measurement), Map.of(), directory.resolve("chart.png"));

        assertEquals(List.of(directory.resolve("hgrm").resolve("rtt-32b_raw-ring_r1.hgrm")), files);
        assertTrue(Files.readString(files.getFirst()).contains("#[Mean    ="));
        assertTrue(drawn);
        assertTrue(Files.size(directory.resolve("chart.png")) > 1000);
    }

    private static Measurement throughput(final String id, final double value)
    {
        return new Measurement(id, Workload.THROUGHPUT_1_TO_1_64B, 1, value, Map.of(), null);
    }

    static Contestant contestant(final String id)
    {
        return new Contestant()
        {
            @Override
            public String id()
            {
                return id;
            }

            @Override
            public String label()
            {
                return id + " label";
            }

            @Override
            public Set<Workload> workloads()
            {
                return EnumSet.of(Workload.THROUGHPUT_1_TO_1_64B);
            }

            @Override
            public Measurement measure(final Workload workload, final RunContext context)
            {
                throw new UnsupportedOperationException("not measured in this test");
            }
        };
    }
}
