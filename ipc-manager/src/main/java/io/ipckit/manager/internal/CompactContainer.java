package io.ipckit.manager.internal;

import java.io.Serial;
import java.io.Serializable;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The compact form of a {@link ConcurrentHashMap} in a durable manager's snapshot (the built-in dict's class, and
 * wherever else one is in the manager's state) whose keys and values are all compact values ({@link CompactValues}).
 * A snapshot holds up every call that changes the manager's state while it is encoded, and the object stream spent
 * about 0.3 µs per entry (measured: 60 ms for a 200,000-key dict of {@code Integer} to {@code Long} in a warm JVM,
 * 90-250 ms inside a busy manager).
 * <p>
 * It takes the map's place in the snapshot's object stream: the stream's writer calls {@link #replace} on every object
 * it meets and its reader {@link #resolve}, so a map reachable from several places (a dict that is also a field of a
 * registered object) is written once and read back as one map, as the object stream does for any object. Only that
 * exact class, and only keys and values that cannot change (strings, boxed numbers and booleans, refs): what such a
 * map holds and how it behaves is all in its entries, so a new one with the same entries is the same map. A
 * subclass, another map, or one with any other key or value (a byte or object array, which another holder may share
 * and change in place; a longer string or one that is not well-formed UTF-16; any other class) goes through the
 * object stream as before, and so does everything in a snapshot written before this class existed.
 * <p>
 * Layout of its bytes: the entry count (a big-endian int), then each entry's key and value ({@link CompactValues}).
 * Immutable once made. {@link #replace} must not race with changes of the map: the caller holds the journal's lock,
 * under which every change is made.
 */
final class CompactContainer implements Serializable
{
    @Serial
    private static final long serialVersionUID = 1L;

    /** A {@link ConcurrentHashMap}. */
    static final byte DICT = 1;

    private final byte kind;
    private final byte[] entries;

    CompactContainer(final byte kind, final byte[] entries)
    {
        this.kind = kind;
        this.entries = entries;
    }

    /**
     * The snapshot writer's replacer.
     *
     * @param obj an object of the snapshot.
     * @return its compact form when it is a {@link ConcurrentHashMap} of compact keys and values; else {@code obj}.
     */
    static Object replace(final Object obj)
    {
        if (obj == null || obj.getClass() != ConcurrentHashMap.class)
        {
            return obj;
        }
        final Wire.Out out = new Wire.Out((byte)0);
        out.putInt(0);
        int count = 0;
        // one pass, each entry looked at once as it is written: a map whose other holder changes it outside the
        // journal's lock (a registered type's method) yields a weakly consistent copy, as its own writeObject would
        for (final Map.Entry<?, ?> entry : ((Map<?, ?>)obj).entrySet())
        {
            final Object key = entry.getKey();
            final Object value = entry.getValue();
            if (!immutable(key) || !immutable(value))
            {
                return obj;
            }
            CompactValues.write(out, key);
            CompactValues.write(out, value);
            count++;
        }
        // skip the frame writer's type byte; the count goes where its placeholder was
        final byte[] bytes = Arrays.copyOfRange(out.array(), 1, out.size());
        ByteBuffer.wrap(bytes).putInt(0, count);
        return new CompactContainer(DICT, bytes);
    }

    /**
     * @return true for a compact value that cannot change: not a {@code byte[]} or an {@code Object[]}, which another
     * holder may share and change in place, and which the object stream keeps one object.
     */
    private static boolean immutable(final Object value)
    {
        return !(value instanceof byte[]) && !(value instanceof Object[]) && CompactValues.encodable(value);
    }

    /**
     * The snapshot reader's resolver.
     *
     * @param obj an object read from a snapshot.
     * @return the map a compact form stands for; else {@code obj}.
     * @throws IllegalArgumentException when a compact form is corrupt.
     */
    static Object resolve(final Object obj)
    {
        return obj instanceof CompactContainer compact ? compact.restore() : obj;
    }

    /**
     * @return the bytes of the entries (a copy).
     */
    byte[] entries()
    {
        return entries.clone();
    }

    /**
     * @return the map this stands for.
     * @throws IllegalArgumentException when the bytes are corrupt or the kind unknown.
     */
    Object restore()
    {
        if (kind != DICT || entries == null)
        {
            throw new IllegalArgumentException("unknown compact container kind " + kind + " or no entries");
        }
        try
        {
            final ByteBuffer in = ByteBuffer.wrap(entries);
            final int count = in.getInt();
            if (count < 0 || count > in.remaining() / 2)
            {
                throw new IllegalArgumentException("corrupt compact dict: " + count + " entries in " +
                    in.remaining() + " bytes");
            }
            final Map<Object, Object> map = new ConcurrentHashMap<>(Math.max(16, count * 4 / 3 + 1));
            for (int i = 0; i < count; i++)
            {
                final Object key = CompactValues.read(in);
                final Object value = CompactValues.read(in);
                if (key == null || value == null)
                {
                    throw new IllegalArgumentException("corrupt compact dict: a null key or value");
                }
                map.put(key, value);
            }
            if (in.hasRemaining())
            {
                throw new IllegalArgumentException("corrupt compact dict: " + in.remaining() + " bytes after its " +
                    count + " entries");
            }
            return map;
        }
        catch (final BufferUnderflowException | IndexOutOfBoundsException ex)
        {
            throw new IllegalArgumentException("corrupt compact dict: it ends inside an entry", ex);
        }
    }
}
