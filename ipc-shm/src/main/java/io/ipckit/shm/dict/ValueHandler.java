package io.ipckit.shm.dict;

import org.agrona.DirectBuffer;

/**
 * Reads a value of a {@link SharedDict} in place, in the shared mapping, without copying it: the zero-copy form of
 * {@link SharedDict#get(Object)}.
 * <p>
 * Readers never lock, so a writer in another process may change the segment while the handler runs: the dict then
 * calls the handler again on the new value, and only the last call of one {@code read} saw a consistent value.
 * A handler must therefore only read (into local state it overwrites on each call), must not act on what it read
 * before {@link SharedDict#read} returns, and must stay within {@code [offset, offset + length)}.
 */
@FunctionalInterface
public interface ValueHandler
{
    /**
     * Called with the value's bytes.
     *
     * @param buffer the dict's mapping.
     * @param offset where the value starts (8-byte aligned).
     * @param length its length in bytes.
     */
    void onValue(DirectBuffer buffer, int offset, int length);
}
