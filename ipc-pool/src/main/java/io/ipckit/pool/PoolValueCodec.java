package io.ipckit.pool;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.IpcException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.ObjectInputFilter;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the values that travel between a pool and its workers (tasks, arguments, results, exceptions): a tag
 * byte, then common types in a compact form without Java serialization (null, Integer, Long, Double, String,
 * byte[], Boolean) and anything else through Java serialization. Decoding serialized objects goes through the
 * given {@link ObjectInputFilter}; a worker trusts its parent (the parent chose its code), the parent admits only
 * the allow-list of its pool.
 * <p>
 * Thread-safe.
 */
final class PoolValueCodec
{
    private static final byte NULL = 0;
    private static final byte INTEGER = 1;
    private static final byte LONG = 2;
    private static final byte DOUBLE = 3;
    private static final byte STRING = 4;
    private static final byte BYTES = 5;
    private static final byte BOOLEAN = 6;
    private static final byte OBJECT = 7;

    private final Codec<Object> objects;

    /**
     * @param filter the filter for serialized objects, or null to admit any class on the class path.
     */
    PoolValueCodec(final ObjectInputFilter filter)
    {
        this.objects = Codecs.serializable(filter,
            "allow its package with new PoolOptions().allowClasses(\"com.example.**\")");
    }

    /**
     * Writes a tagged value.
     *
     * @return bytes written.
     * @throws IpcException when the value is neither a compact type nor serializable.
     */
    int encode(final Object value, final MutableDirectBuffer buffer, final int offset)
    {
        if (value == null)
        {
            buffer.putByte(offset, NULL);
            return 1;
        }
        if (value instanceof Integer i)
        {
            buffer.putByte(offset, INTEGER);
            buffer.putInt(offset + 1, i, ByteOrder.LITTLE_ENDIAN);
            return 5;
        }
        if (value instanceof Long l)
        {
            buffer.putByte(offset, LONG);
            buffer.putLong(offset + 1, l, ByteOrder.LITTLE_ENDIAN);
            return 9;
        }
        if (value instanceof Double d)
        {
            buffer.putByte(offset, DOUBLE);
            buffer.putDouble(offset + 1, d, ByteOrder.LITTLE_ENDIAN);
            return 9;
        }
        if (value instanceof Boolean b)
        {
            buffer.putByte(offset, BOOLEAN);
            buffer.putByte(offset + 1, b ? (byte)1 : (byte)0);
            return 2;
        }
        if (value instanceof String s)
        {
            buffer.putByte(offset, STRING);
            return 1 + buffer.putStringWithoutLengthUtf8(offset + 1, s);
        }
        if (value instanceof byte[] bytes)
        {
            buffer.putByte(offset, BYTES);
            buffer.putBytes(offset + 1, bytes);
            return 1 + bytes.length;
        }
        buffer.putByte(offset, OBJECT);
        return 1 + objects.encode(value, buffer, offset + 1);
    }

    /**
     * Reads a tagged value written by {@link #encode}.
     *
     * @throws IpcException when the bytes are not a valid encoding or the filter refuses a class.
     */
    Object decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1)
        {
            throw new IpcException("empty pool message value: the pool and its worker disagree on the protocol");
        }
        final byte tag = buffer.getByte(offset);
        return switch (tag)
        {
            case NULL -> null;
            case INTEGER -> buffer.getInt(offset + 1, ByteOrder.LITTLE_ENDIAN);
            case LONG -> buffer.getLong(offset + 1, ByteOrder.LITTLE_ENDIAN);
            case DOUBLE -> buffer.getDouble(offset + 1, ByteOrder.LITTLE_ENDIAN);
            case BOOLEAN -> buffer.getByte(offset + 1) == 1;
            case STRING ->
            {
                final byte[] bytes = new byte[length - 1];
                buffer.getBytes(offset + 1, bytes);
                yield new String(bytes, StandardCharsets.UTF_8);
            }
            case BYTES ->
            {
                final byte[] bytes = new byte[length - 1];
                buffer.getBytes(offset + 1, bytes);
                yield bytes;
            }
            case OBJECT -> objects.decode(buffer, offset + 1, length - 1);
            default -> throw new IpcException("unknown value tag " + tag + " in a pool message: the pool and its " +
                "worker run different ipckit versions");
        };
    }
}
