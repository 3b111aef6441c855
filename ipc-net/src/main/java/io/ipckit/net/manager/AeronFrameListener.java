package io.ipckit.net.manager;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.manager.connection.FrameConnection;
import io.ipckit.manager.connection.FrameListener;
import io.ipckit.net.NetConnection;
import io.ipckit.net.NetListener;

import java.net.SocketAddress;

/**
 * A {@link FrameListener} over a {@link NetListener}. Closing it closes the connections it accepted (they share its
 * driver): a manager's clients then see its end. Thread-safety: as {@link NetListener}.
 */
final class AeronFrameListener implements FrameListener
{
    private final NetListener listener;
    private final AeronAddress address;

    AeronFrameListener(final NetListener listener)
    {
        this.listener = listener;
        this.address = AeronAddress.of(listener.address(), listener.options());
    }

    @Override
    public SocketAddress address()
    {
        return address;
    }

    @Override
    public FrameConnection accept()
    {
        try
        {
            final NetConnection connection = listener.accept();
            return new AeronFrameConnection(connection, connection.name());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IpcException("interrupted while accepting on " + address, ex);
        }
    }

    @Override
    public void close()
    {
        listener.close();
    }

    @Override
    public String toString()
    {
        return "AeronFrameListener{" + address + "}";
    }
}
