package io.ipckit.core.codec;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.internal.kit.ShortCopy;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The built-in codecs: {@code byte[]}, {@code String} (UTF-8), the boxed primitives (little-endian),
 * {@link DirectBuffer} and {@link ByteBuffer} — none of them uses Java serialization — and the filtered object
 * codec for {@link java.io.Serializable} values ({@link #serializable(String...)}).
 * <p>
 * Every codec here is stateless and thread-safe.
 */
public final class Codecs
{
    /** Raw bytes, copied as they are. */
    public static final Codec<byte[]> BYTES = new Codec<>()
    {
        public int encode(final byte[] value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putBytes(offset, value);
            return value.length;
        }

        public byte[] decode(final DirectBuffer buffer, final int offset, final int length)
        {
            return copyOf(buffer, offset, length);
        }

        public byte[] encodedArray(final byte[] value)
        {
            return value;
        }
    };

    /** Strings as UTF-8 bytes, without a length prefix (the message length is the string length). */
    public static final Codec<String> STRING = new Codec<>()
    {
        public int encode(final String value, final MutableDirectBuffer buffer, final int offset)
        {
            return buffer.putStringWithoutLengthUtf8(offset, value);
        }

        public String decode(final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] bytes = copyOf(buffer, offset, length);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    };

    /** {@code Long} as 8 little-endian bytes. */
    public static final Codec<Long> LONG = new FixedCodec<>("Long", Long.BYTES)
    {
        public int encode(final Long value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putLong(offset, value, ByteOrder.LITTLE_ENDIAN);
            return Long.BYTES;
        }

        Long read(final DirectBuffer buffer, final int offset)
        {
            return buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
        }
    };

    /** {@code Integer} as 4 little-endian bytes. */
    public static final Codec<Integer> INTEGER = new FixedCodec<>("Integer", Integer.BYTES)
    {
        public int encode(final Integer value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putInt(offset, value, ByteOrder.LITTLE_ENDIAN);
            return Integer.BYTES;
        }

        Integer read(final DirectBuffer buffer, final int offset)
        {
            return buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
        }
    };

    /** {@code Short} as 2 little-endian bytes. */
    public static final Codec<Short> SHORT = new FixedCodec<>("Short", Short.BYTES)
    {
        public int encode(final Short value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putShort(offset, value, ByteOrder.LITTLE_ENDIAN);
            return Short.BYTES;
        }

        Short read(final DirectBuffer buffer, final int offset)
        {
            return buffer.getShort(offset, ByteOrder.LITTLE_ENDIAN);
        }
    };

    /** {@code Byte} as 1 byte. */
    public static final Codec<Byte> BYTE = new FixedCodec<>("Byte", Byte.BYTES)
    {
        public int encode(final Byte value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putByte(offset, value);
            return Byte.BYTES;
        }

        Byte read(final DirectBuffer buffer, final int offset)
        {
            return buffer.getByte(offset);
        }
    };

    /** {@code Double} as 8 little-endian bytes (IEEE 754). */
    public static final Codec<Double> DOUBLE = new FixedCodec<>("Double", Double.BYTES)
    {
        public int encode(final Double value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putDouble(offset, value, ByteOrder.LITTLE_ENDIAN);
            return Double.BYTES;
        }

        Double read(final DirectBuffer buffer, final int offset)
        {
            return buffer.getDouble(offset, ByteOrder.LITTLE_ENDIAN);
        }
    };

    /** {@code Float} as 4 little-endian bytes (IEEE 754). */
    public static final Codec<Float> FLOAT = new FixedCodec<>("Float", Float.BYTES)
    {
        public int encode(final Float value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putFloat(offset, value, ByteOrder.LITTLE_ENDIAN);
            return Float.BYTES;
        }

        Float read(final DirectBuffer buffer, final int offset)
        {
            return buffer.getFloat(offset, ByteOrder.LITTLE_ENDIAN);
        }
    };

    /** {@code Character} as 2 little-endian bytes (a UTF-16 unit). */
    public static final Codec<Character> CHARACTER = new FixedCodec<>("Character", Character.BYTES)
    {
        public int encode(final Character value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putChar(offset, value, ByteOrder.LITTLE_ENDIAN);
            return Character.BYTES;
        }

        Character read(final DirectBuffer buffer, final int offset)
        {
            return buffer.getChar(offset, ByteOrder.LITTLE_ENDIAN);
        }
    };

    /** {@code Boolean} as one byte, 0 or 1; any other byte is refused. */
    public static final Codec<Boolean> BOOLEAN = new FixedCodec<>("Boolean", 1)
    {
        public int encode(final Boolean value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putByte(offset, value ? (byte)1 : (byte)0);
            return 1;
        }

        Boolean read(final DirectBuffer buffer, final int offset)
        {
            final byte b = buffer.getByte(offset);
            if (b != 0 && b != 1)
            {
                throw new IpcException("cannot decode a Boolean from byte " + b + ": the sender did not use the " +
                    "Boolean codec; use the same codec on both ends");
            }
            return b == 1;
        }
    };

    /** A {@link DirectBuffer}'s whole capacity, decoded into a new heap-backed buffer (a copy). */
    public static final Codec<DirectBuffer> DIRECT_BUFFER = new Codec<>()
    {
        public int encode(final DirectBuffer value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putBytes(offset, value, 0, value.capacity());
            return value.capacity();
        }

        public DirectBuffer decode(final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] bytes = copyOf(buffer, offset, length);
            return new UnsafeBuffer(bytes);
        }
    };

    /** A {@link ByteBuffer}'s remaining bytes (its position is not moved), decoded into a new heap buffer. */
    public static final Codec<ByteBuffer> BYTE_BUFFER = new Codec<>()
    {
        public int encode(final ByteBuffer value, final MutableDirectBuffer buffer, final int offset)
        {
            final int length = value.remaining();
            buffer.putBytes(offset, value, value.position(), length);
            return length;
        }

        public ByteBuffer decode(final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] bytes = copyOf(buffer, offset, length);
            return ByteBuffer.wrap(bytes);
        }
    };

    /**
     * @return a copy of the slice, checked before the array is allocated: a negative or oversized length from a
     * caller's slice fails as a slice outside its buffer, not as a {@code NegativeArraySizeException} or an
     * {@code OutOfMemoryError}.
     * @throws IndexOutOfBoundsException when the slice lies outside the buffer.
     */
    private static byte[] copyOf(final DirectBuffer buffer, final int offset, final int length)
    {
        java.util.Objects.checkFromIndexSize(offset, length, buffer.capacity());
        final byte[] bytes = new byte[length];
        if (buffer.getClass() == UnsafeBuffer.class) // exactly: a subclass may read its bytes its own way
        {
            ShortCopy.copy(buffer.byteArray(), buffer.addressOffset() + offset, bytes, BufferUtil.ARRAY_BASE_OFFSET,
                length); // short ones without a call into the copy stub
        }
        else
        {
            buffer.getBytes(offset, bytes);
        }
        return bytes;
    }

    private Codecs()
    {
    }

    /**
     * The object codec: any {@link java.io.Serializable} value, deserialized through an
     * {@link java.io.ObjectInputFilter} that admits only the classes of {@code java.base} and ipckit plus the
     * patterns given, so that data from another process cannot instantiate arbitrary classes.
     *
     * <p>
     * Every decode is also limited by the message's own length, so that a short hostile message cannot exhaust the
     * receiver's heap or CPU: the arrays it declares must fit in its bytes (as they do in any stream that
     * {@link java.io.ObjectOutputStream} writes, so no real message is refused for its size), and its objects and
     * arrays may be nested at most 20 deep, or as deep as the system property {@code ipckit.codec.max.depth} says;
     * {@link #serializableWithMaxDepth} sets it per codec. A refusal names the limit it hit.
     *
     * @param allowedPatterns extra {@link java.io.ObjectInputFilter.Config#createFilter} patterns of accepted
     *                        classes, e.g. {@code "com.acme.model.*"} or {@code "com.acme.**"}.
     * @return the codec.
     * @throws IllegalArgumentException when a pattern is blank, rejects (starts with {@code !}), holds a
     *                                  {@code ;} or a limit ({@code =}), or when {@code ipckit.codec.max.depth} is not
     *                                  a whole number of at least 1.
     */
    public static <T> Codec<T> serializable(final String... allowedPatterns)
    {
        return new SerializableCodec<>(allowedPatterns);
    }

    /**
     * {@link #serializable(String...)} with a nesting limit of the caller's own, for values deeper than the default
     * allows (long chains of linked objects, deep trees). Each level of nested hash-based collections can double the
     * work of decoding a forged message, so raise it only as far as the values need.
     *
     * @param maxDepth        how deep objects and arrays may be nested in a message, at least 1 (the default is 20).
     * @param allowedPatterns extra {@link java.io.ObjectInputFilter.Config#createFilter} patterns of accepted
     *                        classes, e.g. {@code "com.acme.model.*"} or {@code "com.acme.**"}.
     * @param <T>             the value type.
     * @return the codec; stateless and thread-safe.
     * @throws IllegalArgumentException when {@code maxDepth} is below 1 or a pattern is not an allow pattern.
     */
    public static <T> Codec<T> serializableWithMaxDepth(final int maxDepth, final String... allowedPatterns)
    {
        return new SerializableCodec<>(maxDepth, null, allowedPatterns);
    }

    /**
     * The object codec with a filter of the caller's own, for a component that decides per value which classes it
     * accepts (the process pool learns them from the code it sends).
     *
     * The limits that follow from a message's length and the nesting limit of {@link #serializable(String...)}
     * are checked before {@code filter}.
     *
     * @param filter     applied to every deserialization; null admits any class on the class path, which is only
     *                   for data from a process that chose this process's code (a pool worker reading its pool).
     * @param howToAllow what the refusal message tells the user to do, e.g. which option allows a class.
     * @return the codec.
     */
    public static <T> Codec<T> serializable(final java.io.ObjectInputFilter filter, final String howToAllow)
    {
        return new SerializableCodec<>(filter, howToAllow);
    }

    /**
     * Picks a built-in codec for a type: the non-serializing ones for their types, otherwise
     * {@link #serializable(String...)} admitting the type's own package (not its subpackages: the pattern
     * {@code "com.acme.model.*"}), whose decode also checks that the value is a {@code type}.
     *
     * @param type the value type.
     * @param <T>  the value type.
     * @return a codec for it; stateless and thread-safe. Its decode throws
     * {@link io.ipckit.core.exceptions.IpcException} when the message holds a value of another type (naming both), or
     * a class outside {@code java.base}, ipckit and the type's package.
     */
    @SuppressWarnings("unchecked")
    public static <T> Codec<T> forType(final Class<T> type)
    {
        final Codec<?> codec;
        if (type == byte[].class)
        {
            codec = BYTES;
        }
        else if (type == String.class)
        {
            codec = STRING;
        }
        else if (type == Long.class)
        {
            codec = LONG;
        }
        else if (type == Integer.class)
        {
            codec = INTEGER;
        }
        else if (type == Double.class)
        {
            codec = DOUBLE;
        }
        else if (type == Float.class)
        {
            codec = FLOAT;
        }
        else if (type == Short.class)
        {
            codec = SHORT;
        }
        else if (type == Byte.class)
        {
            codec = BYTE;
        }
        else if (type == Boolean.class)
        {
            codec = BOOLEAN;
        }
        else if (type == Character.class)
        {
            codec = CHARACTER;
        }
        else if (DirectBuffer.class.isAssignableFrom(type))
        {
            codec = DIRECT_BUFFER;
        }
        else if (ByteBuffer.class.isAssignableFrom(type))
        {
            codec = BYTE_BUFFER;
        }
        else
        {
            final String pkg = type.getPackageName();
            final String pattern = pkg.isEmpty() ? type.getName() : pkg + ".*";
            codec = new SerializableCodec<>(SerializableCodec.defaultMaxDepth(), type.isPrimitive() ? null : type,
                pattern);
        }
        return (Codec<T>)codec;
    }

    private abstract static class FixedCodec<T> implements Codec<T>
    {
        private final String typeName;
        private final int length;

        FixedCodec(final String typeName, final int length)
        {
            this.typeName = typeName;
            this.length = length;
        }

        public final T decode(final DirectBuffer buffer, final int offset, final int length)
        {
            if (length != this.length)
            {
                throw new IpcException("cannot decode a " + typeName + " from " + length + " bytes: it takes " +
                    this.length + "; the sender used another codec, use the same codec on both ends");
            }
            return read(buffer, offset);
        }

        public final int maxEncodedLength()
        {
            return length;
        }

        abstract T read(DirectBuffer buffer, int offset);
    }
}
