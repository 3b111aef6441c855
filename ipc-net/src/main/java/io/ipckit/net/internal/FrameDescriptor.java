package io.ipckit.net.internal;

import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;

/**
 * How a {@link io.ipckit.net.NetConnection} tags the Aeron fragments it sends: the frame type and a
 * type-dependent word travel in the 8-byte reserved value of Aeron's own data header
 * ({@link DataHeaderFlyweight#RESERVED_VALUE_OFFSET}), so a fragment's payload is the message alone. A 64-byte
 * message then takes 96 bytes of a term and of a datagram (32 of header), exactly as with raw Aeron; an 8-byte
 * header of ipckit's own in the payload made it 128 bytes (frames are 32-byte aligned), 11 messages per
 * 1,408-byte datagram instead of 14, and cost a quarter of the throughput.
 * <pre>
 *   reserved value (little-endian long, bytes 24 to 31 of Aeron's data header)
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Frame type (low 32 bits)                     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Word (high 32 bits): message length (BEGIN), session id      |
 *  |  (WELCOME), or 0                                              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Every frame fits in one Aeron fragment (at most the publication's {@code maxPayloadLength()}), so Aeron never
 * fragments; messages longer than one frame are split here ({@link #BEGIN} then {@link #CONTINUE}s) and
 * reassembled by the receiver. A {@link #BEGIN} or {@link #DATA} frame that arrives while a message is being
 * reassembled discards the partial message (its sender gave up in the middle, e.g. on a timeout), as does
 * {@link #CLOSE}. A fragment of any other type (0: a publisher that is not ipckit) is skipped.
 */
public final class FrameDescriptor
{
    /** A whole message in one frame. */
    public static final int DATA = 1;
    /** The first part of a longer message; the word is the whole message's length. */
    public static final int BEGIN = 2;
    /** A following part of a longer message; the message is complete when its length is reached. */
    public static final int CONTINUE = 3;
    /** The sender closed its end cleanly: nothing follows. Empty payload. */
    public static final int CLOSE = 4;
    /** The receiver of a {@link #CLOSE} read it: the closer may stop its driver. Empty payload. */
    public static final int CLOSE_ACK = 5;
    /** The first frame of a connecting end; the payload is its reply endpoint ("host:port") in ASCII. */
    public static final int HELLO = 6;
    /** The listener's answer to a {@link #HELLO}; the word is the session id of the connector's publication. */
    public static final int WELCOME = 7;

    private FrameDescriptor()
    {
    }

    /**
     * @param type a frame type.
     * @param word its word.
     * @return the reserved value that carries both.
     */
    public static long tag(final int type, final int word)
    {
        return ((long)word << 32) | (type & 0xFFFF_FFFFL);
    }

    /**
     * @param header the header of a received fragment.
     * @return its frame type.
     */
    public static int type(final Header header)
    {
        return (int)header.reservedValue();
    }

    /**
     * @param header the header of a received fragment.
     * @return its word.
     */
    public static int word(final Header header)
    {
        return (int)(header.reservedValue() >>> 32);
    }
}
