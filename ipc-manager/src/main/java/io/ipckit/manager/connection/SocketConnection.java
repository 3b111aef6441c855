package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.PeerGoneException;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One end of a framed, full-duplex socket connection (TCP or Unix domain), the counterpart of Python's
 * {@code multiprocessing.connection.Connection}: {@link #sendBytes} writes one frame (a 4-byte big-endian length,
 * then the payload) and {@link #recvBytes} reads one whole frame. A frame longer than {@link #maxFrameBytes()} is
 * refused on both sides with a {@link FrameTooLargeException}.
 * <p>
 * Thread safety: any number of threads may send at once (each frame is written whole, under a lock); one thread at a
 * time receives. Process safety: one end belongs to one process. The {@link FrameConnection} of the built-in
 * transport.
 */
public final class SocketConnection implements FrameConnection
{
    /** Default longest frame accepted, in bytes. */
    public static final int MAX_FRAME_BYTES_DEFAULT = 16 * 1024 * 1024;
    /** An oversized frame up to this long is read and dropped before the refusal; a longer one is not read. */
    public static final int DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
    /** Bytes of the length prefix of a frame. */
    public static final int HEADER_BYTES = Integer.BYTES;

    private final SocketChannel channel;
    private final ByteBuffer readHeader = ByteBuffer.allocate(HEADER_BYTES);
    private final ByteBuffer writeHeader = ByteBuffer.allocate(HEADER_BYTES);
    private final Object writeLock = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int maxFrameBytes;

    SocketConnection(final SocketChannel channel, final int maxFrameBytes)
    {
        this.channel = channel;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** {@inheritDoc} */
    @Override
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    /** {@inheritDoc} */
    @Override
    public void maxFrameBytes(final int maxFrameBytes)
    {
        if (maxFrameBytes < MAX_HANDSHAKE_FRAME_BYTES)
        {
            throw new IllegalArgumentException("maxFrameBytes must be at least " + MAX_HANDSHAKE_FRAME_BYTES + ": " +
                maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * @return the address of the peer, or null when it is not known (a Unix socket's client is unnamed).
     */
    public SocketAddress remoteAddress()
    {
        try
        {
            return channel.getRemoteAddress();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /** {@inheritDoc} */
    @Override
    public String peerName()
    {
        final SocketAddress remote = remoteAddress();
        return remote == null ? "a local peer" : remote.toString();
    }

    /**
     * Sends one frame. Never blocks longer than the kernel's socket buffer takes to drain.
     *
     * @param bytes  the payload.
     * @param offset where it starts.
     * @param length how many bytes.
     * @throws FrameTooLargeException when {@code length} exceeds {@link #maxFrameBytes()}; nothing is sent.
     * @throws PeerGoneException      when the peer closed or the connection broke.
     */
    @Override
    public void sendBytes(final byte[] bytes, final int offset, final int length)
    {
        if (length > maxFrameBytes || length < 0)
        {
            throw new FrameTooLargeException("frame of " + length + " bytes exceeds the maximum of " + maxFrameBytes +
                " bytes (ManagerOptions.maxFrameBytes)");
        }
        // the channel is interruptible: a write by a thread with its interrupt flag set would close the connection,
        // so the flag is put aside for the write and set again after it
        final boolean interrupted = Thread.interrupted();
        synchronized (writeLock)
        {
            try
            {
                writeHeader.clear();
                writeHeader.putInt(length).flip();
                final ByteBuffer payload = ByteBuffer.wrap(bytes, offset, length);
                final ByteBuffer[] both = {writeHeader, payload};
                while (payload.hasRemaining() || writeHeader.hasRemaining())
                {
                    channel.write(both);
                }
            }
            catch (final IOException ex)
            {
                throw new PeerGoneException("cannot send on " + this + ": " + ex.getMessage(), ex);
            }
            finally
            {
                if (interrupted)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Sends one frame holding all of {@code bytes}.
     *
     * @param bytes the payload.
     * @throws FrameTooLargeException when it exceeds {@link #maxFrameBytes()}.
     * @throws PeerGoneException      when the peer closed or the connection broke.
     */
    @Override
    public void sendBytes(final byte[] bytes)
    {
        sendBytes(bytes, 0, bytes.length);
    }

    /**
     * Receives one frame, blocking until it has arrived whole.
     *
     * @return the payload.
     * @throws EndOfStreamException   when the peer closed cleanly between frames (Python's EOFError).
     * @throws PeerGoneException      when the connection broke, or closed in the middle of a frame.
     * @throws FrameTooLargeException when the peer announced a frame longer than {@link #maxFrameBytes()}; its
     *                                payload was dropped (up to {@link #DRAIN_LIMIT_BYTES}), the caller may send a
     *                                refusal and must then close the connection.
     */
    @Override
    public byte[] recvBytes()
    {
        readHeader.clear();
        if (!readFully(readHeader, true))
        {
            throw new EndOfStreamException("peer closed " + this);
        }
        final int length = readHeader.getInt(0);
        if (length < 0 || length > maxFrameBytes)
        {
            skip(length);
            throw new FrameTooLargeException("peer announced a frame of " + Integer.toUnsignedLong(length) +
                " bytes, more than the maximum of " + maxFrameBytes + " bytes (ManagerOptions.maxFrameBytes)");
        }
        final byte[] bytes = new byte[length];
        readFully(ByteBuffer.wrap(bytes), false);
        return bytes;
    }

    /**
     * Reads and drops an oversized frame's payload when it is not absurdly long, so that the peer's write completes
     * and it can still read the refusal sent back (closing on unread bytes would reset the connection instead).
     */
    private void skip(final int length)
    {
        if (length < 0 || length > DRAIN_LIMIT_BYTES || maxFrameBytes <= Handshake.MAX_HANDSHAKE_FRAME_BYTES)
        {
            return;
        }
        final ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        long left = length;
        while (left > 0)
        {
            sink.clear().limit((int)Math.min(sink.capacity(), left));
            readFully(sink, false);
            left -= sink.limit();
        }
    }

    private boolean readFully(final ByteBuffer buffer, final boolean eofAllowedAtStart)
    {
        try
        {
            while (buffer.hasRemaining())
            {
                if (channel.read(buffer) < 0)
                {
                    if (eofAllowedAtStart && buffer.position() == 0)
                    {
                        return false;
                    }
                    throw new PeerGoneException("peer closed " + this + " in the middle of a frame");
                }
            }
            return true;
        }
        catch (final ClosedChannelException ex)
        {
            throw new EndOfStreamException(this + " is closed");
        }
        catch (final IOException ex)
        {
            throw new PeerGoneException("cannot receive on " + this + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return true once {@link #close()} ran.
     */
    @Override
    public boolean isClosed()
    {
        return closed.get();
    }

    /**
     * Closes the socket; a thread blocked in {@link #recvBytes()} gets an {@link EndOfStreamException}. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                throw new IpcException("cannot close " + this, ex);
            }
        }
    }

    @Override
    public String toString()
    {
        return "SocketConnection{" + remoteAddress() + "}";
    }
}
