package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.IpcException;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

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
     * @param maxFrameBytes the longest frame its connections send or accept once authenticated, in bytes.
     * @return the listener, whose connections start with the limit
     *         {@link FrameConnection#MAX_HANDSHAKE_FRAME_BYTES} ({@link Listener} raises it after the handshake).
     * @throws IpcException when the address cannot be bound.
     */
    FrameListener listen(SocketAddress address, int maxFrameBytes);

    /**
     * Opens a raw connection to a listener, waiting for it at most the transport's own connect timeout.
     *
     * @param address       an address this provider {@link #accepts}.
     * @param maxFrameBytes the longest frame the connection sends or accepts once authenticated, in bytes.
     * @return the connection, not yet authenticated, with the limit {@link FrameConnection#MAX_HANDSHAKE_FRAME_BYTES}
     *         ({@link Client} raises it after the handshake).
     * @throws IpcException when nothing answers there (within the transport's own connect timeout).
     */
    default FrameConnection connect(final SocketAddress address, final int maxFrameBytes)
    {
        return connect(address, maxFrameBytes, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /**
     * Opens a raw connection to a listener, waiting for it at most {@code timeout} and at most the transport's own
     * connect timeout, whichever is shorter. A client of a durable manager reconnects through this with the time
     * left of its {@code ManagerOptions.reconnectTimeout}, so that no attempt runs past it.
     *
     * @param address       an address this provider {@link #accepts}.
     * @param maxFrameBytes the longest frame the connection sends or accepts once authenticated, in bytes.
     * @param timeout       the most to wait for the listener; {@code <= 0} tries without waiting.
     * @param unit          its unit.
     * @return the connection, not yet authenticated, with the limit {@link FrameConnection#MAX_HANDSHAKE_FRAME_BYTES}
     *         ({@link Client} raises it after the handshake).
     * @throws IpcException when nothing answers there within the time.
     */
    FrameConnection connect(SocketAddress address, int maxFrameBytes, long timeout, TimeUnit unit);
}
