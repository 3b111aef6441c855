package io.ipckit.core.file;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of the header at the start of every typed resource file. All fields are little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        Magic "IPCKIT.1"                       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Kind Code                            |
 *  +---------------------------------------------------------------+
 *  |                        Layout Version                         |
 *  +---------------------------------------------------------------+
 *  |                     Header Length (bytes)                     |
 *  +---------------------------------------------------------------+
 *  |                            Flags                              |
 *  +---------------------------------------------------------------+
 *  |                      Total Length (bytes)                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Creator Pid                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Creator Start Time                       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Creation Time (epoch millis)                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Ready (written last, release)                 |
 *  +---------------------------------------------------------------+
 *  |                    Reserved to 64 bytes                       |
 *  +---------------------------------------------------------------+
 *  |       Kind-specific metadata, up to Header Length             |
 *  +---------------------------------------------------------------+
 *  |         Data, from Header Length (64-byte aligned)            |
 *  +---------------------------------------------------------------+
 * </pre>
 * The creator fills every field, then stores {@link #READY} at {@link #READY_OFFSET} with release semantics; an
 * opener reads it with acquire semantics and trusts nothing before that.
 */
public final class ResourceHeaderDescriptor
{
    /** "IPCKIT.1" read as a little-endian long. */
    public static final long MAGIC = 0x312E54494B435049L;
    /** The value of the ready field once the creator has published the file. */
    public static final int READY = 0x59444552; // "REDY"
    /** Flag: the resource survives the death of its creator (the resource tracker leaves it alone). */
    public static final int FLAG_PERSISTENT = 1;

    /** Offset of the magic number. */
    public static final int MAGIC_OFFSET;
    /** Offset of the {@link ResourceKind} code. */
    public static final int KIND_OFFSET;
    /** Offset of the layout version of the kind. */
    public static final int LAYOUT_VERSION_OFFSET;
    /** Offset of the header length, which is where the data starts. */
    public static final int HEADER_LENGTH_OFFSET;
    /** Offset of the flags. */
    public static final int FLAGS_OFFSET;
    /** Offset of the total file length. */
    public static final int TOTAL_LENGTH_OFFSET;
    /** Offset of the creator's pid. */
    public static final int CREATOR_PID_OFFSET;
    /** Offset of the creator's process start time. */
    public static final int CREATOR_START_TIME_OFFSET;
    /** Offset of the creation time, epoch milliseconds. */
    public static final int CREATION_TIME_OFFSET;
    /** Offset of the ready field, written last. */
    public static final int READY_OFFSET;
    /** Length of the common header; kind-specific metadata starts here. */
    public static final int COMMON_HEADER_LENGTH = 64;
    /** Alignment of the header length and so of the data. */
    public static final int DATA_ALIGNMENT = 64;

    static
    {
        int offset = 0;
        MAGIC_OFFSET = offset;
        offset += SIZE_OF_LONG;
        KIND_OFFSET = offset;
        offset += SIZE_OF_INT;
        LAYOUT_VERSION_OFFSET = offset;
        offset += SIZE_OF_INT;
        HEADER_LENGTH_OFFSET = offset;
        offset += SIZE_OF_INT;
        FLAGS_OFFSET = offset;
        offset += SIZE_OF_INT;
        TOTAL_LENGTH_OFFSET = offset;
        offset += SIZE_OF_LONG;
        CREATOR_PID_OFFSET = offset;
        offset += SIZE_OF_LONG;
        CREATOR_START_TIME_OFFSET = offset;
        offset += SIZE_OF_LONG;
        CREATION_TIME_OFFSET = offset;
        offset += SIZE_OF_LONG;
        READY_OFFSET = offset;
    }

    private ResourceHeaderDescriptor()
    {
    }

    /**
     * @param metadataLengthBytes the kind-specific metadata length.
     * @return the header length for that metadata, aligned to {@link #DATA_ALIGNMENT}.
     */
    public static int headerLength(final int metadataLengthBytes)
    {
        return org.agrona.BitUtil.align(COMMON_HEADER_LENGTH + metadataLengthBytes, DATA_ALIGNMENT);
    }
}
