package io.ipckit.shm.dict;

import io.ipckit.core.codec.Codec;
import org.agrona.ExpandableArrayBuffer;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

import static io.ipckit.shm.dict.SharedDictDescriptor.ENTRY_KEY_OFFSET;
import static io.ipckit.shm.dict.SharedDictDescriptor.ENTRY_VALUE_LENGTH_OFFSET;
import static io.ipckit.shm.dict.SharedDictDescriptor.entryLength;
import static io.ipckit.shm.dict.SharedDictDescriptor.valueOffset;

/**
 * The walk over a {@link SharedDict}'s hash ranges and the views built on it: {@code size}, {@code clear},
 * {@code entrySet}, {@code keySet}, {@code values} and their iterators.
 * <p>
 * <b>Note to maintainers: why the walk is exactly-once.</b> The walk visits the {@code 2^maxDepth} finest hash
 * ranges in bit-reversed order of their index {@code r} (range {@code r} holds the hashes whose low
 * {@code maxDepth} bits are {@code reverse(r)}). In that order the ranges a segment of depth {@code d} serves are
 * one contiguous run of {@code 2^(maxDepth - d)} indices, so the walk copies a whole segment under its seqlock and
 * jumps past its run. Depths only grow (segments split or compact, never merge), so a later segment never serves a
 * range the walk has passed: an entry present throughout the walk is returned once, and no entry twice.
 * <p>
 * Thread-safe; each iterator is for one thread.
 *
 * @param <K> the key type.
 * @param <V> the value type.
 */
final class DictViews<K, V>
{
    private final SharedDict<K, V> dict;
    private final DictCore core;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private final long ranges;

    DictViews(final SharedDict<K, V> dict, final DictCore core, final Codec<K> keyCodec, final Codec<V> valueCodec)
    {
        this.dict = dict;
        this.core = core;
        this.keyCodec = keyCodec;
        this.valueCodec = valueCodec;
        this.ranges = 1L << core.maxDepth;
    }

    private long virtualHash(final long r)
    {
        return core.maxDepth == 0 ? 0 : (Integer.reverse((int)r) >>> (32 - core.maxDepth));
    }

    private long nextRange(final long r, final int depth)
    {
        return (r | ((1L << (core.maxDepth - depth)) - 1)) + 1;
    }

    long count()
    {
        long total = 0;
        for (long r = 0; r < ranges; )
        {
            final long snapshot = core.snapshot(virtualHash(r), null);
            total += (int)snapshot;
            r = nextRange(r, (int)(snapshot >>> 32));
        }
        return total;
    }

    void clear(final DictStructure.Held held, final int heldOuter)
    {
        for (long r = 0; r < ranges; )
        {
            core.lockServing(virtualHash(r), held, heldOuter);
            final int depth;
            try
            {
                depth = core.depthOf(held);
                core.clear(held);
            }
            finally
            {
                core.unlock(held);
            }
            r = nextRange(r, depth);
        }
    }

    Set<Map.Entry<K, V>> entrySet()
    {
        return new AbstractSet<>()
        {
            public Iterator<Map.Entry<K, V>> iterator()
            {
                return new Walk<>(Function.identity());
            }

            public int size()
            {
                return dict.size();
            }

            public boolean contains(final Object o)
            {
                if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null)
                {
                    return false;
                }
                final V value = dict.get(e.getKey());
                return value != null && value.equals(e.getValue());
            }

            public boolean remove(final Object o)
            {
                return o instanceof Map.Entry<?, ?> e && e.getKey() != null && e.getValue() != null &&
                    dict.remove(e.getKey(), e.getValue());
            }

            public void clear()
            {
                dict.clear();
            }
        };
    }

    Set<K> keySet()
    {
        return new AbstractSet<>()
        {
            public Iterator<K> iterator()
            {
                return new Walk<>(Map.Entry::getKey);
            }

            public int size()
            {
                return dict.size();
            }

            public boolean contains(final Object o)
            {
                return o != null && dict.containsKey(o);
            }

            public boolean remove(final Object o)
            {
                return o != null && dict.remove(o) != null;
            }

            public void clear()
            {
                dict.clear();
            }
        };
    }

    Collection<V> values()
    {
        return new AbstractCollection<>()
        {
            public Iterator<V> iterator()
            {
                return new Walk<>(Map.Entry::getValue);
            }

            public int size()
            {
                return dict.size();
            }

            public void clear()
            {
                dict.clear();
            }
        };
    }

    /**
     * An entry of an iterator: {@link #setValue} writes through to the dict.
     */
    private final class DictEntry extends AbstractMap.SimpleEntry<K, V>
    {
        private static final long serialVersionUID = 1L;

        DictEntry(final K key, final V value)
        {
            super(key, value);
        }

        @Override
        public V setValue(final V value)
        {
            dict.put(getKey(), Objects.requireNonNull(value, "value"));
            return super.setValue(value);
        }
    }

    /**
     * The weakly consistent iterator: copies one segment at a time and decodes from the copy.
     */
    private final class Walk<T> implements Iterator<T>
    {
        private final Function<Map.Entry<K, V>, T> map;
        private final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(4096);
        private long r;
        private int position;
        private int end;
        private K lastKey;

        Walk(final Function<Map.Entry<K, V>, T> map)
        {
            this.map = map;
        }

        public boolean hasNext()
        {
            while (position >= end && r < ranges)
            {
                final DictCallGuard.Slot call = dict.enterCall();
                final long snapshot;
                try
                {
                    snapshot = core.snapshot(virtualHash(r), copy);
                }
                catch (final InternalError ex)
                {
                    throw dict.failure(ex); // a page of a file another process truncated: see SharedDict#failure
                }
                finally
                {
                    dict.exitCall(call);
                }
                position = 0;
                end = (int)snapshot;
                r = nextRange(r, (int)(snapshot >>> 32));
            }
            return position < end;
        }

        public T next()
        {
            if (!hasNext())
            {
                throw new NoSuchElementException();
            }
            final int keyLength = copy.getInt(position);
            final int valueLength = copy.getInt(position + ENTRY_VALUE_LENGTH_OFFSET);
            final K key = keyCodec.decode(copy, position + ENTRY_KEY_OFFSET, keyLength);
            final V value = valueCodec.decode(copy, position + valueOffset(keyLength), valueLength);
            position += (int)entryLength(keyLength, valueLength);
            lastKey = key;
            return map.apply(new DictEntry(key, value));
        }

        public void remove()
        {
            if (lastKey == null)
            {
                throw new IllegalStateException("next() has not returned an entry since the last remove()");
            }
            dict.remove(lastKey);
            lastKey = null;
        }
    }
}
