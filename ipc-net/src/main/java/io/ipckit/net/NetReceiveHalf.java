package io.ipckit.net;

import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.ReservedValueSupplier;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.pipe.BufferHandler;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ipckit.net.internal.FrameDescriptor.*;

/**
 * The receiving half of a {@link NetConnection}: reads ipckit's frames from the peer's image, hands whole messages
 * in place, reassembles split ones (refusing one longer than {@link #maxReceiveBytes}), and notes the peer's CLOSE
 * (answering it with a CLOSE_ACK on this end's publication) or its CLOSE_ACK. A null target only looks whether a
 * message is ready, leaving it in the image. The connection wraps each call in its "in call" marks.
 * <p>
 * Not thread-safe: the receiving thread alone polls; the sending thread and {@link NetConnection#close()} read the
 * two peer flags, which are volatile.
 */
final class NetReceiveHalf implements ControlledFragmentHandler
{
    /** The most fragments one poll of the image reads. */
    static final int FRAGMENT_LIMIT = 64;
    private static final BufferHandler DISCARD = (buffer, offset, length) -> { };
    private static final ReservedValueSupplier CLOSE_ACK_TAG = (buffer, offset, length) -> tag(CLOSE_ACK, 0);

    private final String description;
    private final Image image;
    private final Publication publication;
    private final UnsafeBuffer emptyFrame = new UnsafeBuffer(new byte[0]);
    private final ExpandableDirectByteBuffer assembly = new ExpandableDirectByteBuffer(1024);
    private BufferHandler target;
    private int handed;
    private int limit;
    private boolean assembling;
    private int assemblyLength;
    private int assembled;
    private Throwable failure;
    private volatile boolean peerClosed;
    private volatile boolean closeAcked;
    /** The longest message accepted (see {@link NetConnection#maxReceiveBytes(int)}). */
    int maxReceiveBytes = Integer.MAX_VALUE;

    /**
     * @param image       the peer's image, or null for a publication (which never polls).
     * @param publication this end's publication, which answers a CLOSE, or null for a subscription.
     */
    NetReceiveHalf(final String description, final Image image, final Publication publication)
    {
        this.description = description;
        this.image = image;
        this.publication = publication;
    }

    /**
     * @return true once the peer's CLOSE was read: it sends nothing more.
     */
    boolean peerClosed()
    {
        return peerClosed;
    }

    /**
     * @return true once the peer's CLOSE_ACK was read: it has read this end's CLOSE.
     */
    boolean closeAcked()
    {
        return closeAcked;
    }

    /**
     * Polls the peer's image until {@code limit} messages are handed over (or one is found ready when
     * {@code handler} is null) or nothing more is there now.
     *
     * @return how many messages were handed over (1 when one is ready and {@code handler} is null).
     * @throws RuntimeException what the handler threw (an {@link IpcException} wraps a checked one), or
     *                          {@link MessageTooLargeException} for a message over {@link #maxReceiveBytes}.
     */
    int poll(final BufferHandler handler, final int maxMessages)
    {
        target = handler;
        handed = 0;
        limit = maxMessages;
        try
        {
            int fragments;
            do
            {
                if (peerClosed)
                {
                    return handed;
                }
                fragments = image.controlledPoll(this, FRAGMENT_LIMIT);
                if (failure != null)
                {
                    final Throwable thrown = failure;
                    failure = null;
                    if (thrown instanceof RuntimeException re)
                    {
                        throw re;
                    }
                    if (thrown instanceof Error e)
                    {
                        throw e;
                    }
                    throw new IpcException(description + ": the handler failed: " + thrown, thrown);
                }
            }
            while (handed < maxMessages && fragments > 0);
            return handed;
        }
        finally
        {
            target = null;
        }
    }

    /**
     * A look of a closing end for the peer's CLOSE or CLOSE_ACK: reads what the image holds and discards its
     * messages.
     *
     * @return the fragments read.
     */
    int pollWhileClosing()
    {
        target = DISCARD;
        return peerClosed ? 0 : image.controlledPoll(this, FRAGMENT_LIMIT);
    }

    /**
     * Handles one frame by the type in its header's reserved value.
     *
     * @return what Aeron is to do next: go on, stop after this frame, or leave it in the image (a look).
     */
    @Override
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int payloadOffset = offset;
        final int payloadLength = length;
        switch (type(header))
        {
            case DATA:
                assembling = false;
                return hand(buffer, payloadOffset, payloadLength);

            case BEGIN:
                if (word(header) > maxReceiveBytes || word(header) < 0)
                {
                    return refuse(word(header));
                }
                assembling = true;
                assemblyLength = word(header);
                assembly.putBytes(0, buffer, payloadOffset, payloadLength);
                assembled = payloadLength;
                return Action.CONTINUE;

            case CONTINUE:
                if (!assembling)
                {
                    return Action.CONTINUE;
                }
                if (assembled + payloadLength < assemblyLength)
                {
                    assembly.putBytes(assembled, buffer, payloadOffset, payloadLength);
                    assembled += payloadLength;
                    return Action.CONTINUE;
                }
                if (target == null)
                {
                    handed = 1;
                    return Action.ABORT;
                }
                assembly.putBytes(assembled, buffer, payloadOffset, payloadLength);
                assembling = false;
                return hand(assembly, 0, assemblyLength);

            case CLOSE:
                assembling = false;
                peerClosed = true;
                if (publication != null)
                {
                    publication.offer(emptyFrame, 0, 0, CLOSE_ACK_TAG);
                }
                return Action.BREAK;

            case CLOSE_ACK:
                closeAcked = true;
                return Action.CONTINUE;

            default:
                return Action.CONTINUE;
        }
    }

    /**
     * Drops a message over the limit (its CONTINUE frames are skipped as those of no message); a receive fails,
     * a look leaves the frame for the receive.
     */
    private Action refuse(final int length)
    {
        assembling = false;
        if (target == null)
        {
            handed = 1;
            return Action.ABORT;
        }
        failure = new MessageTooLargeException(description + ": the peer sent a message of " +
            Integer.toUnsignedLong(length) + " bytes, more than the maximum of " + maxReceiveBytes + " bytes");
        return Action.BREAK;
    }

    private Action hand(final DirectBuffer buffer, final int offset, final int length)
    {
        if (target == null)
        {
            handed = 1;
            return Action.ABORT;
        }
        handed++;
        try
        {
            target.onMessage(buffer, offset, length);
        }
        catch (final Throwable ex)
        {
            failure = ex;
            return Action.BREAK;
        }
        return handed < limit ? Action.CONTINUE : Action.BREAK;
    }
}
