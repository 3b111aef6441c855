package io.ipckit.manager.internal;

import java.io.Serial;
import java.io.Serializable;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The compact form of a {@link ConcurrentHashMap} in a durable manager's snapshot as ipckit wrote it before
 * {@link SnapshotEncoding}: in the snapshot's object stream, in the map's place, with the entries' bytes. Snapshots
 * are no longer written so; replay still reads them ({@link #resolve}). Its entries' layout, the entry count (a
 * big-endian int) then each entry's key and value ({@link CompactValues}), is also that of a
 * {@link SnapshotEncoding}'s dicts ({@link #readDict}), and {@link #immutable} says which values both forms hold: only
 * values that cannot change (strings, boxed numbers and booleans, refs), so that a new map with the same entries is the
 * same map.
 * <p>
 * Immutable.
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
     * @return true for a compact value that cannot change: not a {@code byte[]} or an {@code Object[]}, which another
     * holder may share and change in place, and which the object stream keeps one object.
     */
    static boolean immutable(final Object value)
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
     * @return the map this stands for.
     * @throws IllegalArgumentException when the bytes are corrupt or the kind unknown.
     */
    Object restore()
    {
        if (kind != DICT || entries == null)
        {
            throw new IllegalArgumentException("unknown compact container kind " + kind + " or no entries");
        }
        return readDict(ByteBuffer.wrap(entries));
    }

    /**
     * Reads a dict's entries in this class's layout (the entry count, then each key and value), all of {@code in}.
     *
     * @param in the entries, from its position to its limit.
     * @return the dict.
     * @throws IllegalArgumentException when the bytes are corrupt.
     */
    static ConcurrentHashMap<Object, Object> readDict(final ByteBuffer in)
    {
        try
        {
            final int count = in.getInt();
            if (count < 0 || count > in.remaining() / 2)
            {
                throw new IllegalArgumentException("corrupt compact dict: " + count + " entries in " +
                    in.remaining() + " bytes");
            }
            // sized for the count up to a bound: a corrupt count must fail at its first missing entry, not allocate
            final ConcurrentHashMap<Object, Object> map =
                new ConcurrentHashMap<>(Math.max(16, Math.min(count, 1 << 16) * 4 / 3 + 1));
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
