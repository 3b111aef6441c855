package io.ipckit.shm.array;

import io.ipckit.core.ResourceName;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.shm.SharedMemory;
import io.ipckit.shm.ShmOptions;
import io.ipckit.shm.internal.PagePopulator;
import io.ipckit.shm.internal.ShmOptionsCheck;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;

import static io.ipckit.shm.array.SharedArrayDescriptor.LAYOUT_VERSION;
import static io.ipckit.shm.array.SharedArrayDescriptor.metadataLength;

/**
 * An n-dimensional typed array in shared memory, like a numpy {@code ndarray} over a shared buffer: separate JVMs
 * (and CPython with numpy) read and write the same elements without copying.
 * <pre>{@code
 * try (SharedArray prices = SharedArray.create("prices", DType.FLOAT64, 1000, 64)) {
 *     prices.setDouble(3, 7, 101.25);
 *     // another JVM: SharedArray.open("prices").getDouble(3, 7) == 101.25
 *     double total = prices.sum();
 * }
 * }</pre>
 * The file holds a header (drawn by {@link SharedArrayDescriptor}) with the dtype, shape and strides, so
 * {@link #open(String)} needs only the name; the elements follow in C order, little-endian, 64-byte aligned.
 * {@link #wrap(SharedMemory, DType, long...)} views a raw segment instead (one that Python or anyone else created).
 * <p>
 * Views ({@link #slice}, {@link #reshape}, {@link #transpose()}) share the memory of the array they come from;
 * they hold no mapping of their own, so closing a view does nothing and closing the array that owns the mapping
 * makes every view unusable (accesses then throw {@link ResourceClosedException}, never crash the JVM).
 * <p>
 * Element accessors are plain loads and stores (as numpy's are): another process sees a write after some
 * synchronisation (a lock, a queue message, or the atomic methods here). {@link #getAndAdd} and
 * {@link #compareAndSet} are atomic across processes for int32 and int64 elements. Indices are zero-based and,
 * as in numpy, a negative index counts from the end of its axis: {@code -1} is the last element, {@code -n} the
 * first of an axis of extent {@code n}; anything outside {@code [-n, n)} throws {@link IndexOutOfBoundsException}
 * (negative indices cost nothing on the path of non-negative ones). Slices take non-negative bounds. Accessors,
 * reductions and atomics allocate nothing (but a handle's first parallel reduction, once). Thread-safe as far as
 * the memory is; the object itself is immutable.
 * <p>
 * <b>Parallel reductions.</b> By default a handle splits its whole-array reductions ({@link #sum()},
 * {@link #sumLong()}, {@link #min()}, {@link #max()}, {@link #minLong()}, {@link #maxLong()}) of a contiguous array
 * of at least {@link #PARALLEL_MIN_BYTES} bytes across the calling thread and tasks of
 * {@link java.util.concurrent.ForkJoinPool#commonPool()}: it uses more than one core for one call, as many as the
 * common pool's parallelism plus one, at most {@link ShmOptions#MAX_AUTO_REDUCTION_THREADS} and never more than
 * the available processors ({@link ShmOptions#reductionThreads(int)} sets another number; 1 never leaves the
 * calling thread). It pays most on a new mapping of a large array, whose first read takes a page fault per few
 * pages (64 MiB of float64 opened in another process: about half the time on two cores). The results are the same,
 * bit for bit, as with one thread ({@link #sum()} says why); smaller arrays, views that are not contiguous, and a
 * call made while another thread's parallel call on the same handle runs use the calling thread alone.
 * <p>
 * <b>Why this class is longer than 600 lines.</b> It is the public face of one concept, numpy's {@code ndarray},
 * and almost all of its lines are that surface: typed accessors in 1-d, 2-d and n-d forms, the atomics, the copies
 * to and from each Java array type, each with its Javadoc and a body of one or two lines. The work lives behind it,
 * one concept per class: {@link ArrayHeader} (the file's metadata, written and validated), {@link ArrayLayout}
 * (index math and the geometry of views), {@link DType} (element loads and stores), {@link Reductions},
 * {@link ParallelReduction} and {@link ArrayCopies} (the bulk loops). Splitting the surface further would either
 * scatter one Python type over several public ones ({@code array.copies().from(...)}) or put a hop on element
 * accessors that must inline. It
 * passes 1,000 lines because each public method that touches the memory catches, at its edge, what HotSpot throws
 * for a mapping that was closed or truncated under it, and turns it into {@link ResourceClosedException} or
 * {@link CorruptResourceException} (free on the normal path: an exception table entry, no code).
 */
public final class SharedArray implements AutoCloseable
{
    /**
     * The least size, in bytes, of an array whose reductions a handle with more than one reduction thread (the
     * default on a machine with more than one processor) splits across threads: 4 MiB, where the split (a wake-up of a pool thread) costs a few percent of the
     * read.
     */
    public static final long PARALLEL_MIN_BYTES = 4L << 20;

    private final String name;
    private final ResourceFile file;
    private final boolean ownsMapping;
    private final MemorySegment segment;
    private final ArrayLayout layout;
    private final DType dtype;
    private final int reductionThreads;
    /** False until the first whole-array read of a mapping this handle opened ({@link #populateOnce()}). */
    private boolean populated = true;
    /** The parallel reductions of this handle, made on first use ({@link #parallel()}). */
    private ParallelReduction parallel;

    private SharedArray(
        final ResourceFile file,
        final boolean ownsMapping,
        final MemorySegment segment,
        final ArrayLayout layout,
        final int reductionThreads)
    {
        this.name = layout.name;
        this.file = file;
        this.ownsMapping = ownsMapping;
        this.segment = segment;
        this.layout = layout;
        this.dtype = layout.dtype;
        this.reductionThreads = reductionThreads == ShmOptions.REDUCTION_THREADS_AUTO ?
            automaticReductionThreads() : reductionThreads;
    }

    /**
     * @return the reduction threads of {@link ShmOptions#REDUCTION_THREADS_AUTO}: the common pool's parallelism
     * plus the caller, at most {@link ShmOptions#MAX_AUTO_REDUCTION_THREADS} and the available processors.
     */
    static int automaticReductionThreads()
    {
        return automaticReductionThreads(
            ForkJoinPool.getCommonPoolParallelism(), Runtime.getRuntime().availableProcessors());
    }

    static int automaticReductionThreads(final int commonPoolParallelism, final int availableProcessors)
    {
        final int threads = Math.min(commonPoolParallelism + 1,
            Math.min(ShmOptions.MAX_AUTO_REDUCTION_THREADS, availableProcessors));
        return Math.max(1, threads);
    }

    /**
     * @return how many threads this handle's whole-array reductions may use (1: the calling thread alone).
     */
    public int reductionThreads()
    {
        return reductionThreads;
    }

    /**
     * Creates an array with a random name, zero-filled, removed by the resource tracker if this process dies
     * without unlinking it.
     *
     * @param dtype the element type.
     * @param shape the extent of each dimension (none for a scalar).
     * @return the new array, owning its mapping.
     * @see #create(String, DType, ShmOptions, long...)
     */
    public static SharedArray create(final DType dtype, final long... shape)
    {
        return create(ResourceName.random(null), dtype, new ShmOptions(), shape);
    }

    /**
     * Creates a named array, zero-filled, removed by the resource tracker if this process dies without unlinking it.
     *
     * @param name  a valid resource name.
     * @param dtype the element type.
     * @param shape the extent of each dimension (none for a scalar).
     * @return the new array, owning its mapping.
     * @see #create(String, DType, ShmOptions, long...)
     */
    public static SharedArray create(final String name, final DType dtype, final long... shape)
    {
        return create(name, dtype, new ShmOptions(), shape);
    }

    /**
     * Creates a named array, zero-filled, with its pages allocated.
     *
     * @param name       a valid resource name.
     * @param dtype      the element type.
     * @param options    {@link ShmOptions#persistent} to keep the array when this process dies without unlinking it,
     *                   {@link ShmOptions#reductionThreads} for this handle's reductions; no other option applies.
     * @param shape      the extent of each dimension, none negative, at most {@link SharedArrayDescriptor#MAX_NDIM}.
     * @return the new array, owning its mapping.
     * @throws IllegalArgumentException when the shape has a negative extent, too many dimensions, or more bytes
     *                                  than a long can count, or an option that does not apply is set.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws io.ipckit.core.exceptions.SharedMemoryExhaustedException when the shared directory has no room.
     */
    public static SharedArray create(
        final String name, final DType dtype, final ShmOptions options, final long... shape)
    {
        ResourceName.validate(name);
        final boolean persistent = ShmOptionsCheck.applicableOnly(options, "SharedArray \"" + name + "\"",
            ShmOptions.PERSISTENT, ShmOptions.REDUCTION_THREADS).persistent();
        final long[] dims = shape.clone();
        final long nbytes = ArrayLayout.checkShape(name, dtype, dims);
        final long[] strides = ArrayLayout.cStrides(dims, dtype.itemSize());
        final ResourceFile file = ResourceFile.create(name, ResourceKind.SHARED_ARRAY, LAYOUT_VERSION,
            metadataLength(dims.length), nbytes, persistent,
            (resource) -> ArrayHeader.write(resource.buffer(), dtype, dims, strides));
        return new SharedArray(file, true, file.file().segment(),
            new ArrayLayout(name, dtype, dims, strides, file.headerLength()), options.reductionThreads());
    }

    /**
     * Opens an array by name: dtype and shape come from its header, which is validated before any element is
     * touched.
     *
     * @param name the array's name.
     * @return the array, owning its mapping.
     * @throws ResourceNotFoundException when no such name exists.
     * @throws WrongResourceKindException when the name is not a shared array.
     * @throws CorruptResourceException when the file is truncated or its metadata is inconsistent.
     * @throws io.ipckit.core.exceptions.IncompatibleVersionException when a newer ipckit wrote it.
     */
    public static SharedArray open(final String name)
    {
        return open(name, ShmOptions.REDUCTION_THREADS_DEFAULT);
    }

    /**
     * Opens an array by name, with settings for this handle: dtype and shape come from its header, which is
     * validated before any element is touched.
     * <pre>{@code
     * try (SharedArray prices = SharedArray.open("prices", new ShmOptions().reductionThreads(1))) {
     *     double total = prices.sum();   // on the calling thread alone
     * }
     * }</pre>
     *
     * @param name    the array's name.
     * @param options {@link ShmOptions#reductionThreads} for this handle's reductions; no other option applies to
     *                an open (the others are fixed at creation).
     * @return the array, owning its mapping.
     * @throws IllegalArgumentException when an option that does not apply to an open is set (nothing is opened).
     * @throws ResourceNotFoundException when no such name exists.
     * @throws WrongResourceKindException when the name is not a shared array.
     * @throws CorruptResourceException when the file is truncated or its metadata is inconsistent.
     * @throws io.ipckit.core.exceptions.IncompatibleVersionException when a newer ipckit wrote it.
     */
    public static SharedArray open(final String name, final ShmOptions options)
    {
        return open(name, ShmOptionsCheck.applicableOnly(options, "the open of SharedArray \"" + name + "\"",
            ShmOptions.REDUCTION_THREADS).reductionThreads());
    }

    private static SharedArray open(final String name, final int reductionThreads)
    {
        final ResourceFile file = ResourceFile.open(name, ResourceKind.SHARED_ARRAY, LAYOUT_VERSION);
        boolean opened = false;
        try
        {
            final SharedArray array = new SharedArray(file, true, file.file().segment(), ArrayHeader.read(name, file),
                reductionThreads);
            array.populated = false;
            opened = true;
            return array;
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
            final CorruptResourceException corrupt = new CorruptResourceException("SharedArray \"" + file.name() +
                "\" was truncated while this process opened it (another process shrank it, and it has its length " +
                "again now); unlink it and create it again");
            corrupt.addSuppressed(whole);
            return corrupt;
        }
    }

    /**
     * Opens an array by name and checks that it has the dtype and shape the caller expects.
     *
     * @param name  the array's name.
     * @param dtype the expected element type.
     * @param shape the expected shape.
     * @return the array, owning its mapping.
     * @throws WrongResourceKindException when the array has another dtype or shape.
     * @see #open(String)
     */
    public static SharedArray open(final String name, final DType dtype, final long... shape)
    {
        final SharedArray array = open(name);
        if (array.dtype != dtype || !Arrays.equals(array.layout.shape, shape))
        {
            array.close();
            throw new WrongResourceKindException("SharedArray \"" + name + "\" is " + array.dtype + " of shape " +
                Arrays.toString(array.layout.shape) + ", not " + dtype + " of shape " + Arrays.toString(shape) +
                ": open it without a dtype to take what it is, or use another name");
        }
        return array;
    }

    /**
     * Views a raw segment as a C-order array from its first byte, e.g. a numpy array that CPython made in a
     * {@code SharedMemory}.
     *
     * @param memory the segment; it stays owned by the caller, who closes it after the array.
     * @param dtype  the element type.
     * @param shape  the shape.
     * @return a view over the segment.
     * @see #wrap(SharedMemory, long, DType, long...)
     */
    public static SharedArray wrap(final SharedMemory memory, final DType dtype, final long... shape)
    {
        return wrap(memory, 0, dtype, shape);
    }

    /**
     * Views part of a raw segment as a C-order array.
     *
     * @param memory      the segment; it stays owned by the caller, who closes it after the array.
     * @param offsetBytes where element 0 starts, a multiple of the item size.
     * @param dtype       the element type.
     * @param shape       the shape.
     * @return a view over the segment; {@link #close()} and {@link #unlink()} are the segment owner's business.
     * @throws IllegalArgumentException when the offset is negative or misaligned, or the shape does not fit.
     */
    public static SharedArray wrap(
        final SharedMemory memory, final long offsetBytes, final DType dtype, final long... shape)
    {
        final long[] dims = shape.clone();
        final long nbytes = ArrayLayout.checkShape(memory.name(), dtype, dims);
        if (offsetBytes < 0 || offsetBytes % dtype.itemSize() != 0 || offsetBytes + nbytes > memory.size() ||
            offsetBytes + nbytes < 0)
        {
            throw new IllegalArgumentException("cannot view shared memory \"" + memory.name() + "\" (" +
                memory.size() + " bytes) as " + dtype + " of shape " + Arrays.toString(dims) + " (" + nbytes +
                " bytes) at offset " + offsetBytes + ": the offset must be a non-negative multiple of " +
                dtype.itemSize() + " and the elements must end within the segment");
        }
        return new SharedArray(null, false, memory.segment(),
            ArrayLayout.cOrder(memory.name(), dtype, dims, offsetBytes), ShmOptions.REDUCTION_THREADS_DEFAULT);
    }

    /**
     * @return the name of the array, or of the segment it wraps.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the element type.
     */
    public DType dtype()
    {
        return dtype;
    }

    /**
     * @return the number of dimensions.
     */
    public int ndim()
    {
        return layout.shape.length;
    }

    /**
     * @return a copy of the shape.
     */
    public long[] shape()
    {
        return layout.shape.clone();
    }

    /**
     * @param axis an axis.
     * @return the extent of that axis.
     */
    public long shape(final int axis)
    {
        return layout.shape[layout.checkAxis(axis)];
    }

    /**
     * @return a copy of the strides, in bytes, as numpy reports them.
     */
    public long[] strides()
    {
        return layout.strides.clone();
    }

    /**
     * @return the number of elements.
     */
    public long size()
    {
        return layout.size;
    }

    /**
     * @return the number of bytes the elements occupy ({@code size() * dtype().itemSize()}).
     */
    public long nbytes()
    {
        return layout.size * dtype.itemSize();
    }

    /**
     * @return true when the elements are dense in C order (always for created, opened and wrapped arrays).
     */
    public boolean isContiguous()
    {
        return layout.contiguous;
    }

    /**
     * @return true when this array holds no mapping of its own: a view, or an array over a {@link SharedMemory}.
     */
    public boolean isView()
    {
        return !ownsMapping;
    }

    /**
     * @return the elements as a segment of {@link #nbytes()} bytes.
     * @throws IllegalStateException when the array is not contiguous.
     */
    public MemorySegment dataSegment()
    {
        try
        {
            if (!layout.contiguous)
            {
                throw new IllegalStateException(layout.describe() + " is not contiguous: copy it with copyTo, or use the " +
                    "element accessors");
            }
            return segment.asSlice(layout.offsetBytes, nbytes());
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * @param i the index of a 1-d array.
     * @return the element as a double (any dtype).
     * @throws IndexOutOfBoundsException when an index is outside {@code [-n, n)} for its axis of extent {@code n}.
     * @throws IllegalArgumentException when the array is not 1-d.
     */
    public double getDouble(final long i)
    {
        try
        {
            return dtype.getDouble(segment, layout.offset(i));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * @param i the row of a 2-d array.
     * @param j the column.
     * @return the element as a double (any dtype).
     * @throws IndexOutOfBoundsException when an index is outside {@code [-n, n)} for its axis of extent {@code n}.
     * @throws IllegalArgumentException when the array is not 2-d.
     */
    public double getDouble(final long i, final long j)
    {
        try
        {
            return dtype.getDouble(segment, layout.offset(i, j));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * @param index one index per dimension.
     * @return the element as a double (any dtype).
     * @throws IndexOutOfBoundsException when an index is outside {@code [-n, n)} for its axis of extent {@code n}.
     * @throws IllegalArgumentException when the index has the wrong number of dimensions.
     */
    public double getDouble(final long[] index)
    {
        try
        {
            return dtype.getDouble(segment, layout.offset(index));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * @param i the index of a 1-d array.
     * @return the element of an integer or bool array.
     * @throws UnsupportedOperationException for floating-point arrays.
     * @see #getDouble(long)
     */
    public long getLong(final long i)
    {
        try
        {
            return dtype.getLong(segment, layout.offset(i));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * @param i the row of a 2-d array.
     * @param j the column.
     * @return the element of an integer or bool array.
     * @throws UnsupportedOperationException for floating-point arrays.
     * @see #getDouble(long, long)
     */
    public long getLong(final long i, final long j)
    {
        try
        {
            return dtype.getLong(segment, layout.offset(i, j));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * @param index one index per dimension.
     * @return the element of an integer or bool array.
     * @throws UnsupportedOperationException for floating-point arrays.
     * @see #getDouble(long[])
     */
    public long getLong(final long[] index)
    {
        try
        {
            return dtype.getLong(segment, layout.offset(index));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Sets an element of a 1-d array; integer dtypes take only whole numbers in range.
     *
     * @param i     the index.
     * @param value the value.
     * @throws IndexOutOfBoundsException when an index is outside {@code [-n, n)} for its axis of extent {@code n}.
     * @throws IllegalArgumentException when the dtype cannot hold the value or the array is not 1-d.
     */
    public void setDouble(final long i, final double value)
    {
        try
        {
            dtype.setDouble(segment, layout.offset(i), value);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Sets an element of a 2-d array.
     *
     * @param i     the row.
     * @param j     the column.
     * @param value the value.
     * @see #setDouble(long, double)
     */
    public void setDouble(final long i, final long j, final double value)
    {
        try
        {
            dtype.setDouble(segment, layout.offset(i, j), value);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Sets an element.
     *
     * @param index one index per dimension.
     * @param value the value.
     * @see #setDouble(long, double)
     */
    public void setDouble(final long[] index, final double value)
    {
        try
        {
            dtype.setDouble(segment, layout.offset(index), value);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Sets an element of a 1-d array.
     *
     * @param i     the index.
     * @param value the value.
     * @throws IndexOutOfBoundsException when an index is outside {@code [-n, n)} for its axis of extent {@code n}.
     * @throws IllegalArgumentException when an integer or bool dtype cannot hold the value, or the array is not 1-d.
     */
    public void setLong(final long i, final long value)
    {
        try
        {
            dtype.setLong(segment, layout.offset(i), value);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Sets an element of a 2-d array.
     *
     * @param i     the row.
     * @param j     the column.
     * @param value the value.
     * @see #setLong(long, long)
     */
    public void setLong(final long i, final long j, final long value)
    {
        try
        {
            dtype.setLong(segment, layout.offset(i, j), value);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Sets an element.
     *
     * @param index one index per dimension.
     * @param value the value.
     * @see #setLong(long, long)
     */
    public void setLong(final long[] index, final long value)
    {
        try
        {
            dtype.setLong(segment, layout.offset(index), value);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Atomically adds to an element of a 1-d int32 or int64 array, visible to every process.
     *
     * @param i     the index.
     * @param delta the amount to add.
     * @return the previous value.
     * @throws UnsupportedOperationException for other dtypes.
     */
    public long getAndAdd(final long i, final long delta)
    {
        try
        {
            return dtype.getAndAdd(segment, layout.offset(i), delta);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Atomically adds to an element of an int32 or int64 array.
     *
     * @param index one index per dimension.
     * @param delta the amount to add.
     * @return the previous value.
     * @throws UnsupportedOperationException for other dtypes.
     */
    public long getAndAdd(final long[] index, final long delta)
    {
        try
        {
            return dtype.getAndAdd(segment, layout.offset(index), delta);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Atomically replaces an element of a 1-d int32 or int64 array if it holds {@code expected}.
     *
     * @param i        the index.
     * @param expected the value expected.
     * @param update   the new value.
     * @return true when the element was replaced.
     * @throws UnsupportedOperationException for other dtypes.
     */
    public boolean compareAndSet(final long i, final long expected, final long update)
    {
        try
        {
            return dtype.compareAndSet(segment, layout.offset(i), expected, update);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Atomically replaces an element of an int32 or int64 array if it holds {@code expected}.
     *
     * @param index    one index per dimension.
     * @param expected the value expected.
     * @param update   the new value.
     * @return true when the element was replaced.
     * @throws UnsupportedOperationException for other dtypes.
     */
    public boolean compareAndSet(final long[] index, final long expected, final long update)
    {
        try
        {
            return dtype.compareAndSet(segment, layout.offset(index), expected, update);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Before the first whole-array read through a mapping this handle opened, maps its pages in with one system call
     * ({@link PagePopulator}): cheaper than the page faults the read would take one by one. Once per handle; a
     * plain field, as a second populate by a racing thread is harmless.
     */
    private void populateOnce()
    {
        if (takePopulate())
        {
            PagePopulator.populateRead(segment, layout.offsetBytes, layout.size * dtype.itemSize());
        }
    }

    /**
     * @return true, once per handle, when the next whole-array read should populate the pages it reads: never on a
     * closed or truncated mapping, where the read fails anyway and madvise's refusal would turn
     * {@link PagePopulator} off for the whole process.
     */
    private boolean takePopulate()
    {
        if (!populated)
        {
            populated = true;
            return layout.contiguous && segment.scope().isAlive() && (file == null || file.isIntact());
        }
        return false;
    }

    /**
     * @return this handle's parallel reductions when they apply (more than one reduction thread, a contiguous
     * array of at least {@link #PARALLEL_MIN_BYTES}), made on first use; null otherwise. A plain field: two threads
     * racing here make one instance each, and each is complete when seen (its fields are final).
     */
    ParallelReduction parallel()
    {
        if (reductionThreads == 1 || !layout.contiguous || nbytes() < PARALLEL_MIN_BYTES)
        {
            return null;
        }
        ParallelReduction reduction = parallel;
        if (reduction == null)
        {
            reduction = new ParallelReduction(segment, layout, reductionThreads);
            parallel = reduction;
        }
        return reduction;
    }

    /**
     * The sum of all elements (integer dtypes are summed exactly as longs first); 0 when empty.
     * <p>
     * Floating-point elements of a dense row (a contiguous array is one row) are added in a fixed order that
     * depends only on the dtype and the number of elements: runs of 1 MiB each summed with eight accumulators,
     * and the run sums added pairwise (which also keeps the rounding error to {@code O(log n)}, like numpy's
     * pairwise sum); elements of a strided view are added in index order. The result of a given array is
     * therefore reproducible, and the same, bit for bit, with any {@link ShmOptions#reductionThreads(int)}: the
     * threads split the runs, not the order.
     *
     * @return the sum.
     */
    public double sum()
    {
        try
        {
            if (!dtype.isFloatingPoint())
            {
                return sumLong();
            }
            final ParallelReduction reduction = parallel();
            if (reduction != null)
            {
                return reduction.sum(takePopulate());
            }
            populateOnce();
            return Reductions.sum(segment, layout);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * @return the exact sum of an integer or bool array, wrapping on int64 overflow as numpy does.
     * @throws UnsupportedOperationException for floating-point arrays.
     */
    public long sumLong()
    {
        try
        {
            requireInteger("sumLong");
            final ParallelReduction reduction = parallel();
            if (reduction != null)
            {
                return reduction.sumLong(takePopulate());
            }
            populateOnce();
            return Reductions.sumLong(segment, layout);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * @return the smallest element (NaN if any element is NaN, as numpy).
     * @throws IllegalStateException when the array is empty.
     */
    public double min()
    {
        try
        {
            requireNonEmpty("min");
            final ParallelReduction reduction = parallel();
            if (reduction != null)
            {
                final boolean populate = takePopulate();
                return dtype.isFloatingPoint() ? reduction.extremeFloatingPoint(false, populate) :
                    reduction.extremeInteger(false, populate);
            }
            populateOnce();
            return dtype.isFloatingPoint() ? Reductions.extremeFloatingPoint(segment, layout, false) :
                Reductions.extremeInteger(segment, layout, false);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * @return the largest element (NaN if any element is NaN, as numpy).
     * @throws IllegalStateException when the array is empty.
     */
    public double max()
    {
        try
        {
            requireNonEmpty("max");
            final ParallelReduction reduction = parallel();
            if (reduction != null)
            {
                final boolean populate = takePopulate();
                return dtype.isFloatingPoint() ? reduction.extremeFloatingPoint(true, populate) :
                    reduction.extremeInteger(true, populate);
            }
            populateOnce();
            return dtype.isFloatingPoint() ? Reductions.extremeFloatingPoint(segment, layout, true) :
                Reductions.extremeInteger(segment, layout, true);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * @return the smallest element of an integer or bool array, exactly.
     * @throws IllegalStateException when the array is empty.
     * @throws UnsupportedOperationException for floating-point arrays.
     */
    public long minLong()
    {
        try
        {
            requireInteger("minLong");
            requireNonEmpty("minLong");
            final ParallelReduction reduction = parallel();
            if (reduction != null)
            {
                return reduction.extremeInteger(false, takePopulate());
            }
            populateOnce();
            return Reductions.extremeInteger(segment, layout, false);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * @return the largest element of an integer or bool array, exactly.
     * @throws IllegalStateException when the array is empty.
     * @throws UnsupportedOperationException for floating-point arrays.
     */
    public long maxLong()
    {
        try
        {
            requireInteger("maxLong");
            requireNonEmpty("maxLong");
            final ParallelReduction reduction = parallel();
            if (reduction != null)
            {
                return reduction.extremeInteger(true, takePopulate());
            }
            populateOnce();
            return Reductions.extremeInteger(segment, layout, true);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Sets every element; integer dtypes take only whole numbers in range.
     *
     * @param value the value.
     * @throws IllegalArgumentException when the dtype cannot hold the value (nothing is written).
     */
    public void fill(final double value)
    {
        try
        {
            ArrayCopies.fill(segment, layout, value);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Sets every element.
     *
     * @param value the value.
     * @throws IllegalArgumentException when an integer or bool dtype cannot hold the value (nothing is written).
     */
    public void fill(final long value)
    {
        try
        {
            ArrayCopies.fill(segment, layout, value);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements, in C order, from a float64 source.
     *
     * @param source exactly {@link #size()} values.
     * @throws IllegalArgumentException when the array is not float64 or the length differs from the size.
     */
    public void copyFrom(final double[] source)
    {
        try
        {
            checkJavaArray(source.length, "double[]", DType.FLOAT64, DType.FLOAT64);
            copyFrom(MemorySegment.ofArray(source));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements, in C order, from a float32 source.
     *
     * @param source exactly {@link #size()} values.
     * @throws IllegalArgumentException when the array is not float32 or the length differs from the size.
     */
    public void copyFrom(final float[] source)
    {
        try
        {
            checkJavaArray(source.length, "float[]", DType.FLOAT32, DType.FLOAT32);
            copyFrom(MemorySegment.ofArray(source));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements, in C order, from an int64 source.
     *
     * @param source exactly {@link #size()} values.
     * @throws IllegalArgumentException when the array is not int64 or the length differs from the size.
     */
    public void copyFrom(final long[] source)
    {
        try
        {
            checkJavaArray(source.length, "long[]", DType.INT64, DType.INT64);
            copyFrom(MemorySegment.ofArray(source));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements, in C order, from an int32 source.
     *
     * @param source exactly {@link #size()} values.
     * @throws IllegalArgumentException when the array is not int32 or the length differs from the size.
     */
    public void copyFrom(final int[] source)
    {
        try
        {
            checkJavaArray(source.length, "int[]", DType.INT32, DType.INT32);
            copyFrom(MemorySegment.ofArray(source));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements, in C order, from an int16 source.
     *
     * @param source exactly {@link #size()} values.
     * @throws IllegalArgumentException when the array is not int16 or the length differs from the size.
     */
    public void copyFrom(final short[] source)
    {
        try
        {
            checkJavaArray(source.length, "short[]", DType.INT16, DType.INT16);
            copyFrom(MemorySegment.ofArray(source));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements, in C order, from the bytes of an int8, uint8 or bool array (bool bytes must be 0 or 1).
     *
     * @param source exactly {@link #size()} values.
     * @throws IllegalArgumentException when the array has another dtype or the length differs from the size.
     */
    public void copyFrom(final byte[] source)
    {
        try
        {
            checkJavaArray(source.length, "byte[]", DType.INT8, dtype == DType.BOOL ? DType.BOOL : DType.UINT8);
            copyFrom(MemorySegment.ofArray(source));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements, in C order, to a float64 destination.
     *
     * @param destination exactly {@link #size()} slots.
     * @throws IllegalArgumentException when the array is not float64 or the length differs from the size.
     */
    public void copyTo(final double[] destination)
    {
        try
        {
            checkJavaArray(destination.length, "double[]", DType.FLOAT64, DType.FLOAT64);
            copyTo(MemorySegment.ofArray(destination));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements, in C order, to a float32 destination.
     *
     * @param destination exactly {@link #size()} slots.
     * @throws IllegalArgumentException when the array is not float32 or the length differs from the size.
     */
    public void copyTo(final float[] destination)
    {
        try
        {
            checkJavaArray(destination.length, "float[]", DType.FLOAT32, DType.FLOAT32);
            copyTo(MemorySegment.ofArray(destination));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements, in C order, to an int64 destination.
     *
     * @param destination exactly {@link #size()} slots.
     * @throws IllegalArgumentException when the array is not int64 or the length differs from the size.
     */
    public void copyTo(final long[] destination)
    {
        try
        {
            checkJavaArray(destination.length, "long[]", DType.INT64, DType.INT64);
            copyTo(MemorySegment.ofArray(destination));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements, in C order, to an int32 destination.
     *
     * @param destination exactly {@link #size()} slots.
     * @throws IllegalArgumentException when the array is not int32 or the length differs from the size.
     */
    public void copyTo(final int[] destination)
    {
        try
        {
            checkJavaArray(destination.length, "int[]", DType.INT32, DType.INT32);
            copyTo(MemorySegment.ofArray(destination));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements, in C order, to an int16 destination.
     *
     * @param destination exactly {@link #size()} slots.
     * @throws IllegalArgumentException when the array is not int16 or the length differs from the size.
     */
    public void copyTo(final short[] destination)
    {
        try
        {
            checkJavaArray(destination.length, "short[]", DType.INT16, DType.INT16);
            copyTo(MemorySegment.ofArray(destination));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements, in C order, to the bytes of an int8, uint8 or bool destination.
     *
     * @param destination exactly {@link #size()} slots.
     * @throws IllegalArgumentException when the array has another dtype or the length differs from the size.
     */
    public void copyTo(final byte[] destination)
    {
        try
        {
            checkJavaArray(destination.length, "byte[]", DType.INT8, dtype == DType.BOOL ? DType.BOOL : DType.UINT8);
            copyTo(MemorySegment.ofArray(destination));
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements from raw little-endian bytes in C order, e.g. another array's {@link #dataSegment()}.
     *
     * @param source exactly {@link #nbytes()} bytes.
     * @throws IllegalArgumentException when the source has another length.
     */
    public void copyFrom(final MemorySegment source)
    {
        try
        {
            ArrayCopies.transfer(segment, layout, source, true);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * Copies all elements as raw little-endian bytes in C order.
     *
     * @param destination exactly {@link #nbytes()} bytes.
     * @throws IllegalArgumentException when the destination has another length.
     */
    public void copyTo(final MemorySegment destination)
    {
        try
        {
            populateOnce();
            ArrayCopies.transfer(segment, layout, destination, false);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throw failure(ex);
        }
    }

    /**
     * A view of part of one axis, sharing memory: elements {@code start, start + step, ...} below {@code stop}.
     *
     * @param axis  the axis to slice.
     * @param start the first index, from 0 to the axis's extent.
     * @param stop  the index after the last, from {@code start} to the axis's extent.
     * @param step  the distance between indices, at least 1.
     * @return the view.
     * @throws IndexOutOfBoundsException when the slice reaches outside this array.
     * @throws IllegalArgumentException when the step is not positive.
     */
    public SharedArray slice(final int axis, final long start, final long stop, final long step)
    {
        return view(layout.slice(axis, start, stop, step));
    }

    /**
     * A view with another shape over the same elements in C order; one extent may be -1 to be inferred.
     *
     * @param newShape the shape, with the same number of elements.
     * @return the view.
     * @throws IllegalArgumentException when the sizes differ, more than one extent is -1, an extent is negative, or
     *                                  an extent is -1 while the others multiply to 0 (as numpy refuses).
     * @throws IllegalStateException when this array is not contiguous.
     */
    public SharedArray reshape(final long... newShape)
    {
        return view(layout.reshape(newShape));
    }

    /**
     * @return a view with the axes reversed (the transpose of a matrix).
     */
    public SharedArray transpose()
    {
        final int[] axes = new int[layout.shape.length];
        for (int axis = 0; axis < axes.length; axis++)
        {
            axes[axis] = axes.length - 1 - axis;
        }
        return transpose(axes);
    }

    /**
     * @param axes a permutation of {@code 0..ndim-1}: axis {@code i} of the view is axis {@code axes[i]} here.
     * @return the view.
     * @throws IllegalArgumentException when {@code axes} is not a permutation of the axes.
     */
    public SharedArray transpose(final int... axes)
    {
        return view(layout.transpose(axes));
    }

    private SharedArray view(final ArrayLayout viewLayout)
    {
        return new SharedArray(file, false, segment, viewLayout, reductionThreads);
    }

    /**
     * Removes the array's name (any process may); mappings stay valid until closed.
     *
     * @throws ResourceNotFoundException when the name is already gone.
     * @throws UnsupportedOperationException for an array over a {@link SharedMemory}: unlink the segment.
     */
    public void unlink()
    {
        if (file == null)
        {
            throw new UnsupportedOperationException(layout.describe() + " wraps shared memory: unlink the SharedMemory");
        }
        if (!file.unlink())
        {
            throw new ResourceNotFoundException("cannot unlink SharedArray \"" + name + "\": it is already unlinked " +
                "(by this or another process); nothing to do");
        }
    }

    /**
     * Unmaps the array when it owns its mapping (created or opened); views and wrapped arrays do nothing.
     * Idempotent. Any later access through this array or its views throws {@link ResourceClosedException}.
     */
    @Override
    public void close()
    {
        if (ownsMapping)
        {
            file.close();
        }
    }

    /**
     * @return name, dtype and shape.
     */
    @Override
    public String toString()
    {
        return "SharedArray{" + name + ", " + dtype + ", shape " + Arrays.toString(layout.shape) +
            (ownsMapping ? "}" : ", view}");
    }

    /**
     * The exception the public API promises for a failure of an access to the memory: see
     * {@link io.ipckit.core.file.MappedFile#failure(Throwable)}.
     */
    private RuntimeException failure(final Throwable ex)
    {
        if (file != null)
        {
            return file.failure(ex);
        }
        if (!segment.scope().isAlive())
        {
            final ResourceClosedException closed = new ResourceClosedException(layout.describe() + " wraps shared " +
                "memory that is closed in this process; open it again to use it");
            closed.addSuppressed(ex);
            return closed;
        }
        if (ex instanceof InternalError)
        {
            final CorruptResourceException corrupt = new CorruptResourceException(layout.describe() + " wraps shared " +
                "memory that another process truncated while it was mapped here; unlink it and create it again");
            corrupt.addSuppressed(ex);
            return corrupt;
        }
        if (ex instanceof RuntimeException runtime)
        {
            return runtime;
        }
        throw (Error)ex;
    }

    private void checkJavaArray(final int length, final String type, final DType first, final DType second)
    {
        if (dtype != first && dtype != second)
        {
            throw new IllegalArgumentException("cannot copy between a " + type + " and " + layout.describe() +
                ": a " + type + " holds " + (first == second ? first : first + "/" + second) + " elements; use the " +
                "Java array type of the dtype, or copy raw bytes with a MemorySegment");
        }
        if (length != layout.size)
        {
            throw new IllegalArgumentException("cannot copy between a " + type + " of length " + length + " and " +
                layout.describe() + " of size " + layout.size);
        }
    }

    private void requireInteger(final String operation)
    {
        if (dtype.isFloatingPoint())
        {
            throw new UnsupportedOperationException(operation + " needs an integer or bool array, not " + layout.describe());
        }
    }

    private void requireNonEmpty(final String operation)
    {
        if (layout.size == 0)
        {
            throw new IllegalStateException(operation + " of " + layout.describe() + ": the array is empty");
        }
    }

}
