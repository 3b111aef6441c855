package io.ipckit.pool;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.IpcException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.io.DirectBufferInputStream;

import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteOrder;
import java.util.ArrayList;

/**
 * Encodes the values that travel between a pool and its workers (tasks, arguments, results, exceptions): a tag
 * byte, then common types in a compact form without Java serialization, and anything else through Java
 * serialization. Compact: null, the boxed primitives, String (UTF-8, or its chars when it holds an unpaired
 * surrogate, which UTF-8 cannot carry), {@code byte[]}, {@code int[]}, {@code long[]},
 * {@code double[]}; {@code Object[]} and {@code ArrayList} (exactly those classes) whose elements are leaves
 * (null, boxed primitives, String) or records; and serializable records whose components are leaves or such
 * records, nested at most {@value #MAX_DEPTH} deep; and serializable lambdas (the usual task) whose captured values
 * are leaves or such records, as the fields of their {@link SerializedLambda}, rebuilt through their capturing class's
 * {@code $deserializeLambda$} as deserialization does (a starting worker so avoids {@link java.io.ObjectInputStream},
 * some 20 to 40 ms of its first task). A container, record or lambda holding anything else goes whole through Java
 * serialization, so sharing and cycles inside it are kept as serialization keeps them.
 * <p>
 * Decoding goes through the given {@link ObjectInputFilter}: serialized objects through the stream's filter, and a
 * record's class is shown to the same filter before it is loaded further or constructed (through its canonical
 * constructor, as deserialization of a record does). A worker trusts its parent (the parent chose its code), the
 * parent admits only the allow-list of its pool. {@link PoolClassResolver} loads and admits the classes a message
 * names; {@link RecordShape} reads and rebuilds records.
 * <p>
 * Thread-safe.
 */
final class PoolValueCodec
{
    /** How deep records may nest in records, Object[] and ArrayList before a value goes through serialization. */
    static final int MAX_DEPTH = 8;

    private static final byte NULL = 0;
    private static final byte INTEGER = 1;
    private static final byte LONG = 2;
    private static final byte DOUBLE = 3;
    private static final byte STRING = 4;
    private static final byte BYTES = 5;
    private static final byte BOOLEAN = 6;
    private static final byte OBJECT = 7;
    private static final byte BYTE = 8;
    private static final byte SHORT = 9;
    private static final byte CHARACTER = 10;
    private static final byte FLOAT = 11;
    private static final byte INTS = 12;
    private static final byte LONGS = 13;
    private static final byte DOUBLES = 14;
    private static final byte OBJECTS = 15;
    private static final byte LIST = 16;
    private static final byte RECORD = 17;
    private static final byte LAMBDA = 18;
    /** A String with an unpaired surrogate, which UTF-8 cannot carry: its chars, two bytes each. */
    private static final byte CHARS = 19;
    private static final int NOT_COMPACT = -1;

    private static final ClassValue<Method> LAMBDA_WRITERS = new ClassValue<>()
    {
        protected Method computeValue(final Class<?> type)
        {
            return lambdaWriter(type);
        }
    };

    private final Codec<Object> objects;
    private final PoolClassResolver classes;
    private final ObjectInputFilter filter;

    /**
     * @param filter the filter for serialized objects and record classes, or null to admit any class on the class
     *               path.
     */
    PoolValueCodec(final ObjectInputFilter filter)
    {
        this.classes = new PoolClassResolver(filter);
        this.filter = filter;
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
        final int length = encodeLeaf(value, buffer, offset);
        if (length != NOT_COMPACT)
        {
            return length;
        }
        final int compact = encodeComposite(value, buffer, offset, 0);
        if (compact != NOT_COMPACT)
        {
            return compact;
        }
        final int lambda = encodeLambda(value, buffer, offset);
        if (lambda != NOT_COMPACT)
        {
            return lambda;
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
            case BYTE -> buffer.getByte(offset + 1);
            case SHORT -> buffer.getShort(offset + 1, ByteOrder.LITTLE_ENDIAN);
            case CHARACTER -> buffer.getChar(offset + 1, ByteOrder.LITTLE_ENDIAN);
            case FLOAT -> buffer.getFloat(offset + 1, ByteOrder.LITTLE_ENDIAN);
            case STRING -> buffer.getStringWithoutLengthUtf8(offset + 1, length - 1);
            case CHARS ->
            {
                final char[] chars = new char[(length - 1) / Character.BYTES];
                for (int i = 0; i < chars.length; i++)
                {
                    chars[i] = buffer.getChar(offset + 1 + i * Character.BYTES, ByteOrder.LITTLE_ENDIAN);
                }
                yield new String(chars);
            }
            case BYTES ->
            {
                final byte[] bytes = new byte[length - 1];
                buffer.getBytes(offset + 1, bytes);
                yield bytes;
            }
            case INTS ->
            {
                final int[] ints = new int[(length - 1) / Integer.BYTES];
                for (int i = 0; i < ints.length; i++)
                {
                    ints[i] = buffer.getInt(offset + 1 + i * Integer.BYTES, ByteOrder.LITTLE_ENDIAN);
                }
                yield ints;
            }
            case LONGS ->
            {
                final long[] longs = new long[(length - 1) / Long.BYTES];
                for (int i = 0; i < longs.length; i++)
                {
                    longs[i] = buffer.getLong(offset + 1 + i * Long.BYTES, ByteOrder.LITTLE_ENDIAN);
                }
                yield longs;
            }
            case DOUBLES ->
            {
                final double[] doubles = new double[(length - 1) / Double.BYTES];
                for (int i = 0; i < doubles.length; i++)
                {
                    doubles[i] = buffer.getDouble(offset + 1 + i * Double.BYTES, ByteOrder.LITTLE_ENDIAN);
                }
                yield doubles;
            }
            case OBJECTS -> decodeElements(buffer, offset + 1, length - 1);
            case LIST ->
            {
                final Object[] elements = decodeElements(buffer, offset + 1, length - 1);
                final ArrayList<Object> list = new ArrayList<>(elements.length);
                for (final Object element : elements)
                {
                    list.add(element);
                }
                yield list;
            }
            case RECORD -> decodeRecord(buffer, offset + 1, length - 1);
            case LAMBDA -> decodeLambda(buffer, offset + 1, length - 1);
            case OBJECT -> decodeSerialized(buffer, offset + 1, length - 1);
            default -> throw new IpcException("unknown value tag " + tag + " in a pool message: the pool and its " +
                "worker run different ipckit versions");
        };
    }

    /**
     * Reads a serialized value through the filter. Done here rather than by the serializable codec, whose refusal
     * names neither the class refused nor the filter as it is now (the packages of the code submitted since).
     */
    private Object decodeSerialized(final DirectBuffer buffer, final int offset, final int length)
    {
        final RefusalRecorder recorder = filter == null ? null : new RefusalRecorder(filter);
        try (ObjectInputStream in = new ObjectInputStream(new DirectBufferInputStream(buffer, offset, length)))
        {
            if (recorder != null)
            {
                in.setObjectInputFilter(recorder);
            }
            return in.readObject();
        }
        catch (final InvalidClassException ex)
        {
            if (recorder == null || !recorder.rejected)
            {
                throw new IpcException("cannot deserialize a pool message of " + length + " bytes: " + ex +
                    "; use the same class versions in the pool and its workers", ex);
            }
            Class<?> refused = recorder.refused;
            while (refused != null && refused.isArray())
            {
                refused = refused.getComponentType();
            }
            if (refused == null)
            {
                throw new IpcException("refused to deserialize a pool message of " + length + " bytes: it is " +
                    "deeper or holds more references than the pool's filter " + filter + " admits", ex);
            }
            final String pattern = refused.getPackageName().isEmpty() ? refused.getName() :
                refused.getPackageName() + ".*";
            throw new IpcException("refused to deserialize a " + refused.getName() + " from a pool message of " +
                length + " bytes: it is not allowed by the pool's filter " + filter + "; allow its package with " +
                "new PoolOptions().allowClasses(\"" + pattern + "\")", ex);
        }
        catch (final IOException | ClassNotFoundException | ClassCastException ex)
        {
            throw new IpcException("cannot deserialize a pool message of " + length + " bytes: " + ex +
                "; use the same classes in the pool and its workers", ex);
        }
    }

    /**
     * The filter of one deserialization, which remembers the first class it refused, for the message.
     */
    private static final class RefusalRecorder implements ObjectInputFilter
    {
        private final ObjectInputFilter filter;
        private boolean rejected;
        private Class<?> refused;

        RefusalRecorder(final ObjectInputFilter filter)
        {
            this.filter = filter;
        }

        @Override
        public Status checkInput(final FilterInfo info)
        {
            final Status status = filter.checkInput(info);
            if (status == Status.REJECTED && !rejected)
            {
                rejected = true;
                refused = info.serialClass();
            }
            return status;
        }
    }

    /**
     * @return bytes written, or {@link #NOT_COMPACT} when the value is not a leaf or a primitive array.
     */
    private static int encodeLeaf(final Object value, final MutableDirectBuffer buffer, final int offset)
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
        if (value instanceof String s)
        {
            if (hasUnpairedSurrogate(s))
            {
                // UTF-8 has no form for it: Agrona's encoder writes '?' in its place
                buffer.putByte(offset, CHARS);
                for (int i = 0; i < s.length(); i++)
                {
                    buffer.putChar(offset + 1 + i * Character.BYTES, s.charAt(i), ByteOrder.LITTLE_ENDIAN);
                }
                return 1 + s.length() * Character.BYTES;
            }
            buffer.putByte(offset, STRING);
            return 1 + buffer.putStringWithoutLengthUtf8(offset + 1, s);
        }
        if (value instanceof Boolean b)
        {
            buffer.putByte(offset, BOOLEAN);
            buffer.putByte(offset + 1, b ? (byte)1 : (byte)0);
            return 2;
        }
        if (value instanceof Byte b)
        {
            buffer.putByte(offset, BYTE);
            buffer.putByte(offset + 1, b);
            return 2;
        }
        if (value instanceof Short s)
        {
            buffer.putByte(offset, SHORT);
            buffer.putShort(offset + 1, s, ByteOrder.LITTLE_ENDIAN);
            return 3;
        }
        if (value instanceof Character c)
        {
            buffer.putByte(offset, CHARACTER);
            buffer.putChar(offset + 1, c, ByteOrder.LITTLE_ENDIAN);
            return 3;
        }
        if (value instanceof Float f)
        {
            buffer.putByte(offset, FLOAT);
            buffer.putFloat(offset + 1, f, ByteOrder.LITTLE_ENDIAN);
            return 5;
        }
        return NOT_COMPACT;
    }

    /**
     * @return true when {@code s} holds a surrogate that is not half of a high-low pair, which UTF-8 cannot encode.
     */
    static boolean hasUnpairedSurrogate(final String s)
    {
        for (int i = 0, length = s.length(); i < length; i++)
        {
            final char c = s.charAt(i);
            if (Character.isSurrogate(c))
            {
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1)))
                {
                    i++;
                }
                else
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Writes primitive arrays, and Object[], ArrayList and records of leaves and records.
     *
     * @return bytes written, or {@link #NOT_COMPACT} when the value (or anything inside it) is of another type.
     */
    private static int encodeComposite(
        final Object value, final MutableDirectBuffer buffer, final int offset, final int depth)
    {
        final Class<?> type = value.getClass();
        if (type == byte[].class)
        {
            final byte[] bytes = (byte[])value;
            buffer.putByte(offset, BYTES);
            buffer.putBytes(offset + 1, bytes);
            return 1 + bytes.length;
        }
        if (type == int[].class)
        {
            final int[] ints = (int[])value;
            buffer.putByte(offset, INTS);
            for (int i = 0; i < ints.length; i++)
            {
                buffer.putInt(offset + 1 + i * Integer.BYTES, ints[i], ByteOrder.LITTLE_ENDIAN);
            }
            return 1 + ints.length * Integer.BYTES;
        }
        if (type == long[].class)
        {
            final long[] longs = (long[])value;
            buffer.putByte(offset, LONGS);
            for (int i = 0; i < longs.length; i++)
            {
                buffer.putLong(offset + 1 + i * Long.BYTES, longs[i], ByteOrder.LITTLE_ENDIAN);
            }
            return 1 + longs.length * Long.BYTES;
        }
        if (type == double[].class)
        {
            final double[] doubles = (double[])value;
            buffer.putByte(offset, DOUBLES);
            for (int i = 0; i < doubles.length; i++)
            {
                buffer.putDouble(offset + 1 + i * Double.BYTES, doubles[i], ByteOrder.LITTLE_ENDIAN);
            }
            return 1 + doubles.length * Double.BYTES;
        }
        if (type == Object[].class)
        {
            final Object[] elements = (Object[])value;
            buffer.putByte(offset, OBJECTS);
            final int length = encodeElements(elements, elements.length, buffer, offset + 1, depth);
            return length == NOT_COMPACT ? NOT_COMPACT : 1 + length;
        }
        if (type == ArrayList.class)
        {
            final Object[] elements = ((ArrayList<?>)value).toArray();
            buffer.putByte(offset, LIST);
            final int length = encodeElements(elements, elements.length, buffer, offset + 1, depth);
            return length == NOT_COMPACT ? NOT_COMPACT : 1 + length;
        }
        if (type.isRecord())
        {
            return encodeRecord(value, RecordShape.of(type), buffer, offset, depth);
        }
        return NOT_COMPACT;
    }

    /**
     * Writes the count, then each element as [length][tagged value]; elements must be leaves or records.
     */
    private static int encodeElements(
        final Object[] elements, final int count, final MutableDirectBuffer buffer, final int offset, final int depth)
    {
        if (depth >= MAX_DEPTH)
        {
            return NOT_COMPACT;
        }
        buffer.putInt(offset, count, ByteOrder.LITTLE_ENDIAN);
        int position = offset + Integer.BYTES;
        for (int i = 0; i < count; i++)
        {
            final Object element = elements[i];
            int length = encodeLeaf(element, buffer, position + Integer.BYTES);
            if (length == NOT_COMPACT)
            {
                if (!element.getClass().isRecord())
                {
                    return NOT_COMPACT;
                }
                length = encodeRecord(element, RecordShape.of(element.getClass()), buffer, position + Integer.BYTES,
                    depth + 1);
                if (length == NOT_COMPACT)
                {
                    return NOT_COMPACT;
                }
            }
            buffer.putInt(position, length, ByteOrder.LITTLE_ENDIAN);
            position += Integer.BYTES + length;
        }
        return position - offset;
    }

    private static int encodeRecord(
        final Object value, final RecordShape shape, final MutableDirectBuffer buffer, final int offset,
        final int depth)
    {
        if (shape == null)
        {
            return NOT_COMPACT;
        }
        final Object[] components;
        try
        {
            components = shape.components(value);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return NOT_COMPACT; // let serialization report what is wrong with it
        }
        buffer.putByte(offset, RECORD);
        buffer.putShort(offset + 1, (short)shape.name.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(offset + 3, shape.name);
        final int length = encodeElements(components, components.length, buffer, offset + 3 + shape.name.length,
            depth);
        return length == NOT_COMPACT ? NOT_COMPACT : 3 + shape.name.length + length;
    }

    private Object[] decodeElements(final DirectBuffer buffer, final int offset, final int length)
    {
        final int count = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
        if (count < 0 || count > length / Integer.BYTES)
        {
            throw new IpcException("a pool message holds an array of " + count + " elements in " + length +
                " bytes: the pool and its worker disagree on the protocol");
        }
        final Object[] elements = new Object[count];
        int position = offset + Integer.BYTES;
        for (int i = 0; i < count; i++)
        {
            final int elementLength = buffer.getInt(position, ByteOrder.LITTLE_ENDIAN);
            elements[i] = decode(buffer, position + Integer.BYTES, elementLength);
            position += Integer.BYTES + elementLength;
        }
        return elements;
    }

    private Object decodeRecord(final DirectBuffer buffer, final int offset, final int length)
    {
        final int nameLength = buffer.getShort(offset, ByteOrder.LITTLE_ENDIAN);
        final String name = buffer.getStringWithoutLengthUtf8(offset + 2, nameLength);
        final RecordShape shape = classes.recordShape(name);
        final Object[] components = decodeElements(buffer, offset + 2 + nameLength, length - 2 - nameLength);
        try
        {
            return shape.construct(components);
        }
        catch (final InvocationTargetException ex)
        {
            throw new IpcException("the canonical constructor of record " + name + " refused the values sent: " +
                ex.getCause(), ex.getCause());
        }
        catch (final ReflectiveOperationException | IllegalArgumentException ex)
        {
            throw new IpcException("cannot rebuild record " + name + " from a pool message: " + ex +
                "; use the same class in the pool and its workers", ex);
        }
    }

    /**
     * Writes a serializable lambda as its {@link SerializedLambda}'s fields: eight names, the implementation's kind,
     * then the captured values as elements (leaves and records only).
     *
     * @return bytes written, or {@link #NOT_COMPACT} when the value is not such a lambda.
     */
    private static int encodeLambda(final Object value, final MutableDirectBuffer buffer, final int offset)
    {
        final Method writer = LAMBDA_WRITERS.get(value.getClass());
        if (writer == null)
        {
            return NOT_COMPACT;
        }
        final SerializedLambda lambda;
        try
        {
            if (!(writer.invoke(value) instanceof SerializedLambda serialized))
            {
                return NOT_COMPACT;
            }
            lambda = serialized;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return NOT_COMPACT;
        }
        buffer.putByte(offset, LAMBDA);
        int position = offset + 1;
        for (final String name : new String[] {lambda.getCapturingClass(), lambda.getFunctionalInterfaceClass(),
            lambda.getFunctionalInterfaceMethodName(), lambda.getFunctionalInterfaceMethodSignature(),
            lambda.getImplClass(), lambda.getImplMethodName(), lambda.getImplMethodSignature(),
            lambda.getInstantiatedMethodType()})
        {
            final int length = buffer.putStringWithoutLengthUtf8(position + 2, name);
            if (length > Short.MAX_VALUE)
            {
                return NOT_COMPACT;
            }
            buffer.putShort(position, (short)length, ByteOrder.LITTLE_ENDIAN);
            position += 2 + length;
        }
        buffer.putInt(position, lambda.getImplMethodKind(), ByteOrder.LITTLE_ENDIAN);
        position += Integer.BYTES;
        final Object[] captured = new Object[lambda.getCapturedArgCount()];
        for (int i = 0; i < captured.length; i++)
        {
            captured[i] = lambda.getCapturedArg(i);
        }
        final int length = encodeElements(captured, captured.length, buffer, position, 0);
        return length == NOT_COMPACT ? NOT_COMPACT : position + length - offset;
    }

    /**
     * @return the {@code writeReplace} of a serializable lambda's class, when this codec can read its capturing
     * class's {@code $deserializeLambda$} too (its package is open to this module); else null.
     */
    private static Method lambdaWriter(final Class<?> type)
    {
        if (!type.isHidden() || !type.isSynthetic() || !Serializable.class.isAssignableFrom(type) ||
            !type.getModule().isOpen(type.getPackageName(), PoolValueCodec.class.getModule()))
        {
            return null;
        }
        try
        {
            final Method writer = type.getDeclaredMethod("writeReplace");
            writer.setAccessible(true);
            return writer;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return null;
        }
    }

    private Object decodeLambda(final DirectBuffer buffer, final int offset, final int length)
    {
        final String[] names = new String[8];
        int position = offset;
        for (int i = 0; i < names.length; i++)
        {
            final int nameLength = buffer.getShort(position, ByteOrder.LITTLE_ENDIAN);
            if (nameLength < 0 || position + 2 + nameLength > offset + length)
            {
                throw new IpcException("a pool message holds a malformed lambda: the pool and its worker disagree " +
                    "on the protocol");
            }
            names[i] = buffer.getStringWithoutLengthUtf8(position + 2, nameLength);
            position += 2 + nameLength;
        }
        final int kind = buffer.getInt(position, ByteOrder.LITTLE_ENDIAN);
        position += Integer.BYTES;
        final PoolClassResolver.LambdaReader reader = classes.lambdaReader(names[0]);
        final Object[] captured = decodeElements(buffer, position, offset + length - position);
        try
        {
            return (Object)reader.handle().invokeExact(new SerializedLambda(reader.capturing(), names[1], names[2],
                names[3], kind, names[4], names[5], names[6], names[7], captured));
        }
        catch (final Throwable t)
        {
            // $deserializeLambda$ throws IllegalArgumentException for a lambda its class does not have
            throw new IpcException("cannot rebuild a lambda of " + names[0] + " from a pool message: " + t +
                "; use the same classes in the pool and its workers", t);
        }
    }
}
