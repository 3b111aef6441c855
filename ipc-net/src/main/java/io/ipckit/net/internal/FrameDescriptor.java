package io.ipckit.net.internal;

/**
 * Layout of the frames a {@link io.ipckit.net.NetConnection} puts in each Aeron fragment: an 8-byte header, then
 * the payload. Every frame fits in one Aeron fragment (at most the publication's {@code maxPayloadLength()}), so
 * Aeron never fragments; messages longer than one frame are split here ({@link #BEGIN} then {@link #CONTINUE}s) and
 * reassembled by the receiver.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Frame type                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Word: message length (BEGIN), session id (WELCOME), or 0  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Payload                               ...
 * ...                                                              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * A {@link #BEGIN} or {@link #DATA} frame that arrives while a message is being reassembled discards the partial
 * message (its sender gave up in the middle, e.g. on a timeout), as does {@link #CLOSE}.
 */
public final class FrameDescriptor
{
    /** Offset of the frame type. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the type-dependent word. */
    public static final int WORD_OFFSET = 4;
    /** Length of the header; the payload starts here, 8-byte aligned within the Aeron fragment. */
    public static final int HEADER_LENGTH = 8;

    /** A whole message in one frame. */
    public static final int DATA = 1;
    /** The first part of a longer message; the word is the whole message's length. */
    public static final int BEGIN = 2;
    /** A following part of a longer message; the message is complete when its length is reached. */
    public static final int CONTINUE = 3;
    /** The sender closed its end cleanly: nothing follows. */
    public static final int CLOSE = 4;
    /** The receiver of a {@link #CLOSE} read it: the closer may stop its driver. */
    public static final int CLOSE_ACK = 5;
    /** The first frame of a connecting end; the payload is its reply endpoint ("host:port") in ASCII. */
    public static final int HELLO = 6;
    /** The listener's answer to a {@link #HELLO}; the word is the session id of the connector's publication. */
    public static final int WELCOME = 7;

    private FrameDescriptor()
    {
    }
}
