package io.ipckit.net.manager;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.manager.connection.FrameConnection;
import io.ipckit.manager.connection.FrameTooLargeException;
import io.ipckit.net.MessageTooLargeException;
import io.ipckit.net.NetConnection;
import io.ipckit.pipe.BufferHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A {@link FrameConnection} over a {@link NetConnection}: a frame is one message. Sends are serialized by a lock
 * (a {@link NetConnection} takes one sending thread at a time, a frame connection any number); one thread receives.
 * A frame longer than the maximum is neither reassembled nor copied: the receive throws
 * {@link FrameTooLargeException}.
 * <p>
 * The exceptions are a socket's: this end closed is {@link EndOfStreamException} on receive and
 * {@link PeerGoneException} on send; an interrupted call closes the connection and throws {@link PeerGoneException}
 * with the interrupt flag set, as an interruptible channel does.
 */
final class AeronFrameConnection implements FrameConnection
{
    private final NetConnection connection;
    private final int maxFrameBytes;
    private final String peer;
    private final Object sendLock = new Object();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[0]);
    private final FrameCopier copier = new FrameCopier();

    /**
     * @param connection    the connection, not yet received from; its receive limit is set here, so that a peer
     *                      cannot make it reassemble a message longer than a frame.
     * @param maxFrameBytes the longest frame.
     * @param peer          the peer's name.
     */
    AeronFrameConnection(final NetConnection connection, final int maxFrameBytes, final String peer)
    {
        connection.maxReceiveBytes(Math.max(maxFrameBytes, connection.maxClaimLength()));
        this.connection = connection;
        this.maxFrameBytes = maxFrameBytes;
        this.peer = peer;
    }

    @Override
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    @Override
    public void sendBytes(final byte[] bytes, final int offset, final int length)
    {
        if (length > maxFrameBytes || length < 0)
        {
            throw new FrameTooLargeException("frame of " + length + " bytes exceeds the maximum of " + maxFrameBytes +
                " bytes (ManagerOptions.maxFrameBytes)");
        }
        synchronized (sendLock)
        {
            try
            {
                sendBuffer.wrap(bytes, offset, length);
                connection.sendBytes(sendBuffer, 0, length);
            }
            catch (final InterruptedException ex)
            {
                throw interrupted("send", ex);
            }
            catch (final ResourceClosedException ex)
            {
                throw new PeerGoneException("cannot send on " + this + ": it is closed", ex);
            }
            finally
            {
                sendBuffer.wrap(new byte[0]);
            }
        }
    }

    @Override
    public byte[] recvBytes()
    {
        try
        {
            connection.receive(copier);
        }
        catch (final InterruptedException ex)
        {
            throw interrupted("receive", ex);
        }
        catch (final ResourceClosedException ex)
        {
            throw new EndOfStreamException(this + " is closed");
        }
        catch (final MessageTooLargeException ex)
        {
            throw new FrameTooLargeException("peer sent a frame of more than the maximum of " + maxFrameBytes +
                " bytes (ManagerOptions.maxFrameBytes): " + ex.getMessage());
        }
        final byte[] frame = copier.frame;
        copier.frame = null;
        if (frame == null)
        {
            final int length = copier.refusedLength;
            throw new FrameTooLargeException("peer sent a frame of " + length + " bytes, more than the maximum of " +
                maxFrameBytes + " bytes (ManagerOptions.maxFrameBytes)");
        }
        return frame;
    }

    private PeerGoneException interrupted(final String what, final InterruptedException ex)
    {
        connection.close();
        Thread.currentThread().interrupt();
        return new PeerGoneException("interrupted during a " + what + " on " + this + ": the connection is closed",
            ex);
    }

    @Override
    public String peerName()
    {
        return peer;
    }

    @Override
    public boolean isClosed()
    {
        return connection.isClosed();
    }

    @Override
    public void close()
    {
        connection.close();
    }

    @Override
    public String toString()
    {
        return "AeronFrameConnection{" + peer + "}";
    }

    /**
     * Copies a received message into a new array, or notes its length when it is over the maximum.
     */
    private final class FrameCopier implements BufferHandler
    {
        private byte[] frame;
        private int refusedLength;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (length > maxFrameBytes)
            {
                refusedLength = length;
                return;
            }
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            frame = bytes;
        }
    }
}
