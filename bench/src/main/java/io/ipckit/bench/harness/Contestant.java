package io.ipckit.bench.harness;

import java.util.Set;

/**
 * Something the harness measures: a messaging transport run in worker JVMs, a Python peer, or (later) an ipckit
 * structure such as SharedArray, Lock, Pool or Manager with its own workload. Implementations measure in separate
 * processes, never in threads of the harness, and verify their own results.
 */
public interface Contestant
{
    /**
     * @return a short stable id, {@code [a-z0-9-]+}.
     */
    String id();

    /**
     * @return the name shown in the report.
     */
    String label();

    /**
     * @return the workloads this contestant runs.
     */
    Set<Workload> workloads();

    /**
     * Runs one measurement.
     *
     * @param workload one of {@link #workloads()}.
     * @param context  sizes, directories and the repeat number.
     * @return the verified figures.
     * @throws VerificationException when the result is wrong (lost, corrupt or miscounted messages).
     * @throws RuntimeException      when the measurement could not run (a worker crashed or timed out).
     */
    Measurement measure(Workload workload, RunContext context);
}
