/**
 * Python's {@code multiprocessing} as a peer: {@code mp_bench.py} (in the jar) runs each workload in Python
 * processes and prints one machine-readable line, which {@link io.ipckit.bench.harness.python.PythonContestant}
 * checks and turns into a measurement.
 */
package io.ipckit.bench.harness.python;
