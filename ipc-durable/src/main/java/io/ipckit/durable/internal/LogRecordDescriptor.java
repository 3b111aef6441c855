package io.ipckit.durable.internal;

import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Framing of one record inside a Chronicle Queue document: the payload's length, then the payload. The length lets a
 * reader check the document against it (a mismatch means a corrupt file) and keeps empty records apart from
 * Chronicle's one byte of padding for an empty document.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        Payload Length                         |
 *  +---------------------------------------------------------------+
 *  |                        Payload                               ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class LogRecordDescriptor
{
    /** Offset of the payload length. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the payload. */
    public static final int PAYLOAD_OFFSET = LENGTH_OFFSET + SIZE_OF_INT;

    private LogRecordDescriptor()
    {
    }
}
