package io.ipckit.shm.array;

import java.lang.foreign.MemorySegment;

/**
 * Bulk writes and copies over an array or view of any geometry, row by row ({@link ArrayLayout}): a dense row is
 * one {@link MemorySegment#copy} call, a strided row one call per element.
 */
final class ArrayCopies
{
    private ArrayCopies()
    {
    }

    static void fill(final MemorySegment segment, final ArrayLayout layout, final double value)
    {
        final long[] index = layout.rowIndex();
        long offset = layout.offsetBytes;
        for (long row = 0, rows = layout.rowCount(); row < rows; row++)
        {
            long position = offset;
            for (long i = 0, count = layout.innerCount(); i < count; i++, position += layout.innerStride())
            {
                layout.dtype.setDouble(segment, position, value);
            }
            offset = layout.nextRow(index, offset);
        }
    }

    static void fill(final MemorySegment segment, final ArrayLayout layout, final long value)
    {
        final long[] index = layout.rowIndex();
        long offset = layout.offsetBytes;
        for (long row = 0, rows = layout.rowCount(); row < rows; row++)
        {
            long position = offset;
            for (long i = 0, count = layout.innerCount(); i < count; i++, position += layout.innerStride())
            {
                layout.dtype.setLong(segment, position, value);
            }
            offset = layout.nextRow(index, offset);
        }
    }

    static void transfer(
        final MemorySegment segment, final ArrayLayout layout, final MemorySegment other, final boolean into)
    {
        final long nbytes = layout.size * layout.dtype.itemSize();
        if (other.byteSize() != nbytes)
        {
            throw new IllegalArgumentException("cannot copy " + other.byteSize() + " bytes " +
                (into ? "into " : "from ") + layout.describe() + ", which holds " + nbytes + " bytes (" + layout.size +
                " x " + layout.dtype + ")");
        }
        final long[] index = layout.rowIndex();
        final int itemSize = layout.dtype.itemSize();
        final boolean denseRow = layout.innerStride() == itemSize;
        long offset = layout.offsetBytes;
        long otherOffset = 0;
        for (long row = 0, rows = layout.rowCount(); row < rows; row++)
        {
            long position = offset;
            final long count = denseRow ? 1 : layout.innerCount();
            for (long i = 0; i < count; i++, position += layout.innerStride())
            {
                final long bytes = denseRow ? layout.innerCount() * itemSize : itemSize;
                if (into)
                {
                    MemorySegment.copy(other, otherOffset, segment, position, bytes);
                }
                else
                {
                    MemorySegment.copy(segment, position, other, otherOffset, bytes);
                }
                otherOffset += bytes;
            }
            offset = layout.nextRow(index, offset);
        }
    }
}
