package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.PeerGoneException;

/**
 * One end of a framed, full-duplex, reliable and ordered message connection: what the manager's protocol and the
 * {@link Listener}/{@link Client} handshake run over, whatever carries the frames. {@link SocketConnection} is the
 * TCP and Unix socket one; a {@link TransportProvider} found by {@link java.util.ServiceLoader} adds others (ipc-net
 * adds Aeron UDP).
 * <p>
 * A frame is sent and received whole. A frame longer than {@link #maxFrameBytes()} is refused on both sides with a
 * {@link FrameTooLargeException}: by the sender before anything is sent, by the receiver without handing it over
 * (after which the connection cannot be trusted and the caller closes it).
 * <p>
 * Thread safety: implementations let any number of threads send at once (each frame goes whole) while one thread at
 * a time receives; {@link #close()} may be called from any thread, and a thread blocked in {@link #recvBytes()} then
 * leaves with {@link EndOfStreamException}. Process safety: one end belongs to one process.
 * <p>
 * Interruption: the calls do not throw {@link InterruptedException}; as with an interruptible socket channel, a
 * thread interrupted while blocked in a call closes the connection and leaves with {@link PeerGoneException}, its
 * interrupt flag set.
 */
public interface FrameConnection extends AutoCloseable
{
    /**
     * @return the longest frame this end sends or accepts, in bytes.
     */
    int maxFrameBytes();

    /**
     * Sends one frame.
     *
     * @param bytes  the payload.
     * @param offset where it starts.
     * @param length how many bytes.
     * @throws FrameTooLargeException when {@code length} exceeds {@link #maxFrameBytes()}; nothing is sent.
     * @throws PeerGoneException      when the peer closed, died or became unreachable, or the connection broke.
     */
    void sendBytes(byte[] bytes, int offset, int length);

    /**
     * Sends one frame holding all of {@code bytes}.
     *
     * @param bytes the payload.
     * @throws FrameTooLargeException when it exceeds {@link #maxFrameBytes()}; nothing is sent.
     * @throws PeerGoneException      when the peer closed, died or became unreachable, or the connection broke.
     */
    default void sendBytes(final byte[] bytes)
    {
        sendBytes(bytes, 0, bytes.length);
    }

    /**
     * Receives one frame, blocking until it has arrived whole.
     *
     * @return the payload.
     * @throws EndOfStreamException   when the peer closed cleanly between frames, or this end was closed.
     * @throws PeerGoneException      when the peer died or became unreachable, or the connection broke.
     * @throws FrameTooLargeException when the peer sent a frame longer than {@link #maxFrameBytes()}; the caller
     *                                may send a refusal and must then close the connection.
     */
    byte[] recvBytes();

    /**
     * @return the peer's name for messages (its address when known), never null.
     */
    String peerName();

    /**
     * @return true once {@link #close()} ran.
     */
    boolean isClosed();

    /**
     * Closes this end; the peer's receives then end with {@link EndOfStreamException}. Idempotent, any thread.
     */
    @Override
    void close();
}
