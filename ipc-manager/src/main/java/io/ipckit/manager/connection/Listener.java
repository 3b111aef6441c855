package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.IpcException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bound socket accepting authenticated {@link SocketConnection}s, Python's
 * {@code multiprocessing.connection.Listener}: over TCP ({@link InetSocketAddress}) or a Unix domain socket
 * ({@link UnixDomainSocketAddress}, whose file is removed on {@link #close()}). With an authkey, every accepted
 * connection first passes the mutual HMAC-SHA256 challenge of {@link Client} (see {@link Handshake}'s scheme, that of
 * Python); a peer that fails it is disconnected and {@link #accept()} throws {@link AuthenticationException}, after
 * which the listener keeps accepting.
 * <p>
 * Thread safety: {@link #accept()} may be called by several threads. Process safety: one process owns a listener.
 */
public final class Listener implements AutoCloseable
{
    private final ServerSocketChannel server;
    private final SocketAddress address;
    private final byte[] authkey;
    private final int maxFrameBytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Binds a listener with the default maximum frame length.
     *
     * @param address where to listen: an {@link InetSocketAddress} (port 0 picks a free port) or a
     *                {@link UnixDomainSocketAddress} (its file must not exist).
     * @param authkey the shared secret, or null to accept anyone (only for a Unix socket in a private directory).
     * @throws IpcException when the address cannot be bound.
     */
    public Listener(final SocketAddress address, final byte[] authkey)
    {
        this(address, authkey, SocketConnection.MAX_FRAME_BYTES_DEFAULT);
    }

    /**
     * Binds a listener.
     *
     * @param address       where to listen, as for {@link #Listener(SocketAddress, byte[])}.
     * @param authkey       the shared secret, or null.
     * @param maxFrameBytes the longest frame accepted connections send or receive, in bytes.
     * @throws IllegalArgumentException when {@code maxFrameBytes} is below 256.
     * @throws IpcException             when the address cannot be bound.
     */
    public Listener(final SocketAddress address, final byte[] authkey, final int maxFrameBytes)
    {
        if (maxFrameBytes < Handshake.MAX_HANDSHAKE_FRAME_BYTES)
        {
            throw new IllegalArgumentException("maxFrameBytes must be at least 256: " + maxFrameBytes);
        }
        this.authkey = authkey == null ? null : authkey.clone();
        this.maxFrameBytes = maxFrameBytes;
        try
        {
            server = address instanceof UnixDomainSocketAddress ?
                ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
            server.bind(address, 128);
            this.address = server.getLocalAddress();
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot listen on " + address + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the bound address (with the actual port when 0 was asked).
     */
    public SocketAddress address()
    {
        return address;
    }

    /**
     * Waits for the next connection and authenticates it.
     *
     * @return the connection, authenticated when this listener has an authkey.
     * @throws AuthenticationException when the peer failed the handshake (its socket is closed).
     * @throws IpcException            when the listener was closed or accepting failed.
     */
    public SocketConnection accept()
    {
        final SocketChannel channel;
        try
        {
            channel = noDelay(server.accept());
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot accept on " + address + ": " + ex.getMessage(), ex);
        }
        return authenticate(new SocketConnection(channel, Handshake.MAX_HANDSHAKE_FRAME_BYTES));
    }

    private SocketChannel noDelay(final SocketChannel channel) throws IOException
    {
        if (!(address instanceof UnixDomainSocketAddress))
        {
            // replies are small frames answered at once: Nagle plus delayed ACKs would add tens of milliseconds
            channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        }
        return channel;
    }

    /**
     * Waits for the next raw connection without authenticating it, so that the caller can run {@link
     * #authenticate(SocketConnection)} on a thread of its own (a stranger must not hold up the accepting thread).
     *
     * @return the connection, not yet usable for frames longer than 256 bytes.
     * @throws IpcException when the listener was closed or accepting failed.
     */
    public SocketConnection acceptRaw()
    {
        try
        {
            return new SocketConnection(noDelay(server.accept()), Handshake.MAX_HANDSHAKE_FRAME_BYTES);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot accept on " + address + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Runs the listener's side of the handshake on a connection from {@link #acceptRaw()}: challenge the peer,
     * then answer its challenge; then raises its frame limit to this listener's maximum.
     *
     * @param connection a raw connection.
     * @return the same connection, authenticated.
     * @throws AuthenticationException when the peer failed (the connection is closed).
     */
    public SocketConnection authenticate(final SocketConnection connection)
    {
        final java.net.SocketAddress peer = connection.remoteAddress();
        try
        {
            if (authkey != null)
            {
                Handshake.deliverChallenge(connection, authkey);
                Handshake.answerChallenge(connection, authkey);
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
            throw new AuthenticationException("handshake with " + (peer == null ? "a local peer" : peer) + " failed: " +
                ex.getMessage());
        }
    }

    /**
     * Stops listening (a thread in {@link #accept()} gets an {@link IpcException}) and removes a Unix socket's
     * file. Idempotent; connections already accepted stay open.
     */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            try
            {
                server.close();
                if (address instanceof UnixDomainSocketAddress unix)
                {
                    Files.deleteIfExists(unix.getPath());
                }
            }
            catch (final IOException ex)
            {
                throw new IpcException("cannot close listener " + address, ex);
            }
        }
    }

    @Override
    public String toString()
    {
        return "Listener{" + address + "}";
    }
}
