package io.ipckit.durable.internal;

import io.ipckit.core.internal.kit.DoorbellDescriptor;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of a log's doorbell file, {@value #FILE_NAME} in the log's directory beside Chronicle Queue's own files:
 * a header that identifies the file and the log's layout version, then one {@link DoorbellDescriptor} region on a
 * cache line of its own that blocked readers sleep on and appenders ring.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                            Magic                              |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Layout Version                         |
 *  +---------------------------------------------------------------+
 *  |                        Header Length                          |
 *  +---------------------------------------------------------------+
 *  |                        Creation Time (epoch ms)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Padding to 64 bytes                       |
 *  +---------------------------------------------------------------+
 *  |                 Doorbell (DoorbellDescriptor)                 |
 *  |                         64 bytes                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * The file is written whole under a temporary name and then linked to {@value #FILE_NAME} (a link never replaces an
 * existing file), so an opener never sees a half-written header.
 */
public final class LogDoorbellDescriptor
{
    /** Name of the doorbell file in a log's directory. */
    public static final String FILE_NAME = "ipckit-log.doorbell";
    /** Magic number: "IPCKLOG1" in ASCII, little-endian. */
    public static final long MAGIC = 0x31474F4C4B435049L;
    /** The layout version of a log (doorbell file and record framing) that this ipckit writes and reads. */
    public static final int LAYOUT_VERSION = 1;
    /** Offset of the magic number. */
    public static final int MAGIC_OFFSET;
    /** Offset of the layout version. */
    public static final int LAYOUT_VERSION_OFFSET;
    /** Offset of the header length, which is the doorbell's offset. */
    public static final int HEADER_LENGTH_OFFSET;
    /** Offset of the creation time in epoch milliseconds. */
    public static final int CREATION_TIME_OFFSET;
    /** Length of the header: one cache line. */
    public static final int HEADER_LENGTH = CACHE_LINE_LENGTH;
    /** Offset of the doorbell region. */
    public static final int DOORBELL_OFFSET = HEADER_LENGTH;
    /** Length of the whole file in bytes. */
    public static final int FILE_LENGTH = HEADER_LENGTH + DoorbellDescriptor.LENGTH;

    static
    {
        int offset = 0;
        MAGIC_OFFSET = offset;
        offset += SIZE_OF_LONG;
        LAYOUT_VERSION_OFFSET = offset;
        offset += SIZE_OF_INT;
        HEADER_LENGTH_OFFSET = offset;
        offset += SIZE_OF_INT;
        CREATION_TIME_OFFSET = offset;
        offset += SIZE_OF_LONG;
        if (offset > HEADER_LENGTH)
        {
            throw new ExceptionInInitializerError("log doorbell header exceeds a cache line");
        }
    }

    private LogDoorbellDescriptor()
    {
    }
}
