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
 * {@link FrameTooLargeException}. The maximum is {@link FrameConnection#MAX_HANDSHAKE_FRAME_BYTES} until the
 * manager's handshake has completed in both directions, so a peer that has not authenticated can make this end
 * hold at most one Aeron fragment of a message.
 * <p>
 * The exceptions are a socket's: this end closed is {@link EndOfStreamException} on receive and
 * {@link PeerGoneException} on send; an interrupted call closes the connection and throws {@link PeerGoneException}
 * with the interrupt flag set, as an interruptible channel does.
 */
final class AeronFrameConnection implements FrameConnection
{
    private final NetConnection connection;
    private final String peer;
    private final Object sendLock = new Object();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[0]);
    private final FrameCopier copier = new FrameCopier();
    private volatile int maxFrameBytes;

    /**
     * @param connection the connection, not yet received from. Its limit starts at
     *                   {@link FrameConnection#MAX_HANDSHAKE_FRAME_BYTES}: a frame longer than that is refused
     *                   without being copied, and a message longer than one fragment without being reassembled,
     *                   until {@link #maxFrameBytes(int)} raises the limit after the handshake.
     * @param peer       the peer's name.
     */
    AeronFrameConnection(final NetConnection connection, final String peer)
    {
        this.connection = connection;
        this.peer = peer;
        maxFrameBytes(MAX_HANDSHAKE_FRAME_BYTES);
    }

    /**
     * {@inheritDoc}
     * <p>
     * The connection's own limit follows: it reassembles no message longer than this (but for messages of one
     * fragment, {@link NetConnection#maxClaimLength()}, which are handed in place and refused here uncopied).
     */
    @Override
    public void maxFrameBytes(final int maxFrameBytes)
    {
        if (maxFrameBytes < MAX_HANDSHAKE_FRAME_BYTES)
        {
            throw new IllegalArgumentException("maxFrameBytes must be at least " + MAX_HANDSHAKE_FRAME_BYTES + ": " +
                maxFrameBytes);
        }
        connection.maxReceiveBytes(Math.max(maxFrameBytes, connection.maxClaimLength()));
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    @Override
    public void sendBytes(final byte[] bytes, final int offset, final int length)
    {
        final int limit = maxFrameBytes;
        if (length > limit || length < 0)
        {
            throw new FrameTooLargeException("frame of " + length + " bytes exceeds the maximum of " + limit +
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
                " bytes (" + limitName() + "): " + ex.getMessage());
        }
        final byte[] frame = copier.frame;
        copier.frame = null;
        if (frame == null)
        {
            final int length = copier.refusedLength;
            throw new FrameTooLargeException("peer sent a frame of " + length + " bytes, more than the maximum of " +
                maxFrameBytes + " bytes (" + limitName() + ")");
        }
        return frame;
    }

    private String limitName()
    {
        return maxFrameBytes == MAX_HANDSHAKE_FRAME_BYTES ? "before authentication" :
            "ManagerOptions.maxFrameBytes";
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
