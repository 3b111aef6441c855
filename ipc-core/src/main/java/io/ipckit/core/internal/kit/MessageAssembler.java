package io.ipckit.core.internal.kit;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Reassembles messages that a sender split into frames because they were longer than one ring record. A message
 * is either one {@link #WHOLE} frame, or a {@link #BEGIN} frame, any number of {@link #MIDDLE} frames and an
 * {@link #END} frame, written contiguously by one sender.
 * <p>
 * Robustness rules, which make a torn message impossible to deliver: a {@code WHOLE} or {@code BEGIN} frame that
 * arrives while a message is being assembled means its sender gave up (timeout, death) — the partial message is
 * discarded; {@code MIDDLE} and {@code END} frames with no message begun (the rest of a message whose start a dead
 * receiver took) are skipped.
 * <p>
 * Not thread-safe: one per receiving handle. Allocates only when a longer message than any before arrives.
 */
public final class MessageAssembler
{
    /** Frame type: a complete message. */
    public static final int WHOLE = 1;
    /** Frame type: the first part of a message. */
    public static final int BEGIN = 2;
    /** Frame type: a part between the first and the last. */
    public static final int MIDDLE = 3;
    /** Frame type: the last part of a message. */
    public static final int END = 4;

    /** {@link #onFrame} result: the frame was not the end of a message. */
    public static final int INCOMPLETE = 0;
    /** {@link #onFrame} result: the frame was a whole message; read it where it is. */
    public static final int COMPLETE_IN_PLACE = 1;
    /** {@link #onFrame} result: a message is complete in {@link #buffer()} from 0 to {@link #length()}. */
    public static final int COMPLETE_ASSEMBLED = 2;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private int length;
    private boolean assembling;
    private long discarded;

    /**
     * Takes one frame.
     *
     * @param type   the frame type.
     * @param src    the buffer holding the frame's payload.
     * @param offset its offset.
     * @param frameLength its length.
     * @return {@link #INCOMPLETE}, {@link #COMPLETE_IN_PLACE} or {@link #COMPLETE_ASSEMBLED}.
     */
    public int onFrame(final int type, final DirectBuffer src, final int offset, final int frameLength)
    {
        switch (type)
        {
            case WHOLE:
                discardPartial();
                return COMPLETE_IN_PLACE;
            case BEGIN:
                discardPartial();
                assembling = true;
                length = 0;
                append(src, offset, frameLength);
                return INCOMPLETE;
            case MIDDLE:
                if (assembling)
                {
                    append(src, offset, frameLength);
                }
                return INCOMPLETE;
            case END:
                if (assembling)
                {
                    append(src, offset, frameLength);
                    assembling = false;
                    return COMPLETE_ASSEMBLED;
                }
                return INCOMPLETE;
            default:
                return INCOMPLETE;
        }
    }

    private void append(final DirectBuffer src, final int offset, final int frameLength)
    {
        buffer.putBytes(length, src, offset, frameLength);
        length += frameLength;
    }

    /**
     * Drops a message being assembled (its sender is gone or gave up).
     */
    public void discardPartial()
    {
        if (assembling)
        {
            assembling = false;
            length = 0;
            discarded++;
        }
    }

    /**
     * @return true while a message is begun and not ended.
     */
    public boolean isAssembling()
    {
        return assembling;
    }

    /**
     * @return the buffer holding the last assembled message.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the length of the last assembled message (or of the part assembled so far).
     */
    public int length()
    {
        return length;
    }

    /**
     * @return how many partial messages were discarded, for diagnostics.
     */
    public long discardedCount()
    {
        return discarded;
    }
}
