package io.ipckit.net;

import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.exceptions.ResourceClosedException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.atomic.AtomicBoolean;

import static io.ipckit.net.internal.FrameDescriptor.*;

/**
 * The sending half of a {@link NetConnection}: claims frames of at most one Aeron fragment in the publication's
 * term, tags each with its type in the header's reserved value, splits a longer message into BEGIN and CONTINUE
 * frames, waits for room with the connection's idle strategy, and keeps the one zero-copy claim a caller may hold.
 * The connection wraps each call in its "in call" marks.
 * <p>
 * Not thread-safe: the sending thread alone calls it.
 */
final class NetSendHalf
{
    /** A timeout that never ends. */
    static final long FOREVER = Long.MAX_VALUE;
    private static final long NOT_WAITING = Long.MIN_VALUE;

    private final String description;
    private final Publication publication;
    private final NetReceiveHalf receiver;
    private final AtomicBoolean closed;
    private final int maxChunkLength;
    private final Runnable checkAeron;
    private final BufferClaim bufferClaim = new BufferClaim();
    private boolean claimPending;
    private long waitingSinceNs;
    private int claimIndex;
    /** Waits for room in the publication. */
    IdleStrategy idle;

    /**
     * @param publication    this end's publication, or null for a subscription (whose connection never sends).
     * @param receiver       the receiving half, which notes the peer's CLOSE.
     * @param closed         the connection's closed flag.
     * @param maxChunkLength the longest frame payload.
     * @param checkAeron     throws {@link MediaDriverGoneException} when the publication is closed because Aeron's
     *                       client ended, not because the peer went.
     */
    NetSendHalf(
        final String description, final Publication publication, final NetReceiveHalf receiver,
        final AtomicBoolean closed, final int maxChunkLength, final Runnable checkAeron)
    {
        this.description = description;
        this.publication = publication;
        this.receiver = receiver;
        this.closed = closed;
        this.maxChunkLength = maxChunkLength;
        this.checkAeron = checkAeron;
    }

    /**
     * Sends one message: one frame when it fits, else BEGIN (carrying the whole length) and CONTINUE frames.
     *
     * @return false when the time ran out (a split message may then be cut short: the peer drops its frames).
     */
    boolean send(final DirectBuffer src, final int offset, final int length, final long timeoutNs)
        throws InterruptedException
    {
        checkNoClaim();
        waitingSinceNs = NOT_WAITING;
        if (length <= maxChunkLength)
        {
            if (!claimFrame(DATA, 0, length, timeoutNs))
            {
                return false;
            }
            bufferClaim.buffer().putBytes(bufferClaim.offset(), src, offset, length);
            bufferClaim.commit();
            return true;
        }
        for (int sent = 0; sent < length; )
        {
            final int chunk = Math.min(maxChunkLength, length - sent);
            if (!claimFrame(sent == 0 ? BEGIN : CONTINUE, sent == 0 ? length : 0, chunk, timeoutNs))
            {
                return false;
            }
            bufferClaim.buffer().putBytes(bufferClaim.offset(), src, offset + sent, chunk);
            bufferClaim.commit();
            sent += chunk;
        }
        return true;
    }

    /**
     * Claims one DATA frame without waiting.
     *
     * @return the claim's index, or Aeron's negative result (back pressure, an admin action).
     */
    int tryClaim(final int length)
    {
        checkNoClaim();
        checkPeerOpen();
        final long result = publication.tryClaim(length, bufferClaim);
        if (result > 0)
        {
            return claimed(DATA, 0);
        }
        checkOfferResult(result);
        return (int)result;
    }

    /**
     * Claims one DATA frame, waiting for room at most {@code timeoutNs}.
     *
     * @return the claim's index, or {@link Publication#BACK_PRESSURED} when the time ran out.
     */
    int claim(final int length, final long timeoutNs) throws InterruptedException
    {
        checkNoClaim();
        waitingSinceNs = NOT_WAITING;
        return claimFrame(DATA, 0, length, timeoutNs) ? claimed(DATA, 0) : (int)Publication.BACK_PRESSURED;
    }

    /**
     * @return a view of the claimed frame in Aeron's term.
     */
    MutableDirectBuffer claimBuffer()
    {
        return bufferClaim.buffer();
    }

    /**
     * Publishes the outstanding claim.
     *
     * @throws IllegalStateException when no claim is outstanding at {@code index}.
     */
    void commit(final int index)
    {
        checkClaim(index);
        claimPending = false;
        bufferClaim.commit();
    }

    /**
     * Gives the outstanding claim up: the peer skips its frame.
     *
     * @throws IllegalStateException when no claim is outstanding at {@code index}.
     */
    void abort(final int index)
    {
        checkClaim(index);
        claimPending = false;
        bufferClaim.abort();
    }

    /**
     * At close: gives up a claim still outstanding.
     */
    void abortOutstandingClaim()
    {
        if (claimPending)
        {
            claimPending = false;
            bufferClaim.abort();
        }
        // a view kept from before the close must not reach a term Aeron unmaps: it now points at nothing
        bufferClaim.buffer().wrap(new byte[0]);
    }

    /**
     * @throws IllegalArgumentException when {@code length} does not fit in one frame.
     */
    void checkClaimLength(final int length)
    {
        if (length < 0 || length > maxChunkLength)
        {
            throw new IllegalArgumentException(
                "claim length must be from 0 to maxClaimLength " + maxChunkLength + ": " + length);
        }
    }

    /**
     * Claims one frame of {@code payloadLength} and tags it, waiting for room until {@code timeoutNs} after the
     * send's first wait ({@link #waitingSinceNs}, which the caller resets once per send: a send that finds room at
     * once reads no clock).
     *
     * @return true when claimed ({@link #bufferClaim} holds it), false when the time ran out.
     */
    private boolean claimFrame(final int type, final int word, final int payloadLength, final long timeoutNs)
        throws InterruptedException
    {
        final IdleStrategy idle = this.idle;
        while (true)
        {
            checkPeerOpen();
            final long result = publication.tryClaim(payloadLength, bufferClaim);
            if (result > 0)
            {
                bufferClaim.reservedValue(tag(type, word));
                return true;
            }
            checkOfferResult(result);
            if (timeoutNs <= 0)
            {
                return false;
            }
            final long nowNs = System.nanoTime();
            if (waitingSinceNs == NOT_WAITING)
            {
                waitingSinceNs = nowNs;
                idle.reset();
            }
            else if (timeoutNs != FOREVER && nowNs - waitingSinceNs >= timeoutNs)
            {
                return false;
            }
            if (Thread.interrupted())
            {
                throw new InterruptedException("interrupted while sending on " + description);
            }
            checkOpen();
            idle.idle();
        }
    }

    private int claimed(final int type, final int word)
    {
        bufferClaim.reservedValue(tag(type, word));
        claimPending = true;
        claimIndex = bufferClaim.offset();
        return claimIndex;
    }

    private void checkOfferResult(final long result)
    {
        if (result == Publication.NOT_CONNECTED || result == Publication.CLOSED)
        {
            checkOpen();
            checkAeron.run();
            throw new PeerGoneException(description + ": the peer is gone (closed, dead or unreachable)");
        }
        if (result == Publication.MAX_POSITION_EXCEEDED)
        {
            throw new IpcException(description + ": the stream reached its maximum position; reconnect");
        }
    }

    private void checkPeerOpen()
    {
        if (receiver.peerClosed())
        {
            throw new PeerGoneException(description + ": the peer closed its end");
        }
    }

    private void checkNoClaim()
    {
        if (claimPending)
        {
            throw new IllegalStateException(description + ": a claim is outstanding; commit or abort it first");
        }
    }

    private void checkClaim(final int index)
    {
        if (!claimPending || index != claimIndex)
        {
            throw new IllegalStateException(description + ": no outstanding claim at index " + index);
        }
    }

    private void checkOpen()
    {
        if (closed.get())
        {
            throw new ResourceClosedException(description + " is closed");
        }
    }
}
