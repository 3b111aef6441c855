package io.ipckit.shm.array;

import java.lang.foreign.MemorySegment;

import static io.ipckit.shm.array.DType.F32;
import static io.ipckit.shm.array.DType.F64;
import static io.ipckit.shm.array.DType.I32;
import static io.ipckit.shm.array.DType.I64;

/**
 * Sums and extrema of an array or view, row by row ({@link ArrayLayout}), each row ({@code count} elements
 * {@code strideBytes} apart) in a tight loop over the segment: no boxing, no allocation but one index array for
 * a strided view. Dense rows of the common dtypes use several independent accumulators ({@link #LANES}) so that
 * the loop runs at memory bandwidth rather than at the latency of one add.
 * <p>
 * <b>The order of a floating-point sum</b> (what {@link ParallelReduction} relies on to give the same bits): a
 * dense row longer than one chunk ({@link #CHUNK_BYTES}, i.e. {@link #chunkElements(DType)} elements, counted
 * from the row's first element) is summed chunk by chunk, each chunk with the {@link #LANES} accumulators, and
 * the chunk sums are added pairwise: the sum over chunks {@code [lo, hi)} is the sum over {@code [lo, mid)} plus
 * the sum over {@code [mid, hi)}, {@code mid = (lo + hi) >>> 1} ({@link #combinePairwise}). The order depends on
 * the row's length and dtype only, so any split of the chunks across threads that keeps each chunk's sum and
 * combines them this way gives the same double. Pairwise adding also bounds the rounding error by
 * {@code O(log n)} rather than {@code O(n)}, as numpy's pairwise sum does. A strided row is summed in index order.
 */
final class Reductions
{
    /**
     * Bytes of one chunk of a dense floating-point sum (its leaves, see the class comment), and of the piece of
     * work one thread claims in a {@link ParallelReduction}: 1 MiB, long enough that a thread's claim and a
     * {@code madvise} per piece cost nothing beside the piece's read, short enough to balance two to eight threads on
     * a few MiB.
     */
    static final long CHUNK_BYTES = 1L << 20;

    /**
     * Elements per turn of a dense loop, each floating-point one into its own accumulator: a double add takes about
     * four cycles and two can start per cycle, so eight independent sums keep the adders busy and the loop runs at
     * memory bandwidth (the JIT does not vectorise a floating-point sum, whose order it must keep).
     */
    private static final long LANES = 8;

    private Reductions()
    {
    }

    static double sum(final MemorySegment segment, final ArrayLayout layout)
    {
        final long[] index = layout.rowIndex();
        double sum = 0;
        long offset = layout.offsetBytes;
        for (long row = 0, rows = layout.rowCount(); row < rows; row++)
        {
            sum += rowSumFloatingPoint(segment, offset, layout.innerCount(), layout.innerStride(), layout.dtype);
            offset = layout.nextRow(index, offset);
        }
        return sum;
    }

    static long sumLong(final MemorySegment segment, final ArrayLayout layout)
    {
        final long[] index = layout.rowIndex();
        long sum = 0;
        long offset = layout.offsetBytes;
        for (long row = 0, rows = layout.rowCount(); row < rows; row++)
        {
            sum += rowSumInteger(segment, offset, layout.innerCount(), layout.innerStride(), layout.dtype);
            offset = layout.nextRow(index, offset);
        }
        return sum;
    }

    static double extremeFloatingPoint(final MemorySegment segment, final ArrayLayout layout, final boolean max)
    {
        final long[] index = layout.rowIndex();
        double result = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        long offset = layout.offsetBytes;
        for (long row = 0, rows = layout.rowCount(); row < rows; row++)
        {
            result = rowExtremeFloatingPoint(
                segment, offset, layout.innerCount(), layout.innerStride(), layout.dtype, max, result);
            offset = layout.nextRow(index, offset);
        }
        return result;
    }

    static long extremeInteger(final MemorySegment segment, final ArrayLayout layout, final boolean max)
    {
        final long[] index = layout.rowIndex();
        long result = max ? Long.MIN_VALUE : Long.MAX_VALUE;
        long offset = layout.offsetBytes;
        for (long row = 0, rows = layout.rowCount(); row < rows; row++)
        {
            result = rowExtremeInteger(segment, offset, layout.innerCount(), layout.innerStride(), layout.dtype, max, result);
            offset = layout.nextRow(index, offset);
        }
        return result;
    }

    /**
     * @param type a dtype.
     * @return the elements in one chunk of a dense sum of that dtype.
     */
    static long chunkElements(final DType type)
    {
        return CHUNK_BYTES / type.itemSize();
    }

    /**
     * @return the number of chunks of a dense row of {@code count} elements (at least 1).
     */
    static long chunkCount(final long count, final long chunkElements)
    {
        return Math.max(1, (count + chunkElements - 1) / chunkElements);
    }

    /**
     * The sum of one chunk, or of any dense run no longer than a chunk, of a floating-point dtype.
     *
     * @param segment the mapping.
     * @param offset  the byte offset of the first element.
     * @param count   the number of elements, dense.
     * @param type    FLOAT64 or FLOAT32.
     * @return their sum, with {@link #LANES} accumulators.
     */
    static double sumDenseChunk(final MemorySegment segment, final long offset, final long count, final DType type)
    {
        return type == DType.FLOAT64 ? sumDenseFloat64(segment, offset, count) :
            sumDenseFloat32(segment, offset, count);
    }

    /**
     * Adds chunk sums pairwise, in the order the class comment defines.
     *
     * @param sums the chunk sums.
     * @param lo   the first chunk.
     * @param hi   one past the last chunk, above {@code lo}.
     * @return their sum.
     */
    static double combinePairwise(final double[] sums, final int lo, final int hi)
    {
        if (hi - lo == 1)
        {
            return sums[lo];
        }
        final int mid = (lo + hi) >>> 1;
        return combinePairwise(sums, lo, mid) + combinePairwise(sums, mid, hi);
    }

    private static double sumDensePairwise(
        final MemorySegment segment,
        final long offset,
        final long count,
        final DType type,
        final long chunkElements,
        final long lo,
        final long hi)
    {
        if (hi - lo == 1)
        {
            final long first = lo * chunkElements;
            return sumDenseChunk(
                segment, offset + first * type.itemSize(), Math.min(chunkElements, count - first), type);
        }
        final long mid = (lo + hi) >>> 1;
        return sumDensePairwise(segment, offset, count, type, chunkElements, lo, mid) +
            sumDensePairwise(segment, offset, count, type, chunkElements, mid, hi);
    }

    static double rowSumFloatingPoint(
        final MemorySegment segment, final long offset, final long count, final long strideBytes, final DType type)
    {
        if (strideBytes == type.itemSize())
        {
            final long chunkElements = chunkElements(type);
            return count <= chunkElements ? sumDenseChunk(segment, offset, count, type) :
                sumDensePairwise(segment, offset, count, type, chunkElements, 0, chunkCount(count, chunkElements));
        }
        double sum = 0;
        long position = offset;
        for (long i = 0; i < count; i++, position += strideBytes)
        {
            sum += type.getDouble(segment, position);
        }
        return sum;
    }

    static long rowSumInteger(
        final MemorySegment segment, final long offset, final long count, final long strideBytes, final DType type)
    {
        if (type == DType.INT32 && strideBytes == Integer.BYTES)
        {
            return sumDenseInt32(segment, offset, count);
        }
        if (type == DType.INT64 && strideBytes == Long.BYTES)
        {
            return sumDenseInt64(segment, offset, count);
        }
        long sum = 0;
        long position = offset;
        for (long i = 0; i < count; i++, position += strideBytes)
        {
            sum += type.getLong(segment, position);
        }
        return sum;
    }

    static double rowExtremeFloatingPoint(
        final MemorySegment segment,
        final long offset,
        final long count,
        final long strideBytes,
        final DType type,
        final boolean max,
        final double initial)
    {
        double result = initial;
        long position = offset;
        for (long i = 0; i < count; i++, position += strideBytes)
        {
            final double value = type.getDouble(segment, position);
            result = max ? Math.max(result, value) : Math.min(result, value);
        }
        return result;
    }

    static long rowExtremeInteger(
        final MemorySegment segment,
        final long offset,
        final long count,
        final long strideBytes,
        final DType type,
        final boolean max,
        final long initial)
    {
        long result = initial;
        long position = offset;
        for (long i = 0; i < count; i++, position += strideBytes)
        {
            final long value = type.getLong(segment, position);
            result = max ? Math.max(result, value) : Math.min(result, value);
        }
        return result;
    }

    private static double sumDenseFloat64(final MemorySegment segment, final long offset, final long count)
    {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        final long end = offset + (count & ~(LANES - 1)) * Double.BYTES;
        long position = offset;
        for (; position < end; position += LANES * Double.BYTES)
        {
            a0 += segment.get(F64, position);
            a1 += segment.get(F64, position + 8);
            a2 += segment.get(F64, position + 16);
            a3 += segment.get(F64, position + 24);
            a4 += segment.get(F64, position + 32);
            a5 += segment.get(F64, position + 40);
            a6 += segment.get(F64, position + 48);
            a7 += segment.get(F64, position + 56);
        }
        for (long i = count & ~(LANES - 1); i < count; i++, position += Double.BYTES)
        {
            a0 += segment.get(F64, position);
        }
        return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
    }

    private static double sumDenseFloat32(final MemorySegment segment, final long offset, final long count)
    {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        final long end = offset + (count & ~(LANES - 1)) * Float.BYTES;
        long position = offset;
        for (; position < end; position += LANES * Float.BYTES)
        {
            a0 += segment.get(F32, position);
            a1 += segment.get(F32, position + 4);
            a2 += segment.get(F32, position + 8);
            a3 += segment.get(F32, position + 12);
            a4 += segment.get(F32, position + 16);
            a5 += segment.get(F32, position + 20);
            a6 += segment.get(F32, position + 24);
            a7 += segment.get(F32, position + 28);
        }
        for (long i = count & ~(LANES - 1); i < count; i++, position += Float.BYTES)
        {
            a0 += segment.get(F32, position);
        }
        return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
    }

    private static long sumDenseInt32(final MemorySegment segment, final long offset, final long count)
    {
        long a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        final long end = offset + (count & ~(LANES - 1)) * Integer.BYTES;
        long position = offset;
        for (; position < end; position += LANES * Integer.BYTES)
        {
            a0 += segment.get(I32, position) + (long)segment.get(I32, position + 4);
            a1 += segment.get(I32, position + 8) + (long)segment.get(I32, position + 12);
            a2 += segment.get(I32, position + 16) + (long)segment.get(I32, position + 20);
            a3 += segment.get(I32, position + 24) + (long)segment.get(I32, position + 28);
        }
        for (long i = count & ~(LANES - 1); i < count; i++, position += Integer.BYTES)
        {
            a0 += segment.get(I32, position);
        }
        return (a0 + a1) + (a2 + a3);
    }

    private static long sumDenseInt64(final MemorySegment segment, final long offset, final long count)
    {
        long a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        final long end = offset + (count & ~(LANES - 1)) * Long.BYTES;
        long position = offset;
        for (; position < end; position += LANES * Long.BYTES)
        {
            a0 += segment.get(I64, position) + segment.get(I64, position + 8);
            a1 += segment.get(I64, position + 16) + segment.get(I64, position + 24);
            a2 += segment.get(I64, position + 32) + segment.get(I64, position + 40);
            a3 += segment.get(I64, position + 48) + segment.get(I64, position + 56);
        }
        for (long i = count & ~(LANES - 1); i < count; i++, position += Long.BYTES)
        {
            a0 += segment.get(I64, position);
        }
        return (a0 + a1) + (a2 + a3);
    }
}
