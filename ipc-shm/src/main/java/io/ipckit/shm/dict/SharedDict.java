package io.ipckit.shm.dict;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.Function;

import static io.ipckit.shm.dict.SharedDictDescriptor.LAYOUT_VERSION;

/**
 * A {@link ConcurrentMap} in shared memory: Python's {@code manager.dict()} without a manager process, and
 * Chronicle Map's speed with a writer's death survived.
 * <pre>{@code
 * try (SharedDict<String, Long> hits = SharedDict.create("hits", Codecs.STRING, Codecs.LONG)) {
 *     hits.merge("/index.html", 1L, Long::sum);          // atomic per key, in every process
 * }
 * SharedDict<String, Long> same = SharedDict.open("hits", Codecs.STRING, Codecs.LONG);   // another JVM
 * }</pre>
 * Keys and values are bytes in a mapped file, turned into objects by codecs (Java serialization through
 * {@link Codecs#serializable(String...)} when none is given; every process must use the same codecs). Keys are
 * compared by their encoded bytes, so a key codec must be deterministic. Every {@code ConcurrentMap} method keeps
 * its contract across processes: single-key operations are linearizable; {@code compute}, {@code merge},
 * {@code putIfAbsent}, both {@code replace} and {@code remove(key, value)} run atomically per key under the key's
 * segment lock (so their functions must be short, must not touch the same dict, and run in the calling process);
 * {@link #size()}, {@link #isEmpty()}, {@link #containsValue} and iteration are weakly consistent, as
 * {@code ConcurrentHashMap}'s: iterators never throw {@code ConcurrentModificationException} and return each entry
 * present throughout the iteration exactly once.
 * <p>
 * The zero-copy forms take keys and values as {@code (DirectBuffer, offset, length)}, read a value in place through
 * a {@link ValueHandler} and write one in place through a {@link ValueWriter}; with them a get or put allocates
 * nothing.
 * <p>
 * Robustness: readers never write shared memory; a writer killed with SIGKILL anywhere leaves every key with its
 * value before or after the mutation, and the next process to need the segment takes its lock over (within the
 * liveness interval, without an exclusive repair step) and repairs it; {@link #takeovers()} counts such takeovers.
 * The dict grows by splitting segments up to {@link SharedDictOptions#maxBytes(long)}; past it a put throws
 * {@link io.ipckit.core.exceptions.SharedMemoryExhaustedException} and changes nothing.
 * <p>
 * Thread-safe and process-safe. {@link #close()} is idempotent and safe while other threads are in calls: the file
 * is unmapped once the last of them has left. Null keys and values are refused, as by {@code ConcurrentHashMap}.
 * <p>
 * (Past 600 lines because the {@code ConcurrentMap} surface and the zero-copy forms each need their specification;
 * the logic is in {@code DictCore}, {@code DictStructure} and {@code DictViews}.)
 *
 * @param <K> the key type.
 * @param <V> the value type.
 */
public final class SharedDict<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V>, AutoCloseable
{
    private final ResourceFile file;
    private final DictCore core;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    private final DictViews<K, V> views;
    private final DictCallGuard guard;

    /**
     * Per-thread buffers. A thread whose own scratch is busy (a compute function calling the dict) gets a fresh one.
     */
    static final class Scratch
    {
        final ExpandableArrayBuffer key = new ExpandableArrayBuffer(64);
        final ExpandableArrayBuffer value = new ExpandableArrayBuffer(128);
        final ExpandableArrayBuffer old = new ExpandableArrayBuffer(128);
        final DictStructure.Held held = new DictStructure.Held();
        int outerSegment = -1;
        boolean busy;
        /** The thread's slot in the handle's {@link DictCallGuard} while this scratch serves a call. */
        DictCallGuard.Slot call;
    }

    private SharedDict(final ResourceFile file, final Codec<K> keyCodec, final Codec<V> valueCodec)
    {
        this.file = file;
        this.core = new DictCore(file);
        this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
        this.valueCodec = Objects.requireNonNull(valueCodec, "valueCodec");
        this.views = new DictViews<>(this, core, keyCodec, valueCodec);
        this.guard = new DictCallGuard("SharedDict \"" + file.name() + "\"", file::close);
    }

    /**
     * Creates an empty dict with the default options and the serializable codec for keys and values.
     *
     * @param name a valid resource name.
     * @param <K>  the key type.
     * @param <V>  the value type.
     * @return the dict.
     * @see #create(String, Codec, Codec, SharedDictOptions)
     */
    public static <K, V> SharedDict<K, V> create(final String name)
    {
        return create(name, Codecs.serializable(), Codecs.serializable(), new SharedDictOptions());
    }

    /**
     * Creates an empty dict with the serializable codec for keys and values.
     *
     * @param name    a valid resource name.
     * @param options the file's shape.
     * @param <K>     the key type.
     * @param <V>     the value type.
     * @return the dict.
     * @see #create(String, Codec, Codec, SharedDictOptions)
     */
    public static <K, V> SharedDict<K, V> create(final String name, final SharedDictOptions options)
    {
        return create(name, Codecs.serializable(), Codecs.serializable(), options);
    }

    /**
     * Creates an empty dict with the default options.
     *
     * @param name       a valid resource name.
     * @param keyCodec   the key codec (deterministic: equal keys encode to equal bytes).
     * @param valueCodec the value codec.
     * @param <K>        the key type.
     * @param <V>        the value type.
     * @return the dict.
     * @see #create(String, Codec, Codec, SharedDictOptions)
     */
    public static <K, V> SharedDict<K, V> create(final String name, final Codec<K> keyCodec, final Codec<V> valueCodec)
    {
        return create(name, keyCodec, valueCodec, new SharedDictOptions());
    }

    /**
     * Creates an empty dict.
     *
     * @param name       a valid resource name.
     * @param keyCodec   the key codec (deterministic: equal keys encode to equal bytes).
     * @param valueCodec the value codec.
     * @param options    the file's shape: bound, segment length, initial segments, persistence.
     * @param <K>        the key type.
     * @param <V>        the value type.
     * @return the dict.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws io.ipckit.core.exceptions.SharedMemoryExhaustedException when the initial segments find no room.
     * @throws IllegalArgumentException when the options contradict each other.
     */
    public static <K, V> SharedDict<K, V> create(
        final String name, final Codec<K> keyCodec, final Codec<V> valueCodec, final SharedDictOptions options)
    {
        Objects.requireNonNull(keyCodec, "keyCodec");
        Objects.requireNonNull(valueCodec, "valueCodec");
        final ResourceFile file = DictFile.create(name, Objects.requireNonNull(options, "options"));
        return new SharedDict<>(file, keyCodec, valueCodec);
    }

    /**
     * Opens a dict by name with the serializable codec for keys and values.
     *
     * @param name the name.
     * @param <K>  the key type.
     * @param <V>  the value type.
     * @return the dict.
     * @see #open(String, Codec, Codec, SharedDictOptions)
     */
    public static <K, V> SharedDict<K, V> open(final String name)
    {
        return open(name, Codecs.serializable(), Codecs.serializable(), new SharedDictOptions());
    }

    /**
     * Opens a dict by name with the serializable codec for keys and values.
     *
     * @param name    the name.
     * @param options options; none of the creation-only ones may be set.
     * @param <K>     the key type.
     * @param <V>     the value type.
     * @return the dict.
     * @see #open(String, Codec, Codec, SharedDictOptions)
     */
    public static <K, V> SharedDict<K, V> open(final String name, final SharedDictOptions options)
    {
        return open(name, Codecs.serializable(), Codecs.serializable(), options);
    }

    /**
     * Opens a dict by name.
     *
     * @param name       the name.
     * @param keyCodec   the key codec its creator used.
     * @param valueCodec the value codec its creator used.
     * @param <K>        the key type.
     * @param <V>        the value type.
     * @return the dict.
     * @see #open(String, Codec, Codec, SharedDictOptions)
     */
    public static <K, V> SharedDict<K, V> open(final String name, final Codec<K> keyCodec, final Codec<V> valueCodec)
    {
        return open(name, keyCodec, valueCodec, new SharedDictOptions());
    }

    /**
     * Opens a dict by name.
     *
     * @param name       the name.
     * @param keyCodec   the key codec its creator used.
     * @param valueCodec the value codec its creator used.
     * @param options    options; none of the creation-only ones (they shape the file) may be set.
     * @param <K>        the key type.
     * @param <V>        the value type.
     * @return the dict.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException when no such name exists.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is another kind of resource.
     * @throws io.ipckit.core.exceptions.IncompatibleVersionException when another ipckit version made it.
     * @throws io.ipckit.core.exceptions.CorruptResourceException when it is truncated or its metadata is corrupt.
     * @throws IllegalArgumentException when a creation-only option is set.
     */
    public static <K, V> SharedDict<K, V> open(
        final String name, final Codec<K> keyCodec, final Codec<V> valueCodec, final SharedDictOptions options)
    {
        Objects.requireNonNull(keyCodec, "keyCodec");
        Objects.requireNonNull(valueCodec, "valueCodec");
        if (options.creationOptionSet() != null)
        {
            throw new IllegalArgumentException("cannot open SharedDict \"" + name + "\" with " +
                options.creationOptionSet() + " set: it shapes the file and applies only to create");
        }
        final ResourceFile file = ResourceFile.open(name, ResourceKind.SHARED_DICT, LAYOUT_VERSION);
        try
        {
            file.requireLayoutVersion(LAYOUT_VERSION);
            DictFile.validate(file);
            return new SharedDict<>(file, keyCodec, valueCodec);
        }
        catch (final RuntimeException ex)
        {
            file.close();
            throw ex;
        }
    }

    // ---------------------------------------------------------------- zero-copy forms

    /**
     * Reads the value of a key in place. Allocates nothing.
     *
     * @param key       the key bytes.
     * @param keyOffset where they start.
     * @param keyLength how many.
     * @param handler   called with the value in the mapping, possibly more than once (see {@link ValueHandler}).
     * @return true when the key is present (and the handler's last call saw its value).
     * @throws ResourceClosedException when this handle is closed.
     */
    public boolean read(final DirectBuffer key, final int keyOffset, final int keyLength, final ValueHandler handler)
    {
        Objects.requireNonNull(handler, "handler");
        final DictCallGuard.Slot call = guard.enter();
        try
        {
            return core.read(key, keyOffset, keyLength, DictCore.hash(key, keyOffset, keyLength), null, 0, handler) >= 0;
        }
        catch (final InternalError ex)
        {
            throw failure(ex);
        }
        finally
        {
            guard.exit(call);
        }
    }

    /**
     * Copies the value of a key. Allocates nothing (an expandable {@code dst} grows if it must).
     *
     * @param key       the key bytes.
     * @param keyOffset where they start.
     * @param keyLength how many.
     * @param dst       where to copy the value.
     * @param dstOffset where in {@code dst}.
     * @return the value length, or -1 when the key is absent.
     * @throws IndexOutOfBoundsException when {@code dst} is too small.
     * @throws ResourceClosedException when this handle is closed.
     */
    public int get(
        final DirectBuffer key, final int keyOffset, final int keyLength, final MutableDirectBuffer dst,
        final int dstOffset)
    {
        final DictCallGuard.Slot call = guard.enter();
        try
        {
            return core.read(key, keyOffset, keyLength, DictCore.hash(key, keyOffset, keyLength), dst, dstOffset, null);
        }
        catch (final InternalError ex)
        {
            throw failure(ex);
        }
        finally
        {
            guard.exit(call);
        }
    }

    /**
     * @param key       the key bytes.
     * @param keyOffset where they start.
     * @param keyLength how many.
     * @return true when the key is present. Allocates nothing.
     * @throws ResourceClosedException when this handle is closed.
     */
    public boolean containsKey(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final DictCallGuard.Slot call = guard.enter();
        try
        {
            return core.read(key, keyOffset, keyLength, DictCore.hash(key, keyOffset, keyLength), null, 0, null) >= 0;
        }
        catch (final InternalError ex)
        {
            throw failure(ex);
        }
        finally
        {
            guard.exit(call);
        }
    }

    /**
     * Maps a key to a copy of the value bytes. Allocates nothing.
     *
     * @param key         the key bytes.
     * @param keyOffset   where they start.
     * @param keyLength   how many.
     * @param value       the value bytes.
     * @param valueOffset where they start.
     * @param valueLength how many.
     * @return true when the key was new.
     * @throws io.ipckit.core.exceptions.SharedMemoryExhaustedException when the dict is full (nothing changed).
     * @throws IllegalArgumentException when the entry cannot fit in a segment.
     * @throws ResourceClosedException when this handle is closed.
     */
    public boolean put(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        return write(key, keyOffset, keyLength, value, valueOffset, valueLength, null);
    }

    /**
     * Maps a key to a value written in place by {@code writer} (the dict's claim): the value is published when the
     * writer returns, or dropped if it throws. Allocates nothing.
     *
     * @param key         the key bytes.
     * @param keyOffset   where they start.
     * @param keyLength   how many.
     * @param valueLength the value length to claim.
     * @param writer      fills the value.
     * @return true when the key was new.
     * @throws io.ipckit.core.exceptions.SharedMemoryExhaustedException when the dict is full (nothing changed).
     * @throws IllegalArgumentException when the entry cannot fit in a segment.
     * @throws ResourceClosedException when this handle is closed.
     */
    public boolean put(
        final DirectBuffer key, final int keyOffset, final int keyLength, final int valueLength,
        final ValueWriter writer)
    {
        Objects.requireNonNull(writer, "writer");
        return write(key, keyOffset, keyLength, null, 0, valueLength, writer);
    }

    private boolean write(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength, final ValueWriter writer)
    {
        checkOpen();
        if (valueLength < 0)
        {
            throw new IllegalArgumentException("valueLength=" + valueLength + " is negative");
        }
        final long hash = DictCore.hash(key, keyOffset, keyLength);
        final Scratch s = enter();
        try
        {
            core.lockServing(hash, s.held, s.outerSegment, writer != null); // the writer runs under the lock
            return core.store(s.held, hash, key, keyOffset, keyLength, value, valueOffset, valueLength, writer);
        }
        catch (final InternalError ex)
        {
            throw failure(ex);
        }
        finally
        {
            try
            {
                core.unlock(s.held);
            }
            finally
            {
                exit(s); // even when the unlock faulted on a truncated file: the call guard must be left
            }
        }
    }

    /**
     * Removes a key. Allocates nothing.
     *
     * @param key       the key bytes.
     * @param keyOffset where they start.
     * @param keyLength how many.
     * @return true when the key was present.
     * @throws ResourceClosedException when this handle is closed.
     */
    public boolean remove(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final long hash = DictCore.hash(key, keyOffset, keyLength);
        final Scratch s = enter();
        try
        {
            core.lockServing(hash, s.held, s.outerSegment);
            final int slot = core.findSlot(core.segmentOffset(s.held.segment), key, keyOffset, keyLength, hash);
            if (slot >= 0)
            {
                core.delete(s.held, slot);
                return true;
            }
            return false;
        }
        catch (final InternalError ex)
        {
            throw failure(ex);
        }
        finally
        {
            try
            {
                core.unlock(s.held);
            }
            finally
            {
                exit(s); // even when the unlock faulted on a truncated file: the call guard must be left
            }
        }
    }

    // ---------------------------------------------------------------- Map and ConcurrentMap

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException when the key is null.
     * @throws ClassCastException   when the key does not suit the key codec.
     */
    @Override
    public V get(final Object key)
    {
        final Scratch s = enter();
        try
        {
            final int keyLength = encodeKey(key, s);
            final int valueLength = core.read(s.key, 0, keyLength, DictCore.hash(s.key, 0, keyLength), s.old, 0, null);
            return valueLength < 0 ? null : valueCodec.decode(s.old, 0, valueLength);
        }
        catch (final InternalError ex)
        {
            throw failure(ex);
        }
        finally
        {
            exit(s);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean containsKey(final Object key)
    {
        final Scratch s = enter();
        try
        {
            final int keyLength = encodeKey(key, s);
            return core.read(s.key, 0, keyLength, DictCore.hash(s.key, 0, keyLength), null, 0, null) >= 0;
        }
        catch (final InternalError ex)
        {
            throw failure(ex);
        }
        finally
        {
            exit(s);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws io.ipckit.core.exceptions.SharedMemoryExhaustedException when the dict is full (nothing changed).
     */
    @Override
    public V put(final K key, final V value)
    {
        return update(key, value, null, null, Mode.PUT);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public V putIfAbsent(final K key, final V value)
    {
        return update(key, value, null, null, Mode.PUT_IF_ABSENT);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public V replace(final K key, final V value)
    {
        return update(key, value, null, null, Mode.REPLACE);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean replace(final K key, final V oldValue, final V newValue)
    {
        Objects.requireNonNull(oldValue, "oldValue");
        return update(key, newValue, oldValue, null, Mode.REPLACE_IF) != null;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    @SuppressWarnings("unchecked")
    public V remove(final Object key)
    {
        return update((K)key, null, null, null, Mode.REMOVE);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    @SuppressWarnings("unchecked")
    public boolean remove(final Object key, final Object value)
    {
        if (value == null)
        {
            return false;
        }
        return update((K)key, null, (V)value, null, Mode.REMOVE_IF) != null;
    }

    /**
     * {@inheritDoc} The function runs in this process while it holds the key's segment lock.
     */
    @Override
    public V computeIfAbsent(final K key, final Function<? super K, ? extends V> mappingFunction)
    {
        Objects.requireNonNull(mappingFunction, "mappingFunction");
        final V present = get(key);
        return present != null ? present :
            update(key, null, null, (k, old) -> old != null ? old : mappingFunction.apply(k), Mode.COMPUTE);
    }

    /**
     * {@inheritDoc} The function runs in this process while it holds the key's segment lock.
     */
    @Override
    public V computeIfPresent(final K key, final BiFunction<? super K, ? super V, ? extends V> remappingFunction)
    {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return update(key, null, null, (k, old) -> old == null ? null : remappingFunction.apply(k, old), Mode.COMPUTE);
    }

    /**
     * {@inheritDoc} The function runs in this process while it holds the key's segment lock.
     */
    @Override
    public V compute(final K key, final BiFunction<? super K, ? super V, ? extends V> remappingFunction)
    {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return update(key, null, null, remappingFunction, Mode.COMPUTE);
    }

    /**
     * {@inheritDoc} The function runs in this process while it holds the key's segment lock.
     */
    @Override
    public V merge(final K key, final V value, final BiFunction<? super V, ? super V, ? extends V> remappingFunction)
    {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return update(key, null, null, (k, old) -> old == null ? value : remappingFunction.apply(old, value),
            Mode.COMPUTE);
    }

    private enum Mode
    {
        PUT, PUT_IF_ABSENT, REPLACE, REPLACE_IF, REMOVE, REMOVE_IF, COMPUTE
    }

    /**
     * Every single-key mutation: under the key's segment lock, looks at the current value and decides.
     *
     * @return PUT, PUT_IF_ABSENT, REPLACE, REMOVE: the previous value; REPLACE_IF, REMOVE_IF: non-null when done;
     * COMPUTE: the new value.
     */
    private V update(
        final K key, final V value, final V expected, final BiFunction<? super K, ? super V, ? extends V> function,
        final Mode mode)
    {
        final Scratch s = enter();
        try
        {
            final int keyLength = encodeKey(key, s);
            int valueLength = -1;
            if (value != null)
            {
                valueLength = valueCodec.encode(value, s.value, 0);
            }
            else if (mode == Mode.PUT || mode == Mode.PUT_IF_ABSENT || mode == Mode.REPLACE || mode == Mode.REPLACE_IF)
            {
                throw new NullPointerException("value");
            }
            final long hash = DictCore.hash(s.key, 0, keyLength);
            core.lockServing(hash, s.held, s.outerSegment, mode == Mode.COMPUTE); // the function runs under the lock
            try
            {
                final int so = core.segmentOffset(s.held.segment);
                final int slot = core.findSlot(so, s.key, 0, keyLength, hash);
                final int oldLength = slot >= 0 ? copyOld(so, slot, s) : -1;
                switch (mode)
                {
                    case PUT:
                    case REPLACE:
                        if (mode == Mode.PUT || slot >= 0)
                        {
                            core.store(s.held, hash, s.key, 0, keyLength, s.value, 0, valueLength, null);
                        }
                        return oldLength < 0 ? null : valueCodec.decode(s.old, 0, oldLength);
                    case PUT_IF_ABSENT:
                        if (slot < 0)
                        {
                            core.store(s.held, hash, s.key, 0, keyLength, s.value, 0, valueLength, null);
                            return null;
                        }
                        return valueCodec.decode(s.old, 0, oldLength);
                    case REMOVE:
                        if (slot >= 0)
                        {
                            core.delete(s.held, slot);
                            return valueCodec.decode(s.old, 0, oldLength);
                        }
                        return null;
                    case REPLACE_IF:
                    case REMOVE_IF:
                        if (slot < 0 || !matches(expected, s, oldLength))
                        {
                            return null;
                        }
                        if (mode == Mode.REMOVE_IF)
                        {
                            core.delete(s.held, slot);
                        }
                        else
                        {
                            core.store(s.held, hash, s.key, 0, keyLength, s.value, 0, valueLength, null);
                        }
                        return expected;
                    default:
                        final V old = oldLength < 0 ? null : valueCodec.decode(s.old, 0, oldLength);
                        final V result = function.apply(key, old);
                        // a result that is the old value may have been changed in place (it is this call's own
                        // decoded copy): it is written like any other
                        if (result == null)
                        {
                            if (slot >= 0)
                            {
                                core.delete(s.held, slot);
                            }
                            return null;
                        }
                        final int newLength = valueCodec.encode(result, s.value, 0);
                        core.store(s.held, hash, s.key, 0, keyLength, s.value, 0, newLength, null);
                        return result;
                }
            }
            finally
            {
                core.unlock(s.held);
            }
        }
        catch (final InternalError ex)
        {
            throw failure(ex);
        }
        finally
        {
            exit(s);
        }
    }

    private int copyOld(final int so, final int slot, final Scratch s)
    {
        final int entry = core.entryAt(so, slot);
        final int length = core.valueLengthOf(entry);
        s.old.putBytes(0, core.buffer(), core.valueOffsetOf(entry), length);
        return length;
    }

    private boolean matches(final V expected, final Scratch s, final int oldLength)
    {
        final int expectedLength = valueCodec.encode(expected, s.old, oldLength);
        if (expectedLength == oldLength)
        {
            int i = 0;
            while (i < oldLength && s.old.getByte(i) == s.old.getByte(oldLength + i))
            {
                i++;
            }
            if (i == oldLength)
            {
                return true;
            }
        }
        return expected.equals(valueCodec.decode(s.old, 0, oldLength));
    }

    /**
     * {@inheritDoc} Weakly consistent: the sum of each segment's count as the walk meets it.
     */
    @Override
    public int size()
    {
        final DictCallGuard.Slot call = guard.enter();
        try
        {
            return (int)Math.min(views.count(), Integer.MAX_VALUE);
        }
        catch (final InternalError ex)
        {
            throw failure(ex);
        }
        finally
        {
            guard.exit(call);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean isEmpty()
    {
        return size() == 0;
    }

    /**
     * {@inheritDoc} Weakly consistent: empties each segment in turn, under its lock.
     */
    @Override
    public void clear()
    {
        final Scratch s = enter();
        try
        {
            views.clear(s.held, s.outerSegment);
        }
        catch (final InternalError ex)
        {
            throw failure(ex);
        }
        finally
        {
            exit(s);
        }
    }

    /**
     * {@inheritDoc} Weakly consistent.
     */
    @Override
    public Set<Entry<K, V>> entrySet()
    {
        checkOpen();
        return views.entrySet();
    }

    /**
     * {@inheritDoc} Weakly consistent.
     */
    @Override
    public Set<K> keySet()
    {
        checkOpen();
        return views.keySet();
    }

    /**
     * {@inheritDoc} Weakly consistent.
     */
    @Override
    public Collection<V> values()
    {
        checkOpen();
        return views.values();
    }

    // ---------------------------------------------------------------- resource

    /**
     * @return the resource name.
     */
    public String name()
    {
        return file.name();
    }

    /**
     * @return how many locks of this dict, in every process, were taken over from a process that died holding them.
     */
    public long takeovers()
    {
        final DictCallGuard.Slot call = guard.enter();
        try
        {
            return core.takeovers();
        }
        finally
        {
            guard.exit(call);
        }
    }

    /**
     * Removes the name; mappings (this one and other processes') stay valid until closed.
     *
     * @return true when this call removed it.
     */
    public boolean unlink()
    {
        return file.unlink();
    }

    /**
     * Closes the dict in this process; idempotent, never waits. Calls that begin afterwards throw
     * {@link ResourceClosedException}; calls under way in other threads (or the caller's own, when a handler or a
     * function closes the dict) finish, and the file is unmapped when the last of them has left.
     */
    @Override
    public void close()
    {
        guard.close();
    }

    void checkOpen()
    {
        guard.checkOpen();
    }

    /**
     * Enters a call that reads the mapping without a {@link Scratch} (an iterator's walk); pair it with
     * {@link #exitCall} in a {@code finally}.
     *
     * @throws ResourceClosedException when this handle is closed.
     */
    DictCallGuard.Slot enterCall()
    {
        return guard.enter();
    }

    void exitCall(final DictCallGuard.Slot call)
    {
        guard.exit(call);
    }

    /**
     * What a public call throws when touching the mapping faulted: HotSpot turns a SIGBUS inside an Unsafe access (a
     * page of a file another process truncated) into an {@link InternalError}, which the file names as a
     * {@link io.ipckit.core.exceptions.CorruptResourceException} (or a {@link ResourceClosedException}).
     */
    RuntimeException failure(final InternalError ex)
    {
        return file.file().failure(ex);
    }

    Scratch enter()
    {
        Scratch s = scratch.get();
        if (s.busy)
        {
            final int outer = s.held.segment;
            s = new Scratch();
            s.outerSegment = outer;
        }
        final DictCallGuard.Slot call = guard.enter(); // last: nothing before it can leave it entered
        s.busy = true;
        s.call = call;
        return s;
    }

    void exit(final Scratch s)
    {
        final DictCallGuard.Slot call = s.call;
        s.call = null;
        s.busy = false;
        guard.exit(call);
    }

    private int encodeKey(final Object key, final Scratch s)
    {
        @SuppressWarnings("unchecked")
        final K k = (K)Objects.requireNonNull(key, "key");
        return keyCodec.encode(k, s.key, 0);
    }
}
