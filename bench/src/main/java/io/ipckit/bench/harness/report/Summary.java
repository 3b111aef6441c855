package io.ipckit.bench.harness.report;

import io.ipckit.bench.harness.Measurement;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The median and range of one figure over the repeats of one measurement.
 *
 * @param median the median (the mean of the two middle values for an even count).
 * @param min    the smallest.
 * @param max    the largest.
 * @param count  how many repeats.
 */
public record Summary(double median, double min, double max, int count)
{
    /**
     * @param measurements the repeats of one contestant on one workload, at least one.
     * @param figure       which figure of each.
     * @return its median and range.
     */
    public static Summary of(final List<Measurement> measurements, final ToDoubleFunction<Measurement> figure)
    {
        final double[] values = measurements.stream().mapToDouble(figure).sorted().toArray();
        if (values.length == 0)
        {
            throw new IllegalArgumentException("no measurement to summarise");
        }
        final int middle = values.length / 2;
        final double median = values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
        return new Summary(median, values[0], values[values.length - 1], values.length);
    }
}
