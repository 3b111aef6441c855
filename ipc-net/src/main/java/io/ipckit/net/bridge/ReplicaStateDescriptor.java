package io.ipckit.net.bridge;

/**
 * The layout of a replica's state file ({@link #FILE_NAME} in the replica log's directory): which source record the
 * replica appends or appended last, as two slots and a word that says which one is current, so a pair of indices
 * changes with one store.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Magic (written last)                     |
 *  +---------------------------------------------------------------+
 *  |                  Current slot (0 or 1), release               |
 *  +---------------------------------------------------------------+
 *  |        Slot 0: the replica's last index before the append     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        Slot 0: the source index of the record appended        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Slot 1: the same                        |
 *  ...                                                           ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class ReplicaStateDescriptor
{
    /** The file's name in the replica log's directory. */
    static final String FILE_NAME = "ipckit-replica.state";
    /** The magic, "IPRS". */
    static final int MAGIC = 0x53525049;
    /** Offset of the magic, written last at creation. */
    static final int MAGIC_OFFSET;
    /** Offset of the current slot's number, written with a release store after the slot. */
    static final int CURRENT_SLOT_OFFSET;
    /** Offset of slot 0. */
    static final int SLOTS_OFFSET;
    /** Offset of a slot's replica index (the replica log's last index before the append; -1 when it was empty). */
    static final int REPLICA_BEFORE_OFFSET = 0;
    /** Offset of a slot's source index ({@link #NO_RECORD} before the first record). */
    static final int SOURCE_INDEX_OFFSET = Long.BYTES;
    /** Length of a slot. */
    static final int SLOT_LENGTH = 2 * Long.BYTES;
    /** Length of the file. */
    static final int LENGTH;

    /** A slot's source index before the first record. */
    static final long NO_RECORD = -1;

    static
    {
        int offset = 0;
        MAGIC_OFFSET = offset;
        offset += Integer.BYTES;
        CURRENT_SLOT_OFFSET = offset;
        offset += Integer.BYTES;
        SLOTS_OFFSET = offset;
        offset += 2 * SLOT_LENGTH;
        LENGTH = offset;
    }

    private ReplicaStateDescriptor()
    {
    }

    /**
     * @param slot 0 or 1.
     * @return the slot's offset.
     */
    static int slotOffset(final int slot)
    {
        return SLOTS_OFFSET + slot * SLOT_LENGTH;
    }
}
