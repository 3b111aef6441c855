package io.ipckit.pipe;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.PeerGoneException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * One end of an ordered message connection (duplex, or one-way where {@link #canSend()} or {@link #canReceive()}
 * say so), Python's {@code multiprocessing.connection.Connection}: between
 * processes of one host through shared memory ({@link PipeConnection}, from {@link Pipe}), or across hosts over
 * Aeron UDP ({@code io.ipckit.net.NetConnection}, from {@code io.ipckit.net.NetPipe}) with the same methods and
 * meanings, so that code written against this interface runs over either by changing where its connection comes
 * from. Messages are whole byte strings of any length, received in order, exactly once.
 * <p>
 * Timeouts follow {@code java.util.concurrent}: zero or less means "do not wait" (try once); the forms without a
 * timeout wait without limit. Every call that waits throws {@link InterruptedException} when interrupted.
 * <p>
 * End of a peer: when it closed its end, receives return what it sent and then throw {@link EndOfStreamException};
 * when it died (or, across hosts, became unreachable), they throw {@link PeerGoneException}; sends throw
 * {@link PeerGoneException} in both cases.
 * <p>
 * Thread-safety: one thread may send while another receives; two threads must not send (or receive) at the same
 * time. Process-safety: each end is held by one process. Each implementation says more (what its close waits for,
 * what a dead peer's unread messages become).
 */
public interface Connection extends AutoCloseable
{
    /**
     * @return the connection's name, for diagnostics.
     */
    String name();

    /**
     * @return true when this end can send.
     */
    boolean canSend();

    /**
     * @return true when this end can receive.
     */
    boolean canReceive();

    /**
     * @return the longest message a zero-copy claim can take; longer messages sent by the other methods are split
     *         transparently.
     */
    int maxClaimLength();

    /**
     * Sets how this end waits.
     *
     * @param idleStrategy the strategy, or null for the implementation's default.
     */
    void idleStrategy(IdleStrategy idleStrategy);

    /**
     * Sends an object through the connection's default codec, blocking while there is no room.
     *
     * @param value the object, not null.
     * @throws NullPointerException when value is null.
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting for room.
     */
    void send(Object value) throws InterruptedException;

    /**
     * Sends a value through a codec, blocking while there is no room.
     *
     * @param value the value, not null.
     * @param codec encodes it.
     * @param <T>   the value type.
     * @throws NullPointerException when value is null.
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting for room.
     */
    <T> void send(T value, Codec<? super T> codec) throws InterruptedException;

    /**
     * Sends a whole byte array as one message, blocking while there is no room.
     *
     * @param message the bytes, any length.
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting for room.
     */
    void sendBytes(byte[] message) throws InterruptedException;

    /**
     * Sends {@code length} bytes of {@code src} as one message, blocking while there is no room.
     *
     * @param src    the source.
     * @param offset where the message starts.
     * @param length its length, any.
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting for room.
     */
    void sendBytes(DirectBuffer src, int offset, int length) throws InterruptedException;

    /**
     * Sends one message, waiting at most {@code timeout} for room. When the time runs out in the middle of a
     * message longer than {@link #maxClaimLength()}, the part already sent is discarded by the receiver.
     *
     * @param src     the source.
     * @param offset  where the message starts.
     * @param length  its length, any.
     * @param timeout the most to wait; zero or less to try once.
     * @param unit    the unit of {@code timeout}.
     * @return true when sent, false when the time ran out.
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting for room.
     */
    boolean sendBytes(DirectBuffer src, int offset, int length, long timeout, TimeUnit unit)
        throws InterruptedException;

    /**
     * Sends many messages: message {@code i} is {@code lengths[i]} bytes of {@code src} from {@code offsets[i]},
     * for {@code i} from {@code start} to {@code start + count - 1}. Blocks while there is no room.
     *
     * @param src     the source of every message.
     * @param offsets where each message starts.
     * @param lengths each message's length.
     * @param start   the index of the first message.
     * @param count   how many messages.
     * @throws PeerGoneException         when the peer closed its end or died.
     * @throws InterruptedException      when interrupted while waiting for room (the messages before are sent).
     * @throws IndexOutOfBoundsException when {@code start} and {@code count} do not lie within both arrays.
     */
    void sendBatch(DirectBuffer src, int[] offsets, int[] lengths, int start, int count) throws InterruptedException;

    /**
     * Sends every value of {@code values} through {@code codec}.
     *
     * @param values the values, none null.
     * @param codec  encodes them.
     * @param <T>    the value type.
     * @throws NullPointerException when a value is null (the values before it are sent).
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting for room (the values before are sent).
     */
    <T> void sendAll(Iterable<? extends T> values, Codec<? super T> codec) throws InterruptedException;

    /**
     * Claims {@code length} bytes for a message written in place; publish it with {@link #commit(int)} or drop it
     * with {@link #abort(int)}. Does not block.
     * <p>
     * A claim pays when the message is built in place. A message already in a buffer is sent faster by
     * {@link #sendBytes(DirectBuffer, int, int, long, TimeUnit)}, whose copy is one burst of stores: a receiver on
     * another core that polls the claimed record's cache line between the claim and the commit makes it move between
     * the cores more than once (see {@link io.ipckit.queue.SharedQueue} for the figures).
     *
     * @param length the message length, at most {@link #maxClaimLength()}.
     * @return the index in {@link #claimBuffer()} to write at, or a negative value when there is no room now.
     * @throws IllegalArgumentException when length is negative or over {@link #maxClaimLength()}.
     * @throws PeerGoneException        when the peer closed its end or died.
     */
    int tryClaim(int length);

    /**
     * As {@link #tryClaim(int)}, waiting up to {@code timeout} for room.
     *
     * @param length  the message length, at most {@link #maxClaimLength()}.
     * @param timeout the most to wait; zero or less to try once.
     * @param unit    the unit of {@code timeout}.
     * @return the index in {@link #claimBuffer()}, or a negative value when the time ran out.
     * @throws IllegalArgumentException when length is negative or over {@link #maxClaimLength()}.
     * @throws PeerGoneException        when the peer closed its end or died.
     * @throws InterruptedException     when interrupted while waiting for room.
     */
    int claim(int length, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * @return the buffer that the index of the last claim refers to.
     */
    MutableDirectBuffer claimBuffer();

    /**
     * Publishes a claimed message.
     *
     * @param index the index returned by the claim.
     * @throws IllegalStateException when the claim was already committed or aborted.
     */
    void commit(int index);

    /**
     * Drops a claimed message; the receiver never sees it.
     *
     * @param index the index returned by the claim.
     * @throws IllegalStateException when the claim was already committed or aborted.
     */
    void abort(int index);

    /**
     * Receives the next object through the default codec, blocking until one arrives.
     *
     * @return the object.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died.
     * @throws InterruptedException when interrupted while waiting.
     */
    Object recv() throws InterruptedException;

    /**
     * Receives the next value through a codec, blocking until one arrives.
     *
     * @param codec decodes it.
     * @param <T>   the value type.
     * @return the value.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died.
     * @throws InterruptedException when interrupted while waiting.
     */
    <T> T recv(Codec<T> codec) throws InterruptedException;

    /**
     * Receives the next value through a codec, waiting at most {@code timeout}.
     *
     * @param codec   decodes it.
     * @param timeout the most to wait; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @param <T>     the value type.
     * @return the value, or null when the time ran out.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died.
     * @throws InterruptedException when interrupted while waiting.
     */
    <T> T recv(Codec<T> codec, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Receives the next message as a new byte array, blocking until one arrives.
     *
     * @return the message.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died.
     * @throws InterruptedException when interrupted while waiting.
     */
    byte[] recvBytes() throws InterruptedException;

    /**
     * Receives the next message as a new byte array, waiting at most {@code timeout}.
     *
     * @param timeout the most to wait; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @return the message, or null when the time ran out.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died.
     * @throws InterruptedException when interrupted while waiting.
     */
    byte[] recvBytes(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Receives the next message in place (zero-copy), waiting until one arrives.
     *
     * @param handler given the message; the bytes are valid only during the call.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died.
     * @throws InterruptedException when interrupted while waiting.
     */
    void receive(BufferHandler handler) throws InterruptedException;

    /**
     * Receives the next message in place (zero-copy), waiting at most {@code timeout}.
     *
     * @param handler given the message; the bytes are valid only during the call.
     * @param timeout the most to wait; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @return true when a message was handed to the handler, false when the time ran out.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died.
     * @throws InterruptedException when interrupted while waiting.
     */
    boolean receive(BufferHandler handler, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Hands every message available now, up to {@code limit}, to the handler without waiting.
     *
     * @param handler given each message in place.
     * @param limit   the most messages to hand over.
     * @return the number of messages handed over, possibly 0.
     * @throws EndOfStreamException when nothing is left and the peer closed its end.
     * @throws PeerGoneException    when nothing is left and the peer is gone.
     */
    int drain(BufferHandler handler, int limit);

    /**
     * Does not wait.
     *
     * @return true when a message is ready to be received, or when a receive would throw at once.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this end is closed.
     */
    boolean poll();

    /**
     * Waits up to {@code timeout} until a message is ready or a receive would throw at once.
     *
     * @param timeout the most to wait; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @return true when a receive would not block, false on timeout.
     * @throws InterruptedException when interrupted while waiting.
     */
    boolean poll(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Waits without limit until a receive would not block.
     *
     * @throws InterruptedException when interrupted while waiting.
     */
    void awaitReady() throws InterruptedException;

    /**
     * Closes this end: the peer receives what was sent, then {@link EndOfStreamException}. Idempotent; later calls
     * on this end throw {@link io.ipckit.core.exceptions.ResourceClosedException}.
     */
    @Override
    void close();

    /**
     * @return true once {@link #close()} was called.
     */
    boolean isClosed();
}
