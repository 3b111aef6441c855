package io.ipckit.net.bridge;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.net.NetConnection;
import io.ipckit.net.NetOptions;
import io.ipckit.net.NetPipe;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thread of a bridge that listens on one address: it serves one peer at a time, and when that peer closes its
 * end or is gone it listens again, for the peer's next incarnation or another peer. Any other failure ends it and is
 * kept for {@link #failure()}.
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

    private final String address;
    private final NetOptions options;
    private final Session session;
    private final Thread thread;
    private final AtomicInteger sessions = new AtomicInteger();
    private volatile boolean closing;
    private volatile Throwable failure;

    ServeLoop(final String name, final String address, final NetOptions options, final Session session)
    {
        this.address = address;
        this.options = options;
        this.session = session;
        this.thread = new Thread(this::run, name + " " + address);
        thread.setDaemon(true);
        thread.start();
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

    private void run()
    {
        boolean stop = false;
        while (!stop && !closing)
        {
            NetConnection connection = null;
            try
            {
                connection = NetPipe.listen(address, options);
                sessions.incrementAndGet();
                session.serve(connection);
            }
            catch (final EndOfStreamException | PeerGoneException ex)
            {
                // the peer closed or died: listen again for its next incarnation
            }
            catch (final InterruptedException ex)
            {
                stop = true;
            }
            catch (final Throwable ex)
            {
                if (!closing)
                {
                    failure = ex;
                }
                stop = true;
            }
            finally
            {
                // the interrupt that stopped the session must not interrupt Aeron's close of the driver
                Thread.interrupted();
                if (connection != null)
                {
                    connection.close();
                }
            }
        }
    }

    /**
     * @return the number of peers served so far (the one being served included).
     */
    int sessions()
    {
        return sessions.get();
    }

    /**
     * @return what ended the loop, or null while it runs or after a clean close.
     */
    Throwable failure()
    {
        return failure;
    }

    /**
     * @return true while the loop serves or listens.
     */
    boolean isRunning()
    {
        return thread.isAlive();
    }

    /**
     * Stops the loop: interrupts its thread, which closes the connection (sending the peer an end of stream) and
     * ends; waits for it (at most 10 s). Idempotent.
     */
    @Override
    public void close()
    {
        closing = true;
        thread.interrupt();
        try
        {
            thread.join(CLOSE_WAIT_MS + options.closeLingerTimeout(TimeUnit.MILLISECONDS));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
