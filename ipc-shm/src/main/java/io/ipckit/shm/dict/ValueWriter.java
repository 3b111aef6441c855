package io.ipckit.shm.dict;

import org.agrona.MutableDirectBuffer;

/**
 * Writes a value of a {@link SharedDict} directly into its place in the shared mapping: the zero-copy form of
 * {@link SharedDict#put(Object, Object)}, the dict's claim. The space is out of place (no reader can see it yet);
 * the dict publishes it with one store after the writer returns, or drops it if the writer throws.
 * <p>
 * The writer runs while this process holds the key's segment lock: keep it short, and write only within
 * {@code [offset, offset + length)}.
 */
@FunctionalInterface
public interface ValueWriter
{
    /**
     * Fills the claimed value.
     *
     * @param buffer the dict's mapping.
     * @param offset where the value starts (8-byte aligned).
     * @param length the length claimed, in bytes.
     */
    void write(MutableDirectBuffer buffer, int offset, int length);
}
