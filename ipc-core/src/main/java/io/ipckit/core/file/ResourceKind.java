package io.ipckit.core.file;

/**
 * The kinds of typed resource, recorded in every header so that opening a name as the wrong kind fails with a
 * message that says what the name really is. Codes are part of the file format: never renumber them.
 */
public enum ResourceKind
{
    /** A numpy-style n-dimensional array (ipc-shm). */
    SHARED_ARRAY(1, "SharedArray"),
    /** A typed scalar or fixed array, Python's {@code Value}/{@code Array} (ipc-shm). */
    SHARED_VALUE(2, "SharedValue"),
    /** A fixed-length list of mixed items, Python's {@code ShareableList} (ipc-shm). */
    SHAREABLE_LIST(3, "ShareableList"),
    /** A concurrent hash map, {@code manager.dict()} without a manager (ipc-shm). */
    SHARED_DICT(4, "SharedDict"),
    /** A mutual-exclusion lock (ipc-shm sync). */
    LOCK(10, "Lock"),
    /** A reentrant lock (ipc-shm sync). */
    RLOCK(11, "RLock"),
    /** A counting semaphore (ipc-shm sync). */
    SEMAPHORE(12, "Semaphore"),
    /** An event flag (ipc-shm sync). */
    EVENT(13, "Event"),
    /** A condition variable with its lock (ipc-shm sync). */
    CONDITION(14, "Condition"),
    /** A cyclic barrier (ipc-shm sync). */
    BARRIER(15, "Barrier"),
    /** A two-ended pipe (ipc-pipe). */
    PIPE(20, "Pipe"),
    /** A message queue (ipc-pipe). */
    QUEUE(21, "Queue"),
    /** A worker pool's control block (ipc-pipe). */
    POOL(22, "Pool"),
    /** A manager process's control block (ipc-pipe). */
    MANAGER(23, "Manager"),
    /** A resource used only by tests and examples. */
    TEST(99, "TestResource");

    private final int code;
    private final String displayName;

    ResourceKind(final int code, final String displayName)
    {
        this.code = code;
        this.displayName = displayName;
    }

    /**
     * @return the code stored in the header.
     */
    public int code()
    {
        return code;
    }

    /**
     * @return the name users know this kind by, e.g. {@code SharedArray}.
     */
    public String displayName()
    {
        return displayName;
    }

    /**
     * @param code a code read from a header.
     * @return the kind, or null when the code is unknown.
     */
    public static ResourceKind fromCode(final int code)
    {
        for (final ResourceKind kind : values())
        {
            if (kind.code == code)
            {
                return kind;
            }
        }
        return null;
    }
}
