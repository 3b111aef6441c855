/**
 * Messaging workloads (round trip, 1 to 1, 2 to 2, batched) over any {@link
 * io.ipckit.bench.harness.messaging.Transport}: {@link io.ipckit.bench.harness.messaging.TransportContestant} starts
 * {@link io.ipckit.bench.harness.messaging.WorkerMain} JVMs that meet at a
 * {@link io.ipckit.bench.harness.messaging.ControlFile}, send self-checking
 * {@link io.ipckit.bench.harness.messaging.Payload}s and report through
 * {@link io.ipckit.bench.harness.messaging.WorkerResult} files. To add a transport: one class implementing
 * {@code Transport} and one line in {@link io.ipckit.bench.harness.messaging.Transports#all()}
 * ({@code bench/README.md} lists what each method must do).
 */
package io.ipckit.bench.harness.messaging;
