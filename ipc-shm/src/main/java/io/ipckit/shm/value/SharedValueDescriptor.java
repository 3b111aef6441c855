package io.ipckit.shm.value;

import io.ipckit.core.file.ResourceHeaderDescriptor;

import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Layout of a {@link SharedValue} file: the common ipckit header, this metadata, then {@code length} elements of
 * the dtype from the header length (64-aligned, so every element is naturally aligned for atomic access).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |         Common header (64 bytes, ResourceHeaderDescriptor)    |
 *  +---------------------------------------------------------------+  64
 *  |                       DType Code (DType)                      |
 *  +---------------------------------------------------------------+  68
 *  |                       Item Size (bytes)                       |
 *  +---------------------------------------------------------------+  72
 *  |                     Length (elements, >= 1)                   |
 *  +---------------------------------------------------------------+  76
 *  |                  Padding to the header length                 |
 *  +---------------------------------------------------------------+  header length (128)
 *  |                  Elements, little-endian                      |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class SharedValueDescriptor
{
    /** The layout version this class describes. */
    public static final int LAYOUT_VERSION = 1;

    /** Offset of the dtype code. */
    public static final int DTYPE_CODE_OFFSET;
    /** Offset of the item size, which must agree with the dtype. */
    public static final int ITEM_SIZE_OFFSET;
    /** Offset of the number of elements. */
    public static final int LENGTH_OFFSET;
    /** Length of the metadata after the common header. */
    public static final int METADATA_LENGTH;

    static
    {
        int offset = ResourceHeaderDescriptor.COMMON_HEADER_LENGTH;
        DTYPE_CODE_OFFSET = offset;
        offset += SIZE_OF_INT;
        ITEM_SIZE_OFFSET = offset;
        offset += SIZE_OF_INT;
        LENGTH_OFFSET = offset;
        offset += SIZE_OF_INT;
        METADATA_LENGTH = offset - ResourceHeaderDescriptor.COMMON_HEADER_LENGTH;
    }

    private SharedValueDescriptor()
    {
    }
}
