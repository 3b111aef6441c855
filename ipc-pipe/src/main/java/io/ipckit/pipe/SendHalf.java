package io.ipckit.pipe;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.internal.jfr.JfrEvents;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.MessageAssembler;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.pipe.internal.FileFaults;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.util.Objects;

import static io.ipckit.pipe.PipeDescriptor.STATE_CLOSED;
import static io.ipckit.pipe.PipeDescriptor.STATE_OPEN;

/**
 * The sending half of a {@link Connection}: writes messages into this end's outgoing ring (whole, or split into
 * BEGIN, MIDDLE..., END records when longer than a record), waits for room, serves zero-copy claims and rings the
 * peer's data doorbell. Timeouts are in nanoseconds here: negative waits without a limit, 0 does not wait.
 * <p>
 * Note to maintainers: one writer per ring (this half, held by one thread at a time) means the fragments of two
 * messages never interleave; a send that gives up half-way leaves the fragments written, and the receiver discards
 * them when the next BEGIN or WHOLE record arrives. A full ring whose reader is dead never makes room, so a send
 * that finds no room looks at the peer's liveness (at most once per interval, across calls) and then fails at once
 * for as long as that peer holds the end.
 * <p>
 * Not thread-safe: one sending thread at a time.
 */
final class SendHalf
{
    static final long FOREVER = -1;

    private final AtomicBuffer meta;
    private final String description;
    private final int peerTokenOffset;
    private final int peerStateOffset;
    private final byte[] metaBase;
    private final long peerStateAddress;
    private final OneToOneRingBuffer sendRing;
    private final int maxRecordLength;
    private final Doorbell sendData;
    private final Waiter sendWaiter;
    /** Run as each send or claim begins to wait for room ({@link PipeConnection#beforeSendWaits}), or null. */
    private Runnable beforeWait;
    private final CloseGuard guard;
    /** Rate-limits the liveness looks of calls that do not wait (they read {@code /proc}); shared by both halves. */
    private final LivenessCheckInterval peerCheck;
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(256);
    private static final byte[] NO_BYTES = new byte[0];
    /** Wraps, for one send, the caller's array; wraps {@link #NO_BYTES} between sends, so no array is kept. */
    private final UnsafeBuffer wrapBytes = new UnsafeBuffer(NO_BYTES);
    /** The token of a peer a send found dead ({@link OwnerToken#NONE} for none): later sends fail at once. */
    private long deadPeerToken = OwnerToken.NONE;
    /**
     * The indices of the claims made and not yet committed or aborted, the first {@link #claimCount}, in no order: a
     * close aborts each, and while any is listed the file stays mapped.
     */
    private int[] claims = new int[4];
    private int claimCount;
    private final EndMapping mapping;
    private final FileFaults faults;

    SendHalf(final AtomicBuffer meta, final String description, final int peerTokenOffset, final int peerStateOffset,
        final AtomicBuffer sendBuffer, final int maxRecordLength, final Doorbell sendData, final Waiter sendWaiter,
        final CloseGuard guard, final LivenessCheckInterval peerCheck, final EndMapping mapping,
        final FileFaults faults)
    {
        this.faults = faults;
        this.mapping = mapping;
        this.meta = meta;
        this.description = description;
        this.peerTokenOffset = peerTokenOffset;
        this.peerStateOffset = peerStateOffset;
        this.metaBase = meta.byteArray();
        this.peerStateAddress = meta.addressOffset() + peerStateOffset;
        this.sendRing = sendBuffer == null ? null : new OneToOneRingBuffer(sendBuffer);
        if (sendBuffer != null)
        {
            AbandonedClaims.pad(sendBuffer); // an end taken over from a sender killed between a claim and its commit
        }
        this.maxRecordLength = maxRecordLength;
        this.sendData = sendData;
        this.sendWaiter = sendWaiter;
        this.guard = guard;
        this.peerCheck = peerCheck;
    }

    boolean canSend()
    {
        return sendRing != null;
    }

    /**
     * @param action run as each send or claim begins to wait for room, or null.
     */
    void beforeWait(final Runnable action)
    {
        beforeWait = action;
    }

    void idleStrategy(final org.agrona.concurrent.IdleStrategy idleStrategy)
    {
        sendWaiter.idleStrategy(idleStrategy);
    }

    <T> void sendValue(final T value, final Codec<? super T> codec) throws InterruptedException
    {
        if (value == null)
        {
            throw new NullPointerException("cannot send null through " + description + ": send a value");
        }
        final byte[] encoded = codec.encodedArray(value);
        if (encoded != null)
        {
            sendBytes(encoded); // its own encoding: copied once, from its array
            return;
        }
        final int length = codec.encode(value, scratch, 0);
        sendNs(scratch, 0, length, FOREVER);
    }

    void sendBytes(final byte[] message) throws InterruptedException
    {
        wrapBytes.wrap(message);
        try
        {
            sendNs(wrapBytes, 0, message.length, FOREVER);
        }
        finally
        {
            wrapBytes.wrap(NO_BYTES); // keeps no reference to the caller's array
        }
    }

    boolean sendNs(final DirectBuffer src, final int offset, final int length, final long timeoutNs)
        throws InterruptedException
    {
        if (length <= maxRecordLength && sendWhole(src, offset, length))
        {
            return true;
        }
        final boolean sent = send(src, offset, length, timeoutNs);
        if (sent)
        {
            ringData();
        }
        return sent;
    }

    void sendBatch(
        final DirectBuffer src, final int[] offsets, final int[] lengths, final int start, final int count)
        throws InterruptedException
    {
        Objects.checkFromIndexSize(start, count, Math.min(offsets.length, lengths.length));
        try
        {
            for (int i = start, end = start + count; i < end; i++)
            {
                send(src, offsets[i], lengths[i], FOREVER);
            }
        }
        finally
        {
            ringData();
        }
    }

    <T> void sendAll(final Iterable<? extends T> values, final Codec<? super T> codec)
        throws InterruptedException
    {
        try
        {
            for (final T value : values)
            {
                if (value == null)
                {
                    throw new NullPointerException("cannot send null through " + description);
                }
                final int length = codec.encode(value, scratch, 0);
                send(scratch, 0, length, FOREVER);
            }
        }
        finally
        {
            ringData();
        }
    }

    int tryClaim(final int length)
    {
        checkCanSend();
        checkClaimLength(length);
        try
        {
            checkPeerForSend(false); // reads the shared state: a truncated file faults here first
            final int index = sendRing.tryClaim(MessageAssembler.WHOLE, length);
            if (index < 0)
            {
                checkPeerForSend(peerCheck.due()); // a dead reader never makes room
                return -1;
            }
            return claimed(index);
        }
        catch (final InternalError ex)
        {
            throw faults.corrupt(ex);
        }
    }

    private int claimed(final int index)
    {
        if (claimCount == claims.length)
        {
            claims = java.util.Arrays.copyOf(claims, 2 * claimCount);
        }
        claims[claimCount++] = index;
        return index;
    }

    /**
     * Drops {@code index} from the outstanding claims.
     *
     * @return false when it was not outstanding.
     */
    private boolean forgetClaim(final int index)
    {
        for (int i = claimCount - 1; i >= 0; i--) // the latest first: claims usually end in the order made
        {
            if (claims[i] == index)
            {
                claims[i] = claims[--claimCount];
                return true;
            }
        }
        return false;
    }

    int claim(final int length, final long timeoutNs) throws InterruptedException
    {
        guard.checkOpen();
        checkCanSend();
        checkClaimLength(length);
        try
        {
            return claimOpen(length, timeoutNs);
        }
        catch (final InternalError ex)
        {
            throw faults.corrupt(ex);
        }
    }

    private int claimOpen(final int length, final long timeoutNs) throws InterruptedException
    {
        int index = sendRing.tryClaim(MessageAssembler.WHOLE, length);
        if (index >= 0)
        {
            return claimed(index);
        }
        checkPeerForSend(peerCheck.due()); // as writeRecord: a dead reader never makes room
        if (timeoutNs == 0)
        {
            return -1;
        }
        faults.checkSizeBeforeWait(); // before the wait registers on the doorbell: an atomic add there cannot fault safely
        if (beforeWait != null)
        {
            beforeWait.run();
        }
        sendWaiter.begin(timeoutNs);
        try
        {
            while (true)
            {
                final int sequence = sendWaiter.sequence();
                checkPeerForSend(sendWaiter, sendWaiter.livenessCheckDue());
                index = sendRing.tryClaim(MessageAssembler.WHOLE, length);
                if (index >= 0)
                {
                    return claimed(index);
                }
                if (!sendWaiter.pause(sequence))
                {
                    return -1;
                }
            }
        }
        finally
        {
            sendWaiter.end();
        }
    }

    MutableDirectBuffer claimBuffer()
    {
        guard.checkOpen(); // after the close the buffer may be over unmapped memory
        checkCanSend();
        return sendRing.buffer();
    }

    void commit(final int index)
    {
        if (guard.isClosed())
        {
            throw claimAfterClose("commit", index);
        }
        try
        {
            sendRing.commit(index);
        }
        catch (final InternalError ex)
        {
            throw faults.corrupt(ex);
        }
        forgetClaim(index);
        ringData();
    }

    void abort(final int index)
    {
        if (guard.isClosed())
        {
            throw claimAfterClose("abort", index);
        }
        try
        {
            sendRing.abort(index);
        }
        catch (final InternalError ex)
        {
            throw faults.corrupt(ex);
        }
        forgetClaim(index);
        ringData();
    }

    /**
     * Called by the close: aborts every claim still outstanding, committed ones left alone, so that the reader passes
     * each and reads the messages behind it. The claims stay listed: their writers may still write into the buffer.
     */
    void abortClaimsForClose()
    {
        if (claimCount == 0)
        {
            return;
        }
        for (int i = 0; i < claimCount; i++)
        {
            sendRing.abort(claims[i]);
        }
        sendData.ring();
    }

    /**
     * @return true while a claim is outstanding (its writer may write into the buffer).
     */
    boolean hasClaims()
    {
        return claimCount > 0;
    }

    private ResourceClosedException claimAfterClose(final String what, final int index)
    {
        if (forgetClaim(index) && claimCount == 0)
        {
            mapping.releaseClaim(); // the last claim's writer is done with the buffer: unmap now
        }
        return new ResourceClosedException(what + "(" + index + ") on " + description + ", which is closed in this " +
            "process: the claim was dropped when the connection closed and is never delivered");
    }

    /**
     * The send of a message that fits one record, while this end is open, the peer's end is open and not found dead,
     * and the ring has room: what {@link #send} checks and does then, with the peer's state read at its address.
     *
     * @return true when sent and rung; false when {@link #send} must send (nothing was written then).
     */
    private boolean sendWhole(final DirectBuffer src, final int offset, final int length)
    {
        if (sendRing == null || deadPeerToken != OwnerToken.NONE || guard.isClosed())
        {
            return false;
        }
        // before any record is reserved: a copy that throws after the reservation would wedge the ring for good
        Objects.checkFromIndexSize(offset, length, src.capacity());
        try
        {
            if (UnsafeApi.getIntAcquire(metaBase, peerStateAddress) != STATE_OPEN ||
                !sendRing.write(MessageAssembler.WHOLE, src, offset, length))
            {
                return false;
            }
            sendData.ring();
            return true;
        }
        catch (final InternalError ex)
        {
            throw faults.corrupt(ex); // a fault on a page of a file another process truncated
        }
    }

    private boolean send(final DirectBuffer src, final int offset, final int length, final long timeoutNs)
        throws InterruptedException
    {
        // before any record is reserved: a copy that throws after the reservation would wedge the ring for good
        Objects.checkFromIndexSize(offset, length, src.capacity());
        checkCanSend();
        try
        {
            checkPeerForSend(false); // reads the shared state: a truncated file faults here first
            return sendChecked(src, offset, length, timeoutNs);
        }
        catch (final InternalError ex)
        {
            throw faults.corrupt(ex);
        }
    }

    private boolean sendChecked(final DirectBuffer src, final int offset, final int length, final long timeoutNs)
        throws InterruptedException
    {
        if (length <= maxRecordLength)
        {
            return writeRecord(MessageAssembler.WHOLE, src, offset, length, timeoutNs);
        }
        final long startNs = timeoutNs > 0 ? System.nanoTime() : 0;
        int position = 0;
        while (position < length)
        {
            final int chunk = Math.min(maxRecordLength, length - position);
            final int type = position == 0 ? MessageAssembler.BEGIN :
                position + chunk == length ? MessageAssembler.END : MessageAssembler.MIDDLE;
            final long remainingNs = timeoutNs > 0 ? Math.max(0, timeoutNs - (System.nanoTime() - startNs)) : timeoutNs;
            if (!writeRecord(type, src, offset + position, chunk, remainingNs))
            {
                return false;
            }
            ringData();
            position += chunk;
        }
        return true;
    }

    private boolean writeRecord(
        final int type, final DirectBuffer src, final int offset, final int length, final long timeoutNs)
        throws InterruptedException
    {
        if (sendRing.write(type, src, offset, length))
        {
            return true;
        }
        // no room: a dead reader never makes any, so look at it (at most once per interval, across calls)
        checkPeerForSend(peerCheck.due());
        if (timeoutNs == 0)
        {
            return false;
        }
        faults.checkSizeBeforeWait(); // before the wait registers on the doorbell: an atomic add there cannot fault safely
        if (beforeWait != null)
        {
            beforeWait.run();
        }
        sendWaiter.begin(timeoutNs);
        try
        {
            while (true)
            {
                final int sequence = sendWaiter.sequence();
                if (sendRing.write(type, src, offset, length))
                {
                    return true;
                }
                checkPeerForSend(sendWaiter, sendWaiter.livenessCheckDue());
                if (!sendWaiter.pause(sequence))
                {
                    return false;
                }
            }
        }
        finally
        {
            sendWaiter.end();
        }
    }

    private void ringData()
    {
        try
        {
            sendData.ring();
        }
        catch (final InternalError ex)
        {
            throw faults.corrupt(ex);
        }
    }

    /**
     * {@link #checkPeerForSend(boolean)} within a wait: after a look that found the reader alive, hands it to the
     * kernel's watch, so that the wait sleeps until the reader makes room, closes (both ring) or exits.
     */
    private void checkPeerForSend(final Waiter waiter, final boolean checkLiveness)
    {
        checkPeerForSend(checkLiveness);
        if (checkLiveness && meta.getIntAcquire(peerStateOffset) == STATE_OPEN)
        {
            waiter.watchOnly(meta.getLongVolatile(peerTokenOffset));
        }
    }

    private void checkPeerForSend(final boolean checkLiveness)
    {
        guard.checkOpen();
        if (checkLiveness)
        {
            faults.checkSize(); // as often as the liveness look: a truncated file never recovers
        }
        final int state = meta.getIntAcquire(peerStateOffset);
        if (state == STATE_CLOSED)
        {
            throw new PeerGoneException(description + ": the other end closed the pipe, nothing more can be sent " +
                "(Python's BrokenPipeError)");
        }
        if (state == STATE_OPEN && (checkLiveness || deadPeerToken != OwnerToken.NONE))
        {
            final long token = meta.getLongVolatile(peerTokenOffset);
            if (token == deadPeerToken || checkLiveness && !OwnerToken.isAlive(token))
            {
                deadPeerToken = token; // until another process takes the end over
                JfrEvents.peerGone(description, OwnerToken.pid(token), "send");
                throw new PeerGoneException(description + ": the process holding the other end (pid " +
                    OwnerToken.pid(token) + ") died, nothing more can be sent (Python's BrokenPipeError)");
            }
        }
    }

    void checkCanSend()
    {
        if (sendRing == null)
        {
            throw new IllegalStateException(description + " is the receiving end of a one-way pipe: it cannot send");
        }
    }

    private void checkClaimLength(final int length)
    {
        if (length < 0 || length > maxRecordLength)
        {
            throw new IllegalArgumentException("cannot claim " + length + " bytes in " + description +
                ": a claim holds 0.." + maxRecordLength + " bytes; send longer messages with sendBytes");
        }
    }
}
