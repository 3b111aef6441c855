package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.IpcException;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bound endpoint accepting authenticated {@link FrameConnection}s, Python's
 * {@code multiprocessing.connection.Listener}: over TCP ({@link InetSocketAddress}), a Unix domain socket
 * ({@link UnixDomainSocketAddress}, whose file is removed on {@link #close()}), or any transport a
 * {@link TransportProvider} on the class path accepts (ipc-net's {@code io.ipckit.net.manager.AeronAddress}: Aeron
 * UDP). With an authkey, every accepted connection first passes the mutual HMAC-SHA256 challenge of {@link Client}
 * (see {@link Handshake}'s scheme, that of Python); a peer that fails it is disconnected and {@link #accept()}
 * throws {@link AuthenticationException}, after which the listener keeps accepting.
 * <p>
 * Thread safety: {@link #accept()} may be called by several threads. Process safety: one process owns a listener.
 */
public final class Listener implements AutoCloseable
{
    private final FrameListener transport;
    private final byte[] authkey;
    private final int maxFrameBytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Binds a listener with the default maximum frame length.
     *
     * @param address where to listen: an {@link InetSocketAddress} (port 0 picks a free port), a
     *                {@link UnixDomainSocketAddress} (its file must not exist), or an address a
     *                {@link TransportProvider} accepts.
     * @param authkey the shared secret, or null to accept anyone (only for a Unix socket in a private directory).
     * @throws IllegalArgumentException when no transport accepts the address.
     * @throws IpcException             when the address cannot be bound.
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
     * @throws IllegalArgumentException when {@code maxFrameBytes} is below 256, or no transport accepts the address.
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
        this.transport = Transports.isSocket(address) ? new SocketListener(address) :
            Transports.provider(address).listen(address, maxFrameBytes);
    }

    /**
     * @return the bound address (with the actual port when 0 was asked).
     */
    public SocketAddress address()
    {
        return transport.address();
    }

    /**
     * Waits for the next connection and authenticates it.
     *
     * @return the connection, authenticated when this listener has an authkey.
     * @throws AuthenticationException when the peer failed the handshake (its connection is closed).
     * @throws IpcException            when the listener was closed or accepting failed.
     */
    public FrameConnection accept()
    {
        return authenticate(acceptRaw());
    }

    /**
     * Waits for the next raw connection without authenticating it, so that the caller can run {@link
     * #authenticate(FrameConnection)} on a thread of its own (a stranger must not hold up the accepting thread).
     *
     * @return the connection, not yet authenticated.
     * @throws IpcException when the listener was closed or accepting failed.
     */
    public FrameConnection acceptRaw()
    {
        return transport.accept();
    }

    /**
     * Runs the listener's side of the handshake on a connection from {@link #acceptRaw()}: challenge the peer,
     * then answer its challenge; then raises the connection's frame limit from the handshake's 256 bytes to this
     * listener's maximum, on every transport: before that, a frame over 256 bytes is refused unread.
     *
     * @param connection a raw connection.
     * @return the same connection, authenticated.
     * @throws AuthenticationException when the peer failed (the connection is closed).
     */
    public FrameConnection authenticate(final FrameConnection connection)
    {
        final String named = connection.peerName();
        final String peer = named == null || named.isBlank() ? "a client (unnamed peer)" : named;
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
            final AuthenticationException failed = new AuthenticationException("handshake with " + peer +
                " failed: " + ex.getMessage());
            failed.initCause(ex); // an EndOfStreamException: the peer hung up unheard (a probe of the socket)
            throw failed;
        }
    }

    /**
     * Stops listening (a thread in {@link #accept()} gets an {@link IpcException}) and removes a Unix socket's
     * file. Idempotent; connections already accepted stay open, unless the transport documents otherwise (Aeron's
     * closes them with its driver).
     */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            transport.close();
        }
    }

    @Override
    public String toString()
    {
        return "Listener{" + address() + "}";
    }
}
