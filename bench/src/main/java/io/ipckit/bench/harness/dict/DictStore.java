package io.ipckit.bench.harness.dict;

import io.ipckit.core.codec.Codecs;
import io.ipckit.shm.dict.SharedDict;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentMap;

/**
 * One process's handle on a shared map, in the two shapes the workloads use: a {@code ConcurrentMap<Long, Long>}
 * (the {@code manager-dict} workload, as Python's {@code shared[key] = value}) and, for the dict workloads, 8-byte
 * keys with 64-byte values through each map's allocation-free forms (SharedDict's buffer forms; Chronicle Map's
 * query context for puts and {@code getUsing} for gets). Not thread-safe: one per worker thread. The map itself is
 * process-safe (that is what is measured).
 */
abstract class DictStore implements AutoCloseable
{
    /** Keys of the dict workloads, all present from the start. */
    static final int KEYS = 1 << 16;
    /** Value bytes of the dict workloads. */
    static final int VALUE_BYTES = 64;
    /** Keys of the manager workload (as Python's {@code ops & 1023}). */
    static final int MANAGER_KEYS = 1024;

    /**
     * @return the map as a {@code ConcurrentMap} of longs (manager shape).
     */
    abstract ConcurrentMap<Long, Long> longs();

    /**
     * Puts a 64-byte value without allocating.
     *
     * @param key   the key.
     * @param value {@link #VALUE_BYTES} bytes.
     */
    abstract void put(int key, UnsafeBuffer value);

    /**
     * Gets a 64-byte value without allocating.
     *
     * @param key the key.
     * @param dst receives {@link #VALUE_BYTES} bytes.
     * @return true when present.
     */
    abstract boolean get(int key, UnsafeBuffer dst);

    /**
     * Removes the map's name or file; call in the creating process after the measurement.
     */
    abstract void unlink();

    @Override
    public abstract void close();

    /**
     * Creates a map.
     *
     * @param chronicle true for Chronicle Map, false for SharedDict.
     * @param manager   true for the manager shape (longs), false for the dict workloads (pre-filled with every key).
     * @param spec      the SharedDict name, or the Chronicle Map file.
     * @return the creator's handle.
     */
    static DictStore create(final boolean chronicle, final boolean manager, final String spec)
    {
        final DictStore store = chronicle ? new Chronicle(spec, manager) : new Ipckit(spec, manager, true);
        if (!manager)
        {
            final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_BYTES]);
            for (int k = 0; k < KEYS; k++)
            {
                value.putLong(0, k);
                store.put(k, value);
            }
        }
        return store;
    }

    /**
     * Opens a map another process created.
     *
     * @param chronicle true for Chronicle Map, false for SharedDict.
     * @param manager   the shape it was created with.
     * @param spec      the SharedDict name, or the Chronicle Map file.
     * @return a handle for this process.
     */
    static DictStore open(final boolean chronicle, final boolean manager, final String spec)
    {
        return chronicle ? new Chronicle(spec, manager) : new Ipckit(spec, manager, false);
    }

    private static final class Ipckit extends DictStore
    {
        private final SharedDict<Long, Long> longs;
        private final SharedDict<Long, byte[]> bytes;
        private final UnsafeBuffer key = new UnsafeBuffer(new byte[Long.BYTES]);

        Ipckit(final String name, final boolean manager, final boolean create)
        {
            if (manager)
            {
                longs = create ? SharedDict.create(name, Codecs.LONG, Codecs.LONG) :
                    SharedDict.open(name, Codecs.LONG, Codecs.LONG);
                bytes = null;
            }
            else
            {
                bytes = create ? SharedDict.create(name, Codecs.LONG, Codecs.BYTES) :
                    SharedDict.open(name, Codecs.LONG, Codecs.BYTES);
                longs = null;
            }
        }

        @Override
        ConcurrentMap<Long, Long> longs()
        {
            return longs;
        }

        @Override
        void put(final int k, final UnsafeBuffer value)
        {
            key.putLong(0, k);
            bytes.put(key, 0, Long.BYTES, value, 0, VALUE_BYTES);
        }

        @Override
        boolean get(final int k, final UnsafeBuffer dst)
        {
            key.putLong(0, k);
            return bytes.get(key, 0, Long.BYTES, dst, 0) >= 0;
        }

        @Override
        void unlink()
        {
            (longs != null ? longs : bytes).unlink();
        }

        @Override
        public void close()
        {
            (longs != null ? longs : bytes).close();
        }
    }

    private static final class Chronicle extends DictStore
    {
        private final File file;
        private final ChronicleMap<Long, Long> longs;
        private final ChronicleMap<Long, byte[]> bytes;
        private final Long[] boxed;

        Chronicle(final String path, final boolean manager)
        {
            file = new File(path);
            try
            {
                if (manager)
                {
                    longs = ChronicleMap.of(Long.class, Long.class).name("manager-dict").entries(2L * MANAGER_KEYS)
                        .createPersistedTo(file);
                    bytes = null;
                    boxed = null;
                }
                else
                {
                    bytes = ChronicleMap.of(Long.class, byte[].class).name("dict").entries(KEYS)
                        .constantKeySizeBySample(0L).constantValueSizeBySample(new byte[VALUE_BYTES])
                        .createPersistedTo(file);
                    longs = null;
                    boxed = new Long[KEYS];
                    for (int i = 0; i < KEYS; i++)
                    {
                        boxed[i] = (long)i;
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create or open the Chronicle Map " + file, ex);
            }
        }

        @Override
        ConcurrentMap<Long, Long> longs()
        {
            return longs;
        }

        @Override
        void put(final int k, final UnsafeBuffer value)
        {
            try (ExternalMapQueryContext<Long, byte[], ?> context = bytes.queryContext(boxed[k]))
            {
                context.updateLock().lock();
                final Data<byte[]> data = context.wrapValueAsData(value.byteArray());
                final MapEntry<Long, byte[]> entry = context.entry();
                if (entry != null)
                {
                    context.replaceValue(entry, data);
                }
                else
                {
                    context.insert(context.absentEntry(), data);
                }
            }
        }

        @Override
        boolean get(final int k, final UnsafeBuffer dst)
        {
            return bytes.getUsing(boxed[k], dst.byteArray()) != null;
        }

        @Override
        void unlink()
        {
            file.delete();
        }

        @Override
        public void close()
        {
            (longs != null ? longs : bytes).close();
        }
    }
}
