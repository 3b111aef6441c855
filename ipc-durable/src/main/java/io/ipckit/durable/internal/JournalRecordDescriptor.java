package io.ipckit.durable.internal;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of one {@code Journal} entry, the payload of one log record: a mutation with the identity of the process
 * that asked for it and that process's own sequence number, or a snapshot of the whole state. A snapshot of type
 * {@link #TYPE_SNAPSHOT} holds the state after every entry before it; one of type {@link #TYPE_SNAPSHOT_OF_EARLIER}
 * holds the state after the entry whose index is in its Caller Sequence Number field, and the entries between that
 * one and the snapshot come after it in a replay (its state was taken at that entry and written later, while they
 * were appended).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                             Type                              |
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            |
 *  +---------------------------------------------------------------+
 *  |                     Caller Pid (0 for a snapshot)             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Caller Process Start Time                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |    Caller Sequence Number (type 3: the last entry it covers)  |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Mutation or snapshot bytes               ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class JournalRecordDescriptor
{
    /** Type of a mutation entry. */
    public static final int TYPE_MUTATION = 1;
    /** Type of a snapshot entry that covers every entry before it. */
    public static final int TYPE_SNAPSHOT = 2;
    /**
     * Type of a snapshot entry that covers the entries up to the one at the index in its
     * {@link #CALLER_SEQUENCE_OFFSET} field. An ipckit older than this type refuses it as unknown, as it must: it would
     * skip the entries between that one and the snapshot.
     */
    public static final int TYPE_SNAPSHOT_OF_EARLIER = 3;
    /** Offset of the entry's type. */
    public static final int TYPE_OFFSET;
    /** Offset of the caller's pid. */
    public static final int CALLER_PID_OFFSET;
    /** Offset of the caller's process start time. */
    public static final int CALLER_START_TIME_OFFSET;
    /** Offset of the caller's sequence number. */
    public static final int CALLER_SEQUENCE_OFFSET;
    /** Offset of the body, and the header's length. */
    public static final int BODY_OFFSET;

    static
    {
        int offset = 0;
        TYPE_OFFSET = offset;
        offset += SIZE_OF_INT;
        offset += SIZE_OF_INT; // reserved: keeps the longs aligned
        CALLER_PID_OFFSET = offset;
        offset += SIZE_OF_LONG;
        CALLER_START_TIME_OFFSET = offset;
        offset += SIZE_OF_LONG;
        CALLER_SEQUENCE_OFFSET = offset;
        offset += SIZE_OF_LONG;
        BODY_OFFSET = offset;
    }

    private JournalRecordDescriptor()
    {
    }
}
