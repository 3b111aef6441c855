package io.ipckit.manager.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * The fast path of the value encoding: {@code null}, {@link String} (up to 1,024 chars, and
 * well-formed UTF-16: no lone surrogate), {@link Integer}, {@link Long},
 * {@link Boolean}, {@link Double}, {@code byte[]}, an {@code Object[]} of such values (a factory's arguments, up to
 * {@link #MAX_DEPTH} deep) and a {@link ProxyRef} (what creating or looking up an object returns) are written as a
 * tag byte and their bytes, without an object stream (whose header and class descriptors cost more than the call
 * itself for small values: creating a proxy took about 80 µs through it). Anything else goes through
 * {@link WireCodec}. Nothing is instantiated from a tag but these types, so the fast path needs no filter; a ref
 * read goes through the reader's resolver as it would through {@link WireCodec}, and a ref written through the
 * writer's (the manager counts the references it hands out). Thread-safe (stateless).
 */
final class CompactValues
{
    private static final byte NULL = 0;
    private static final byte STRING = 1;
    private static final byte INTEGER = 2;
    private static final byte LONG = 3;
    private static final byte BOOLEAN = 4;
    private static final byte DOUBLE = 5;
    private static final byte BYTES = 6;
    private static final byte ARRAY = 7;
    private static final byte REF = 8;
    /** Deepest nesting of arrays sent compact. */
    private static final int MAX_DEPTH = 3;
    /** Longest byte array sent compact. */
    private static final int MAX_BYTES = 64 * 1024;
    /** Longest string sent compact, in chars: longer ones are rare and fine through the object stream. */
    private static final int MAX_STRING_CHARS = 1024;

    private CompactValues()
    {
    }

    static boolean encodable(final Object value)
    {
        return encodable(value, 0);
    }

    static boolean encodable(final Object[] values)
    {
        return encodable(values, 0);
    }

    private static boolean encodable(final Object value, final int depth)
    {
        return value == null || value instanceof Integer || value instanceof Long || value instanceof Boolean ||
            value instanceof Double ||
            (value instanceof String s && s.length() <= MAX_STRING_CHARS && wellFormed(s)) ||
            (value instanceof byte[] b && b.length <= MAX_BYTES) || value instanceof ProxyRef ||
            (value instanceof Object[] a && a.getClass() == Object[].class && depth < MAX_DEPTH &&
            encodable(a, depth + 1));
    }

    /**
     * @return false when {@code s} holds a surrogate that is not half of a pair: UTF-8, the compact form, would write
     * it as {@code '?'}, where the object stream keeps it.
     */
    private static boolean wellFormed(final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (Character.isSurrogate(c))
            {
                if (!Character.isHighSurrogate(c) || i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))
                {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    private static boolean encodable(final Object[] values, final int depth)
    {
        if (values.length > 127)
        {
            return false;
        }
        for (final Object value : values)
        {
            if (!encodable(value, depth))
            {
                return false;
            }
        }
        return true;
    }

    static void write(final Wire.Out out, final Object value)
    {
        write(out, value, null);
    }

    /**
     * @param refs applied to each {@link ProxyRef} written (the manager counts it), or null.
     */
    static void write(final Wire.Out out, final Object value, final UnaryOperator<Object> refs)
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
            case byte[] b ->
            {
                out.putByte(BYTES).putInt(b.length);
                out.write(b, 0, b.length);
            }
            case Object[] a ->
            {
                out.putByte(ARRAY);
                write(out, a, refs);
            }
            case ProxyRef ref ->
            {
                final ProxyRef written = refs == null ? ref : (ProxyRef)refs.apply(ref);
                out.putByte(REF).putString(written.managerId()).putLong(written.objectId())
                    .putString(written.typeid()).putString(written.interfaceName());
            }
            default -> throw new IllegalArgumentException("not a compact value: " + value.getClass().getName());
        }
    }

    static void write(final Wire.Out out, final Object[] values)
    {
        write(out, values, null);
    }

    private static void write(final Wire.Out out, final Object[] values, final UnaryOperator<Object> refs)
    {
        out.putByte(values.length);
        for (final Object value : values)
        {
            write(out, value, refs);
        }
    }

    static Object read(final ByteBuffer in)
    {
        return read(in, UnaryOperator.identity(), 0);
    }

    /**
     * @param refs given each {@link ProxyRef} read; its result is the value (a proxy in a client).
     */
    static Object read(final ByteBuffer in, final UnaryOperator<Object> refs)
    {
        return read(in, refs, 0);
    }

    private static Object read(final ByteBuffer in, final UnaryOperator<Object> refs, final int depth)
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
            case BYTES ->
            {
                final int length = in.getInt();
                if (length < 0 || length > in.remaining())
                {
                    throw new IllegalArgumentException("corrupt compact byte array length " + length);
                }
                final byte[] bytes = new byte[length];
                in.get(bytes);
                yield bytes;
            }
            case ARRAY ->
            {
                if (depth >= MAX_DEPTH)
                {
                    throw new IllegalArgumentException("compact arrays nested deeper than " + MAX_DEPTH);
                }
                yield readArray(in, refs, depth + 1);
            }
            case REF -> refs.apply(new ProxyRef(Wire.getString(in), in.getLong(), Wire.getString(in),
                Wire.getString(in)));
            default -> throw new IllegalArgumentException("unknown compact value tag " + tag);
        };
    }

    static Object[] readArray(final ByteBuffer in)
    {
        return readArray(in, UnaryOperator.identity(), 0);
    }

    /**
     * @param refs given each {@link ProxyRef} read.
     */
    static Object[] readArray(final ByteBuffer in, final UnaryOperator<Object> refs)
    {
        return readArray(in, refs, 0);
    }

    private static Object[] readArray(final ByteBuffer in, final UnaryOperator<Object> refs, final int depth)
    {
        final int count = in.get();
        if (count < 0)
        {
            throw new IllegalArgumentException("corrupt compact argument count " + count);
        }
        final Object[] values = new Object[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = read(in, refs, depth);
        }
        return values;
    }
}
