package io.ipckit.bench.harness.report;

import io.ipckit.bench.harness.Measurement;
import io.ipckit.core.exceptions.IpcException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes HdrHistogram percentile distributions ({@code .hgrm}, in microseconds), one per latency measurement, which
 * HdrHistogram's plotter and most tools read.
 */
public final class HistogramFiles
{
    private static final double NANOS_PER_MICRO = 1000.0;

    private HistogramFiles()
    {
    }

    /**
     * @param measurements measurements; those without a histogram are skipped.
     * @param directory    where to write.
     * @return the files written.
     */
    public static List<Path> write(final List<Measurement> measurements, final Path directory)
    {
        try
        {
            Files.createDirectories(directory);
            final List<Path> written = new java.util.ArrayList<>();
            for (final Measurement measurement : measurements)
            {
                if (measurement.histogram() == null)
                {
                    continue;
                }
                final Path file = directory.resolve(measurement.workload().id() + "_" + measurement.contestant() +
                    "_r" + measurement.repeat() + ".hgrm");
                try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, "UTF-8"))
                {
                    measurement.histogram().outputPercentileDistribution(out, NANOS_PER_MICRO);
                }
                written.add(file);
            }
            return written;
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot write histogram files to " + directory + ": " + ex, ex);
        }
    }
}
