package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.IpcException;

import java.net.SocketAddress;

/**
 * A bound endpoint accepting raw (not yet authenticated) {@link FrameConnection}s from many peers, one per peer,
 * made by a {@link TransportProvider}. {@link Listener} runs the authentication on what it accepts.
 * <p>
 * Thread safety: {@link #accept()} is called by one thread at a time; {@link #close()} by any thread, and a thread
 * blocked in {@link #accept()} then leaves with an {@link IpcException}. Process safety: one process owns it.
 */
public interface FrameListener extends AutoCloseable
{
    /**
     * @return the bound address, in the form {@link Client#connect} accepts (with the actual port when 0 was asked).
     */
    SocketAddress address();

    /**
     * Waits for the next peer.
     *
     * @return its connection, whose receives refuse frames longer than the listener's maximum.
     * @throws IpcException when the listener was closed or accepting failed.
     */
    FrameConnection accept();

    /**
     * Stops accepting. Connections already accepted stay open unless the transport's documentation says otherwise.
     * Idempotent.
     */
    @Override
    void close();
}
