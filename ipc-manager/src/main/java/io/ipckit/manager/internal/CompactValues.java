package io.ipckit.manager.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The fast path of the value encoding: {@code null}, {@link String}, {@link Integer}, {@link Long},
 * {@link Boolean} and {@link Double} are written as a tag byte and their bytes, without an object stream (whose
 * header and class descriptors cost more than the call itself for small values). Anything else goes through
 * {@link WireCodec}. Nothing is instantiated from a tag but these six types, so the fast path needs no filter.
 * Thread-safe (stateless).
 */
final class CompactValues
{
    private static final byte NULL = 0;
    private static final byte STRING = 1;
    private static final byte INTEGER = 2;
    private static final byte LONG = 3;
    private static final byte BOOLEAN = 4;
    private static final byte DOUBLE = 5;
    /** Longest string sent compact, in chars: longer ones are rare and fine through the object stream. */
    private static final int MAX_STRING_CHARS = 1024;

    private CompactValues()
    {
    }

    static boolean encodable(final Object value)
    {
        return value == null || value instanceof Integer || value instanceof Long || value instanceof Boolean ||
            value instanceof Double || (value instanceof String s && s.length() <= MAX_STRING_CHARS);
    }

    static boolean encodable(final Object[] values)
    {
        if (values.length > 127)
        {
            return false;
        }
        for (final Object value : values)
        {
            if (!encodable(value))
            {
                return false;
            }
        }
        return true;
    }

    static void write(final Wire.Out out, final Object value)
    {
        switch (value)
        {
            case null -> out.putByte(NULL);
            case String s ->
            {
                out.putByte(STRING);
                final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                out.putInt(bytes.length);
                out.write(bytes, 0, bytes.length);
            }
            case Integer i -> out.putByte(INTEGER).putInt(i);
            case Long l -> out.putByte(LONG).putLong(l);
            case Boolean b -> out.putByte(BOOLEAN).putByte(b ? 1 : 0);
            case Double d -> out.putByte(DOUBLE).putLong(Double.doubleToRawLongBits(d));
            default -> throw new IllegalArgumentException("not a compact value: " + value.getClass().getName());
        }
    }

    static void write(final Wire.Out out, final Object[] values)
    {
        out.putByte(values.length);
        for (final Object value : values)
        {
            write(out, value);
        }
    }

    static Object read(final ByteBuffer in)
    {
        final byte tag = in.get();
        return switch (tag)
        {
            case NULL -> null;
            case STRING ->
            {
                final int length = in.getInt();
                if (length < 0 || length > in.remaining())
                {
                    throw new IllegalArgumentException("corrupt compact string length " + length);
                }
                final String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
                in.position(in.position() + length);
                yield s;
            }
            case INTEGER -> in.getInt();
            case LONG -> in.getLong();
            case BOOLEAN -> in.get() != 0;
            case DOUBLE -> Double.longBitsToDouble(in.getLong());
            default -> throw new IllegalArgumentException("unknown compact value tag " + tag);
        };
    }

    static Object[] readArray(final ByteBuffer in)
    {
        final int count = in.get();
        if (count < 0)
        {
            throw new IllegalArgumentException("corrupt compact argument count " + count);
        }
        final Object[] values = new Object[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = read(in);
        }
        return values;
    }
}
