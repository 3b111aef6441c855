/**
 * ipckit's JDK Flight Recorder events, what Java users open in JDK Mission Control: a dead owner's lock taken over
 * ({@link io.ipckit.core.internal.jfr.LockTakeoverEvent}), a blocking call that slept longer than a threshold
 * ({@link io.ipckit.core.internal.jfr.SlowWaitEvent}), a pool worker replaced
 * ({@link io.ipckit.core.internal.jfr.WorkerReplacedEvent}). All are in the category {@code ipckit} and named
 * {@code io.ipckit.*}; enable them as any JFR event ({@code -XX:StartFlightRecording}, a {@code .jfc} file,
 * {@code jdk.jfr.consumer.RecordingStream}).
 * <p>
 * Each is emitted from a slow path only (after a liveness check found a dead process, after a wait that slept on
 * a futex, after a worker JVM exited), through a static method that allocates nothing unless the event is enabled.
 * Internal: the event names and fields are the public contract, these classes are not.
 */
package io.ipckit.core.internal.jfr;
