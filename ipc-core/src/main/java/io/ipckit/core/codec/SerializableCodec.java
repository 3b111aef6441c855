package io.ipckit.core.codec;

import io.ipckit.core.exceptions.IpcException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.io.DirectBufferInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

/**
 * Java serialization behind an allow-list: deserializing bytes from another process must not be a way in. The
 * filter admits {@code java.base} classes (collections, boxed values, time, arrays), ipckit's own, and the
 * patterns the user adds; everything else is rejected.
 * <p>
 * Every decode also has limits of its own, taken from the message's length, so that a few hundred hostile bytes
 * cannot make the receiver allocate gigabytes or hash for hours: the arrays a message declares (counted in
 * elements, and in bytes for primitive arrays, summed over the message) must fit in the message's bytes, as they do
 * in every stream {@link ObjectOutputStream} writes; it may refer to objects at most as many times as it has bytes;
 * and it may nest objects and arrays at most {@link #maxDepth} deep ({@value #DEFAULT_MAX_DEPTH} unless raised with
 * {@link Codecs#serializableWithMaxDepth} or the system property {@value #MAX_DEPTH_PROPERTY}): each level of
 * nested hash sets doubles the work of decoding them. The cost per decode is one small filter object.
 * <p>
 * Thread-safe.
 *
 * @param <T> the value type.
 */
final class SerializableCodec<T> implements Codec<T>
{
    /** The system property that sets the default nesting limit of every object codec. */
    static final String MAX_DEPTH_PROPERTY = "ipckit.codec.max.depth";
    /** The nesting limit unless the property or the factory sets one. */
    static final int DEFAULT_MAX_DEPTH = 20;
    private static final String BASE = "java.base/*;io.ipckit.**";

    /** The allow-list, or null until the first decode when it is made from {@link #patterns}. */
    private volatile ObjectInputFilter filter;
    /** True when the filter is made from {@link #patterns} on the first decode, false when given (maybe null). */
    private final boolean lazyFilter;
    private final String patterns;
    private final String howToAllow;
    private final int maxDepth;
    /** The type every decoded value must be an instance of, or null for any. */
    private final Class<?> expectedType;

    SerializableCodec(final ObjectInputFilter filter, final String howToAllow)
    {
        this.filter = filter;
        this.lazyFilter = false;
        this.patterns = String.valueOf(filter);
        this.howToAllow = howToAllow;
        this.maxDepth = defaultMaxDepth();
        this.expectedType = null;
    }

    SerializableCodec(final String... allowedPatterns)
    {
        this(defaultMaxDepth(), null, allowedPatterns);
    }

    SerializableCodec(final int maxDepth, final Class<?> expectedType, final String... allowedPatterns)
    {
        this.maxDepth = checkMaxDepth(maxDepth, "maxDepth");
        this.expectedType = expectedType;
        final StringBuilder sb = new StringBuilder(BASE);
        for (final String pattern : allowedPatterns)
        {
            if (pattern == null || pattern.isBlank() || pattern.contains(";") || pattern.startsWith("!") ||
                pattern.contains("="))
            {
                throw new IllegalArgumentException("not an allow pattern: \"" + pattern + "\" (use e.g. " +
                    "\"com.acme.model.*\" or \"com.acme.**\"; raise the nesting limit with " +
                    "Codecs.serializableWithMaxDepth)");
            }
            sb.append(';').append(pattern.trim());
        }
        sb.append(";!*");
        this.patterns = sb.toString();
        // the JDK's filter configuration (security properties, its logger) costs milliseconds at JVM start: the
        // default codec of every pipe and queue makes its filter on the first decode; a user's patterns are
        // parsed now, so a wrong one fails here
        this.lazyFilter = allowedPatterns.length == 0;
        this.filter = lazyFilter ? null : ObjectInputFilter.Config.createFilter(patterns);
        this.howToAllow = "allow its package with Codecs.serializable(\"com.example.**\")";
    }

    static int defaultMaxDepth()
    {
        final String value = System.getProperty(MAX_DEPTH_PROPERTY);
        if (value == null)
        {
            return DEFAULT_MAX_DEPTH;
        }
        try
        {
            return checkMaxDepth(Integer.parseInt(value.trim()), "-D" + MAX_DEPTH_PROPERTY);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("-D" + MAX_DEPTH_PROPERTY + "=" + value + " is not a whole number; " +
                "set it to the deepest nesting of objects and arrays a message may have, e.g. 40", ex);
        }
    }

    private static int checkMaxDepth(final int maxDepth, final String name)
    {
        if (maxDepth < 1)
        {
            throw new IllegalArgumentException(name + " is " + maxDepth + ": the nesting limit of a message must " +
                "be at least 1 (the default is " + DEFAULT_MAX_DEPTH + ")");
        }
        return maxDepth;
    }

    private ObjectInputFilter filter()
    {
        ObjectInputFilter filter = this.filter;
        if (filter == null && lazyFilter)
        {
            filter = ObjectInputFilter.Config.createFilter(patterns); // a race makes two equal filters: harmless
            this.filter = filter;
        }
        return filter;
    }

    public int encode(final T value, final MutableDirectBuffer buffer, final int offset)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(value);
        }
        catch (final NotSerializableException ex)
        {
            throw new IpcException("cannot send a " + value.getClass().getName() + ": " + ex.getMessage() +
                " is not Serializable; make it Serializable or pass a Codec for it", ex);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot serialize a " + value.getClass().getName() + ": " + ex, ex);
        }
        final byte[] encoded = bytes.toByteArray();
        buffer.putBytes(offset, encoded);
        return encoded.length;
    }

    @SuppressWarnings("unchecked")
    public T decode(final DirectBuffer buffer, final int offset, final int length)
    {
        final MessageLimits limits = new MessageLimits(length, maxDepth, filter());
        final Object value;
        try (ObjectInputStream in = new ObjectInputStream(new DirectBufferInputStream(buffer, offset, length)))
        {
            in.setObjectInputFilter(limits);
            value = in.readObject();
        }
        catch (final InvalidClassException ex)
        {
            if (limits.exceeded != null)
            {
                throw new IpcException("refused to deserialize a message (" + length + " bytes): " +
                    limits.exceeded, ex);
            }
            final String what = limits.refused == null ? ex.getMessage() : limits.refused.getName();
            throw new IpcException("refused to deserialize a message (" + length + " bytes): " + what +
                " is not allowed by the filter " + patterns + "; " + howToAllow, ex);
        }
        catch (final IOException | ClassNotFoundException | ClassCastException ex)
        {
            throw new IpcException("cannot deserialize a message of " + length + " bytes: " + ex +
                "; both ends must use the same codec and class versions", ex);
        }
        if (expectedType != null && !expectedType.isInstance(value))
        {
            throw new IpcException("decoded a " + (value == null ? "null" : value.getClass().getName()) +
                " from a message of " + length + " bytes where Codecs.forType(" + expectedType.getName() +
                ") expects a " + expectedType.getName() + "; the sender sent another type: use a codec for what " +
                "it sends, e.g. Codecs.serializable(\"" + packagePattern(value) + "\")");
        }
        return (T)value;
    }

    private static String packagePattern(final Object value)
    {
        if (value == null)
        {
            return "com.example.*";
        }
        final String pkg = value.getClass().getPackageName();
        return pkg.isEmpty() ? value.getClass().getName() : pkg + ".*";
    }

    /**
     * The filter of one decode: the limits that follow from the message's length and the nesting limit, checked
     * before the allow-list, and the first limit exceeded, for the refusal's message. Used by one thread.
     */
    private static final class MessageLimits implements ObjectInputFilter
    {
        private final int length;
        private final int maxDepth;
        private final ObjectInputFilter allowList;
        /** Array slots (elements of reference arrays, bytes of primitive arrays) declared so far. */
        private long declared;
        /** Which limit refused the message and how to raise it, or null. */
        String exceeded;
        /** The first class (an array's element class) the allow-list refused, or null. */
        Class<?> refused;

        MessageLimits(final int length, final int maxDepth, final ObjectInputFilter allowList)
        {
            this.length = length;
            this.maxDepth = maxDepth;
            this.allowList = allowList;
        }

        @Override
        public Status checkInput(final FilterInfo info)
        {
            if (exceeded != null)
            {
                return Status.REJECTED;
            }
            if (info.depth() > maxDepth)
            {
                exceeded = "its objects and arrays are nested more than " + maxDepth + " deep (the nesting limit); " +
                    "if the sender's values are that deep, raise the limit with Codecs.serializableWithMaxDepth(n, " +
                    "...) or -D" + MAX_DEPTH_PROPERTY + "=n";
                return Status.REJECTED;
            }
            if (info.references() > length)
            {
                exceeded = "it refers to objects " + info.references() + " times in " + length + " bytes, which " +
                    "no stream written by ObjectOutputStream does: the message is corrupt or forged";
                return Status.REJECTED;
            }
            final long arrayLength = info.arrayLength();
            final Class<?> type = info.serialClass();
            if (arrayLength >= 0 && type != null)
            {
                declared += arrayLength * slotBytes(type.getComponentType());
                if (arrayLength > length || declared > length)
                {
                    exceeded = "it declares a " + type.getTypeName() + " of " + arrayLength + " elements, " +
                        "more than its " + length + " bytes can hold: the message is corrupt or forged";
                    return Status.REJECTED;
                }
            }
            if (allowList == null)
            {
                return Status.UNDECIDED;
            }
            final Status status = allowList.checkInput(info);
            if (status == Status.REJECTED && refused == null && type != null)
            {
                refused = type;
                while (refused.isArray())
                {
                    refused = refused.getComponentType();
                }
            }
            return status;
        }

        /**
         * @return the fewest bytes an element of an array of {@code component} takes in a stream.
         */
        private static long slotBytes(final Class<?> component)
        {
            if (component == null || !component.isPrimitive())
            {
                return 1;
            }
            if (component == long.class || component == double.class)
            {
                return 8;
            }
            if (component == int.class || component == float.class)
            {
                return 4;
            }
            return component == char.class || component == short.class ? 2 : 1;
        }
    }
}
