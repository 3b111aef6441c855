/**
 * The peers ipckit is measured against: the raw Agrona ring over a mapped file (the floor), Aeron IPC with an
 * embedded media driver, Chronicle Queue, Unix domain sockets and loopback TCP.
 */
package io.ipckit.bench.harness.peers;
