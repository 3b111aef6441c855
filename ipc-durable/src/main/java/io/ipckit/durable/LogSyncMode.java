package io.ipckit.durable;

/**
 * When appended records are forced to the disk. Every committed record survives the death of any process whatever
 * the mode (it is in the operating system's page cache); the mode decides what survives the death of the machine.
 */
public enum LogSyncMode
{
    /** The operating system writes records back when it chooses; {@link SharedLog#sync()} forces them. Default. */
    NONE,
    /**
     * Every append returns only once its record is on the disk (an {@code fsync} per append or batch; after a roll,
     * of the previous cycle file and of the log's directory too, as {@link SharedLog#sync()} does).
     */
    EVERY_APPEND
}
