/**
 * The multi-process harness behind {@code bin/bench}: {@link io.ipckit.bench.harness.HarnessMain} runs every
 * {@link io.ipckit.bench.harness.Workload} on every {@link io.ipckit.bench.harness.Contestant} that supports it,
 * repeated in round-robin order by {@link io.ipckit.bench.harness.Comparison}, and writes the report. Contestants
 * measure in separate processes and verify their own results; a wrong result is a
 * {@link io.ipckit.bench.harness.VerificationException} and fails the run. See {@code bench/README.md}.
 */
package io.ipckit.bench.harness;
