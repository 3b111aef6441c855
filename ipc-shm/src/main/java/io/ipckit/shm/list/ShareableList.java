package io.ipckit.shm.list;

import io.ipckit.core.ResourceName;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.PropertyDefaults;
import io.ipckit.shm.ShmOptions;
import io.ipckit.shm.internal.ShmOptionsCheck;
import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;

import static io.ipckit.shm.list.ShareableListDescriptor.*;

/**
 * Python's {@code multiprocessing.shared_memory.ShareableList} for Java: a fixed-length list of {@code null},
 * integers, floating-point numbers, booleans, Strings and {@code byte[]} in shared memory, readable and writable
 * from every process by name. It is a fixed-size {@link List} (as {@link java.util.Arrays#asList}): {@link #get}
 * and {@link #set} work, adding or removing throws {@link UnsupportedOperationException}.
 * <pre>{@code
 * try (ShareableList config = ShareableList.create("config", List.of("eu-west", 8080L, 0.25, true), 32)) {
 *     config.set(0, "ap-south-1");        // fits: each slot holds 32 bytes
 *     // another JVM: ShareableList.open("config").get(1) -> 8080L
 * }
 * }</pre>
 * Each slot has a fixed capacity in bytes (at least 8; by default what its first value needs, rounded up to 8,
 * as in Python) and may change type as long as the new value fits. Unlike Python's (cpython#96779, #106939):
 * <ul>
 *     <li>strings and bytes keep their exact length, so trailing NULs survive and nothing is stripped;</li>
 *     <li>lengths are counted in UTF-8 bytes, so multi-byte characters are never cut or corrupted;</li>
 *     <li>a slot can be created larger than its first value ({@code minSlotBytes}), so a string can grow;</li>
 *     <li>a value that does not fit fails with {@link IllegalArgumentException} naming the slot and both sizes,
 *     and the slot keeps its old value;</li>
 *     <li>each slot is read and written atomically (a per-slot seqlock), so a reader never sees half a string.</li>
 * </ul>
 * A writer killed in the middle of a write leaves its slot locked under its identity, and the slot's value is lost:
 * a {@link #get} of that slot then fails with {@link CorruptResourceException} until a {@link #set} takes the slot
 * over and writes a whole new value (it returns null for the lost one). A slot locked by a live writer for longer than
 * {@value #SLOT_TIMEOUT_DEFAULT_MS} ms (property {@value #SLOT_TIMEOUT_PROP_NAME}) fails with
 * {@link IpcTimeoutException}. A write that fails in this process (an {@link OutOfMemoryError}, a close, a
 * truncated file) never leaves its slot locked: it fails before taking the lock, or releases it. Thread-safe and
 * process-safe. {@code equals} compares contents, but {@code byte[]} items compare by identity, as in any
 * {@link List}.
 * <p>
 * <b>Note to maintainers.</b> Between the compare-and-set that locks a slot and the release store that unlocks it, a
 * write does nothing that can fail in the ordinary course: it copies the old value before it takes the lock (the
 * compare-and-set from the sequence it read proves the copy whole), stores from arrays it already holds, and holds
 * the read side of {@link #gate}, whose write side {@link #close()} takes before it unmaps, so the release store
 * always finds the mapping. Whatever fails there anyway goes through {@code releaseAfterFailure}.
 */
public final class ShareableList extends AbstractList<Object> implements RandomAccess, AutoCloseable
{
    /**
     * System property: how long to wait for a slot that another thread or process is writing, in milliseconds (0 or
     * more; read by each create and open, which refuse another value).
     */
    public static final String SLOT_TIMEOUT_PROP_NAME = "ipckit.list.slot.timeout.ms";
    /** Default of {@link #SLOT_TIMEOUT_PROP_NAME}. */
    public static final long SLOT_TIMEOUT_DEFAULT_MS = 5_000;

    private static final VarHandle SEQUENCE = ValueLayout.JAVA_LONG.varHandle();
    private static final int SPINS_BEFORE_YIELD = 100;
    /** The sequence word with which this process's writes lock a slot. */
    private static final long LOCK_WORD = lockWord(OwnerToken.current());

    private final ResourceFile file;
    private final MemorySegment segment;
    private final long[] slotOffsets;
    private final int[] capacities;
    private final long slotTimeoutNs;
    /** Writes hold the read side from before they lock a slot until they release it; {@link #close()} the write side. */
    private final StampedLock gate = new StampedLock();
    /** Set by {@link #close()}: writes and reads still waiting for a slot give up. */
    private volatile boolean closing;

    private ShareableList(
        final ResourceFile file, final long[] slotOffsets, final int[] capacities, final long slotTimeoutNs)
    {
        this.file = file;
        this.segment = file.file().segment();
        this.slotOffsets = slotOffsets;
        this.capacities = capacities;
        this.slotTimeoutNs = slotTimeoutNs;
    }

    /**
     * @return the slot timeout: {@link #SLOT_TIMEOUT_PROP_NAME}, checked, or {@value #SLOT_TIMEOUT_DEFAULT_MS} ms.
     * @throws IllegalArgumentException when the property is not a whole number, or is negative.
     */
    static long slotTimeoutMs()
    {
        final long[] timeoutMs = {SLOT_TIMEOUT_DEFAULT_MS};
        PropertyDefaults.applyLong(SLOT_TIMEOUT_PROP_NAME, (ms) ->
        {
            if (ms < 0)
            {
                throw new IllegalArgumentException("the slot timeout must be 0 ms or more, got " + ms);
            }
            timeoutMs[0] = ms;
        });
        return timeoutMs[0];
    }

    /**
     * Creates a list whose slots are as large as their first values need (at least 8 bytes), as Python does.
     *
     * @param name  a valid resource name.
     * @param items the initial items.
     * @return the list.
     * @see #create(String, List, ShmOptions)
     */
    public static ShareableList create(final String name, final List<?> items)
    {
        return create(name, items, new ShmOptions());
    }

    /**
     * Creates a list.
     *
     * @param name    a valid resource name.
     * @param items   the initial items: null, Long/Integer/Short/Byte, Double/Float, Boolean, String, byte[].
     * @param options {@link ShmOptions#minSlotBytes}: the least payload capacity of every slot (rounded up to a
     *                multiple of 8, at least 8), so strings and bytes can grow; {@link ShmOptions#persistent} to
     *                keep the list when this process dies without unlinking it. No other option applies.
     * @return the list.
     * @throws IllegalArgumentException when an item has another type, {@value #SLOT_TIMEOUT_PROP_NAME} is not a
     *                                  whole number of 0 or more, there are more than
     *                                  {@link ShareableListDescriptor#MAX_ITEM_COUNT} items, or an option that does
     *                                  not apply is set.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     */
    public static ShareableList create(final String name, final List<?> items, final ShmOptions options)
    {
        ResourceName.validate(name);
        ShmOptionsCheck.applicableOnly(options, "ShareableList \"" + name + "\"",
            ShmOptions.PERSISTENT, ShmOptions.MIN_SLOT_BYTES);
        final int minSlotBytes = options.minSlotBytes();
        final boolean persistent = options.persistent();
        final int count = items.size();
        final long slotTimeoutNs = TimeUnit.MILLISECONDS.toNanos(slotTimeoutMs());
        if (count > MAX_ITEM_COUNT)
        {
            throw new IllegalArgumentException("cannot create ShareableList \"" + name + "\" of " + count + " items: " +
                "its slot table must fit a header of at most 2 GiB, which holds at most " + MAX_ITEM_COUNT +
                " items; split the items over several lists");
        }
        final byte[][] encoded = new byte[count][];
        final int[] capacities = new int[count];
        final long[] slotOffsets = new long[count];
        final int headerLength = io.ipckit.core.file.ResourceHeaderDescriptor.headerLength(metadataLength(count));
        long offset = headerLength;
        for (int i = 0; i < count; i++)
        {
            final Object item = items.get(i);
            encoded[i] = encode(item);
            final int needed = encoded[i] == null ? MIN_CAPACITY : encoded[i].length;
            capacities[i] = BitUtil.align(Math.max(Math.max(needed, minSlotBytes), MIN_CAPACITY), 8);
            slotOffsets[i] = offset;
            offset += slotLength(capacities[i]);
        }
        final ShareableList[] created = new ShareableList[1];
        ResourceFile.create(name, ResourceKind.SHAREABLE_LIST, LAYOUT_VERSION, metadataLength(count),
            offset - headerLength, persistent, (resource) ->
            {
                final AtomicBuffer buffer = resource.buffer();
                buffer.putInt(COUNT_OFFSET, count);
                for (int i = 0; i < count; i++)
                {
                    buffer.putLong(entryOffset(i) + ENTRY_SLOT_OFFSET_OFFSET, slotOffsets[i]);
                    buffer.putInt(entryOffset(i) + ENTRY_CAPACITY_OFFSET, capacities[i]);
                }
                created[0] = new ShareableList(resource, slotOffsets, capacities, slotTimeoutNs);
                for (int i = 0; i < count; i++)
                {
                    created[0].write(i, ItemType.of(items.get(i)), items.get(i), encoded[i]);
                }
            });
        return created[0];
    }

    /**
     * Opens a list by name; the slot table is validated before any slot is read.
     *
     * @param name the name.
     * @return the list.
     * @throws ResourceNotFoundException when no such name exists.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a ShareableList.
     * @throws io.ipckit.core.exceptions.IncompatibleVersionException when another ipckit version made the list.
     * @throws CorruptResourceException when the file is truncated or its slot table is inconsistent.
     * @throws IllegalArgumentException when {@value #SLOT_TIMEOUT_PROP_NAME} is not a whole number of 0 or more.
     */
    public static ShareableList open(final String name)
    {
        final long slotTimeoutNs = TimeUnit.MILLISECONDS.toNanos(slotTimeoutMs());
        final ResourceFile file = ResourceFile.open(name, ResourceKind.SHAREABLE_LIST, LAYOUT_VERSION);
        boolean opened = false;
        try
        {
            file.requireLayoutVersion(LAYOUT_VERSION); // version 1's lock words name no writer
            final AtomicBuffer buffer = file.buffer();
            final int count = buffer.getInt(COUNT_OFFSET);
            final long totalLength = file.file().lengthBytes();
            if (count < 0 || count > (file.headerLength() - SLOT_TABLE_OFFSET) / SLOT_ENTRY_LENGTH)
            {
                throw corrupt(name, "item count " + count + " does not fit its " + file.headerLength() +
                    "-byte header");
            }
            final long[] slotOffsets = new long[count];
            final int[] capacities = new int[count];
            for (int i = 0; i < count; i++)
            {
                slotOffsets[i] = buffer.getLong(entryOffset(i) + ENTRY_SLOT_OFFSET_OFFSET);
                capacities[i] = buffer.getInt(entryOffset(i) + ENTRY_CAPACITY_OFFSET);
                if (slotOffsets[i] < file.headerLength() || (slotOffsets[i] & 7) != 0 ||
                    capacities[i] < MIN_CAPACITY || (capacities[i] & 7) != 0 ||
                    slotOffsets[i] > totalLength - slotLength(capacities[i]))
                {
                    throw corrupt(name, "slot " + i + " at offset " + slotOffsets[i] + " with capacity " +
                        capacities[i] + " lies outside the " + totalLength + "-byte file");
                }
            }
            final ShareableList list = new ShareableList(file, slotOffsets, capacities, slotTimeoutNs);
            opened = true;
            return list;
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw openFailure(file, ex);
        }
        finally
        {
            if (!opened)
            {
                file.close();
            }
        }
    }

    /**
     * @return the name.
     */
    public String name()
    {
        return file.name();
    }

    /**
     * @return the number of items, fixed at creation.
     */
    @Override
    public int size()
    {
        try
        {
            return slotOffsets.length;
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @param index an item index.
     * @return the payload capacity of its slot in bytes: the longest UTF-8 string or byte[] it can hold.
     */
    public int capacity(final int index)
    {
        try
        {
            return capacities[checkIndex(index)];
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @param index an item index.
     * @return the item: null, a Long, Double, Boolean, String or byte[] (a fresh copy).
     * @throws IndexOutOfBoundsException when the index is outside the list.
     * @throws IpcTimeoutException when the slot stays locked by a live writer for longer than the slot timeout.
     * @throws CorruptResourceException when the slot holds an unknown type or a length beyond its capacity, or lost
     *                                  its value to a writer that died in the middle of a write, or to a write
     *                                  whose stores failed half-way (a truncated file).
     * @throws ResourceClosedException when the list is closed in this process, or is closed while this call waits.
     */
    @Override
    public Object get(final int index)
    {
        try
        {
            final long slot = slotOffsets[checkIndex(index)];
            final long deadlineNs = System.nanoTime() + slotTimeoutNs;
            long nextLookNs = deadlineNs - slotTimeoutNs; // the first look is due once the spins are over
            for (int attempt = 0; ; attempt++)
            {
                final long sequence = (long)SEQUENCE.getAcquire(segment, slot + SLOT_SEQUENCE_OFFSET);
                if ((sequence & 1) == 0)
                {
                    final int code = segment.get(ValueLayout.JAVA_INT, slot + SLOT_TYPE_OFFSET);
                    final int length = segment.get(ValueLayout.JAVA_INT, slot + SLOT_LENGTH_OFFSET);
                    final long bits = segment.get(ValueLayout.JAVA_LONG, slot + SLOT_PAYLOAD_OFFSET);
                    final byte[] bytes = length >= 0 && length <= capacities[index] &&
                        (code == ItemType.STRING.code() || code == ItemType.BYTES.code()) ? copyPayload(slot, length) : null;
                    VarHandle.acquireFence();
                    if ((long)SEQUENCE.getVolatile(segment, slot + SLOT_SEQUENCE_OFFSET) == sequence)
                    {
                        return decode(index, code, length, bits, bytes);
                    }
                }
                else if (attempt >= SPINS_BEFORE_YIELD && System.nanoTime() - nextLookNs >= 0)
                {
                    nextLookNs = System.nanoTime() + LivenessCheckInterval.INTERVAL_NS;
                    // a writer that finished and exited meanwhile moved the word on: only an unchanged one is lost
                    if (writerDied(sequence) &&
                        (long)SEQUENCE.getVolatile(segment, slot + SLOT_SEQUENCE_OFFSET) == sequence)
                    {
                        throw new CorruptResourceException("slot " + index + " of ShareableList \"" + name() +
                            "\" lost its value: its writer, pid " + OwnerToken.pid(writerToken(sequence)) +
                            ", died in the middle of a write; set the slot again");
                    }
                }
                backOff(index, attempt, deadlineNs);
            }
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @param index an item index.
     * @return the item, which must be an integer.
     * @throws IllegalStateException when the item is not an integer.
     * @see #get(int)
     */
    public long getLong(final int index)
    {
        try
        {
            return (Long)typed(index, ItemType.LONG);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @param index an item index.
     * @return the item, which must be a floating-point number.
     * @throws IllegalStateException when the item is not a floating-point number.
     * @see #get(int)
     */
    public double getDouble(final int index)
    {
        try
        {
            return (Double)typed(index, ItemType.DOUBLE);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @param index an item index.
     * @return the item, which must be a String.
     * @throws IllegalStateException when the item is not a String.
     * @see #get(int)
     */
    public String getString(final int index)
    {
        try
        {
            return (String)typed(index, ItemType.STRING);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @param index an item index.
     * @return the type of the item now in the slot.
     */
    public ItemType type(final int index)
    {
        try
        {
            return ItemType.of(get(index));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Replaces an item atomically; the slot may change type if the new value fits its capacity.
     *
     * @param index an item index.
     * @param value null, Long/Integer/Short/Byte, Double/Float, Boolean, String or byte[].
     * @return the item it replaced.
     * @throws IndexOutOfBoundsException when the index is outside the list.
     * @throws IllegalArgumentException when the value's type is not supported or its bytes exceed the slot's
     *                                  capacity (the slot is unchanged).
     * @throws IpcTimeoutException when the slot stays locked by a live writer for longer than the slot timeout.
     * @throws ResourceClosedException when the list is closed in this process, or is closed while this call waits.
     * @throws OutOfMemoryError when the heap has no room for the copy of the old value; the slot keeps it, unlocked.
     */
    @Override
    public Object set(final int index, final Object value)
    {
        try
        {
            final ItemType type = ItemType.of(value);
            final byte[] encoded = encode(value);
            checkIndex(index);
            if (encoded != null && encoded.length > capacities[index])
            {
                throw new IllegalArgumentException("a " + (type == ItemType.STRING ? "string of " : "byte[] of ") +
                    encoded.length + (type == ItemType.STRING ? " UTF-8" : "") + " bytes does not fit slot " + index +
                    " of ShareableList \"" + name() + "\", whose capacity is " + capacities[index] + " bytes; create " +
                    "the list with a larger minSlotBytes");
            }
            return write(index, type, value, encoded);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    private Object write(final int index, final ItemType type, final Object value, final byte[] encoded)
    {
        final long stamp = gate.readLock();
        try
        {
            return writeGated(index, type, value, encoded);
        }
        finally
        {
            gate.unlockRead(stamp);
        }
    }

    private Object writeGated(final int index, final ItemType type, final Object value, final byte[] encoded)
    {
        final long slot = slotOffsets[index];
        final long deadlineNs = System.nanoTime() + slotTimeoutNs;
        long nextLookNs = deadlineNs - slotTimeoutNs; // the first look is due once the spins are over
        long sequence;
        boolean takenOver = false;
        int oldCode = ItemType.NONE.code();
        int oldLength = 0;
        long oldBits = 0;
        byte[] oldBytes = null;
        for (int attempt = 0; ; attempt++)
        {
            sequence = (long)SEQUENCE.getVolatile(segment, slot + SLOT_SEQUENCE_OFFSET);
            if ((sequence & 1) == 0)
            {
                // copied before the lock, so that running out of memory leaves the slot free: the compare-and-set
                // succeeds only if no write came since the sequence was read, so the copy is of the replaced value
                oldCode = segment.get(ValueLayout.JAVA_INT, slot + SLOT_TYPE_OFFSET);
                oldLength = segment.get(ValueLayout.JAVA_INT, slot + SLOT_LENGTH_OFFSET);
                oldBits = segment.get(ValueLayout.JAVA_LONG, slot + SLOT_PAYLOAD_OFFSET);
                oldBytes = oldLength >= 0 && oldLength <= capacities[index] &&
                    (oldCode == ItemType.STRING.code() || oldCode == ItemType.BYTES.code()) ?
                    copyPayload(slot, oldLength) : null;
                if (SEQUENCE.compareAndSet(segment, slot + SLOT_SEQUENCE_OFFSET, sequence, LOCK_WORD))
                {
                    break;
                }
            }
            else if (attempt >= SPINS_BEFORE_YIELD && System.nanoTime() - nextLookNs >= 0)
            {
                nextLookNs = System.nanoTime() + LivenessCheckInterval.INTERVAL_NS;
                if (writerDied(sequence) &&
                    SEQUENCE.compareAndSet(segment, slot + SLOT_SEQUENCE_OFFSET, sequence, LOCK_WORD))
                {
                    takenOver = true; // from a writer that died mid-write: the slot's value is lost
                    break;
                }
            }
            backOff(index, attempt, deadlineNs);
        }
        // after a takeover the dead writer's sequence is unknown, so the new one comes from the monotonic clock (even,
        // and far from any counted one a reader could hold)
        final long nextSequence = takenOver ? System.nanoTime() << 1 : sequence + 2;
        boolean stored = false;
        try
        {
            segment.set(ValueLayout.JAVA_INT, slot + SLOT_TYPE_OFFSET, type.code());
            stored = true;
            if (encoded != null)
            {
                segment.set(ValueLayout.JAVA_INT, slot + SLOT_LENGTH_OFFSET, encoded.length);
                MemorySegment.copy(encoded, 0, segment, ValueLayout.JAVA_BYTE, slot + SLOT_PAYLOAD_OFFSET,
                    encoded.length);
            }
            else
            {
                segment.set(ValueLayout.JAVA_INT, slot + SLOT_LENGTH_OFFSET, type == ItemType.NONE ? 0 : Long.BYTES);
                segment.set(ValueLayout.JAVA_LONG, slot + SLOT_PAYLOAD_OFFSET, primitiveBits(type, value));
            }
        }
        catch (final Throwable ex)
        {
            releaseAfterFailure(slot, stored || takenOver, nextSequence, ex);
            throw ex;
        }
        // release store -> publishes the slot's type, length and payload to readers and the next writer
        SEQUENCE.setRelease(segment, slot + SLOT_SEQUENCE_OFFSET, nextSequence);
        return takenOver || oldCode == LOST_TYPE_CODE ? null : decode(index, oldCode, oldLength, oldBits, oldBytes);
    }

    /**
     * Unlocks a slot whose write failed after locking it, so that no process waits for it: with its old value when
     * nothing was stored yet, else marked lost.
     */
    private void releaseAfterFailure(final long slot, final boolean lost, final long nextSequence, final Throwable failure)
    {
        try
        {
            if (lost)
            {
                segment.set(ValueLayout.JAVA_INT, slot + SLOT_TYPE_OFFSET, LOST_TYPE_CODE);
                segment.set(ValueLayout.JAVA_INT, slot + SLOT_LENGTH_OFFSET, 0);
            }
            // release store -> publishes the untouched old value, or the lost mark
            SEQUENCE.setRelease(segment, slot + SLOT_SEQUENCE_OFFSET, nextSequence);
        }
        catch (final Throwable ex)
        {
            failure.addSuppressed(ex); // the slot's page is gone (the file was truncated): nobody can read it anyway
        }
    }

    private Object typed(final int index, final ItemType expected)
    {
        final Object value = get(index);
        if (ItemType.of(value) != expected)
        {
            throw new IllegalStateException("item " + index + " of ShareableList \"" + name() + "\" is " +
                ItemType.of(value) + ", not " + expected + ": read it with get(" + index + ")");
        }
        return value;
    }

    private static byte[] encode(final Object value)
    {
        return switch (ItemType.of(value))
        {
            case STRING -> ((String)value).getBytes(StandardCharsets.UTF_8);
            case BYTES -> ((byte[])value).clone();
            default -> null;
        };
    }

    private static long primitiveBits(final ItemType type, final Object value)
    {
        return switch (type)
        {
            case LONG -> ((Number)value).longValue();
            case DOUBLE -> Double.doubleToRawLongBits(((Number)value).doubleValue());
            case BOOLEAN -> (Boolean)value ? 1 : 0;
            default -> 0;
        };
    }

    private Object decode(final int index, final int code, final int length, final long bits, final byte[] bytes)
    {
        if (code == LOST_TYPE_CODE)
        {
            throw new CorruptResourceException("slot " + index + " of ShareableList \"" + name() + "\" lost its value: " +
                "a write failed half-way through storing it (the file was truncated under it); set the slot again");
        }
        final ItemType type = ItemType.fromCode(code);
        if (type == null || length < 0 || length > capacities[index])
        {
            throw corrupt(name(), "slot " + index + " holds type code " + code + " and length " + length +
                " (capacity " + capacities[index] + ")");
        }
        return switch (type)
        {
            case NONE -> null;
            case LONG -> bits;
            case DOUBLE -> Double.longBitsToDouble(bits);
            case BOOLEAN -> bits != 0;
            case STRING -> new String(bytes, StandardCharsets.UTF_8);
            case BYTES -> bytes;
        };
    }

    private byte[] copyPayload(final long slot, final int length)
    {
        final byte[] bytes = new byte[length];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, slot + SLOT_PAYLOAD_OFFSET, bytes, 0, length);
        return bytes;
    }

    /**
     * Reads {@code /proc}: call only on the slow path, after the spins on a locked slot.
     *
     * @param lockWord an odd sequence word.
     * @return true when the writer it names is dead.
     */
    private static boolean writerDied(final long lockWord)
    {
        return !OwnerToken.isAlive(writerToken(lockWord));
    }

    private void backOff(final int index, final int attempt, final long deadlineNs)
    {
        if (attempt < SPINS_BEFORE_YIELD)
        {
            Thread.onSpinWait();
            return;
        }
        if (closing)
        {
            throw new ResourceClosedException("ShareableList \"" + name() + "\" was closed in this process while " +
                "waiting for slot " + index + "; open it again to use it");
        }
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new IpcTimeoutException("slot " + index + " of ShareableList \"" + name() + "\" has been locked " +
                "or rewritten for more than " + TimeUnit.NANOSECONDS.toMillis(slotTimeoutNs) + " ms: a live " +
                "writer holds it or writes it without pause");
        }
        if (Thread.currentThread().isInterrupted())
        {
            throw new IpcException("interrupted while waiting for slot " + index + " of ShareableList \"" +
                name() + "\"");
        }
        Thread.yield();
    }

    private int checkIndex(final int index)
    {
        if (index < 0 || index >= slotOffsets.length)
        {
            throw new IndexOutOfBoundsException("index " + index + " is out of bounds for ShareableList \"" +
                name() + "\" of size " + slotOffsets.length);
        }
        return index;
    }

    /**
     * @param file the file being opened, still open.
     * @param ex   what a read of its mapping threw.
     * @return the exception to throw: see {@link ResourceFile#failure}; a fault on a file that is whole again (cut
     * short and restored by another process meanwhile) is a {@link CorruptResourceException} too.
     */
    private static RuntimeException openFailure(final ResourceFile file, final Throwable ex)
    {
        try
        {
            return file.failure(ex);
        }
        catch (final InternalError whole)
        {
            final CorruptResourceException corrupt = corrupt(file.name(), "its file was truncated while this " +
                "process opened it (another process shrank it, and it has its length again now)");
            corrupt.addSuppressed(whole);
            return corrupt;
        }
    }

    private static CorruptResourceException corrupt(final String name, final String what)
    {
        return new CorruptResourceException("ShareableList \"" + name + "\" is corrupt: " + what +
            "; unlink it and create it again");
    }

    /**
     * Removes the name; mappings stay valid until closed.
     *
     * @throws ResourceNotFoundException when the name is already gone.
     */
    public void unlink()
    {
        if (!file.unlink())
        {
            throw new ResourceNotFoundException("cannot unlink ShareableList \"" + name() + "\": it is already " +
                "unlinked (by this or another process); nothing to do");
        }
    }

    /**
     * Unmaps the list; idempotent. Waits for the writes of other threads that hold a slot locked to release it (they
     * do not wait for anything meanwhile); reads and writes still waiting for a slot fail with
     * {@link ResourceClosedException}, as do later reads and writes of its elements. {@link #size()}, fixed at
     * creation, still answers.
     */
    @Override
    public void close()
    {
        closing = true; // writes still waiting for a slot give up, so the gate waits only for writes that hold one
        final long stamp = gate.writeLock();
        try
        {
            file.close();
        }
        finally
        {
            gate.unlockWrite(stamp);
        }
    }
}
