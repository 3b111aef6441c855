package io.ipckit.pipe;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.internal.jfr.JfrEvents;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.MessageAssembler;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.pipe.internal.FileFaults;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;

import static io.ipckit.pipe.PipeDescriptor.STATE_CLOSED;
import static io.ipckit.pipe.PipeDescriptor.STATE_OPEN;

/**
 * The receiving half of a {@link Connection}: reads this end's incoming ring, reassembles split messages, hands each
 * message to a {@link BufferHandler} in place (or decodes or copies it), waits for data and rings the peer's space
 * doorbell. Timeouts are in nanoseconds here: negative waits without a limit, 0 does not wait.
 * <p>
 * Note to maintainers: a receiver discards a partial message when a new BEGIN or WHOLE record arrives (its sender
 * gave up) or when the sender is gone, so a torn message is never delivered. The end of the stream is decided from
 * the peer's state read with an acquire load and then an empty ring: the peer's close publishes its state with a
 * release store after its last send, so every message sent before the close has been received by then. A dead
 * writer's claimed-but-uncommitted record has a non-positive length and is never read; committed records before it
 * are.
 * <p>
 * Every package-private call enters {@link #gate} first ({@link HalfGate}): a close on another thread, or from a
 * handler, leaves the file mapped until the call leaves. A user's handler never runs inside a {@link Waiter}'s wait,
 * so that a close, which waits (briefly) for the waits it wakes, does not wait for a handler.
 * <p>
 * Not thread-safe: one receiving thread at a time.
 */
final class ReceiveHalf
{
    private final AtomicBuffer meta;
    private final String description;
    private final int peerTokenOffset;
    private final int peerStateOffset;
    private final OneToOneRingBuffer recvRing;
    private final AtomicBuffer recvRingBuffer;
    private final int recvMask;
    private final Doorbell recvSpace;
    private final Waiter recvWaiter;
    /** Rate-limits the liveness looks of calls that do not wait (they read {@code /proc}); shared by both halves. */
    private final LivenessCheckInterval peerCheck;
    private final MessageAssembler assembler = new MessageAssembler();
    private final org.agrona.concurrent.MessageHandler ringHandler = this::onRecord;
    private final ControlledMessageHandler drainHandler = this::onDrainedRecord;
    private final BufferHandler decodeHandler = this::onDecode;
    private final BufferHandler copyHandler = this::onCopy;

    /**
     * The handler of the latest read, kept after it (a reference store costs a read a fence of G1's write barrier, so
     * it is stored only when another handler comes).
     */
    private BufferHandler userHandler;
    /** The thread of the latest read, kept as {@link #userHandler} is: a close is inside a handler only on it. */
    private Thread readingThread;
    /** A read is handing records to {@link #userHandler}. */
    private boolean handing;
    /** Messages handed to the user's handler in the current call. */
    private int delivered;
    /** The user's handler threw in the current call ({@link #deliver}). */
    private boolean handlerThrew;
    private Codec<?> decodeCodec;
    private Object decoded;
    private byte[] copied;
    /** Set by a close from inside a handler of this half: a drain hands over no more messages. */
    private boolean closedInHandler;
    private final FileFaults faults;
    private final HalfGate gate;

    ReceiveHalf(final AtomicBuffer meta, final String description, final int peerTokenOffset,
        final int peerStateOffset, final AtomicBuffer recvRingBuffer, final int capacity, final Doorbell recvSpace,
        final Waiter recvWaiter, final LivenessCheckInterval peerCheck,
        final FileFaults faults, final HalfGate gate)
    {
        this.faults = faults;
        this.gate = gate;
        this.meta = meta;
        this.description = description;
        this.peerTokenOffset = peerTokenOffset;
        this.peerStateOffset = peerStateOffset;
        this.recvRingBuffer = recvRingBuffer;
        this.recvRing = recvRingBuffer == null ? null : new OneToOneRingBuffer(recvRingBuffer);
        this.recvMask = capacity - 1;
        this.recvSpace = recvSpace;
        this.recvWaiter = recvWaiter;
        this.peerCheck = peerCheck;
    }

    boolean canReceive()
    {
        return recvRing != null;
    }

    void idleStrategy(final org.agrona.concurrent.IdleStrategy idleStrategy)
    {
        recvWaiter.idleStrategy(idleStrategy);
    }

    @SuppressWarnings("unchecked")
    <T> T recvNs(final Codec<T> codec, final long timeoutNs) throws InterruptedException
    {
        decodeCodec = codec;
        decoded = null;
        try
        {
            return awaitMessage(decodeHandler, timeoutNs) ? (T)decoded : null;
        }
        finally
        {
            decodeCodec = null;
            decoded = null;
        }
    }

    byte[] recvBytesNs(final long timeoutNs) throws InterruptedException
    {
        copied = null;
        final byte[] result = awaitMessage(copyHandler, timeoutNs) ? copied : null;
        copied = null;
        return result;
    }

    int drain(final BufferHandler handler, final int limit)
    {
        gate.enter();
        try
        {
            return drainOpen(handler, limit);
        }
        catch (final InternalError ex)
        {
            throw faults.corrupt(ex);
        }
        catch (final IndexOutOfBoundsException ex)
        {
            throw corruptOr(ex);
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Reads up to {@code limit} records per ring read (each delivers at most one message), so that a batch costs one
     * head store and one zeroing of the bytes read, as a raw ring's read does, instead of one per message.
     */
    private int drainOpen(final BufferHandler handler, final int limit)
    {
        checkCanReceive();
        int count = 0;
        if (limit > 0)
        {
            beginHanding(handler);
            delivered = 0;
            handlerThrew = false;
            boolean consumed = false;
            boolean returned = false;
            try
            {
                while (delivered < limit && !closedInHandler && hasData())
                {
                    final long head = recvRing.consumerPosition();
                    // a read that delivers nothing may still have moved on, past the padding at the ring's end
                    // (the next message is at its start): only one that moved nothing ends the drain
                    if (recvRing.controlledRead(drainHandler, limit - delivered) == 0 &&
                        recvRing.consumerPosition() == head)
                    {
                        break;
                    }
                    consumed = true;
                }
                returned = true;
            }
            finally
            {
                handing = false;
                count = delivered;
                if (returned ? consumed : roomAfterThrow(consumed))
                {
                    recvSpace.ring();
                }
            }
            if (closedInHandler)
            {
                return count; // the handler closed the connection: the file is unmapped when the call leaves
            }
        }
        if (count == 0)
        {
            checkPeerForReceive(peerCheck.dueAtLook(), true);
        }
        return count;
    }

    boolean poll()
    {
        gate.enter();
        try
        {
            checkCanReceive();
            return hasData() || !checkPeerForReceive(peerCheck.dueAtLook(), false);
        }
        catch (final InternalError ex)
        {
            throw faults.corrupt(ex);
        }
        finally
        {
            gate.exit();
        }
    }

    boolean awaitMessage(final BufferHandler handler, final long timeoutNs) throws InterruptedException
    {
        gate.enter();
        try
        {
            return awaitOpen(handler, timeoutNs);
        }
        catch (final InternalError ex)
        {
            throw faults.corrupt(ex);
        }
        catch (final IndexOutOfBoundsException ex)
        {
            throw corruptOr(ex);
        }
        finally
        {
            gate.exit();
        }
    }

    private boolean awaitOpen(final BufferHandler handler, final long timeoutNs) throws InterruptedException
    {
        checkCanReceive();
        if (handler == null ? hasData() : pollOne(handler))
        {
            return true;
        }
        if (!checkPeerForReceive(peerCheck.due(), handler != null))
        {
            return true;
        }
        if (timeoutNs == 0)
        {
            return false;
        }
        faults.checkSizeBeforeWait(); // before the wait registers on the doorbell: an atomic add there cannot fault safely
        recvWaiter.begin(timeoutNs);
        try
        {
            while (true)
            {
                final int sequence = recvWaiter.sequence();
                if (hasData())
                {
                    if (handler == null)
                    {
                        return true;
                    }
                    final long leftNs = recvWaiter.remainingNs();
                    recvWaiter.end(); // the handler runs outside the wait: a close does not wait for it
                    if (pollOne(handler))
                    {
                        return true;
                    }
                    // a part of a split message came: wait for the rest (once more, then false, when time is up)
                    faults.checkSizeBeforeWait();
                    recvWaiter.begin(leftNs);
                    continue;
                }
                final boolean look = recvWaiter.livenessCheckDue();
                if (!checkPeerForReceive(look, handler != null))
                {
                    return true;
                }
                if (look && meta.getIntAcquire(peerStateOffset) == STATE_OPEN)
                {
                    // the writer's exit wakes this wait; its sends and its close ring
                    recvWaiter.watchOnly(meta.getLongVolatile(peerTokenOffset));
                }
                if (!recvWaiter.pause(sequence))
                {
                    return false;
                }
            }
        }
        finally
        {
            recvWaiter.end();
        }
    }

    private boolean pollOne(final BufferHandler handler)
    {
        if (!hasData())
        {
            return false; // a waiting receive's look at the empty ring stores nothing
        }
        beginHanding(handler);
        delivered = 0;
        handlerThrew = false;
        boolean consumed = false;
        boolean returned = false;
        try
        {
            do // a record is there: the look above found it
            {
                recvRing.read(ringHandler, 1);
                consumed = true;
            }
            while (delivered == 0 && hasData());
            returned = true;
        }
        finally
        {
            handing = false;
            if (returned ? consumed : roomAfterThrow(consumed))
            {
                recvSpace.ring();
            }
        }
        return delivered > 0;
    }

    /**
     * Marks a read handing records to {@code handler} on this thread; {@link #handing} is cleared when it ends.
     */
    private void beginHanding(final BufferHandler handler)
    {
        final Thread current = Thread.currentThread();
        if (readingThread != current)
        {
            readingThread = current;
        }
        if (userHandler != handler)
        {
            userHandler = handler;
        }
        handing = true;
    }

    /**
     * Called by the close: when it runs inside a handler of this half (on the receiving thread), a drain hands over
     * no more messages. The file stays mapped until the receive call leaves ({@link HalfGate}).
     */
    void closingInHandler()
    {
        if (handing && readingThread == Thread.currentThread())
        {
            closedInHandler = true;
        }
    }

    private boolean hasData()
    {
        final int index = (int)recvRing.consumerPosition() & recvMask;
        final int length = recvRingBuffer.getIntVolatile(index);
        if (length > recvMask + 1 - index)
        {
            throw corruptRecord(index, length); // a record never runs past the ring's end: padding fills it
        }
        return length > 0;
    }

    /**
     * A read that failed on the ring's bounds: when a record between the head and the tail claims more than the
     * ring holds (another program overwrote its length word), says so; else the failure was the handler's own.
     */
    private RuntimeException corruptOr(final IndexOutOfBoundsException ex)
    {
        final long head = recvRing.consumerPosition();
        final long tail = recvRing.producerPosition();
        for (long position = head; position < tail; )
        {
            final int index = (int)position & recvMask;
            final int length = recvRingBuffer.getIntVolatile(index);
            if (length <= 0)
            {
                break;
            }
            if (length > recvMask + 1 - index)
            {
                final CorruptResourceException corrupt = corruptRecord(index, length);
                corrupt.initCause(ex);
                return corrupt;
            }
            position += BitUtil.align(length, RecordDescriptor.ALIGNMENT);
        }
        return ex;
    }

    private CorruptResourceException corruptRecord(final int index, final int length)
    {
        return new CorruptResourceException(description + " has a corrupt record at ring index " + index +
            " (length " + length + " in a ring of " + (recvMask + 1) + " bytes): unlink the pipe and create it again");
    }

    private void onRecord(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (length > buffer.capacity() - index)
        {
            // a record after the first of a read (that one hasData checks): the ring's clean-up may fail after this
            throw corruptRecord(index - RecordDescriptor.HEADER_LENGTH,
                length + RecordDescriptor.HEADER_LENGTH);
        }
        final int result = assembler.onFrame(type, buffer, index, length);
        if (result == MessageAssembler.COMPLETE_IN_PLACE)
        {
            delivered++;
            deliver(buffer, index, length);
        }
        else if (result == MessageAssembler.COMPLETE_ASSEMBLED)
        {
            delivered++;
            deliver(assembler.buffer(), 0, assembler.length());
        }
    }

    /**
     * Whether a read that threw must ring for room: it made some when an earlier record was consumed, or when the
     * handler threw (the ring's read moves its head past the record before it rethrows), and the ring is safe only
     * while the file keeps its size (the doorbell is in it, and its atomic operations cannot fault safely). A read
     * throws on a truncated file, or from a handler that wraps such a fault.
     */
    private boolean roomAfterThrow(final boolean consumed)
    {
        return (consumed || handlerThrew) && !faults.isTruncated();
    }

    /**
     * Hands a message to the user's handler, noting when it throws: the ring's read has moved its head past the record
     * before it rethrows, so the read that called this must ring for the room. Not for a fault of the mapping (an
     * {@link InternalError}): the doorbell is in the same file ({@link #roomAfterThrow}).
     */
    private void deliver(final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            userHandler.onMessage(buffer, offset, length);
        }
        catch (final InternalError ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            handlerThrew = true; // also for a checked exception thrown past the compiler (Kotlin, sneaky throws)
            throw ex;
        }
    }

    /**
     * A record of a drain: as {@link #onRecord}, then stops the read when the handler closed the connection (the
     * record is consumed, as a single receive consumes it).
     */
    private ControlledMessageHandler.Action onDrainedRecord(
        final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        onRecord(type, buffer, index, length);
        return closedInHandler ? ControlledMessageHandler.Action.BREAK : ControlledMessageHandler.Action.CONTINUE;
    }

    private void onDecode(final DirectBuffer buffer, final int offset, final int length)
    {
        decoded = decodeCodec.decode(buffer, offset, length);
    }

    private void onCopy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        copied = bytes;
    }

    /**
     * @return false when the peer finished (closed or died) and nothing is left; throws instead when asked to.
     */
    private boolean checkPeerForReceive(final boolean checkLiveness, final boolean throwWhenFinished)
    {
        if (checkLiveness)
        {
            faults.checkSize(); // as often as the liveness look: a truncated file never recovers
        }
        final int state = meta.getIntAcquire(peerStateOffset);
        final boolean finished = state == STATE_CLOSED ||
            state == STATE_OPEN && checkLiveness && !OwnerToken.isAlive(meta.getLongVolatile(peerTokenOffset));
        if (!finished || hasData())
        {
            return true;
        }
        assembler.discardPartial();
        if (!throwWhenFinished)
        {
            return false;
        }
        if (state == STATE_CLOSED)
        {
            throw new EndOfStreamException(description + ": the other end closed the pipe and every message it " +
                "sent has been received");
        }
        final long deadPid = OwnerToken.pid(meta.getLongVolatile(peerTokenOffset));
        JfrEvents.peerGone(description, deadPid, "receive");
        throw new PeerGoneException(description + ": the process holding the other end (pid " + deadPid +
            ") died; every message it committed has been received");
    }

    private void checkCanReceive()
    {
        if (recvRing == null)
        {
            throw new IllegalStateException(description + " is the sending end of a one-way pipe: it cannot receive");
        }
    }
}
