package io.ipckit.pool;

import io.ipckit.core.exceptions.CorruptResourceException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.ipckit.pool.PoolMessageDescriptor.COUNT_OFFSET;
import static io.ipckit.pool.PoolMessageDescriptor.ITEMS_OFFSET;
import static io.ipckit.pool.PoolMessageDescriptor.ITEM_HEADER_TO_POOL;
import static io.ipckit.pool.PoolMessageDescriptor.ITEM_HEADER_TO_WORKER;
import static io.ipckit.pool.PoolMessageDescriptor.itemCount;
import static io.ipckit.pool.PoolMessageDescriptor.itemLength;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks of a pool message's count and item lengths, which both the pool's reader and the worker make before
 * they trust a word of a pipe file another program could overwrite. Before, the pool's reader allocated an array of
 * whatever count it read (a count of a billion ran the pool out of heap and killed its reader thread without
 * telling the scheduler) and decoded items past the end of their message.
 */
class PoolMessageDescriptorTest
{
    private static final String CHANNEL = "pool pipe \"test\"";
    private static final int AT = 16;

    /** A result message of two items of 3 and 5 bytes, at {@link #AT} in a larger ring. */
    private static UnsafeBuffer twoResults()
    {
        final UnsafeBuffer ring = new UnsafeBuffer(new byte[256]);
        ring.putInt(AT + COUNT_OFFSET, 2);
        int offset = AT + ITEMS_OFFSET;
        ring.putByte(offset, PoolMessageDescriptor.OK);
        ring.putInt(offset + 1, 3);
        offset += ITEM_HEADER_TO_POOL + 3;
        ring.putByte(offset, PoolMessageDescriptor.OK);
        ring.putInt(offset + 1, 5);
        return ring;
    }

    private static final int TWO_RESULTS_LENGTH = ITEMS_OFFSET + 2 * ITEM_HEADER_TO_POOL + 3 + 5;

    @Test
    void shouldReadTheCountAndLengthsOfAWholeMessage()
    {
        final UnsafeBuffer ring = twoResults();
        final int end = AT + TWO_RESULTS_LENGTH;
        assertEquals(2, itemCount(ring, AT, TWO_RESULTS_LENGTH, ITEM_HEADER_TO_POOL, CHANNEL));
        assertEquals(3, itemLength(ring, AT + ITEMS_OFFSET + 1, end, CHANNEL));
        assertEquals(5, itemLength(ring, AT + ITEMS_OFFSET + ITEM_HEADER_TO_POOL + 3 + 1, end, CHANNEL));
    }

    @Test
    void shouldRefuseACountTheMessageCannotHold()
    {
        final UnsafeBuffer ring = twoResults();
        for (final int count : new int[]{1_000_000_000, -1, 4})
        {
            ring.putInt(AT + COUNT_OFFSET, count);
            final CorruptResourceException ex = assertThrows(CorruptResourceException.class,
                () -> itemCount(ring, AT, TWO_RESULTS_LENGTH, ITEM_HEADER_TO_POOL, CHANNEL));
            assertEquals(CHANNEL + " carried a message of " + TWO_RESULTS_LENGTH + " bytes says it holds " + count +
                " items: its file was overwritten; the pool treats the worker as dead", ex.getMessage());
        }
        final CorruptResourceException shortMessage = assertThrows(CorruptResourceException.class,
            () -> itemCount(ring, AT, ITEMS_OFFSET - 1, ITEM_HEADER_TO_WORKER, CHANNEL));
        assertTrue(shortMessage.getMessage().contains("shorter than its " + ITEMS_OFFSET + "-byte header"),
            shortMessage.getMessage());
    }

    @Test
    void shouldRefuseAnItemThatRunsPastItsMessage()
    {
        final UnsafeBuffer ring = twoResults();
        final int end = AT + TWO_RESULTS_LENGTH;
        final int secondLength = AT + ITEMS_OFFSET + ITEM_HEADER_TO_POOL + 3 + 1;
        for (final int length : new int[]{6, Integer.MAX_VALUE, -1})
        {
            ring.putInt(secondLength, length);
            final CorruptResourceException ex = assertThrows(CorruptResourceException.class,
                () -> itemLength(ring, secondLength, end, CHANNEL));
            assertTrue(ex.getMessage().contains("an item of " + length + " bytes in a message with 5 bytes left"),
                ex.getMessage());
        }
        assertThrows(CorruptResourceException.class, () -> itemLength(ring, end - 2, end, CHANNEL));
    }
}
