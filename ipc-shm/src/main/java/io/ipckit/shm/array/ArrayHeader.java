package io.ipckit.shm.array;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceHeaderDescriptor;
import org.agrona.concurrent.AtomicBuffer;

import java.util.Arrays;

import static io.ipckit.shm.array.SharedArrayDescriptor.DTYPE_CODE_OFFSET;
import static io.ipckit.shm.array.SharedArrayDescriptor.ITEM_SIZE_OFFSET;
import static io.ipckit.shm.array.SharedArrayDescriptor.MAX_NDIM;
import static io.ipckit.shm.array.SharedArrayDescriptor.NDIM_OFFSET;
import static io.ipckit.shm.array.SharedArrayDescriptor.metadataLength;
import static io.ipckit.shm.array.SharedArrayDescriptor.shapeOffset;
import static io.ipckit.shm.array.SharedArrayDescriptor.strideOffset;

/**
 * The array-specific part of a {@link SharedArray} file's header ({@link SharedArrayDescriptor}): the creator writes
 * dtype, shape and strides before the file is published; an opener reads them back and trusts none of it until it
 * has checked that the dtype is known, the dimensions fit the header, no extent or stride is negative or misaligned,
 * the strides are those of C order (on every axis of more than one element), and the last element lies within the
 * file's data. Only then does it become an {@link ArrayLayout}.
 * <p>
 * Stateless and thread-safe.
 */
final class ArrayHeader
{
    private static final int COMMON_HEADER_END = ResourceHeaderDescriptor.COMMON_HEADER_LENGTH;

    private ArrayHeader()
    {
    }

    /**
     * Writes the metadata of a new, not yet published file.
     *
     * @param buffer  the file's buffer.
     * @param dtype   the element type.
     * @param shape   the shape, checked by {@link ArrayLayout#checkShape}.
     * @param strides the C-order strides in bytes.
     */
    static void write(final AtomicBuffer buffer, final DType dtype, final long[] shape, final long[] strides)
    {
        buffer.putInt(DTYPE_CODE_OFFSET, dtype.code());
        buffer.putInt(ITEM_SIZE_OFFSET, dtype.itemSize());
        buffer.putInt(NDIM_OFFSET, shape.length);
        for (int axis = 0; axis < shape.length; axis++)
        {
            buffer.putLong(shapeOffset(axis), shape[axis]);
            buffer.putLong(strideOffset(shape.length, axis), strides[axis]);
        }
    }

    /**
     * Reads and validates the metadata of an opened file.
     *
     * @param name the array's name, for messages.
     * @param file the opened, published file.
     * @return the array's layout, element zero at the end of the header.
     * @throws CorruptResourceException when the metadata is inconsistent or does not fit the file.
     */
    static ArrayLayout read(final String name, final ResourceFile file)
    {
        final AtomicBuffer buffer = file.buffer();
        final int code = buffer.getInt(DTYPE_CODE_OFFSET);
        final DType dtype = DType.fromCode(code);
        final int itemSize = buffer.getInt(ITEM_SIZE_OFFSET);
        final int ndim = buffer.getInt(NDIM_OFFSET);
        if (dtype == null || itemSize != dtype.itemSize())
        {
            throw corrupt(name, "unknown dtype code " + code + " with item size " + itemSize);
        }
        if (ndim < 0 || ndim > MAX_NDIM || COMMON_HEADER_END + metadataLength(ndim) > file.headerLength())
        {
            throw corrupt(name, "ndim " + ndim + " does not fit its " + file.headerLength() + "-byte header");
        }
        final long[] shape = new long[ndim];
        final long[] strides = new long[ndim];
        for (int axis = 0; axis < ndim; axis++)
        {
            shape[axis] = buffer.getLong(shapeOffset(axis));
            strides[axis] = buffer.getLong(strideOffset(ndim, axis));
            if (shape[axis] < 0 || strides[axis] < 0 || strides[axis] % itemSize != 0)
            {
                throw corrupt(name, "axis " + axis + " has extent " + shape[axis] + " and stride " + strides[axis]);
            }
        }
        checkWithinData(name, file, dtype, shape, strides);
        return new ArrayLayout(name, dtype, shape, strides, file.headerLength());
    }

    private static void checkWithinData(
        final String name, final ResourceFile file, final DType dtype, final long[] shape, final long[] strides)
    {
        final int itemSize = dtype.itemSize();
        try
        {
            long elements = 1;
            long lastByte = 0;
            for (int axis = 0; axis < shape.length; axis++)
            {
                elements = Math.multiplyExact(elements, shape[axis]);
                lastByte = Math.addExact(lastByte, Math.multiplyExact(Math.max(shape[axis] - 1, 0), strides[axis]));
            }
            // files are written in C order: another stride on an axis of more than one element (a 0 that would
            // repeat one element 2^40 times, say) is not this format's
            long cStride = itemSize;
            for (int axis = shape.length - 1; axis >= 0 && elements > 0; axis--)
            {
                if (shape[axis] > 1 && strides[axis] != cStride)
                {
                    throw corrupt(name, "axis " + axis + " has stride " + strides[axis] + ", not the " + cStride +
                        " of C order");
                }
                cStride = Math.multiplyExact(cStride, shape[axis]);
            }
            if (elements > 0 && Math.addExact(lastByte, itemSize) > file.dataLengthBytes())
            {
                throw corrupt(name, dtype + " of shape " + Arrays.toString(shape) + " and strides " +
                    Arrays.toString(strides) + " needs " + (lastByte + itemSize) + " bytes but the file holds " +
                    file.dataLengthBytes() + " data bytes");
            }
        }
        catch (final ArithmeticException ex)
        {
            throw corrupt(name, "shape " + Arrays.toString(shape) + " overflows a long");
        }
    }

    private static CorruptResourceException corrupt(final String name, final String what)
    {
        return new CorruptResourceException("SharedArray \"" + name + "\" has corrupt metadata: " + what +
            "; unlink it and create it again");
    }
}
