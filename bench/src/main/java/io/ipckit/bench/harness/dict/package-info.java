/**
 * Shared dictionaries across processes: ipckit's {@link io.ipckit.shm.dict.SharedDict} and Chronicle Map, on the
 * {@code manager-dict} workload (beside Python's {@code Manager().dict()}) and on the dict workloads of issue 16
 * (8-byte keys, 64-byte values, writers and readers in separate processes). {@link
 * io.ipckit.bench.harness.dict.DictContestant} creates the map and starts {@link
 * io.ipckit.bench.harness.dict.DictWorker} JVMs; {@link io.ipckit.bench.harness.dict.DictStore} is what a worker
 * does to either map.
 */
package io.ipckit.bench.harness.dict;
