package io.ipckit.manager.internal;

import java.io.Serial;
import java.io.Serializable;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A durable manager's snapshot, encoded in two steps so that the calls which change its state are held up only for
 * the first. Under the journal's lock the state goes through the object stream ({@link #replace} is its replacer),
 * where each {@link ConcurrentHashMap} whose keys and values cannot change (the built-in dict's class:
 * {@link CompactContainer#immutable}) becomes a numbered {@link Slot} and only its entries' references are copied.
 * After the lock, {@link #assemble} encodes those entries in the compact form ({@link CompactValues}), which was most
 * of a large dict's snapshot time (measured: 20-70 ms for 200,000 numbers inside a busy manager), and lays out the
 * snapshot's bytes. The copies are safe to read after the lock: they hold the entries as they were, and the entries
 * themselves cannot change.
 * <p>
 * Layout: {@link #MAGIC} (a big-endian int; a snapshot without it is the object stream alone, as written before this
 * class existed), the slot count (int), each slot's length in bytes (int) and entries ({@link CompactContainer}'s
 * layout: the entry count, then each key and value), then the object stream.
 * <p>
 * One instance per snapshot, used by one thread at a time (the stream's writer under the lock, then the snapshot's
 * thread after it); {@link #decode} is stateless.
 */
final class SnapshotEncoding
{
    /** The first int of a snapshot encoded so: "IPKS", never the object stream's first int (0xACED0005). */
    static final int MAGIC = 0x49504B53;

    /** Each slot's keys and values, interleaved, copied under the lock (the array may be longer than its entries). */
    private final List<Object[]> slots = new ArrayList<>();
    /** Each slot's entry count. */
    private final List<Integer> counts = new ArrayList<>();

    /**
     * The object stream's replacer, run under the journal's lock: a {@link ConcurrentHashMap} of compact keys and
     * values becomes a {@link Slot} whose entries are copied; anything else (a map that is not exactly a
     * {@link ConcurrentHashMap}, or one holding any other key or value) is written by the stream as it is.
     *
     * @param obj an object of the snapshot.
     * @return what the stream writes instead.
     */
    Object replace(final Object obj)
    {
        if (obj == null || obj.getClass() != ConcurrentHashMap.class)
        {
            return obj;
        }
        final Map<?, ?> map = (Map<?, ?>)obj;
        Object[] entries = new Object[Math.max(16, map.size() * 2 + 16)];
        int size = 0;
        // one pass, each entry looked at once: a map changed outside the lock by another holder yields a weakly
        // consistent copy, as its own writeObject would
        for (final Map.Entry<?, ?> entry : map.entrySet())
        {
            final Object key = entry.getKey();
            final Object value = entry.getValue();
            if (!CompactContainer.immutable(key) || !CompactContainer.immutable(value))
            {
                return obj;
            }
            if (size + 2 > entries.length)
            {
                entries = Arrays.copyOf(entries, entries.length * 2);
            }
            entries[size++] = key;
            entries[size++] = value;
        }
        slots.add(entries); // not trimmed: a copy of its length under the lock would buy nothing
        counts.add(size / 2);
        return new Slot(slots.size() - 1);
    }

    /**
     * Lays out the snapshot's bytes, encoding the slots' entries: after the lock.
     *
     * @param stream the object stream written with {@link #replace}.
     * @return the snapshot's bytes.
     */
    byte[] assemble(final byte[] stream)
    {
        final Wire.Out out = new Wire.Out((byte)0);
        out.putInt(MAGIC);
        out.putInt(slots.size());
        for (int slot = 0; slot < slots.size(); slot++)
        {
            final Object[] entries = slots.get(slot);
            final int count = counts.get(slot);
            final int lengthAt = out.size();
            out.putInt(0);
            out.putInt(count);
            for (int i = 0; i < 2 * count; i++)
            {
                CompactValues.write(out, entries[i]);
            }
            ByteBuffer.wrap(out.array()).putInt(lengthAt, out.size() - lengthAt - Integer.BYTES);
        }
        final byte[] bytes = new byte[out.size() - 1 + stream.length];
        System.arraycopy(out.array(), 1, bytes, 0, out.size() - 1); // less the frame writer's type byte
        System.arraycopy(stream, 0, bytes, out.size() - 1, stream.length);
        return bytes;
    }

    /**
     * Decodes a snapshot, of this layout or the object stream alone.
     *
     * @param codec the snapshot codec.
     * @param bytes the snapshot's bytes.
     * @return the state.
     * @throws IllegalArgumentException when the slots are corrupt.
     * @throws io.ipckit.core.exceptions.IpcException when the object stream is.
     */
    static Object decode(final WireCodec codec, final byte[] bytes)
    {
        if (bytes.length < Integer.BYTES || ByteBuffer.wrap(bytes).getInt(0) != MAGIC)
        {
            return codec.decode(bytes, 0, CompactContainer::resolve);
        }
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        final Object[] maps;
        try
        {
            in.position(Integer.BYTES);
            final int count = in.getInt();
            if (count < 0 || count > in.remaining() / (2 * Integer.BYTES))
            {
                throw new IllegalArgumentException("corrupt snapshot: " + count + " dicts in " + in.remaining() +
                    " bytes");
            }
            maps = new Object[count];
            for (int i = 0; i < count; i++)
            {
                final int length = in.getInt();
                if (length < Integer.BYTES || length > in.remaining())
                {
                    throw new IllegalArgumentException("corrupt snapshot: dict " + i + " of " + length + " bytes, " +
                        in.remaining() + " left");
                }
                final int end = in.position() + length;
                // a view of the same array up to the dict's end (a slice's array offset is not one the values read)
                maps[i] = CompactContainer.readDict(in.duplicate().limit(end));
                in.position(end);
            }
        }
        catch (final BufferUnderflowException | IndexOutOfBoundsException ex)
        {
            throw new IllegalArgumentException("corrupt snapshot: it ends inside its dicts", ex);
        }
        final UnaryOperator<Object> resolver = (obj) ->
        {
            if (obj instanceof Slot slot)
            {
                if (slot.index < 0 || slot.index >= maps.length)
                {
                    throw new IllegalArgumentException("corrupt snapshot: dict " + slot.index + " of " +
                        maps.length);
                }
                return maps[slot.index];
            }
            return CompactContainer.resolve(obj);
        };
        return codec.decode(bytes, in.position(), resolver);
    }

    /**
     * A dict's place in the object stream; its entries are in the snapshot's slot of this index. Immutable.
     */
    static final class Slot implements Serializable
    {
        @Serial
        private static final long serialVersionUID = 1L;

        private final int index;

        Slot(final int index)
        {
            this.index = index;
        }
    }
}
