package io.ipckit.net.bridge;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.net.NetConnection;
import io.ipckit.net.NetListener;
import io.ipckit.net.NetOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of a bridge that listens on one address: one accepts peers on a {@link NetListener}, and each peer is
 * served by a thread of its own until it closes its end or is gone, so that any number of peers are served at once
 * and a peer's next incarnation is accepted while the others go on. A session that fails otherwise ends alone; the
 * first such failure, or the listener's, is kept for {@link #failure()}.
 * <p>
 * Thread-safety: the getters and {@link #close()} may be called from any thread.
 */
final class ServeLoop implements AutoCloseable
{
    /**
     * One peer's session.
     */
    @FunctionalInterface
    interface Session
    {
        /**
         * Serves the peer until it closes its end or is gone (those exceptions end the session normally).
         *
         * @param connection the connection to the peer.
         * @throws InterruptedException when the loop is closed.
         */
        void serve(NetConnection connection) throws InterruptedException;
    }

    private static final long CLOSE_WAIT_MS = 10_000;

    private final String name;
    private final String address;
    private final NetOptions options;
    private final Session session;
    private final Thread acceptor;
    private final List<Thread> sessionThreads = new ArrayList<>();
    private final AtomicInteger sessions = new AtomicInteger();
    private boolean closing;
    private final NetListener listener;
    private volatile Throwable failure;

    /**
     * Binds the listener in the caller's thread, so that the loop listens when this returns (a peer of this host
     * connecting at once then cannot take the port as its own reply endpoint), then starts accepting.
     *
     * @throws IpcException when Aeron cannot start or the address cannot be bound (the port is taken, or no
     *                      interface has the host), or when interrupted while binding (the interrupt is kept).
     */
    ServeLoop(final String name, final String address, final NetOptions options, final Session session)
    {
        this.name = name;
        this.address = address;
        this.options = options;
        this.session = session;
        try
        {
            this.listener = NetListener.open(address, options);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IpcException("interrupted while binding the " + name + " to " + address, ex);
        }
        this.acceptor = new Thread(this::accept, name + " " + address);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Checks the form of an address before a thread is started for it.
     *
     * @param address {@code host:port} or an {@code aeron:udp} channel.
     * @throws NullPointerException     when it is null.
     * @throws IllegalArgumentException when it is neither.
     */
    static void checkAddress(final String address)
    {
        Objects.requireNonNull(address, "address");
        final int colon = address.lastIndexOf(':');
        if (!address.startsWith("aeron:udp?") && (colon <= 0 || colon == address.length() - 1))
        {
            throw new IllegalArgumentException("address must be host:port or an aeron:udp channel: " + address);
        }
    }

    private void accept()
    {
        try
        {
            while (true)
            {
                final NetConnection connection = listener.accept();
                synchronized (sessionThreads)
                {
                    if (closing)
                    {
                        return; // the listener's close closes the connection
                    }
                    sessions.incrementAndGet();
                    final Thread thread = new Thread(() -> serve(connection), name + " " + connection.name());
                    thread.setDaemon(true);
                    sessionThreads.add(thread);
                    thread.start();
                }
            }
        }
        catch (final InterruptedException ex)
        {
            // closing
        }
        catch (final Throwable ex)
        {
            fail(ex);
        }
    }

    private void serve(final NetConnection connection)
    {
        try
        {
            session.serve(connection);
        }
        catch (final EndOfStreamException | PeerGoneException | InterruptedException ex)
        {
            // the peer closed or died (its next incarnation connects again), or the loop is closing
        }
        catch (final Throwable ex)
        {
            fail(ex);
        }
        finally
        {
            // the interrupt that stopped the session must not interrupt Aeron's close of the publication
            Thread.interrupted();
            connection.close();
            synchronized (sessionThreads)
            {
                sessionThreads.remove(Thread.currentThread());
            }
        }
    }

    private void fail(final Throwable ex)
    {
        synchronized (sessionThreads)
        {
            if (!closing && failure == null)
            {
                failure = ex;
            }
        }
    }

    /**
     * @return the number of peers accepted so far (those being served included).
     */
    int sessions()
    {
        return sessions.get();
    }

    /**
     * @return the number of peers being served now.
     */
    int activeSessions()
    {
        synchronized (sessionThreads)
        {
            return sessionThreads.size();
        }
    }

    /**
     * @return the first failure of a session or of the listener, or null when there was none.
     */
    Throwable failure()
    {
        return failure;
    }

    /**
     * Stops the loop: stops accepting, interrupts every session, whose thread closes its connection (sending its
     * peer an end of stream, side by side with the others), waits for them (at most 10 s and a linger each), then
     * closes the listener. Idempotent.
     */
    @Override
    public void close()
    {
        final List<Thread> serving;
        synchronized (sessionThreads)
        {
            if (closing)
            {
                return;
            }
            closing = true;
            serving = List.copyOf(sessionThreads);
        }
        final long waitMs = CLOSE_WAIT_MS + options.closeLingerTimeout(TimeUnit.MILLISECONDS);
        acceptor.interrupt();
        join(acceptor, waitMs);
        for (final Thread thread : serving)
        {
            thread.interrupt();
        }
        for (final Thread thread : serving)
        {
            join(thread, waitMs);
        }
        listener.close();
    }

    private static void join(final Thread thread, final long waitMs)
    {
        try
        {
            thread.join(waitMs);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
