/**
 * Framed, authenticated socket connections: the {@code Listener}/{@code Client} pair of Python's
 * {@code multiprocessing.connection}, over TCP or Unix domain sockets.
 * <p>
 * A frame is a 4-byte big-endian length and that many bytes, as Python's {@code send_bytes}; each end refuses
 * frames longer than its maximum before reading their payload. Until the handshake has completed in both
 * directions that maximum is 256 bytes ({@link io.ipckit.manager.connection.FrameConnection#MAX_HANDSHAKE_FRAME_BYTES})
 * on every transport, so a peer that has not authenticated cannot make a listener take in more.
 * A {@link io.ipckit.manager.connection.Listener} with
 * an authkey and a {@link io.ipckit.manager.connection.Client} authenticate each other with Python's mutual
 * challenge-response: HMAC-SHA256 over 40 random bytes, in both directions, so neither sends the key and each
 * proves it has it. The manager ({@link io.ipckit.manager.Manager}) runs its protocol over these connections.
 * <p>
 * The seam: everything above runs on a {@link io.ipckit.manager.connection.FrameConnection} (send a frame, receive a
 * frame, close). The address picks the transport: TCP and Unix socket addresses are built in
 * ({@link io.ipckit.manager.connection.SocketConnection}); any other address goes to the first
 * {@link io.ipckit.manager.connection.TransportProvider} found by {@link java.util.ServiceLoader} that accepts it,
 * and one that none accepts is refused with {@link java.lang.IllegalArgumentException} naming it. This module knows
 * no other transport; ipc-net registers Aeron UDP.
 */
package io.ipckit.manager.connection;
