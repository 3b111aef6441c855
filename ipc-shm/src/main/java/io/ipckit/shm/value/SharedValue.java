package io.ipckit.shm.value;

import io.ipckit.core.ResourceName;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.shm.ShmOptions;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.internal.ShmOptionsCheck;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

import static io.ipckit.shm.value.SharedValueDescriptor.*;

/**
 * A typed scalar or fixed-length array in shared memory: Python's {@code multiprocessing.Value} (length 1) and
 * {@code multiprocessing.Array}.
 * <pre>{@code
 * try (SharedValue hits = SharedValue.create("hits", DType.INT64)) {
 *     hits.getAndAdd(1);                       // atomic in every process, no lock needed
 * }
 * SharedValue total = SharedValue.open("total").withLock(lock);   // any java.util.concurrent.locks.Lock
 * total.updateAndGetDouble(0, (t) -> t * 1.01);  // runs while holding the lock
 * }</pre>
 * Every read and write is volatile (sequentially consistent across threads and processes). int32 and int64
 * elements have atomic {@link #getAndAdd}, {@link #compareAndSet} and a lock-free {@link #updateAndGet}; other
 * dtypes change atomically under the optional lock given to {@link #withLock(Lock)} — for other processes to
 * be excluded it must be a cross-process lock (io.ipckit.shm.sync).
 * <p>
 * Thread-safe and process-safe. {@link #close()} is idempotent and shared by every handle that
 * {@link #withLock(Lock)} made from this one.
 */
public final class SharedValue implements AutoCloseable
{
    private final ResourceFile file;
    private final MemorySegment segment;
    private final DType dtype;
    private final int length;
    private final long dataOffset;
    private final Lock lock;

    private SharedValue(final ResourceFile file, final DType dtype, final int length, final Lock lock)
    {
        this.file = file;
        this.segment = file.file().segment();
        this.dtype = dtype;
        this.length = length;
        this.dataOffset = file.headerLength();
        this.lock = lock;
    }

    /**
     * Creates a scalar, zero, as Python's {@code Value(typecode)}.
     *
     * @param name  a valid resource name.
     * @param dtype the type.
     * @return the value.
     * @see #create(String, DType, int, boolean)
     */
    public static SharedValue create(final String name, final DType dtype)
    {
        return create(name, dtype, 1, new ShmOptions());
    }

    /**
     * Creates a fixed array of zeros, as Python's {@code Array(typecode, length)}.
     *
     * @param name   a valid resource name.
     * @param dtype  the type.
     * @param length the number of elements.
     * @return the value.
     * @see #create(String, DType, int, boolean)
     */
    public static SharedValue create(final String name, final DType dtype, final int length)
    {
        return create(name, dtype, length, new ShmOptions());
    }

    /**
     * Creates a fixed array of zeros.
     *
     * @param name       a valid resource name.
     * @param dtype      the type.
     * @param length     the number of elements, at least 1.
     * @param options    {@link ShmOptions#persistent} to keep it when this process dies without unlinking it; no
     *                   other option applies.
     * @return the value, without a lock.
     * @throws IllegalArgumentException when the length is not positive, or an option that does not apply is set.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     */
    public static SharedValue create(final String name, final DType dtype, final int length, final ShmOptions options)
    {
        ResourceName.validate(name);
        final boolean persistent = ShmOptionsCheck.applicableOnly(
            options, "SharedValue \"" + name + "\"", ShmOptions.PERSISTENT).persistent();
        Objects.requireNonNull(dtype, "dtype");
        if (length < 1)
        {
            throw new IllegalArgumentException("cannot create SharedValue \"" + name + "\" of " + length +
                " elements: the length must be at least 1");
        }
        final ResourceFile file = ResourceFile.create(name, ResourceKind.SHARED_VALUE, LAYOUT_VERSION, METADATA_LENGTH,
            (long)length * dtype.itemSize(), persistent, (resource) ->
            {
                final AtomicBuffer buffer = resource.buffer();
                buffer.putInt(DTYPE_CODE_OFFSET, dtype.code());
                buffer.putInt(ITEM_SIZE_OFFSET, dtype.itemSize());
                buffer.putInt(LENGTH_OFFSET, length);
            });
        return new SharedValue(file, dtype, length, null);
    }

    /**
     * Opens a value by name; its dtype and length come from the header.
     *
     * @param name the name.
     * @return the value, without a lock.
     * @throws ResourceNotFoundException when no such name exists.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a shared value.
     * @throws CorruptResourceException when the file is truncated or its metadata is inconsistent.
     */
    public static SharedValue open(final String name)
    {
        final ResourceFile file = ResourceFile.open(name, ResourceKind.SHARED_VALUE, LAYOUT_VERSION);
        boolean opened = false;
        try
        {
            final AtomicBuffer buffer = file.buffer();
            final int code = buffer.getInt(DTYPE_CODE_OFFSET);
            final DType dtype = DType.fromCode(code);
            final int itemSize = buffer.getInt(ITEM_SIZE_OFFSET);
            final int length = buffer.getInt(LENGTH_OFFSET);
            if (dtype == null || dtype.itemSize() != itemSize || length < 1 ||
                (long)length * itemSize != file.dataLengthBytes())
            {
                throw new CorruptResourceException("SharedValue \"" + name + "\" has corrupt metadata: dtype code " +
                    code + ", item size " + itemSize + ", length " + length + " for " + file.dataLengthBytes() +
                    " data bytes; unlink it and create it again");
            }
            final SharedValue value = new SharedValue(file, dtype, length, null);
            opened = true;
            return value;
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
     * Opens a value by name and checks that it holds the dtype the caller expects, so that a value created again
     * with another dtype is not read as the old one.
     *
     * @param name  the name.
     * @param dtype the expected element type.
     * @return the value, without a lock.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the value holds another dtype (nothing
     *                                                              stays open).
     * @throws ResourceNotFoundException when no such name exists.
     * @throws CorruptResourceException when the file is truncated or its metadata is inconsistent.
     * @see #open(String)
     */
    public static SharedValue open(final String name, final DType dtype)
    {
        Objects.requireNonNull(dtype, "dtype");
        final SharedValue value = open(name);
        if (value.dtype != dtype)
        {
            value.close();
            throw new WrongResourceKindException("SharedValue \"" + name + "\" holds " + value.dtype + " elements, " +
                "not " + dtype + ": open it without a dtype to take what it is, or use another name");
        }
        return value;
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
            final CorruptResourceException corrupt = new CorruptResourceException("SharedValue \"" + file.name() +
                "\" was truncated while this process opened it (another process shrank it, and it has its length " +
                "again now); unlink it and create it again");
            corrupt.addSuppressed(whole);
            return corrupt;
        }
    }

    /**
     * A handle on the same shared value whose compound updates ({@link #updateAndGet}, {@link #updateAndGetDouble})
     * run while holding {@code lock}: Python's {@code Value(..., lock=...)}.
     *
     * @param lock any lock; a cross-process lock for exclusion between processes.
     * @return a handle sharing this one's mapping.
     */
    public SharedValue withLock(final Lock lock)
    {
        try
        {
            return new SharedValue(file, dtype, length, Objects.requireNonNull(lock, "lock"));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return the lock given to {@link #withLock(Lock)}, as Python's {@code get_lock()}, or empty.
     */
    public Optional<Lock> lock()
    {
        try
        {
            return Optional.ofNullable(lock);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
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
     * @return the element type.
     */
    public DType dtype()
    {
        return dtype;
    }

    /**
     * @return the number of elements (1 for a scalar).
     */
    public int length()
    {
        return length;
    }

    /**
     * @return element 0 of an integer or bool value.
     * @throws UnsupportedOperationException for floating-point values.
     */
    public long get()
    {
        try
        {
            return getLong(0);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @param index the element.
     * @return the element of an integer or bool value.
     * @throws IndexOutOfBoundsException when the index is outside the value.
     * @throws UnsupportedOperationException for floating-point values.
     */
    public long getLong(final int index)
    {
        try
        {
            return dtype.getLongVolatile(segment, offset(index));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @return element 0 as a double.
     */
    public double getDouble()
    {
        try
        {
            return getDouble(0);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @param index the element.
     * @return the element as a double.
     * @throws IndexOutOfBoundsException when the index is outside the value.
     */
    public double getDouble(final int index)
    {
        try
        {
            return dtype.getDoubleVolatile(segment, offset(index));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @param value the new value of element 0.
     * @throws IllegalArgumentException when the dtype cannot hold it.
     */
    public void set(final long value)
    {
        try
        {
            setLong(0, value);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @param index the element.
     * @param value its new value.
     * @throws IndexOutOfBoundsException when the index is outside the value.
     * @throws IllegalArgumentException when the dtype cannot hold the value.
     */
    public void setLong(final int index, final long value)
    {
        try
        {
            dtype.setLongVolatile(segment, offset(index), value);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @param value the new value of element 0.
     * @throws IllegalArgumentException when an integer dtype cannot hold it exactly.
     */
    public void setDouble(final double value)
    {
        try
        {
            setDouble(0, value);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * @param index the element.
     * @param value its new value.
     * @throws IndexOutOfBoundsException when the index is outside the value.
     * @throws IllegalArgumentException when an integer dtype cannot hold it exactly.
     */
    public void setDouble(final int index, final double value)
    {
        try
        {
            dtype.setDoubleVolatile(segment, offset(index), value);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Atomically adds to element 0 of an int32 or int64 value.
     *
     * @param delta the amount.
     * @return the previous value.
     * @throws UnsupportedOperationException for other dtypes.
     */
    public long getAndAdd(final long delta)
    {
        try
        {
            return getAndAdd(0, delta);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Atomically adds to an element of an int32 or int64 value.
     *
     * @param index the element.
     * @param delta the amount.
     * @return the previous value.
     * @throws UnsupportedOperationException for other dtypes.
     */
    public long getAndAdd(final int index, final long delta)
    {
        try
        {
            return dtype.getAndAdd(segment, offset(index), delta);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Atomically replaces element 0 of an int32 or int64 value if it holds {@code expected}.
     *
     * @param expected the value expected.
     * @param update   the new value.
     * @return true when replaced.
     * @throws UnsupportedOperationException for other dtypes.
     */
    public boolean compareAndSet(final long expected, final long update)
    {
        try
        {
            return compareAndSet(0, expected, update);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Atomically replaces an element of an int32 or int64 value if it holds {@code expected}.
     *
     * @param index    the element.
     * @param expected the value expected.
     * @param update   the new value.
     * @return true when replaced.
     * @throws UnsupportedOperationException for other dtypes.
     */
    public boolean compareAndSet(final int index, final long expected, final long update)
    {
        try
        {
            return dtype.compareAndSet(segment, offset(index), expected, update);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Applies {@code function} to an element atomically: an int32 or int64 element in a compare-and-set loop (under
     * the lock when there is one), so that it is atomic against {@link #getAndAdd} and {@link #compareAndSet}, which
     * take no lock; {@code function} may then run more than once and must have no side effects. Other dtypes hold
     * the lock while {@code function} runs once.
     *
     * @param index    the element.
     * @param function the update.
     * @return the new value.
     * @throws IllegalStateException when the value has no lock and is not int32 or int64.
     */
    public long updateAndGet(final int index, final LongUnaryOperator function)
    {
        try
        {
            final long offset = offset(index);
            if (lock == null && !dtype.isAtomic())
            {
                throw needsLock("updateAndGet");
            }
            if (lock == null)
            {
                return updateInLoop(offset, function);
            }
            lock.lock();
            try
            {
                if (dtype.isAtomic())
                {
                    return updateInLoop(offset, function); // a getAndAdd of another thread does not take the lock
                }
                final long next = function.applyAsLong(dtype.getLongVolatile(segment, offset));
                dtype.setLongVolatile(segment, offset, next);
                return next;
            }
            finally
            {
                lock.unlock();
            }
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    /**
     * Applies {@code function} to an element of any dtype while holding the lock (an int32 or int64 element in a
     * compare-and-set loop under it, as {@link #updateAndGet} does).
     *
     * @param index    the element.
     * @param function the update.
     * @return the new value.
     * @throws IllegalStateException when the value has no lock ({@link #withLock(Lock)}).
     * @throws IllegalArgumentException when an integer dtype cannot hold the result exactly.
     */
    public double updateAndGetDouble(final int index, final DoubleUnaryOperator function)
    {
        try
        {
            final long offset = offset(index);
            if (lock == null)
            {
                throw needsLock("updateAndGetDouble");
            }
            lock.lock();
            try
            {
                if (dtype.isAtomic())
                {
                    // a getAndAdd of another thread does not take the lock: a compare-and-set keeps its addition;
                    // the whole number stored is the function's result exactly
                    return updateInLoop(offset, (current) -> dtype.wholeNumber(function.applyAsDouble(current)));
                }
                final double next = function.applyAsDouble(dtype.getDoubleVolatile(segment, offset));
                dtype.setDoubleVolatile(segment, offset, next);
                return next;
            }
            finally
            {
                lock.unlock();
            }
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw file.failure(ex);
        }
    }

    private long updateInLoop(final long offset, final LongUnaryOperator function)
    {
        long current;
        long next;
        do
        {
            current = dtype.getLongVolatile(segment, offset);
            next = function.applyAsLong(current);
        }
        while (!dtype.compareAndSet(segment, offset, current, next));
        return next;
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
            throw new ResourceNotFoundException("cannot unlink SharedValue \"" + name() + "\": it is already " +
                "unlinked (by this or another process); nothing to do");
        }
    }

    /**
     * Unmaps the value for this handle and every handle made by {@link #withLock(Lock)}. Idempotent; later
     * accesses throw {@link io.ipckit.core.exceptions.ResourceClosedException}.
     */
    @Override
    public void close()
    {
        file.close();
    }

    /**
     * @return name, dtype and length.
     */
    @Override
    public String toString()
    {
        return "SharedValue{" + name() + ", " + dtype + (length == 1 ? "" : "[" + length + "]") +
            (lock == null ? "}" : ", with lock}");
    }

    private long offset(final int index)
    {
        if (index < 0 || index >= length)
        {
            throw new IndexOutOfBoundsException("index " + index + " is out of bounds for SharedValue \"" + name() +
                "\" of length " + length);
        }
        return dataOffset + (long)index * dtype.itemSize();
    }

    private IllegalStateException needsLock(final String operation)
    {
        return new IllegalStateException(operation + " on SharedValue \"" + name() + "\" (" + dtype + ") needs a " +
            "lock: use withLock(lock), or an int32/int64 value for lock-free updates");
    }
}
