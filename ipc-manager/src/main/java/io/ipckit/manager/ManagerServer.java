package io.ipckit.manager;

import io.ipckit.manager.connection.Listener;
import io.ipckit.manager.internal.ServerCore;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A manager serving in this process ({@link Manager#serve}), Python's {@code BaseManager.get_server()}: it accepts
 * authenticated clients on background threads until {@link #close()} or a client's {@link Manager#shutdown()}.
 * Thread-safe.
 */
public final class ManagerServer implements AutoCloseable
{
    private final ServerCore core;

    ManagerServer(final Listener listener, final ManagerOptions options, final Runnable onShutdown)
    {
        core = new ServerCore(listener, options.registry(), options, onShutdown);
    }

    /**
     * @return the address clients connect to (with the actual port when port 0 was asked).
     */
    public SocketAddress address()
    {
        return core.address();
    }

    /**
     * @return the number of managed objects alive now.
     */
    public int objectCount()
    {
        return core.objectCount();
    }

    /**
     * @return the number of connected clients.
     */
    public int clientCount()
    {
        return core.sessionCount();
    }

    /**
     * @return what this manager holds and does now ({@link Manager#stats()}, read in this process: no client is the
     * caller).
     */
    public ManagerStats stats()
    {
        return core.stats();
    }

    /**
     * Waits until the server stopped (Python's {@code serve_forever} with a timeout).
     *
     * @param timeout how long; {@code <= 0} checks once.
     * @param unit    its unit.
     * @return true when it stopped.
     * @throws InterruptedException when interrupted while waiting.
     */
    public boolean awaitShutdown(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return core.awaitTermination(timeout, unit);
    }

    /**
     * Stops listening and disconnects every client (their calls fail with {@link ManagerGoneException}).
     * Idempotent.
     */
    @Override
    public void close()
    {
        core.close();
    }

    @Override
    public String toString()
    {
        return "ManagerServer{" + address() + "}";
    }
}
