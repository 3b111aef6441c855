package io.ipckit.bench.harness;

import org.HdrHistogram.Histogram;

import java.util.Map;

/**
 * One verified measurement of one workload on one contestant.
 *
 * @param contestant the contestant's id.
 * @param workload   the workload.
 * @param repeat     the repeat number, from 1.
 * @param value      the headline figure in the workload's {@link Workload#unit()} (p50 for a round trip).
 * @param metrics    further named figures (p90, p99, p99.9, max for a round trip; message counts), in ns or plain.
 * @param histogram  the latency distribution in nanoseconds, or null when the workload has none.
 */
public record Measurement(
    String contestant, Workload workload, int repeat, double value, Map<String, Double> metrics, Histogram histogram)
{
}
