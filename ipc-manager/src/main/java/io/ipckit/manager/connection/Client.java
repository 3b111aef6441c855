package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.IpcException;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Opens authenticated connections to a {@link Listener}, Python's {@code multiprocessing.connection.Client}: over
 * TCP, a Unix domain socket, or any transport a {@link TransportProvider} on the class path accepts (chosen by the
 * address, as for {@link Listener}). Thread safety: stateless, any thread may call it.
 */
public final class Client
{
    /**
     * How long {@link #connect(SocketAddress, byte[])} and {@link #connect(SocketAddress, byte[], int)} wait for the
     * listener, its handshake included, in milliseconds.
     */
    public static final long HANDSHAKE_TIMEOUT_MS_DEFAULT = 30_000;
    /** The least time a handshake has, however little of a timeout is left when the connection is made. */
    private static final long MIN_HANDSHAKE_NS = TimeUnit.SECONDS.toNanos(1);

    private Client()
    {
    }

    /**
     * Connects with the default maximum frame length, waiting at most {@link #HANDSHAKE_TIMEOUT_MS_DEFAULT}.
     *
     * @param address the listener's address (TCP, Unix domain, or one a {@link TransportProvider} accepts).
     * @param authkey the shared secret, or null when the listener has none.
     * @return the authenticated connection.
     * @throws AuthenticationException  when either side rejected the other's digest.
     * @throws IllegalArgumentException when no transport accepts the address.
     * @throws IpcException             when nothing listens there.
     */
    public static FrameConnection connect(final SocketAddress address, final byte[] authkey)
    {
        return connect(address, authkey, SocketConnection.MAX_FRAME_BYTES_DEFAULT);
    }

    /**
     * Connects: answers the listener's challenge, then challenges the listener.
     *
     * @param address       the listener's address.
     * @param authkey       the shared secret, or null when the listener has none.
     * @param maxFrameBytes the longest frame this end sends or accepts.
     * @return the authenticated connection.
     * @throws AuthenticationException  when either side rejected the other's digest.
     * @throws IllegalArgumentException when no transport accepts the address, or {@code maxFrameBytes} is below 256.
     * @throws IpcException             when nothing listens there.
     */
    public static FrameConnection connect(final SocketAddress address, final byte[] authkey, final int maxFrameBytes)
    {
        return connect(address, authkey, maxFrameBytes, HANDSHAKE_TIMEOUT_MS_DEFAULT, TimeUnit.MILLISECONDS);
    }

    /**
     * Connects as {@link #connect(SocketAddress, byte[], int)}, waiting for the listener to answer at most
     * {@code timeout} (a TCP connect, or the transport's connect, which also keeps its own limit), and as long again
     * (at least a second) for the handshake that follows: a listener that accepts nothing (its backlog took the
     * connection) or a stopped process would otherwise hold the caller for ever. A client of a durable manager
     * reconnects through this with the time left of its reconnect timeout.
     *
     * @param address       the listener's address.
     * @param authkey       the shared secret, or null when the listener has none.
     * @param maxFrameBytes the longest frame this end sends or accepts.
     * @param timeout       the most to wait for the listener to answer; {@code <= 0} tries without waiting.
     * @param unit          its unit.
     * @return the authenticated connection.
     * @throws AuthenticationException  when either side rejected the other's digest.
     * @throws IllegalArgumentException when no transport accepts the address.
     * @throws IpcException             when nothing listens there, or nothing answered within the time.
     * @throws io.ipckit.core.exceptions.IpcTimeoutException when the handshake did not end within its time.
     * @throws IllegalArgumentException when {@code maxFrameBytes} is below 256.
     */
    public static FrameConnection connect(final SocketAddress address, final byte[] authkey, final int maxFrameBytes,
        final long timeout, final TimeUnit unit)
    {
        if (maxFrameBytes < Handshake.MAX_HANDSHAKE_FRAME_BYTES)
        {
            throw new IllegalArgumentException("maxFrameBytes must be at least 256: " + maxFrameBytes);
        }
        final long timeoutNs = unit.toNanos(timeout);
        final FrameConnection connection = Transports.isSocket(address) ? connectSocket(address, timeoutNs) :
            Transports.provider(address).connect(address, maxFrameBytes, timeoutNs, TimeUnit.NANOSECONDS);
        if (authkey == null)
        {
            connection.maxFrameBytes(maxFrameBytes);
            return connection;
        }
        final long handshakeNs = Math.max(timeoutNs, MIN_HANDSHAKE_NS);
        final HangUp hangUp = HangUp.after(connection, handshakeNs);
        try
        {
            Handshake.answerChallenge(connection, authkey);
            Handshake.deliverChallenge(connection, authkey);
            hangUp.close();
            if (hangUp.fired())
            {
                throw new IpcException("closed as the handshake ended"); // reported as the timeout below
            }
            connection.maxFrameBytes(maxFrameBytes);
            return connection;
        }
        catch (final RuntimeException ex)
        {
            hangUp.close();
            connection.close();
            if (hangUp.fired())
            {
                throw noHandshake(address, handshakeNs, ex);
            }
            if (ex instanceof AuthenticationException)
            {
                throw ex;
            }
            final AuthenticationException failed = new AuthenticationException("handshake with " + address +
                " failed: " + ex.getMessage());
            failed.initCause(ex); // the transport failed: unlike a refused digest, trying again may succeed
            throw failed;
        }
    }

    /**
     * @return what a handshake that ran out of time throws.
     */
    static io.ipckit.core.exceptions.IpcTimeoutException noHandshake(final Object peer, final long timeoutNs,
        final Throwable cause)
    {
        return new io.ipckit.core.exceptions.IpcTimeoutException("no handshake from " + peer + " within " +
            TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms: it accepts no connection or does not answer (a stopped " +
            "or overloaded process, or not a manager); check that it runs, or give it more time " +
            "(ManagerOptions.callTimeout)", cause);
    }

    /**
     * @param timeoutNs the most a TCP connect waits ({@link Long#MAX_VALUE}: the kernel's own limit); a Unix
     *                  socket's connect does not wait.
     */
    private static SocketConnection connectSocket(final SocketAddress address, final long timeoutNs)
    {
        SocketChannel channel = null;
        try
        {
            channel = address instanceof UnixDomainSocketAddress ?
                SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
            if (timeoutNs == Long.MAX_VALUE || address instanceof UnixDomainSocketAddress)
            {
                channel.connect(address);
            }
            else
            {
                // Socket.connect takes whole milliseconds, and 0 would mean no limit
                channel.socket().connect(address,
                    (int)Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(timeoutNs))));
            }
            if (!(address instanceof UnixDomainSocketAddress))
            {
                channel.socket().setTcpNoDelay(true);
            }
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new IpcException("cannot connect to " + address + ": " + ex.getMessage(), ex);
        }
        return new SocketConnection(channel, Handshake.MAX_HANDSHAKE_FRAME_BYTES);
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // closing a channel that failed to connect
            }
        }
    }
}
