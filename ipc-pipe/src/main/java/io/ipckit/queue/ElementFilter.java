package io.ipckit.queue;

import org.agrona.DirectBuffer;

/**
 * Looks at one encoded element where it lies, for the walks of a {@link QueueCore} (peek, iteration, removal).
 * Not thread-safe: called by the walking thread only, while it holds the consumer side's lock.
 */
@FunctionalInterface
interface ElementFilter
{
    /**
     * @param buffer the buffer holding the encoded element; valid during the call only.
     * @param offset where the element starts.
     * @param length its length in bytes.
     * @return true to stop the walk at this element.
     */
    boolean stopAt(DirectBuffer buffer, int offset, int length);
}
