/**
 * Framed, authenticated socket connections: the {@code Listener}/{@code Client} pair of Python's
 * {@code multiprocessing.connection}, over TCP or Unix domain sockets.
 * <p>
 * A frame is a 4-byte big-endian length and that many bytes, as Python's {@code send_bytes}; each end refuses
 * frames longer than its maximum before reading their payload. A {@link io.ipckit.manager.connection.Listener} with
 * an authkey and a {@link io.ipckit.manager.connection.Client} authenticate each other with Python's mutual
 * challenge-response: HMAC-SHA256 over 40 random bytes, in both directions, so neither sends the key and each
 * proves it has it. The manager ({@link io.ipckit.manager.Manager}) runs its protocol over these connections.
 */
package io.ipckit.manager.connection;
