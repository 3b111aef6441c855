/**
 * ipckit's own structures as contestants of the harness: each a {@link io.ipckit.bench.harness.messaging.Transport}
 * registered in {@link io.ipckit.bench.harness.messaging.Transports#all()}.
 */
package io.ipckit.bench.harness.ipckit;
