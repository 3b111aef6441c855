package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.IpcException;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The built-in transport's listener: a TCP or Unix domain server socket. Its connections start with the handshake's
 * frame limit; {@link Listener} raises it after authentication. Thread-safe.
 */
final class SocketListener implements FrameListener
{
    private final ServerSocketChannel server;
    private final SocketAddress address;
    private final AtomicBoolean closed = new AtomicBoolean();

    SocketListener(final SocketAddress address)
    {
        ServerSocketChannel opened = null;
        try
        {
            opened = address instanceof UnixDomainSocketAddress ?
                ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
            opened.bind(address, 128);
            this.address = opened.getLocalAddress();
            this.server = opened;
        }
        catch (final IOException ex)
        {
            if (opened != null)
            {
                closeQuietly(opened, ex); // a port or socket file taken: the channel was opened but never bound
            }
            throw new IpcException("cannot listen on " + address + ": " + ex.getMessage(), ex);
        }
    }

    private static void closeQuietly(final ServerSocketChannel channel, final IOException cause)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            cause.addSuppressed(ex);
        }
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
            final SocketChannel channel = server.accept();
            if (!(address instanceof UnixDomainSocketAddress))
            {
                // replies are small frames answered at once: Nagle plus delayed ACKs would add tens of milliseconds
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            return new SocketConnection(channel, Handshake.MAX_HANDSHAKE_FRAME_BYTES);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot accept on " + address + ": " + ex.getMessage(), ex);
        }
    }

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
        return "SocketListener{" + address + "}";
    }
}
