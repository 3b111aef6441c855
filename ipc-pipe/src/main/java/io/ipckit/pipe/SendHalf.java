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
 * <p>
 * Claims: {@link #claims} lists every claim made and not yet committed or aborted, in no order. A close aborts each
 * ({@link #abortClaimsForClose}), which turns it into padding, so that the reader passes it and reads every message
 * committed behind it; the list then keeps the file mapped until each claim's writer ends it. After the close the list
 * changes only under the monitor of {@link EndMapping}.
 * <p>
 * Every package-private call that touches the file enters {@link #gate} first ({@link HalfGate}), except
 * {@link #claimBuffer()}, whose buffer a claim keeps mapped.
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
    /** The indices of the claims made and not yet committed or aborted, the first {@link #claimCount}. */
    private int[] claims = new int[4];
    private int claimCount;
    private final HalfGate gate;
    private final EndMapping mapping;
    private final FileFaults faults;

    SendHalf(final AtomicBuffer meta, final String description, final int peerTokenOffset, final int peerStateOffset,
        final AtomicBuffer sendBuffer, final int maxRecordLength, final Doorbell sendData, final Waiter sendWaiter,
        final CloseGuard guard, final LivenessCheckInterval peerCheck, final EndMapping mapping,
        final FileFaults faults, final HalfGate gate)
    {
        this.gate = gate;
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
        gate.enter();
        try
        {
            final byte[] encoded = codec.encodedArray(value);
            if (encoded != null)
            {
                sendBytesOpen(encoded); // its own encoding: copied once, from its array
                return;
            }
            final int length = codec.encode(value, scratch, 0);
            sendOpen(scratch, 0, length, FOREVER);
        }
        finally
        {
            gate.exit();
        }
    }

    void sendBytes(final byte[] message) throws InterruptedException
    {
        gate.enter();
        try
        {
            sendBytesOpen(message);
        }
        finally
        {
            gate.exit();
        }
    }

    private void sendBytesOpen(final byte[] message) throws InterruptedException
    {
        wrapBytes.wrap(message);
        try
        {
            sendOpen(wrapBytes, 0, message.length, FOREVER);
        }
        finally
        {
            wrapBytes.wrap(NO_BYTES); // keeps no reference to the caller's array
        }
    }

    boolean sendNs(final DirectBuffer src, final int offset, final int length, final long timeoutNs)
        throws InterruptedException
    {
        gate.enter();
        try
        {
            return sendOpen(src, offset, length, timeoutNs);
        }
        finally
        {
            gate.exit();
        }
    }

    private boolean sendOpen(final DirectBuffer src, final int offset, final int length, final long timeoutNs)
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
        gate.enter();
        try
        {
            for (int i = start, end = start + count; i < end; i++)
            {
                send(src, offsets[i], lengths[i], FOREVER);
            }
        }
        finally
        {
            try
            {
                ringData();
            }
            finally
            {
                gate.exit();
            }
        }
    }

    <T> void sendAll(final Iterable<? extends T> values, final Codec<? super T> codec)
        throws InterruptedException
    {
        gate.enter();
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
            try
            {
                ringData();
            }
            finally
            {
                gate.exit();
            }
        }
    }

    int tryClaim(final int length)
    {
        gate.enter();
        try
        {
            checkCanSend();
            checkClaimLength(length);
            return tryClaimOpen(length);
        }
        finally
        {
            gate.exit();
        }
    }

    private int tryClaimOpen(final int length)
    {
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
        gate.enter();
        try
        {
            checkCanSend();
            checkClaimLength(length);
            return claimOpen(length, timeoutNs);
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
        endClaim(index, true);
    }

    void abort(final int index)
    {
        endClaim(index, false);
    }

    private void endClaim(final int index, final boolean commit)
    {
        if (!gate.tryEnter())
        {
            mapping.claimEndedAfterClose(index);
            throw new ResourceClosedException((commit ? "commit(" : "abort(") + index + ") on " + description +
                ", which is closed in this process: the claim was dropped when the connection closed and is never " +
                "delivered");
        }
        try
        {
            checkCanSend();
            if (commit)
            {
                sendRing.commit(index);
            }
            else
            {
                sendRing.abort(index);
            }
            forgetClaim(index);
            ringData();
        }
        catch (final InternalError ex)
        {
            forgetClaim(index); // the file lost the claim's pages: no later commit or abort can end it
            throw faults.corrupt(ex);
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Called by the close (under the monitor of {@link EndMapping}, on a thread with no send call under way):
     * aborts every claim still outstanding, committed ones left alone, so that the reader passes each and reads
     * the messages behind it. The claims stay listed: their writers may still write into the buffer.
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
     * Called under the monitor of {@link EndMapping} by a commit or abort made after the close: drops the claim
     * from those that keep the file mapped.
     *
     * @param abortInRing the close has not aborted the claims yet, and the file is mapped: abort it now.
     */
    void endClaimAfterClose(final int index, final boolean abortInRing)
    {
        if (forgetClaim(index) && abortInRing && !faults.isTruncated())
        {
            try
            {
                sendRing.abort(index);
                sendData.ring();
            }
            catch (final InternalError ex)
            {
                // truncated after the check: the reader fails on its own accesses
            }
        }
    }

    /**
     * @return true while a claim is outstanding (its writer may write into the buffer).
     */
    boolean hasClaims()
    {
        return claimCount > 0;
    }

    /**
     * The send of a message that fits one record, while this end is open, the peer's end is open and not found dead,
     * and the ring has room: what {@link #send} checks and does then, with the peer's state read at its address.
     *
     * @return true when sent and rung; false when {@link #send} must send (nothing was written then).
     */
    private boolean sendWhole(final DirectBuffer src, final int offset, final int length)
    {
        if (sendRing == null || deadPeerToken != OwnerToken.NONE) // closed: the gate refused the call
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
