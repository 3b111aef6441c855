package io.ipckit.shm.array;

import io.ipckit.core.file.ResourceHeaderDescriptor;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of a {@link SharedArray} file: the common ipckit header ({@link ResourceHeaderDescriptor}, 64 bytes), the
 * array metadata below, then the elements from the header length (offset 16 of the common header, a multiple of
 * 64) in C order, little-endian, with no padding. All fields are little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |         Common header (64 bytes, ResourceHeaderDescriptor)    |
 *  |                             ...                               |
 *  +---------------------------------------------------------------+  64
 *  |                       DType Code (DType)                      |
 *  +---------------------------------------------------------------+  68
 *  |                     Item Size (bytes)                         |
 *  +---------------------------------------------------------------+  72
 *  |                   Number of Dimensions (ndim)                 |
 *  +---------------------------------------------------------------+  76
 *  |                           Reserved                            |
 *  +---------------------------------------------------------------+  80
 *  |                   Shape[0] ... Shape[ndim-1]                  |
 *  |                     (int64 each, elements)                    |
 *  +---------------------------------------------------------------+  80 + 8 * ndim
 *  |                 Strides[0] ... Strides[ndim-1]                |
 *  |                      (int64 each, bytes)                      |
 *  +---------------------------------------------------------------+  80 + 16 * ndim
 *  |               Padding to the header length (64-aligned)       |
 *  +---------------------------------------------------------------+  header length
 *  |                    Elements, C order, little-endian           |
 *  +---------------------------------------------------------------+
 * </pre>
 * A Python reader needs only {@code struct.unpack_from('<iiii', buf, 64)} for dtype, item size and ndim, then
 * {@code '<%dq' % ndim} twice for shape and strides, and the header length at offset 16; see
 * {@code demos/python/ipckit_shm.py}. Strides are those of a C-contiguous array when ipckit creates the file.
 */
public final class SharedArrayDescriptor
{
    /** The layout version this class describes. */
    public static final int LAYOUT_VERSION = 1;
    /** The most dimensions an array may have (numpy's historical limit). */
    public static final int MAX_NDIM = 32;

    /** Offset of the {@link DType#code()}. */
    public static final int DTYPE_CODE_OFFSET;
    /** Offset of the item size in bytes, which must agree with the dtype. */
    public static final int ITEM_SIZE_OFFSET;
    /** Offset of the number of dimensions. */
    public static final int NDIM_OFFSET;
    /** Offset of a reserved int, zero. */
    public static final int RESERVED_OFFSET;
    /** Offset of the shape: {@code ndim} int64 element counts, then {@code ndim} int64 strides in bytes. */
    public static final int SHAPE_OFFSET;

    static
    {
        int offset = ResourceHeaderDescriptor.COMMON_HEADER_LENGTH;
        DTYPE_CODE_OFFSET = offset;
        offset += SIZE_OF_INT;
        ITEM_SIZE_OFFSET = offset;
        offset += SIZE_OF_INT;
        NDIM_OFFSET = offset;
        offset += SIZE_OF_INT;
        RESERVED_OFFSET = offset;
        offset += SIZE_OF_INT;
        SHAPE_OFFSET = offset;
    }

    private SharedArrayDescriptor()
    {
    }

    /**
     * @param ndim the number of dimensions.
     * @return the metadata length after the common header.
     */
    public static int metadataLength(final int ndim)
    {
        return SHAPE_OFFSET - ResourceHeaderDescriptor.COMMON_HEADER_LENGTH + 2 * SIZE_OF_LONG * ndim;
    }

    /**
     * @param axis the axis.
     * @return the offset of {@code shape[axis]}.
     */
    public static int shapeOffset(final int axis)
    {
        return SHAPE_OFFSET + SIZE_OF_LONG * axis;
    }

    /**
     * @param ndim the number of dimensions.
     * @param axis the axis.
     * @return the offset of {@code strides[axis]}.
     */
    public static int strideOffset(final int ndim, final int axis)
    {
        return SHAPE_OFFSET + SIZE_OF_LONG * (ndim + axis);
    }
}
