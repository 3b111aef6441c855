package io.ipckit.core.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Turns values into bytes in a buffer and back, without Java serialization unless asked for. Used by every
 * object-taking API of ipckit (send/recv, put/take); the zero-copy APIs bypass it.
 * <p>
 * Implementations must be stateless or otherwise thread-safe: one codec instance serves every thread.
 *
 * @param <T> the type of value.
 */
public interface Codec<T>
{
    /**
     * Writes {@code value} at {@code offset}. The buffer may be an expandable one
     * ({@link org.agrona.ExpandableArrayBuffer}) that grows as the codec writes; codecs must write through the
     * buffer's {@code put*} methods only.
     *
     * @param value  the value, never null (ipckit rejects nulls before calling a codec).
     * @param buffer where to write.
     * @param offset where the encoding starts.
     * @return the number of bytes written.
     */
    int encode(T value, MutableDirectBuffer buffer, int offset);

    /**
     * Reads a value written by {@link #encode}.
     *
     * @param buffer the buffer holding the encoding.
     * @param offset where the encoding starts.
     * @param length its length in bytes.
     * @return the value; a new object that does not refer to {@code buffer}.
     * @throws io.ipckit.core.exceptions.IpcException when the bytes are not a valid encoding.
     */
    T decode(DirectBuffer buffer, int offset, int length);

    /**
     * The value's encoding when it is already, whole, the contents of one array the value holds (as a {@code byte[]}
     * is its own encoding in {@link Codecs#BYTES}): a sender then copies the array straight into shared memory,
     * once, instead of encoding into a scratch buffer and copying that. The default returns null: the value is
     * encoded by {@link #encode}.
     * <p>
     * The array must not change while the send that asked for it runs (it is read, not kept, by the sender).
     *
     * @param value the value, never null.
     * @return the array whose every byte is the encoding of {@code value}, or null when it must be encoded.
     */
    default byte[] encodedArray(final T value)
    {
        return null;
    }

    /**
     * @return the most bytes an encoding can take, or -1 when unbounded; lets a sender claim space up front.
     */
    default int maxEncodedLength()
    {
        return -1;
    }
}
