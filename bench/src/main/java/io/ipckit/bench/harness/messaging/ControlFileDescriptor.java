package io.ipckit.bench.harness.messaging;

/**
 * Layout of the control file through which the harness and the worker processes of one measurement start together
 * and agree when to stop. Hot fields sit on their own cache lines.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   Ready count (workers ready)                 |
 *  +---------------------------------------------------------------+
 *  |                     ... to a cache line ...                  ...
 *  +---------------------------------------------------------------+
 *  |                       Go (0, then 1)                          |
 *  +---------------------------------------------------------------+
 *  |                          Unused                               |
 *  +---------------------------------------------------------------+
 *  |                  Go time (System.nanoTime)                    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     ... to a cache line ...                  ...
 *  +---------------------------------------------------------------+
 *  |                   Failed (0, or 1 when a worker failed)       |
 *  +---------------------------------------------------------------+
 *  |                     ... to offset 256 ...                    ...
 *  +---------------------------------------------------------------+
 *  |  Slot 0: final count + 1 (0 = not final yet), own cache line  |
 *  |          consumed count, own cache line                       |
 *  +---------------------------------------------------------------+
 *  |  Slots 1 to 7 alike                                          ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class ControlFileDescriptor
{
    /** Cache line length assumed for padding. */
    public static final int CACHE_LINE_LENGTH = 64;
    /** Offset of the count of workers that have opened their channels (int). */
    public static final int READY_COUNT_OFFSET;
    /** Offset of the go flag (int), set by the harness with a release store after the go time. */
    public static final int GO_OFFSET;
    /** Offset of the harness's {@link System#nanoTime()} at go (long). */
    public static final int GO_TIME_NS_OFFSET;
    /** Offset of the failed flag (int): a worker that fails sets it so that the others stop at once. */
    public static final int FAILED_OFFSET;
    /** Offset of the first slot. */
    public static final int SLOTS_OFFSET;
    /** Offset in a slot of the producer's final count plus one (long). */
    public static final int SLOT_FINAL_COUNT_OFFSET = 0;
    /** Offset in a slot of the consumer's consumed count (long). */
    public static final int SLOT_CONSUMED_OFFSET = CACHE_LINE_LENGTH;
    /** Length of a slot. */
    public static final int SLOT_LENGTH = 2 * CACHE_LINE_LENGTH;
    /** How many slots there are (producer or consumer indexes 0 to 7). */
    public static final int SLOT_COUNT = 8;
    /** Length of the file. */
    public static final int FILE_LENGTH;

    static
    {
        int offset = 0;
        READY_COUNT_OFFSET = offset;
        offset += CACHE_LINE_LENGTH;
        GO_OFFSET = offset;
        GO_TIME_NS_OFFSET = offset + 8;
        offset += CACHE_LINE_LENGTH;
        FAILED_OFFSET = offset;
        offset += 2 * CACHE_LINE_LENGTH;
        SLOTS_OFFSET = offset;
        offset += SLOT_COUNT * SLOT_LENGTH;
        FILE_LENGTH = offset;
    }

    private ControlFileDescriptor()
    {
    }

    /**
     * @param slot a slot index.
     * @return the offset of its final count field.
     */
    public static int finalCountOffset(final int slot)
    {
        return SLOTS_OFFSET + slot * SLOT_LENGTH + SLOT_FINAL_COUNT_OFFSET;
    }

    /**
     * @param slot a slot index.
     * @return the offset of its consumed count field.
     */
    public static int consumedOffset(final int slot)
    {
        return SLOTS_OFFSET + slot * SLOT_LENGTH + SLOT_CONSUMED_OFFSET;
    }
}
