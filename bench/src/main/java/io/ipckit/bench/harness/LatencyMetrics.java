package io.ipckit.bench.harness;

import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The percentiles the report shows for a latency distribution.
 */
public final class LatencyMetrics
{
    /** Median, ns. */
    public static final String P50 = "p50";
    /** 90th percentile, ns. */
    public static final String P90 = "p90";
    /** 99th percentile, ns. */
    public static final String P99 = "p99";
    /** 99.9th percentile, ns. */
    public static final String P999 = "p99.9";
    /** Maximum, ns. */
    public static final String MAX = "max";
    /** The percentiles in order. */
    public static final List<String> NAMES = List.of(P50, P90, P99, P999, MAX);

    private LatencyMetrics()
    {
    }

    /**
     * @param histogram a distribution in nanoseconds.
     * @return its percentiles by name, in ns (a mutable map).
     */
    public static Map<String, Double> of(final Histogram histogram)
    {
        final Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(P50, (double)histogram.getValueAtPercentile(50));
        metrics.put(P90, (double)histogram.getValueAtPercentile(90));
        metrics.put(P99, (double)histogram.getValueAtPercentile(99));
        metrics.put(P999, (double)histogram.getValueAtPercentile(99.9));
        metrics.put(MAX, (double)histogram.getMaxValue());
        return metrics;
    }
}
