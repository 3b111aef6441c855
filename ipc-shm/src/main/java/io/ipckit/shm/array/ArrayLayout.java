package io.ipckit.shm.array;

import java.util.Arrays;

import static io.ipckit.shm.array.SharedArrayDescriptor.MAX_NDIM;

/**
 * The geometry of a {@link SharedArray} or of a view: dtype, shape, strides in bytes and the byte offset of
 * element zero within the mapping. It turns indices into byte offsets (checking every index), derives the
 * geometry of views, and walks the elements row by row for bulk operations: the innermost axis is one row of
 * {@link #innerCount()} elements {@link #innerStride()} bytes apart, and a contiguous array is a single row.
 * <p>
 * Immutable; messages name the array through {@link #describe()}.
 */
final class ArrayLayout
{
    final String name;
    final DType dtype;
    final long[] shape;
    final long[] strides;
    final long offsetBytes;
    final long size;
    final boolean contiguous;

    ArrayLayout(final String name, final DType dtype, final long[] shape, final long[] strides, final long offsetBytes)
    {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offsetBytes = offsetBytes;
        long elements = 1;
        for (final long extent : shape)
        {
            elements *= extent;
        }
        this.size = elements;
        this.contiguous = Arrays.equals(strides, cStrides(shape, dtype.itemSize())) || elements <= 1;
    }

    static ArrayLayout cOrder(final String name, final DType dtype, final long[] shape, final long offsetBytes)
    {
        return new ArrayLayout(name, dtype, shape, cStrides(shape, dtype.itemSize()), offsetBytes);
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
    ArrayLayout slice(final int axis, final long start, final long stop, final long step)
    {
        checkAxis(axis);
        if (step < 1)
        {
            throw new IllegalArgumentException("slice of " + describe() + ": step " + step + " must be at least 1");
        }
        if (start < 0 || stop < start || stop > shape[axis])
        {
            throw new IndexOutOfBoundsException("slice [" + start + ", " + stop + ") of axis " + axis +
                " is outside " + describe() + ", whose axis " + axis + " has size " + shape[axis]);
        }
        final long[] newShape = shape.clone();
        final long[] newStrides = strides.clone();
        final long span = stop - start; // at most the extent: neither this nor what follows can overflow
        newShape[axis] = span == 0 ? 0 : 1 + (span - 1) / step;
        // a step past the axis leaves one element (or none), whose stride is never multiplied by an index
        newStrides[axis] = newShape[axis] > 1 ? strides[axis] * step : strides[axis];
        return new ArrayLayout(name, dtype, newShape, newStrides, offsetBytes + start * strides[axis]);
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
    ArrayLayout reshape(final long... newShape)
    {
        if (!contiguous)
        {
            throw new IllegalStateException("cannot reshape " + describe() + ": it is not contiguous");
        }
        final long[] dims = newShape.clone();
        int inferred = -1;
        long known = 1;
        for (int axis = 0; axis < dims.length; axis++)
        {
            if (dims[axis] == -1 && inferred < 0)
            {
                inferred = axis;
            }
            else if (dims[axis] < 0)
            {
                throw new IllegalArgumentException("cannot reshape " + describe() + " into shape " +
                    Arrays.toString(dims) + ": only one extent may be -1 and none may be negative");
            }
            else if (known >= 0)
            {
                known = dims[axis] > 0 && known > Long.MAX_VALUE / dims[axis] ? -1 : known * dims[axis];
            }
        }
        if (inferred >= 0 && known == 0)
        {
            throw new IllegalArgumentException("cannot reshape " + describe() + " of size " + size + " into shape " +
                Arrays.toString(newShape) + ": the other extents multiply to 0, so the -1 could be any extent; " +
                "give every extent");
        }
        if (inferred >= 0 && known > 0 && size % known == 0)
        {
            dims[inferred] = size / known;
            known = size;
        }
        if (known != size || dims.length > MAX_NDIM)
        {
            throw new IllegalArgumentException("cannot reshape " + describe() + " of size " + size +
                " into shape " + Arrays.toString(newShape));
        }
        return new ArrayLayout(name, dtype, dims, cStrides(dims, dtype.itemSize()), offsetBytes);
    }

    /**
     * @param axes a permutation of {@code 0..ndim-1}: axis {@code i} of the view is axis {@code axes[i]} here.
     * @return the view.
     * @throws IllegalArgumentException when {@code axes} is not a permutation of the axes.
     */
    ArrayLayout transpose(final int... axes)
    {
        final boolean[] seen = new boolean[shape.length];
        final long[] newShape = new long[shape.length];
        final long[] newStrides = new long[shape.length];
        for (int i = 0; i < axes.length && axes.length == shape.length; i++)
        {
            final int axis = axes[i];
            if (axis < 0 || axis >= shape.length || seen[axis])
            {
                break;
            }
            seen[axis] = true;
            newShape[i] = shape[axis];
            newStrides[i] = strides[axis];
        }
        for (final boolean axisSeen : seen)
        {
            if (!axisSeen)
            {
                throw new IllegalArgumentException("transpose of " + describe() + ": " + Arrays.toString(axes) +
                    " is not a permutation of its " + shape.length + " axes");
            }
        }
        return new ArrayLayout(name, dtype, newShape, newStrides, offsetBytes);
    }

    static long checkShape(final String name, final DType dtype, final long[] shape)
    {
        if (dtype == null)
        {
            throw new IllegalArgumentException("SharedArray \"" + name + "\": dtype is null");
        }
        if (shape.length > MAX_NDIM)
        {
            throw new IllegalArgumentException("SharedArray \"" + name + "\": " + shape.length +
                " dimensions, the limit is " + MAX_NDIM);
        }
        long nbytes = dtype.itemSize();
        for (final long extent : shape)
        {
            if (extent < 0)
            {
                throw new IllegalArgumentException("SharedArray \"" + name + "\": shape " + Arrays.toString(shape) +
                    " has a negative extent");
            }
            try
            {
                nbytes = Math.multiplyExact(nbytes, extent);
            }
            catch (final ArithmeticException ex)
            {
                throw new IllegalArgumentException("SharedArray \"" + name + "\": shape " + Arrays.toString(shape) +
                    " of " + dtype + " is more than " + Long.MAX_VALUE + " bytes");
            }
        }
        return nbytes;
    }

    static long[] cStrides(final long[] shape, final int itemSize)
    {
        final long[] strides = new long[shape.length];
        long stride = itemSize;
        for (int axis = shape.length - 1; axis >= 0; axis--)
        {
            strides[axis] = stride;
            stride *= Math.max(shape[axis], 1);
        }
        return strides;
    }

    String describe()
    {
        return "SharedArray \"" + name + "\" (" + dtype + ", shape " + Arrays.toString(shape) + ")";
    }

    long offset(final long i)
    {
        if (shape.length != 1)
        {
            throw wrongIndexCount(1);
        }
        return offsetBytes + checkIndex(i, 0) * strides[0];
    }

    long offset(final long i, final long j)
    {
        if (shape.length != 2)
        {
            throw wrongIndexCount(2);
        }
        return offsetBytes + checkIndex(i, 0) * strides[0] + checkIndex(j, 1) * strides[1];
    }

    long offset(final long[] index)
    {
        if (index.length != shape.length)
        {
            throw wrongIndexCount(index.length);
        }
        long offset = offsetBytes;
        for (int axis = 0; axis < index.length; axis++)
        {
            offset += checkIndex(index[axis], axis) * strides[axis];
        }
        return offset;
    }

    /**
     * numpy's rule: an index in {@code [0, size)} is used as is, one in {@code [-size, 0)} counts from the end.
     * The common case costs one unsigned comparison; negative indices are handled on the failing side of it.
     */
    long checkIndex(final long index, final int axis)
    {
        final long size = shape[axis];
        if (Long.compareUnsigned(index, size) >= 0)
        {
            return fromEnd(index, axis, size);
        }
        return index;
    }

    private long fromEnd(final long index, final int axis, final long size)
    {
        if (index < 0 && index >= -size)
        {
            return index + size;
        }
        throw new IndexOutOfBoundsException("index " + index + " is out of bounds for axis " + axis +
            " with size " + size + " of " + describe());
    }

    int checkAxis(final int axis)
    {
        if (axis < 0 || axis >= shape.length)
        {
            throw new IllegalArgumentException("axis " + axis + " is out of bounds for " + describe());
        }
        return axis;
    }

    IllegalArgumentException wrongIndexCount(final int count)
    {
        return new IllegalArgumentException(count + " indices given for " + describe() + ", which has " +
            shape.length + " dimensions");
    }

    long rowCount()
    {
        return contiguous ? 1 : size / shape[shape.length - 1];
    }

    long innerCount()
    {
        return contiguous ? size : shape[shape.length - 1];
    }

    long innerStride()
    {
        return contiguous ? dtype.itemSize() : strides[shape.length - 1];
    }

    long[] rowIndex()
    {
        return contiguous ? null : new long[shape.length];
    }

    long nextRow(final long[] index, final long offset)
    {
        if (index == null)
        {
            return offset;
        }
        long next = offset;
        for (int axis = shape.length - 2; axis >= 0; axis--)
        {
            if (++index[axis] < shape[axis])
            {
                return next + strides[axis];
            }
            next -= (shape[axis] - 1) * strides[axis];
            index[axis] = 0;
        }
        return next;
    }
}
