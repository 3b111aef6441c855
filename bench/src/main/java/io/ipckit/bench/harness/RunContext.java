package io.ipckit.bench.harness;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a contestant needs to run one measurement.
 *
 * @param repeat       the repeat number, from 1.
 * @param warmup       how long the workload runs before measuring starts.
 * @param measure      how long it is measured.
 * @param maxMessages  a cap on messages per producer (0: none, the durations decide); tests use it.
 * @param batchSize    messages per batch in the batched workloads.
 * @param timeout      how long a measurement may take beyond warmup and measure, JVM starts included.
 * @param scratch      a directory inside the run's shared directory for files of this measurement.
 * @param logs         where worker logs go (kept only when the measurement fails).
 * @param results      the results directory (histogram files are written there).
 */
public record RunContext(
    int repeat, Duration warmup, Duration measure, long maxMessages, int batchSize, Duration timeout,
    Path scratch, Path logs, Path results)
{
    /**
     * @return the hard deadline of a measurement in nanoseconds from its start.
     */
    public long budgetNs()
    {
        return warmup.toNanos() + measure.toNanos() + timeout.toNanos();
    }
}
