package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.IpcException;

import java.net.SocketAddress;

/**
 * A transport for {@link Listener}, {@link Client} and so the manager ({@code Manager.serve},
 * {@code Manager.connect}), chosen by the address: TCP and Unix socket addresses are built in; other transports
 * register an implementation of this interface in {@code META-INF/services/io.ipckit.manager.connection.TransportProvider}
 * and are found by {@link java.util.ServiceLoader} in the caller's class path. ipc-net registers Aeron UDP
 * ({@code io.ipckit.net.manager.AeronAddress}). A program moves to another transport by changing its address.
 * <p>
 * The provider only carries frames: the handshake (the mutual HMAC-SHA256 challenge over the authkey) runs on top of
 * what it returns, the same on every transport.
 * <p>
 * Thread safety: implementations are stateless or thread-safe; one instance serves every caller.
 */
public interface TransportProvider
{
    /**
     * @param address an address given to {@link Listener} or {@link Client}.
     * @return true when this provider carries it.
     */
    boolean accepts(SocketAddress address);

    /**
     * Binds a listener.
     *
     * @param address       an address this provider {@link #accepts}.
     * @param maxFrameBytes the longest frame its connections send or accept, in bytes.
     * @return the listener.
     * @throws IpcException when the address cannot be bound.
     */
    FrameListener listen(SocketAddress address, int maxFrameBytes);

    /**
     * Opens a raw connection to a listener.
     *
     * @param address       an address this provider {@link #accepts}.
     * @param maxFrameBytes the longest frame the connection sends or accepts, in bytes.
     * @return the connection, not yet authenticated.
     * @throws IpcException when nothing answers there (within the transport's own connect timeout).
     */
    FrameConnection connect(SocketAddress address, int maxFrameBytes);
}
