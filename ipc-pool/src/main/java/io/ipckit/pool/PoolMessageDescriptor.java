package io.ipckit.pool;

import io.ipckit.core.exceptions.CorruptResourceException;
import org.agrona.DirectBuffer;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of the messages between a pool and its workers (little-endian, inside a ring record).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         Message Type                          |
 *  +---------------------------------------------------------------+
 *  |                 Task Id (pid in READY messages)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Function Id (max tasks per worker in INIT)           |
 *  +---------------------------------------------------------------+
 *  |                          Item Count                           |
 *  +---------------------------------------------------------------+
 *  |  Items: [Status (results only, 1 byte)][Length][Tagged Value] ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Values are encoded by {@link PoolValueCodec}. The value of a {@link #FAILED} item is a failure:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |            Exception Length (0: it could not be sent)         |
 *  +---------------------------------------------------------------+
 *  |  [Tagged Exception][Tagged Stand-in: a RemoteTaskException]   ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The pool delivers the exception, or the stand-in (its class, message and stack as text) when it cannot
 * deserialize the exception.
 */
final class PoolMessageDescriptor
{
    /** Pool to worker: run the initializer (item 0, may be null), then report READY. */
    static final int INIT = 1;
    /** Pool to worker: remember function (item 0) under the function id. */
    static final int FUNCTION = 2;
    /** Pool to worker: run the Callable or Runnable in item 0. */
    static final int CALL = 3;
    /** Pool to worker: apply the function to each item (an Object[] pair for two-argument functions). */
    static final int APPLY = 4;
    /** Pool to worker: exit now. */
    static final int STOP = 5;
    /** Pool to worker: drop the function under the function id (no task sent later uses it). */
    static final int FORGET = 6;
    /** Worker to pool: initialised, ready for tasks. */
    static final int READY = 11;
    /** Worker to pool: the results of a task, one per item. */
    static final int RESULT = 12;
    /** Worker to pool: the initializer threw (item 0). */
    static final int INIT_FAILED = 13;

    /** Item status: the value is a result. */
    static final byte OK = 0;
    /** Item status: the value is the Throwable the task threw, and a stand-in for it (see the class's comment). */
    static final byte FAILED = 1;
    /** The bytes before a failure's exception: its length. */
    static final int FAILURE_HEADER_LENGTH = SIZE_OF_INT;

    static final int TYPE_OFFSET;
    static final int TASK_ID_OFFSET;
    static final int FUNCTION_ID_OFFSET;
    static final int COUNT_OFFSET;
    static final int ITEMS_OFFSET;
    /** The bytes before each item's value in a message to a worker: its length. */
    static final int ITEM_HEADER_TO_WORKER = SIZE_OF_INT;
    /** The bytes before each item's value in a message to the pool: its status and its length. */
    static final int ITEM_HEADER_TO_POOL = 1 + SIZE_OF_INT;

    static
    {
        int offset = 0;
        TYPE_OFFSET = offset;
        offset += SIZE_OF_INT;
        TASK_ID_OFFSET = offset;
        offset += SIZE_OF_LONG;
        FUNCTION_ID_OFFSET = offset;
        offset += SIZE_OF_INT;
        COUNT_OFFSET = offset;
        offset += SIZE_OF_INT;
        ITEMS_OFFSET = offset;
    }

    private PoolMessageDescriptor()
    {
    }

    /**
     * Reads a message's item count, checked against the message's length: messages are read in place from a pipe
     * file that another program could overwrite, and a count taken on trust would allocate without bound.
     *
     * @param buffer          the ring holding the message.
     * @param index           where the message starts.
     * @param length          the message's length.
     * @param itemHeaderBytes the bytes before each item's value: {@link #ITEM_HEADER_TO_WORKER} or
     *                        {@link #ITEM_HEADER_TO_POOL}.
     * @param channel         the pipe, for the message.
     * @return the count, from 0 to as many items as the message's bytes can hold.
     * @throws CorruptResourceException when the message is shorter than its header or cannot hold that many items.
     */
    static int itemCount(
        final DirectBuffer buffer, final int index, final int length, final int itemHeaderBytes, final Object channel)
    {
        if (length < ITEMS_OFFSET)
        {
            throw corrupt(channel, "a message of " + length + " bytes, shorter than its " + ITEMS_OFFSET +
                "-byte header");
        }
        final int count = buffer.getInt(index + COUNT_OFFSET);
        if (count < 0 || count > (length - ITEMS_OFFSET) / itemHeaderBytes)
        {
            throw corrupt(channel, "a message of " + length + " bytes says it holds " + count + " items");
        }
        return count;
    }

    /**
     * Reads the length of an item's value, checked against the end of its message.
     *
     * @param buffer   the ring holding the message.
     * @param lengthAt where the item's length word is (its value follows it).
     * @param end      where the message ends.
     * @param channel  the pipe, for the message.
     * @return the value's length.
     * @throws CorruptResourceException when the word is negative or the value runs past the message.
     */
    static int itemLength(final DirectBuffer buffer, final int lengthAt, final int end, final Object channel)
    {
        if (lengthAt + SIZE_OF_INT > end)
        {
            throw corrupt(channel, "an item past the end of its message");
        }
        final int length = buffer.getInt(lengthAt);
        if (length < 0 || length > end - lengthAt - SIZE_OF_INT)
        {
            throw corrupt(channel, "an item of " + length + " bytes in a message with " +
                (end - lengthAt - SIZE_OF_INT) + " bytes left");
        }
        return length;
    }

    private static CorruptResourceException corrupt(final Object channel, final String what)
    {
        return new CorruptResourceException(channel + " carried " + what + ": its file was overwritten; the pool " +
            "treats the worker as dead");
    }
}
