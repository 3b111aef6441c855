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
 * (after which the connection cannot be trusted and the caller closes it). Until the handshake has completed the
 * limit is {@link #MAX_HANDSHAKE_FRAME_BYTES} on every transport: a stranger cannot make a listener reassemble or
 * allocate a longer frame.
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
     * The longest frame of the authentication handshake, in bytes: a {@link TransportProvider}'s connections start
     * with this limit, so that a peer that has not authenticated cannot make this end take in more.
     */
    int MAX_HANDSHAKE_FRAME_BYTES = 256;

    /**
     * @return the longest frame this end sends or accepts, in bytes.
     */
    int maxFrameBytes();

    /**
     * Sets the longest frame this end sends or accepts. A connection starts with
     * {@link #MAX_HANDSHAKE_FRAME_BYTES}; {@link Listener} and {@link Client} raise it to their maximum once the
     * handshake has completed in both directions (at once when they have no authkey). Call it between frames, on
     * the receiving thread or before handing the connection to it.
     *
     * @param maxFrameBytes the longest frame, in bytes.
     * @throws IllegalArgumentException when below {@link #MAX_HANDSHAKE_FRAME_BYTES}.
     */
    void maxFrameBytes(int maxFrameBytes);

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
