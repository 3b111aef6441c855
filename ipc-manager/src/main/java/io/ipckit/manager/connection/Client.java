package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.IpcException;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;

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
     * @throws IllegalArgumentException when no transport accepts the address.
     * @throws IpcException             when nothing listens there.
     */
    public static FrameConnection connect(final SocketAddress address, final byte[] authkey, final int maxFrameBytes)
    {
        final FrameConnection connection = Transports.isSocket(address) ? connectSocket(address) :
            Transports.provider(address).connect(address, maxFrameBytes);
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

    private static SocketConnection connectSocket(final SocketAddress address)
    {
        final SocketChannel channel;
        try
        {
            channel = address instanceof UnixDomainSocketAddress ?
                SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
            channel.connect(address);
            if (!(address instanceof UnixDomainSocketAddress))
            {
                channel.socket().setTcpNoDelay(true);
            }
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot connect to " + address + ": " + ex.getMessage(), ex);
        }
        return new SocketConnection(channel, Handshake.MAX_HANDSHAKE_FRAME_BYTES);
    }
}
