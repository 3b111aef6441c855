/**
 * ipckit's manager over Aeron UDP: serve and connect with an {@link io.ipckit.net.manager.AeronAddress} where a TCP
 * address went ({@code Manager.serve(AeronAddress.of("0.0.0.0:40200"), authkey, registry)},
 * {@code Manager.connect(AeronAddress.of("host:40200"), authkey)}); nothing else in the program changes.
 * <p>
 * {@link io.ipckit.net.manager.AeronTransport} is the {@link io.ipckit.manager.connection.TransportProvider} that
 * ipc-manager finds by {@link java.util.ServiceLoader} (ipc-manager does not depend on Aeron). The server is a
 * {@link io.ipckit.net.NetListener}: one driver and one subscription on the endpoint, one
 * {@link io.ipckit.net.NetConnection} per client (its image, told by its Aeron session id, and a publication back).
 * The manager's own handshake, the mutual HMAC-SHA256 challenge over the authkey, runs first on every connection, as
 * on TCP; a client that fails it is disconnected and the others are served on. Until it has completed in both
 * directions a connection accepts frames of at most 256 bytes: a longer message is dropped before it is reassembled
 * (and a one-fragment one before it is copied), so a stranger makes the server hold at most one Aeron fragment.
 * After it, frames over the manager's maximum are refused on both ends. A client of a durable manager reconnects
 * with connects that each wait at most the time left of its reconnect timeout.
 * A client's death is seen by the liveness timeout of the server's driver
 * ({@link io.ipckit.net.NetOptions#livenessTimeout}): its session ends, its locks are released and its references
 * dropped; a manager's death is seen the same way by each client, whose calls then fail with
 * {@link io.ipckit.manager.ManagerGoneException}.
 */
package io.ipckit.net.manager;
