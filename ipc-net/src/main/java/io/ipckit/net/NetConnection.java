package io.ipckit.net;

import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.ReservedValueSupplier;
import io.aeron.Subscription;
import io.aeron.driver.status.SenderPos;
import io.aeron.protocol.DataHeaderFlyweight;
import io.ipckit.core.codec.Codec;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.internal.wait.AsymmetricFence;
import io.ipckit.net.internal.AeronEndpoint;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.pipe.Connection;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.ipckit.net.internal.FrameDescriptor.*;

/**
 * One end of a {@link NetPipe}: a {@link Connection} over two Aeron UDP streams, one each way. Opened by
 * {@link NetPipe#listen} or {@link NetPipe#connect}; the same semantics as the local
 * {@link io.ipckit.pipe.Connection}: duplex, ordered, exactly once, any message size. A one-way end of a stream
 * ({@link NetPipe#publish}, {@link NetPipe#subscribe}) holds only one of the two: it only sends, or only receives
 * ({@link #canSend()}, {@link #canReceive()}; the other side's calls throw {@link IllegalStateException}).
 * <p>
 * Each message travels as frames of at most one Aeron fragment ({@link #maxClaimLength()} bytes of payload): a
 * message that fits goes as one frame, written in place by Aeron's {@code tryClaim} (zero-copy for
 * {@link #tryClaim}/{@link #commit}) and handed in place from the term buffer to
 * {@link #receive(BufferHandler, long, TimeUnit)}; a longer one is split and reassembled in a buffer of the
 * receiver (which grows to the longest message received).
 * <p>
 * The end of a peer: {@link #close()} sends a CLOSE frame after the messages and waits (at most
 * {@link NetOptions#closeLingerTimeout}) until the peer has read it, so that nothing sent is lost when the driver
 * stops; the peer's receives then throw {@link EndOfStreamException}. A peer that dies or becomes unreachable stops
 * sending heartbeats and status messages: within {@link NetOptions#livenessTimeout} Aeron closes its image and
 * disconnects this end's publication, and the waiting (or the next) call throws {@link PeerGoneException}. Unlike
 * the local pipe, messages that a killed peer sent but this end had not received by then may be lost with it.
 * When it is this host's media driver that stops answering (an external one killed), Aeron closes everything of its
 * client and the calls throw {@link MediaDriverGoneException} instead; the JVM goes on.
 * <p>
 * Thread-safety: one thread may send while another receives; two threads must not send (or receive) at the same
 * time. Only one zero-copy claim may be outstanding. A thread blocked in a call notices {@link #close()} within
 * one idle period and leaves with {@link ResourceClosedException}; {@link #close()} waits for it (at most 5 s).
 * Process-safety: each end is held by one process.
 * <p>
 * Note to maintainers: the frames are written by {@link NetSendHalf} and read by {@link NetReceiveHalf}; this class
 * holds the public calls, the waits of a receive, and the close, which drives both halves (the receiving half answers a
 * CLOSE with a CLOSE_ACK on this end's publication, a concurrent publication for that reason). {@link #close()} must
 * not stop the driver while a call is inside Aeron's buffers: each side (one thread each, by the contract above) marks
 * its calls with an "in call" flag, a release store on entry and exit, then loads the closed flag; {@code close()}
 * stores the closed flag, runs {@link AsymmetricFence#waitingSide()} (a membarrier that fences every thread, so the
 * calls need no fence of their own) and waits until both flags are clear. Either a call sees the closed flag, or close
 * sees its flag and waits. (Two atomic increments of a shared caller count per call did this before.) A call that
 * outlives close's wait (a slow handler reading the term in place) must still not see the driver stop under it:
 * close then sets a deferred flag, fences again and looks at both flags once more, and each call's exit loads the
 * deferred flag after clearing its own; whoever finds both flags clear releases, once (a CAS).
 */
public final class NetConnection implements Connection
{
    private static final long FOREVER = NetSendHalf.FOREVER;
    private static final long NOT_WAITING = Long.MIN_VALUE;
    private static final long CLOSE_WAIT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final ReservedValueSupplier CLOSE_TAG = (buffer, offset, length) -> tag(CLOSE, 0);
    private static final VarHandle SENDING_IN_CALL;
    private static final VarHandle RECEIVING_IN_CALL;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            SENDING_IN_CALL = lookup.findVarHandle(NetConnection.class, "sendingInCall", int.class);
            RECEIVING_IN_CALL = lookup.findVarHandle(NetConnection.class, "receivingInCall", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String description;
    private final AeronEndpoint endpoint;
    private final NetListener listener;
    private final Publication publication;
    private final Subscription subscription;
    private final Image image;
    private final long closeLingerNs;
    private final Codec<Object> codec;
    private final int maxChunkLength;
    private final ExpandableDirectByteBuffer encodeBuffer = new ExpandableDirectByteBuffer(256);
    private final UnsafeBuffer sendWrapper = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer emptyFrame = new UnsafeBuffer(new byte[0]);
    private final Collector collector = new Collector();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set by whoever releases the publication, subscription and endpoint: a close, or the last call out. */
    private final AtomicBoolean released = new AtomicBoolean();
    /** Set by a close that a call outlived: the last call out releases the resources. */
    private volatile boolean releaseDeferred;
    private final NetReceiveHalf receiver;
    private final NetSendHalf sender;
    @SuppressWarnings("unused") // through SENDING_IN_CALL: 1 while the sending thread is in a call
    private int sendingInCall;
    @SuppressWarnings("unused") // through RECEIVING_IN_CALL: 1 while the receiving thread is in a call
    private int receivingInCall;
    private IdleStrategy receiveIdle;

    NetConnection(
        final String description,
        final AeronEndpoint endpoint,
        final Publication publication,
        final Subscription subscription,
        final Image image,
        final NetOptions options)
    {
        this(description, endpoint, publication, subscription, image, options, null);
    }

    /**
     * @param listener the {@link NetListener} that accepted this end and owns its endpoint and subscription (this
     *                 end's close then closes only its publication), or null when this end owns them.
     */
    NetConnection(
        final String description,
        final AeronEndpoint endpoint,
        final Publication publication,
        final Subscription subscription,
        final Image image,
        final NetOptions options,
        final NetListener listener)
    {
        this.description = description;
        this.endpoint = endpoint;
        this.listener = listener;
        this.publication = publication;
        this.subscription = subscription;
        this.image = image;
        this.closeLingerNs = options.closeLingerTimeout(TimeUnit.NANOSECONDS);
        this.codec = options.codec();
        this.maxChunkLength = publication != null ? publication.maxPayloadLength() :
            options.mtuLengthBytes() - DataHeaderFlyweight.HEADER_LENGTH;
        this.receiver = new NetReceiveHalf(description, image, publication);
        this.sender = new NetSendHalf(description, publication, receiver, closed, maxChunkLength, this::checkAeron);
        idleStrategy(options.idleStrategy());
    }

    /** {@inheritDoc} */
    @Override
    public String name()
    {
        return description;
    }

    /**
     * @return true but for a subscription ({@link NetPipe#subscribe}).
     */
    @Override
    public boolean canSend()
    {
        return publication != null;
    }

    /**
     * @return true but for a publication ({@link NetPipe#publish}).
     */
    @Override
    public boolean canReceive()
    {
        return image != null;
    }

    /**
     * @return the longest message sent as one Aeron fragment: the publication's {@code maxPayloadLength} (the MTU
     *         less Aeron's 32-byte header; ipckit's frame type travels in that header's reserved value).
     */
    @Override
    public int maxClaimLength()
    {
        return maxChunkLength;
    }

    /**
     * {@inheritDoc}
     * <p>
     * A strategy given here is used by both directions, so it must be stateless (as
     * {@link org.agrona.concurrent.BusySpinIdleStrategy}) when one thread sends while another receives; null gives
     * each direction its own {@link BackoffIdleStrategy}.
     */
    @Override
    public void idleStrategy(final IdleStrategy idleStrategy)
    {
        sender.idle = idleStrategy != null ? idleStrategy : new BackoffIdleStrategy();
        this.receiveIdle = idleStrategy != null ? idleStrategy : new BackoffIdleStrategy();
    }

    /**
     * Sets the longest message this end accepts: a longer one is dropped before it is reassembled, and the receive
     * that reaches it throws {@link MessageTooLargeException} (the next receive gets the next message). For a server
     * of strangers: without a limit, a peer can make the receiving end grow its reassembly buffer to any length it
     * announces. Messages of one fragment ({@link #maxClaimLength()}) are handed in place and not checked.
     * Not thread-safe: call it before receiving, on the receiving thread or before handing this end to it.
     *
     * @param maxBytes the longest message accepted, in bytes, at least {@link #maxClaimLength()}.
     * @throws IllegalArgumentException when under {@link #maxClaimLength()}.
     */
    public void maxReceiveBytes(final int maxBytes)
    {
        if (maxBytes < maxChunkLength)
        {
            throw new IllegalArgumentException("maxReceiveBytes must be at least maxClaimLength " + maxChunkLength +
                ": " + maxBytes);
        }
        receiver.maxReceiveBytes = maxBytes;
    }

    /**
     * @return the longest message this end accepts, in bytes ({@link Integer#MAX_VALUE} unless set).
     */
    public int maxReceiveBytes()
    {
        return receiver.maxReceiveBytes;
    }

    // ------------------------------------------------------------------------------------------------ sending

    /** {@inheritDoc} */
    @Override
    public void send(final Object value) throws InterruptedException
    {
        send(value, codec);
    }

    /** {@inheritDoc} */
    @Override
    public <T> void send(final T value, final Codec<? super T> codec) throws InterruptedException
    {
        Objects.requireNonNull(value, "value");
        final int length = codec.encode(value, encodeBuffer, 0);
        sendNs(encodeBuffer, 0, length, FOREVER);
    }

    /** {@inheritDoc} */
    @Override
    public void sendBytes(final byte[] message) throws InterruptedException
    {
        sendWrapper.wrap(message);
        sendNs(sendWrapper, 0, message.length, FOREVER);
    }

    /** {@inheritDoc} */
    @Override
    public void sendBytes(final DirectBuffer src, final int offset, final int length) throws InterruptedException
    {
        sendNs(src, offset, length, FOREVER);
    }

    /** {@inheritDoc} */
    @Override
    public boolean sendBytes(
        final DirectBuffer src, final int offset, final int length, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        return sendNs(src, offset, length, timeoutNs(timeout, unit));
    }

    /** {@inheritDoc} */
    @Override
    public void sendBatch(
        final DirectBuffer src, final int[] offsets, final int[] lengths, final int start, final int count)
        throws InterruptedException
    {
        Objects.checkFromIndexSize(start, count, offsets.length);
        Objects.checkFromIndexSize(start, count, lengths.length);
        for (int i = start; i < start + count; i++)
        {
            sendNs(src, offsets[i], lengths[i], FOREVER);
        }
    }

    /** {@inheritDoc} */
    @Override
    public <T> void sendAll(final Iterable<? extends T> values, final Codec<? super T> codec)
        throws InterruptedException
    {
        for (final T value : values)
        {
            send(value, codec);
        }
    }

    /** {@inheritDoc} */
    @Override
    public int tryClaim(final int length)
    {
        sender.checkClaimLength(length);
        enterSending();
        try
        {
            return sender.tryClaim(length);
        }
        finally
        {
            exitSending();
        }
    }

    /** {@inheritDoc} */
    @Override
    public int claim(final int length, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        sender.checkClaimLength(length);
        enterSending();
        try
        {
            return sender.claim(length, timeoutNs(timeout, unit));
        }
        finally
        {
            exitSending();
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * The buffer is a view of the claimed frame in Aeron's term: call this after each claim.
     */
    @Override
    public MutableDirectBuffer claimBuffer()
    {
        checkOpen(); // a close gave the claim up, and Aeron may have unmapped the term the view points into
        return sender.claimBuffer();
    }

    /** {@inheritDoc} */
    @Override
    public void commit(final int index)
    {
        // in a sending call, as a close of another thread then waits for it or has aborted the claim first: never a
        // commit that returns while the close turns its frame into padding, nor an abort of a committed frame
        enterSending();
        try
        {
            sender.commit(index);
        }
        finally
        {
            exitSending();
        }
    }

    /** {@inheritDoc} */
    @Override
    public void abort(final int index)
    {
        enterSending(); // see commit
        try
        {
            sender.abort(index);
        }
        finally
        {
            exitSending();
        }
    }

    private boolean sendNs(final DirectBuffer src, final int offset, final int length, final long timeoutNs)
        throws InterruptedException
    {
        // before a frame is claimed: a copy that throws after the claim would leave it open, and the publication
        // blocked until Aeron's unblock timeout
        Objects.checkFromIndexSize(offset, length, src.capacity());
        enterSending();
        try
        {
            return sender.send(src, offset, length, timeoutNs);
        }
        finally
        {
            exitSending();
        }
    }

    // ---------------------------------------------------------------------------------------------- receiving

    /** {@inheritDoc} */
    @Override
    public Object recv() throws InterruptedException
    {
        return recv(codec, FOREVER, TimeUnit.NANOSECONDS);
    }

    /** {@inheritDoc} */
    @Override
    public <T> T recv(final Codec<T> codec) throws InterruptedException
    {
        return recv(codec, FOREVER, TimeUnit.NANOSECONDS);
    }

    /** {@inheritDoc} */
    @Override
    public <T> T recv(final Codec<T> codec, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        collector.codec = codec;
        try
        {
            if (!awaitMessage(collector, timeout == FOREVER ? FOREVER : timeoutNs(timeout, unit)))
            {
                return null;
            }
            @SuppressWarnings("unchecked") final T value = (T)collector.value;
            return value;
        }
        finally
        {
            collector.codec = null;
            collector.value = null;
        }
    }

    /** {@inheritDoc} */
    @Override
    public byte[] recvBytes() throws InterruptedException
    {
        return recvBytes(FOREVER, TimeUnit.NANOSECONDS);
    }

    /** {@inheritDoc} */
    @Override
    public byte[] recvBytes(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return recv(io.ipckit.core.codec.Codecs.BYTES, timeout, unit);
    }

    /** {@inheritDoc} */
    @Override
    public void receive(final BufferHandler handler) throws InterruptedException
    {
        awaitMessage(Objects.requireNonNull(handler, "handler"), FOREVER);
    }

    /** {@inheritDoc} */
    @Override
    public boolean receive(final BufferHandler handler, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        return awaitMessage(Objects.requireNonNull(handler, "handler"), timeoutNs(timeout, unit));
    }

    /** {@inheritDoc} */
    @Override
    public int drain(final BufferHandler handler, final int limit)
    {
        Objects.requireNonNull(handler, "handler");
        enterReceiving();
        try
        {
            final int count = limit > 0 ? receiver.poll(handler, limit) : 0;
            if (count == 0)
            {
                checkPeerStillThere();
            }
            return count;
        }
        finally
        {
            exitReceiving();
        }
    }

    /** {@inheritDoc} */
    @Override
    public boolean poll()
    {
        enterReceiving();
        try
        {
            return receiver.poll(null, 1) > 0 || receiver.peerClosed() || isPeerGone();
        }
        finally
        {
            exitReceiving();
        }
    }

    /** {@inheritDoc} */
    @Override
    public boolean poll(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return awaitMessage(null, timeoutNs(timeout, unit));
    }

    /** {@inheritDoc} */
    @Override
    public void awaitReady() throws InterruptedException
    {
        awaitMessage(null, FOREVER);
    }

    /**
     * Waits until a message is handed to {@code handler} (or, when it is null, until one is ready or a receive
     * would throw).
     */
    private boolean awaitMessage(final BufferHandler handler, final long timeoutNs) throws InterruptedException
    {
        enterReceiving();
        try
        {
            final IdleStrategy idle = receiveIdle;
            long start = NOT_WAITING;
            while (true)
            {
                if (receiver.poll(handler, 1) > 0)
                {
                    return true;
                }
                if (handler == null && (receiver.peerClosed() || isPeerGone()))
                {
                    return true;
                }
                checkPeerStillThere();
                if (timeoutNs <= 0)
                {
                    return false;
                }
                final long nowNs = System.nanoTime();
                if (start == NOT_WAITING)
                {
                    start = nowNs;
                    idle.reset();
                }
                else if (timeoutNs != FOREVER && nowNs - start >= timeoutNs)
                {
                    return false;
                }
                if (Thread.interrupted())
                {
                    throw new InterruptedException("interrupted while receiving on " + description);
                }
                checkOpen();
                idle.idle();
            }
        }
        finally
        {
            exitReceiving();
        }
    }

    /**
     * @throws MediaDriverGoneException when the driver under this end is gone.
     * @throws EndOfStreamException     when the peer closed its end.
     * @throws PeerGoneException        when the peer is gone.
     */
    private void checkPeerStillThere()
    {
        checkAeron();
        if (receiver.peerClosed())
        {
            throw new EndOfStreamException(description + ": the peer closed its end");
        }
        if (isPeerGone())
        {
            throw new PeerGoneException(description + ": the peer is gone (its process died or the network between " +
                "is cut; no heartbeat within the liveness timeout)");
        }
    }

    /**
     * Called where the peer looks gone: the publication and the image's subscription close under a call only when
     * Aeron's client ends (a close of this end waits for the call to leave first).
     *
     * @throws MediaDriverGoneException when the driver under this end is gone.
     */
    private void checkAeron()
    {
        endpoint.checkAlive(description,
            publication != null && publication.isClosed() || image != null && image.subscription().isClosed());
    }

    private boolean isPeerGone()
    {
        return image != null && image.isClosed() || publication != null && !publication.isConnected();
    }

    /**
     * Decodes a received message through {@link #codec} into {@link #value}.
     */
    private static final class Collector implements BufferHandler
    {
        private Codec<?> codec;
        private Object value;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            value = codec.decode(buffer, offset, length);
        }
    }

    // -------------------------------------------------------------------------------------------------- closing

    /**
     * Closes this end: sends CLOSE after every message sent, waits at most {@link NetOptions#closeLingerTimeout}
     * until the peer has read it (or is gone), then closes the publication, the subscription, the Aeron client and
     * the embedded driver (deleting its directory); an end accepted by a {@link NetListener} closes its publication
     * only (the listener owns the rest). Threads blocked in a call leave with
     * {@link ResourceClosedException}, and this waits for them (at most 5 s). A call still running then (a
     * receive's handler that has not returned: it reads the message in place, in Aeron's term) keeps everything
     * mapped: this returns without the CLOSE, and the call releases the resources when it leaves. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        AsymmetricFence.waitingSide(); // the closed flag's store before the loads of the "in call" flags
        final long start = System.nanoTime();
        while (isInCall() && System.nanoTime() - start < CLOSE_WAIT_NS)
        {
            Thread.onSpinWait();
        }
        if (isInCall())
        {
            // stopping the driver now would unmap the term under the call (a SIGSEGV): the last call out does it
            releaseDeferred = true;
            AsymmetricFence.waitingSide(); // the deferred flag's store before the loads of the "in call" flags
            releaseIfIdle();
            return;
        }
        released.set(true);
        try
        {
            sender.abortOutstandingClaim();
            if (publication != null && !receiver.peerClosed() && !isPeerGone())
            {
                if (image != null)
                {
                    linger();
                }
                else
                {
                    lingerPublished();
                }
            }
        }
        finally
        {
            closeResources();
        }
    }

    private boolean isInCall()
    {
        return (int)SENDING_IN_CALL.getVolatile(this) != 0 || (int)RECEIVING_IN_CALL.getVolatile(this) != 0;
    }

    /**
     * After a close that a call outlived: releases the resources once no call is in, once.
     */
    private void releaseIfIdle()
    {
        if (!isInCall() && released.compareAndSet(false, true))
        {
            sender.abortOutstandingClaim();
            closeResources();
        }
    }

    private void closeResources()
    {
        if (listener == null)
        {
            CloseHelper.quietCloseAll(publication, subscription);
            endpoint.close();
        }
        else
        {
            CloseHelper.quietClose(publication);
            listener.released(this);
        }
    }

    private void linger()
    {
        final long start = System.nanoTime();
        final IdleStrategy idle = new BackoffIdleStrategy();
        boolean sent = false;
        while (System.nanoTime() - start < closeLingerNs)
        {
            if (!sent)
            {
                final long result = publication.offer(emptyFrame, 0, 0, CLOSE_TAG);
                if (result > 0)
                {
                    sent = true;
                }
                else if (result == Publication.NOT_CONNECTED || result == Publication.CLOSED)
                {
                    return;
                }
            }
            final int fragments = receiver.pollWhileClosing();
            if (receiver.closeAcked() || receiver.peerClosed() || image.isClosed())
            {
                return;
            }
            idle.idle(fragments);
        }
    }

    /**
     * A publication's close: sends CLOSE and waits (at most the linger timeout) until the driver has sent it, as no
     * subscriber answers.
     */
    private void lingerPublished()
    {
        final long start = System.nanoTime();
        final IdleStrategy idle = new BackoffIdleStrategy();
        long closePosition;
        while ((closePosition = publication.offer(emptyFrame, 0, 0, CLOSE_TAG)) < 0)
        {
            if (closePosition == Publication.NOT_CONNECTED || closePosition == Publication.CLOSED ||
                System.nanoTime() - start >= closeLingerNs)
            {
                return;
            }
            idle.idle();
        }
        final CountersReader counters = endpoint.aeron().countersReader();
        final long registrationId = publication.originalRegistrationId();
        final int[] sentCounter = {CountersReader.NULL_COUNTER_ID};
        counters.forEach((counterId, typeId, key, label) ->
        {
            if (typeId == SenderPos.SENDER_POSITION_TYPE_ID && key.getLong(0) == registrationId)
            {
                sentCounter[0] = counterId;
            }
        });
        idle.reset();
        while (sentCounter[0] != CountersReader.NULL_COUNTER_ID && publication.isConnected() &&
            counters.getCounterValue(sentCounter[0]) < closePosition && System.nanoTime() - start < closeLingerNs)
        {
            idle.idle();
        }
    }

    /**
     * @return the value of one of the Aeron driver's system counters (for tests: NAKs sent, retransmits).
     */
    long systemCounter(final io.aeron.driver.status.SystemCounterDescriptor counter)
    {
        return endpoint.aeron().countersReader().getCounterValue(counter.id());
    }

    /**
     * @return the Aeron session id of the peer's image, or 0 for a publication.
     */
    int peerSessionId()
    {
        return image != null ? image.sessionId() : 0;
    }

    /** {@inheritDoc} */
    @Override
    public boolean isClosed()
    {
        return closed.get();
    }

    private void enterSending()
    {
        if (publication == null)
        {
            throw new IllegalStateException(description + " is a subscription: it cannot send");
        }
        SENDING_IN_CALL.setRelease(this, 1);
        AsymmetricFence.progressSide(); // the "in call" store before the load of the closed flag
        if (closed.get())
        {
            exitSending();
            throw new ResourceClosedException(description + " is closed");
        }
    }

    private void enterReceiving()
    {
        if (image == null)
        {
            throw new IllegalStateException(description + " is a publication: it cannot receive");
        }
        RECEIVING_IN_CALL.setRelease(this, 1);
        AsymmetricFence.progressSide(); // the "in call" store before the load of the closed flag
        if (closed.get())
        {
            exitReceiving();
            throw new ResourceClosedException(description + " is closed");
        }
    }

    private void exitSending()
    {
        SENDING_IN_CALL.setRelease(this, 0);
        AsymmetricFence.progressSide(); // the "in call" store before the load of the deferred flag
        if (releaseDeferred)
        {
            VarHandle.fullFence(); // against the other side's exit: one of the two sees both flags clear
            releaseIfIdle();
        }
    }

    private void exitReceiving()
    {
        RECEIVING_IN_CALL.setRelease(this, 0);
        AsymmetricFence.progressSide(); // the "in call" store before the load of the deferred flag
        if (releaseDeferred)
        {
            VarHandle.fullFence(); // against the other side's exit: one of the two sees both flags clear
            releaseIfIdle();
        }
    }

    private void checkOpen()
    {
        if (closed.get())
        {
            throw new ResourceClosedException(description + " is closed");
        }
    }

    private static long timeoutNs(final long timeout, final TimeUnit unit)
    {
        return timeout <= 0 ? 0 : unit.toNanos(timeout);
    }

    /**
     * @return a description for diagnostics.
     */
    @Override
    public String toString()
    {
        return "NetConnection{" + description + ", session " + (publication != null ? publication.sessionId() : "none") + "->" +
            (image != null ? image.sessionId() : "none") + (closed.get() ? ", closed" : "") + "}";
    }
}
