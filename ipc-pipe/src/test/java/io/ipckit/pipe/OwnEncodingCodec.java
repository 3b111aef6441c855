package io.ipckit.pipe;

import io.ipckit.core.codec.Codec;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A codec whose values are their own encoding ({@link Codec#encodedArray}) and whose {@link #encode} fails: a
 * sender that encodes instead of copying the array is caught.
 */
public final class OwnEncodingCodec implements Codec<OwnEncodingCodec.Blob>
{
    /** A value held as the bytes of its encoding. */
    public record Blob(byte[] bytes)
    {
    }

    @Override
    public int encode(final Blob value, final MutableDirectBuffer buffer, final int offset)
    {
        throw new AssertionError("encoded although its array is its encoding");
    }

    @Override
    public Blob decode(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new Blob(bytes);
    }

    @Override
    public byte[] encodedArray(final Blob value)
    {
        return value.bytes();
    }

    /**
     * @param length a length.
     * @param seed   varies the contents.
     * @return a blob of that length.
     */
    public static Blob blob(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed * 31 + i);
        }
        return new Blob(bytes);
    }
}
