/**
 * Processes: {@link io.ipckit.core.process.ProcessIdentity} (pid plus start time, safe against pid reuse) and
 * {@link io.ipckit.core.process.JvmProcess}, Python's {@code multiprocessing.Process} for child JVMs.
 */
package io.ipckit.core.process;
