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
 * patterns the user adds; everything else is rejected, as are graphs deeper than 64, larger than 64 MiB or
 * with more than 10 million references.
 * <p>
 * Thread-safe.
 *
 * @param <T> the value type.
 */
final class SerializableCodec<T> implements Codec<T>
{
    private static final String LIMITS = "maxdepth=64;maxbytes=67108864;maxrefs=10000000;maxarray=100000000";
    private static final String BASE = "java.base/*;io.ipckit.**";

    /** The filter, or null until the first decode when it is made from {@link #patterns}. */
    private volatile ObjectInputFilter filter;
    /** True when the filter is made from {@link #patterns} on the first decode, false when given (maybe null). */
    private final boolean lazyFilter;
    private final String patterns;
    private final String howToAllow;

    SerializableCodec(final ObjectInputFilter filter, final String howToAllow)
    {
        this.filter = filter;
        this.lazyFilter = false;
        this.patterns = String.valueOf(filter);
        this.howToAllow = howToAllow;
    }

    SerializableCodec(final String... allowedPatterns)
    {
        final StringBuilder sb = new StringBuilder(LIMITS).append(';').append(BASE);
        for (final String pattern : allowedPatterns)
        {
            if (pattern == null || pattern.isBlank() || pattern.contains(";") || pattern.startsWith("!"))
            {
                throw new IllegalArgumentException("not an allow pattern: \"" + pattern + "\" (use e.g. " +
                    "\"com.acme.model.*\" or \"com.acme.**\")");
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
        try (ObjectInputStream in = new ObjectInputStream(new DirectBufferInputStream(buffer, offset, length)))
        {
            final ObjectInputFilter filter = filter();
            if (filter != null)
            {
                in.setObjectInputFilter(filter);
            }
            return (T)in.readObject();
        }
        catch (final InvalidClassException ex)
        {
            throw new IpcException("refused to deserialize a message (" + length + " bytes): " + ex.getMessage() +
                " is not allowed by the filter " + patterns + "; " + howToAllow, ex);
        }
        catch (final IOException | ClassNotFoundException | ClassCastException ex)
        {
            throw new IpcException("cannot deserialize a message of " + length + " bytes: " + ex +
                "; both ends must use the same codec and class versions", ex);
        }
    }
}
