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
    private Client()
    {
    }

    /**
     * Connects with the default maximum frame length.
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
        return connect(address, authkey, maxFrameBytes, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /**
     * Connects as {@link #connect(SocketAddress, byte[], int)}, waiting for the listener to answer at most
     * {@code timeout} (a TCP connect, or the transport's connect, which also keeps its own limit). A client of a
     * durable manager reconnects through this with the time left of its reconnect timeout. The handshake that
     * follows is not bounded by it: a listener that answered is alive, and one that dies during the handshake is
     * seen by the transport (a reset, or Aeron's liveness timeout).
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
        try
        {
            if (authkey != null)
            {
                Handshake.answerChallenge(connection, authkey);
                Handshake.deliverChallenge(connection, authkey);
            }
            connection.maxFrameBytes(maxFrameBytes);
            return connection;
        }
        catch (final RuntimeException ex)
        {
            connection.close();
            if (ex instanceof AuthenticationException)
            {
                throw ex;
            }
            throw new AuthenticationException("handshake with " + address + " failed: " + ex.getMessage());
        }
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
