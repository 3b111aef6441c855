package io.ipckit.net.bridge;

/**
 * The messages of a log's replication, each one {@link io.ipckit.net.NetConnection} message (little-endian, as
 * Agrona's buffers).
 * <p>
 * REQUEST, replica to source, once after connecting: where to start.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Source index (long)                      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                            Mode                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * Mode {@link #FROM_START}: every record still in the source log (the index is ignored); {@link #FROM_INDEX}: from
 * the record at the index; {@link #AFTER_INDEX}: from the record after it.
 * <p>
 * RECORD, source to replica, one per record in the source's order: the record's index in the source log, then its
 * bytes as the source holds them.
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                      Source index (long)                      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Record bytes ...                       |
 *  +---------------------------------------------------------------+
 * </pre>
 * REFUSAL, source to replica, instead of any record, when the source cannot start where asked (the record was
 * deleted by retention, or the replica's index is not from this log): {@link #REFUSED} in place of the index, then
 * the reason in ASCII; the source then closes the connection.
 */
final class BridgeMessageDescriptor
{
    /** Offset of the source index in every message. */
    static final int INDEX_OFFSET = 0;
    /** Offset of a REQUEST's mode. */
    static final int MODE_OFFSET = INDEX_OFFSET + Long.BYTES;
    /** Length of a REQUEST. */
    static final int REQUEST_LENGTH = MODE_OFFSET + Integer.BYTES;
    /** Offset of a RECORD's bytes (and of a REFUSAL's reason). */
    static final int PAYLOAD_OFFSET = INDEX_OFFSET + Long.BYTES;

    /** REQUEST mode: every record still in the source log. */
    static final int FROM_START = 0;
    /** REQUEST mode: from the record at the index. */
    static final int FROM_INDEX = 1;
    /** REQUEST mode: from the record after the index. */
    static final int AFTER_INDEX = 2;

    /** The index word of a REFUSAL (Chronicle's indices are never negative). */
    static final long REFUSED = -2;

    private BridgeMessageDescriptor()
    {
    }
}
