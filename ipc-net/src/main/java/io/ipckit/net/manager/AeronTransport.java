package io.ipckit.net.manager;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.manager.connection.FrameConnection;
import io.ipckit.manager.connection.FrameListener;
import io.ipckit.manager.connection.TransportProvider;
import io.ipckit.net.NetConnection;
import io.ipckit.net.NetListener;
import io.ipckit.net.NetPipe;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The manager's Aeron UDP transport: carries every {@link AeronAddress}, found by {@link java.util.ServiceLoader}
 * through this module's {@code META-INF/services} entry; users never call it. A listener is a {@link NetListener}
 * (many clients on one endpoint, one {@link NetConnection} each); a connect is {@link NetPipe#connect}. Frames are
 * whole {@link NetConnection} messages.
 * <p>
 * Thread-safety: stateless.
 */
public final class AeronTransport implements TransportProvider
{
    /**
     * For {@link java.util.ServiceLoader}.
     */
    public AeronTransport()
    {
    }

    /** {@inheritDoc} */
    @Override
    public boolean accepts(final SocketAddress address)
    {
        return address instanceof AeronAddress;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IpcException when Aeron cannot start, the endpoint cannot be bound, or the thread was interrupted
     *                      (its interrupt flag is set again).
     */
    @Override
    public FrameListener listen(final SocketAddress address, final int maxFrameBytes)
    {
        final AeronAddress aeron = (AeronAddress)address;
        try
        {
            return new AeronFrameListener(NetListener.open(aeron.endpoint(), aeron.options()));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IpcException("interrupted while binding " + address, ex);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IpcException when no listener answered within {@code timeout} or {@link AeronAddress#connectTimeout()},
     *                      whichever is shorter, Aeron cannot start, or the thread was interrupted (its interrupt flag
     *                      is set again).
     */
    @Override
    public FrameConnection connect(final SocketAddress address, final int maxFrameBytes, final long timeout,
        final TimeUnit unit)
    {
        final AeronAddress aeron = (AeronAddress)address;
        final long waitNs = Math.min(unit.toNanos(timeout),
            TimeUnit.MILLISECONDS.toNanos(AeronAddress.connectTimeout()));
        try
        {
            final NetConnection connection = NetPipe.connect(aeron.endpoint(), aeron.options(), waitNs,
                TimeUnit.NANOSECONDS);
            return new AeronFrameConnection(connection, aeron.toString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IpcException("interrupted while connecting to " + address, ex);
        }
    }
}
