package io.ipckit.pipe;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.core.internal.wait.AsymmetricFence;
import io.ipckit.pipe.internal.FileFaults;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.util.concurrent.TimeUnit;

import static io.ipckit.pipe.PipeDescriptor.*;

/**
 * One end of a local {@link Pipe}, the {@link Connection} in shared memory: Python's
 * {@code multiprocessing.connection.Connection} between processes of one host. Messages are whole byte strings
 * of any length (longer than {@link #maxClaimLength()} they are split into fragments and reassembled), sent through
 * an Agrona {@link OneToOneRingBuffer} in the shared file, received in order, exactly once.
 * <p>
 * Three ways to send and receive: objects through a {@link Codec} ({@link #send(Object)}, {@link #recv()}); byte
 * arrays or buffers ({@link #sendBytes(byte[])}, {@link #recvBytes()}); and zero-copy ({@link #tryClaim},
 * {@link #claim}, {@link #commit}; {@link #receive(BufferHandler, long, TimeUnit)} handing the message in place).
 * Batch forms send or drain many messages per call and wake the peer once.
 * <p>
 * Timeouts follow {@code java.util.concurrent}: a timeout of zero or less means "do not wait" (try once), and the
 * forms without a timeout wait without limit. Every call that waits throws {@link InterruptedException} when the
 * thread is interrupted while waiting.
 * <p>
 * Blocking calls sleep on a futex the sender rings only when someone sleeps, or poll with the {@link IdleStrategy}
 * given in {@link PipeOptions}. While waiting they check within 50 ms whether the peer is alive, then have the kernel
 * watch it (a pidfd) and sleep until it sends, closes or exits, or a quarter of a second passes: when the peer closed
 * its end, receives return what it sent and then throw {@link EndOfStreamException} (Python's {@code EOFError});
 * when it died, they throw {@link PeerGoneException} after the messages it committed, and sends throw
 * {@link PeerGoneException} as Python raises {@code BrokenPipeError}. A message half-sent by a dying peer is
 * never delivered.
 * <p>
 * Thread-safety: one thread may send while another receives; two threads must not send (or receive) at the same
 * time. {@link #close()} may be called from any thread at any time: threads blocked waiting wake with
 * {@link io.ipckit.core.exceptions.ResourceClosedException}, and the file stays mapped until every call under way
 * (a receive handler still reading its message in place, on any thread, or a send still writing) has returned and
 * every zero-copy claim has been ended by {@link #commit} or {@link #abort} (which then throw
 * {@link io.ipckit.core.exceptions.ResourceClosedException}: the close dropped the claim); the last of them unmaps it.
 * Every other call after the close throws {@link io.ipckit.core.exceptions.ResourceClosedException}.
 * Process-safety: each end is held by one process.
 * <p>
 * A file that another process truncates while this one uses it: calls fail with
 * {@link io.ipckit.core.exceptions.CorruptResourceException} naming the file instead of crashing the JVM, and
 * {@link #close()} only unmaps it. Sizes are checked on the slow paths (waits, liveness looks, close), faults of
 * plain accesses are translated at the public edge; the narrow window Linux leaves open (an atomic instruction on a
 * page lost after the last check) is described in {@link io.ipckit.pipe.internal.FileFaults}.
 * <p>
 * This class is a facade over the end's two halves, {@link SendHalf} and {@link ReceiveHalf}, which keep the
 * invariants of their directions; it keeps the end's state and its close.
 */
public final class PipeConnection implements Connection
{
    private static final long FOREVER = SendHalf.FOREVER;

    private final ResourceFile file;
    private final AtomicBuffer meta;
    private final String description;
    private final int peerTokenOffset;
    private final int peerStateOffset;
    private final int myStateOffset;
    private final int maxRecordLength;
    private final Doorbell sendData = new Doorbell();
    private final Doorbell sendSpace = new Doorbell();
    private final Doorbell recvData = new Doorbell();
    private final Doorbell recvSpace = new Doorbell();
    private final Codec<Object> codec;
    private final CloseGuard guard;
    private final SendHalf sender;
    private final ReceiveHalf receiver;
    private final EndMapping mapping;
    private final FileFaults faults;
    private final HalfGate sendGate;
    private final HalfGate receiveGate;

    /**
     * @param capacity the ring capacity and {@code duplex} the duplex flag, as the creator wrote them or the opener
     *                 checked them: the rings are built from these, not from the file read again.
     */
    PipeConnection(
        final ResourceFile file, final boolean endA, final PipeOptions options, final int capacity, final boolean duplex)
    {
        this.file = file;
        this.meta = file.buffer();
        this.description = "pipe \"" + file.name() + "\" end " + (endA ? "A" : "B");
        this.guard = new CloseGuard(description);
        final int metadataOffset = file.metadataOffset();
        this.peerTokenOffset = metadataOffset + (endA ? END_B_TOKEN_OFFSET : END_A_TOKEN_OFFSET);
        this.peerStateOffset = metadataOffset + (endA ? END_B_STATE_OFFSET : END_A_STATE_OFFSET);
        this.myStateOffset = metadataOffset + (endA ? END_A_STATE_OFFSET : END_B_STATE_OFFSET);

        final int ringLength = ringLength(capacity);
        final long dataOffset = file.headerLength();
        final AtomicBuffer ringAB = new UnsafeBuffer(meta.addressOffset() + dataOffset, ringLength);
        final AtomicBuffer ringBA = duplex ? new UnsafeBuffer(meta.addressOffset() + dataOffset + ringLength, ringLength) : null;
        this.maxRecordLength = new OneToOneRingBuffer(ringAB).maxMsgLength();

        sendData.wrap(meta, metadataOffset + (endA ? A_TO_B_DATA_DOORBELL_OFFSET : B_TO_A_DATA_DOORBELL_OFFSET));
        sendSpace.wrap(meta, metadataOffset + (endA ? A_TO_B_SPACE_DOORBELL_OFFSET : B_TO_A_SPACE_DOORBELL_OFFSET));
        recvData.wrap(meta, metadataOffset + (endA ? B_TO_A_DATA_DOORBELL_OFFSET : A_TO_B_DATA_DOORBELL_OFFSET));
        recvSpace.wrap(meta, metadataOffset + (endA ? B_TO_A_SPACE_DOORBELL_OFFSET : A_TO_B_SPACE_DOORBELL_OFFSET));
        final LivenessCheckInterval peerCheck = new LivenessCheckInterval();
        final long spinNs = options.spinBeforeSleep(java.util.concurrent.TimeUnit.NANOSECONDS);
        this.mapping = new EndMapping(file);
        this.faults = new FileFaults(file, description);
        this.sendGate = new HalfGate(guard, mapping);
        this.receiveGate = new HalfGate(guard, mapping);
        this.sender = new SendHalf(meta, description, peerTokenOffset, peerStateOffset, endA ? ringAB : ringBA,
            maxRecordLength, sendData, new Waiter(sendSpace, options.idleStrategy(), guard).spinBeforeSleep(spinNs),
            guard, peerCheck, mapping, faults, sendGate);
        this.receiver = new ReceiveHalf(meta, description, peerTokenOffset, peerStateOffset, endA ? ringBA : ringAB,
            capacity, recvSpace, new Waiter(recvData, options.idleStrategy(), guard).spinBeforeSleep(spinNs),
            peerCheck, faults, receiveGate);
        mapping.attach(sendGate, receiveGate, sender, this::finishSendSide);
        this.codec = options.codec();
    }

    /**
     * @return the pipe's name.
     */
    public String name()
    {
        return file.name();
    }

    /**
     * @return true when this end can send (always, unless it is the receiving end of a one-way pipe).
     */
    public boolean canSend()
    {
        return sender.canSend();
    }

    /**
     * @return true when this end can receive (always, unless it is the sending end of a one-way pipe).
     */
    public boolean canReceive()
    {
        return receiver.canReceive();
    }

    /**
     * @return the longest message that goes as one ring record: the limit of {@link #tryClaim}; longer messages sent
     *         by the other methods are split transparently.
     */
    public int maxClaimLength()
    {
        return maxRecordLength;
    }

    /**
     * Sets how this end waits: null to sleep on a futex, or an Agrona idle strategy to poll with.
     *
     * @param idleStrategy the strategy, or null.
     */
    public void idleStrategy(final IdleStrategy idleStrategy)
    {
        sender.idleStrategy(idleStrategy);
        receiver.idleStrategy(idleStrategy);
    }

    /**
     * Sets an action this end runs as each send or claim begins to wait for room, once per wait, before it sleeps: for
     * a writer whose reader does not wait on this pipe (it polls many pipes and sleeps on a doorbell of its own), so
     * that the action rings the reader's doorbell. A message longer than the ring goes in parts, and its writer waits
     * for room between them; a reader asleep on its own doorbell would otherwise find the parts only when it next
     * looks. The parts written so far are in the ring before the action runs. The reader's reads ring this pipe's own
     * doorbell for room, which the wait sleeps on.
     * <p>
     * Set it before sending, and publish this connection to the sending threads after; the action runs on the sending
     * thread, while it holds the send. An exception it throws ends the send with it; a message of which parts were
     * written is then dropped by the reader, as one whose send timed out.
     *
     * @param action the action, or null for none.
     */
    public void beforeSendWaits(final Runnable action)
    {
        sender.beforeWait(action);
    }

    // ------------------------------------------------------------------------------------------------ sending

    /**
     * Sends an object through the pipe's default codec ({@link PipeOptions#codec}), blocking while the ring is full.
     *
     * @param value the object, not null.
     * @throws NullPointerException when value is null.
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting for room.
     */
    public void send(final Object value) throws InterruptedException
    {
        sender.sendValue(value, codec);
    }

    /**
     * Sends a value through a codec, blocking while the ring is full.
     *
     * @param value the value, not null.
     * @param codec encodes it.
     * @param <T>   the value type.
     * @throws NullPointerException when value is null.
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting for room.
     */
    public <T> void send(final T value, final Codec<? super T> codec) throws InterruptedException
    {
        sender.sendValue(value, codec);
    }

    /**
     * Sends a whole byte array as one message, blocking while the ring is full.
     *
     * @param message the bytes, any length.
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting for room.
     */
    public void sendBytes(final byte[] message) throws InterruptedException
    {
        sender.sendBytes(message);
    }

    /**
     * Sends {@code length} bytes of {@code src} as one message, blocking while the ring is full.
     *
     * @param src    the source.
     * @param offset where the message starts.
     * @param length its length, any.
     * @throws IndexOutOfBoundsException when the slice does not lie within {@code src} (nothing is sent; the
     *                                   pipe keeps working).
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting for room.
     */
    public void sendBytes(final DirectBuffer src, final int offset, final int length) throws InterruptedException
    {
        sender.sendNs(src, offset, length, FOREVER);
    }

    /**
     * Sends one message, waiting at most {@code timeout} for room in the ring. When the time runs out in the middle
     * of a message longer than {@link #maxClaimLength()}, the part already written is discarded by the receiver.
     *
     * @param src     the source.
     * @param offset  where the message starts.
     * @param length  its length, any.
     * @param timeout the most to wait; zero or less to try once.
     * @param unit    the unit of {@code timeout}.
     * @return true when sent, false when the time ran out.
     * @throws IndexOutOfBoundsException when the slice does not lie within {@code src} (nothing is sent; the
     *                                   pipe keeps working).
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting for room.
     */
    public boolean sendBytes(
        final DirectBuffer src, final int offset, final int length, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        return sender.sendNs(src, offset, length, timeoutNs(timeout, unit));
    }

    /**
     * Sends many messages, waking the receiver once at the end: message {@code i} is {@code lengths[i]} bytes of
     * {@code src} from {@code offsets[i]}, for {@code i} from {@code start} to {@code start + count - 1}. Blocks while
     * the ring is full.
     *
     * @param src     the source of every message.
     * @param offsets where each message starts.
     * @param lengths each message's length.
     * @param start   the index in {@code offsets} and {@code lengths} of the first message.
     * @param count   how many messages.
     * @throws PeerGoneException         when the peer closed its end or died.
     * @throws InterruptedException      when interrupted while waiting for room (the messages before are sent).
     * @throws IndexOutOfBoundsException when a message's slice does not lie within {@code src} (the messages
     *                                   before it are sent, it and those after are not; the pipe keeps working).
     * @throws IndexOutOfBoundsException when {@code start} and {@code count} do not lie within both arrays.
     */
    public void sendBatch(
        final DirectBuffer src, final int[] offsets, final int[] lengths, final int start, final int count)
        throws InterruptedException
    {
        sender.sendBatch(src, offsets, lengths, start, count);
    }

    /**
     * Sends every value of {@code values} through {@code codec}, waking the receiver once at the end.
     *
     * @param values the values, none null.
     * @param codec  encodes them.
     * @param <T>    the value type.
     * @throws NullPointerException when a value is null (the values before it are sent).
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting for room (the values before are sent).
     */
    public <T> void sendAll(final Iterable<? extends T> values, final Codec<? super T> codec)
        throws InterruptedException
    {
        sender.sendAll(values, codec);
    }

    /**
     * Claims {@code length} bytes in the ring for a message to be written in place; publish it with
     * {@link #commit(int)} or drop it with {@link #abort(int)}. Does not block.
     *
     * @param length the message length, at most {@link #maxClaimLength()}.
     * @return the index in {@link #claimBuffer()} to write at, or a negative value when the ring has no room now.
     * @throws IllegalArgumentException when length is negative or over {@link #maxClaimLength()}.
     * @throws PeerGoneException        when the peer closed its end, or died (looked at when the ring has no room,
     *                                  at most once per {@link Waiter#LIVENESS_CHECK_INTERVAL_NS} per connection).
     */
    public int tryClaim(final int length)
    {
        return sender.tryClaim(length);
    }

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
    public int claim(final int length, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return sender.claim(length, timeoutNs(timeout, unit));
    }

    /**
     * @return the buffer that indices from {@link #tryClaim} and {@link #claim} refer to; valid while a claim is
     *         outstanding or this end is open.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this end is closed.
     */
    public MutableDirectBuffer claimBuffer()
    {
        return sender.claimBuffer();
    }

    /**
     * Publishes a claimed message and wakes the receiver.
     *
     * @param index the index returned by the claim.
     * @throws IllegalStateException when the claim was already committed or aborted.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this end was closed after the claim (the claim
     *                                                           was dropped by the close, nothing is delivered).
     */
    public void commit(final int index)
    {
        sender.commit(index);
    }

    /**
     * Drops a claimed message; the receiver never sees it.
     *
     * @param index the index returned by the claim.
     * @throws IllegalStateException when the claim was already committed or aborted.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this end was closed after the claim (the claim
     *                                                           was dropped by the close).
     */
    public void abort(final int index)
    {
        sender.abort(index);
    }

    // ---------------------------------------------------------------------------------------------- receiving

    /**
     * Receives the next object through the pipe's default codec, blocking until one arrives.
     *
     * @return the object.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died and every message it committed was received.
     * @throws InterruptedException when interrupted while waiting.
     */
    public Object recv() throws InterruptedException
    {
        return receiver.recvNs(codec, FOREVER);
    }

    /**
     * Receives the next value through a codec, blocking until one arrives.
     *
     * @param codec decodes it.
     * @param <T>   the value type.
     * @return the value.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died and every message it committed was received.
     * @throws InterruptedException when interrupted while waiting.
     */
    public <T> T recv(final Codec<T> codec) throws InterruptedException
    {
        return receiver.recvNs(codec, FOREVER);
    }

    /**
     * Receives the next value through a codec, waiting at most {@code timeout}.
     *
     * @param codec   decodes it.
     * @param timeout the most to wait; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @param <T>     the value type.
     * @return the value, or null when the time ran out.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died and every message it committed was received.
     * @throws InterruptedException when interrupted while waiting.
     */
    public <T> T recv(final Codec<T> codec, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return receiver.recvNs(codec, timeoutNs(timeout, unit));
    }

    /**
     * Receives the next message as a new byte array, blocking until one arrives.
     *
     * @return the message.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died and every message it committed was received.
     * @throws InterruptedException when interrupted while waiting.
     */
    public byte[] recvBytes() throws InterruptedException
    {
        return receiver.recvBytesNs(FOREVER);
    }

    /**
     * Receives the next message as a new byte array, waiting at most {@code timeout}.
     *
     * @param timeout the most to wait; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @return the message, or null when the time ran out.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died and every message it committed was received.
     * @throws InterruptedException when interrupted while waiting.
     */
    public byte[] recvBytes(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return receiver.recvBytesNs(timeoutNs(timeout, unit));
    }

    /**
     * Receives the next message in place (zero-copy), waiting until one arrives.
     *
     * @param handler given the message; the bytes are valid only during the call.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died and every message it committed was received.
     * @throws InterruptedException when interrupted while waiting.
     */
    public void receive(final BufferHandler handler) throws InterruptedException
    {
        receiver.awaitMessage(handler, FOREVER);
    }

    /**
     * Receives the next message in place (zero-copy), waiting at most {@code timeout}.
     *
     * @param handler given the message; the bytes are valid only during the call.
     * @param timeout the most to wait; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @return true when a message was handed to the handler, false when the time ran out.
     * @throws EndOfStreamException when the peer closed its end and every message was received.
     * @throws PeerGoneException    when the peer died and every message it committed was received.
     * @throws InterruptedException when interrupted while waiting.
     */
    public boolean receive(final BufferHandler handler, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        return receiver.awaitMessage(handler, timeoutNs(timeout, unit));
    }

    /**
     * Hands every message available now, up to {@code limit}, to the handler without waiting.
     *
     * @param handler given each message in place.
     * @param limit   the most messages to hand over.
     * @return the number of messages handed over, possibly 0.
     * @throws EndOfStreamException when nothing is left and the peer closed its end.
     * @throws PeerGoneException    when nothing is left and the peer is dead.
     */
    public int drain(final BufferHandler handler, final int limit)
    {
        return receiver.drain(handler, limit);
    }

    /**
     * Does not wait, as Python's {@code Connection.poll()} and {@link java.util.concurrent.BlockingQueue#poll()}.
     *
     * @return true when a message is ready to be received, or when a receive would throw at once (end of stream).
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this end is closed.
     */
    public boolean poll()
    {
        return receiver.poll();
    }

    /**
     * Waits up to {@code timeout} until a message is ready, as Python's {@code Connection.poll(timeout)}; Python's
     * {@code poll(None)} is {@link #awaitReady()}.
     *
     * @param timeout the most to wait; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @return true when a message is ready or the peer finished (a receive would not block), false on timeout.
     * @throws InterruptedException when interrupted while waiting.
     */
    public boolean poll(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return receiver.awaitMessage(null, timeoutNs(timeout, unit));
    }

    /**
     * Waits without limit until a message is ready or the peer finished (a receive would not block), as Python's
     * {@code Connection.poll(None)}.
     *
     * @throws InterruptedException when interrupted while waiting.
     */
    public void awaitReady() throws InterruptedException
    {
        receiver.awaitMessage(null, FOREVER);
    }

    /**
     * @return the timeout in nanoseconds for the waits, 0 ("do not wait") for any timeout of zero or less.
     */
    private static long timeoutNs(final long timeout, final TimeUnit unit)
    {
        return timeout <= 0 ? 0 : unit.toNanos(timeout);
    }

    // -------------------------------------------------------------------------------------------------- peers

    /**
     * Closes this end: threads of this process blocked on it wake with
     * {@link io.ipckit.core.exceptions.ResourceClosedException}; the peer receives what was sent, then {@link EndOfStreamException}; a peer blocked sending
     * gets {@link PeerGoneException}. When the other end is closed (or its holder dead) too, the pipe's name is
     * removed. Every claim outstanding on this end is dropped (the peer reads past it, and receives every message
     * committed after it; its commit or abort then throws {@link io.ipckit.core.exceptions.ResourceClosedException},
     * and the file stays mapped until then). A call of this end under way on another thread, or the receive call
     * whose handler closes, keeps the file mapped until it returns; when that call is a send, the peer is told of the
     * close as it returns, after what it sent. The close never waits for a handler, and waits at most 5 s for the
     * threads it wakes. Idempotent; thread-safe.
     */
    @Override
    public void close()
    {
        if (guard.isClosed())
        {
            return;
        }
        // a truncated file is only unmapped: its doorbells and state words may be gone, and an atomic add faulting
        // on a lost page (a waiter count) would kill the JVM
        final boolean truncated = faults.isTruncated();
        receiver.closingInHandler();
        if (truncated ? guard.closeAndAwait() : guard.closeAndAwait(recvData, sendSpace))
        {
            // the closed flag before the loads of the gates' depths, against each call's store of its depth
            AsymmetricFence.waitingSide();
            mapping.close();
        }
    }

    /**
     * Run once by {@link EndMapping}, with the file mapped and no send call under way: aborts the claims still
     * outstanding and tells the peer, unless the file was truncated (it is then only unmapped).
     */
    private void finishSendSide()
    {
        if (faults.isTruncated())
        {
            return;
        }
        try
        {
            try
            {
                if (sender.canSend())
                {
                    sender.abortClaimsForClose();
                }
            }
            finally
            {
                publishClose(); // even when an abort failed: the peer must learn of the close
            }
        }
        catch (final InternalError ex)
        {
            // truncated after the check: the peer learns of the close when its own accesses fail
        }
    }

    private void publishClose()
    {
        // release store -> publishes every message sent before the close to the peer
        meta.putIntRelease(myStateOffset, STATE_CLOSED);
        sendData.ring();
        recvSpace.ring();
        // Dekker with the peer's close: each stores its state, then loads the other's (rare: a real fence)
        java.lang.invoke.VarHandle.fullFence();
        final int peerState = meta.getIntAcquire(peerStateOffset);
        if (peerState == STATE_CLOSED ||
            peerState == STATE_OPEN && !OwnerToken.isAlive(meta.getLongVolatile(peerTokenOffset)))
        {
            file.unlink();
        }
    }

    /**
     * @return true once {@link #close()} was called.
     */
    public boolean isClosed()
    {
        return guard.isClosed();
    }

    /**
     * @return the threads, of any process, registered asleep until this end's reads make room in the ring they send
     * to it: tests wait for a blocked sender to be asleep before they read.
     */
    int sendersAwaitingRoom()
    {
        return recvSpace.waiters();
    }

    /**
     * @return the threads, of any process, registered asleep until a message arrives at this end: tests wait for a
     * blocked receiver to be asleep before they send.
     */
    int receiversAwaitingData()
    {
        return recvData.waiters();
    }

    /**
     * @return a description for diagnostics.
     */
    @Override
    public String toString()
    {
        return "Connection{" + description + (guard.isClosed() ? ", closed" : "") + "}";
    }
}
