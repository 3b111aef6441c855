package io.ipckit.shm.array;

import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.ShmOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ParallelReduction} behind a handle with {@link ShmOptions#reductionThreads(int)}: the same bits as one
 * thread for every dtype, lengths that are no whole number of pieces, the arrays and views that stay on the calling
 * thread, concurrent callers, failures, and the calling thread's allocation.
 */
@Timeout(60)
class ParallelReductionTest
{
    private static final long PIECE_BYTES = Reductions.CHUNK_BYTES;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldGiveTheSingleThreadedResultBitForBitForEveryDtypeAndThreadCount()
    {
        final SplittableRandom random = new SplittableRandom(15);
        for (final DType type : DType.values())
        {
            // 4 pieces and a part of a fifth: no whole number of pieces, and an odd tail inside the last
            final long count = (4 * PIECE_BYTES + 3 * 4096) / type.itemSize() + 13;
            try (SharedArray array = SharedArray.create("a-" + type, type, count))
            {
                fillRandom(array, random);
                final String sequential = reductions(array);
                // three threads: two helpers and an uneven split (two threads: the cross-JVM test)
                for (final int threads : new int[] {3})
                {
                    try (SharedArray parallel = SharedArray.open(array.name(), new ShmOptions().reductionThreads(threads)))
                    {
                        assertEquals(Math.min(threads, 5) - 1, parallel.parallel().helpers(), type + ", " + threads);
                        assertEquals(sequential, reductions(parallel), type + " on " + threads + " threads, first read");
                        assertEquals(sequential, reductions(parallel), type + " on " + threads + " threads, again");
                    }
                }
                array.unlink();
            }
        }
    }

    @Test
    void shouldSumAsAPlainLoopAtEveryPieceEdge()
    {
        final long perPiece = PIECE_BYTES / Double.BYTES;
        final long minimum = SharedArray.PARALLEL_MIN_BYTES / Double.BYTES;
        for (final long count : new long[] {minimum, minimum + 1, 5 * perPiece - 1, 5 * perPiece, 5 * perPiece + 1})
        {
            try (SharedArray array = SharedArray.create("edge" + count, DType.FLOAT64,
                new ShmOptions().reductionThreads(2), count))
            {
                double plain = 0;
                double largest = Double.NEGATIVE_INFINITY;
                for (long i = 0; i < count; i++)
                {
                    // integers small enough that every order of adding them gives the same double
                    final double value = (i * 7919) % 2001 - 1000;
                    array.setDouble(i, value);
                    plain += value;
                    largest = Math.max(largest, value);
                }
                assertNotNull(array.parallel(), "length " + count);
                assertEquals(plain, array.sum(), "length " + count);
                assertEquals(largest, array.max(), "length " + count);
                array.setDouble(count - 1, Double.NaN);
                assertEquals(Double.NaN, array.min(), "a NaN in the last element, length " + count);
                array.unlink();
            }
        }
    }

    @Test
    void shouldKeepSmallArraysStridedViewsAndOneThreadOnTheCallingThread()
    {
        final long elements = SharedArray.PARALLEL_MIN_BYTES / Long.BYTES;
        try (SharedArray small = SharedArray.create("small", DType.INT64, new ShmOptions().reductionThreads(4),
            elements - 1);
            SharedArray large = SharedArray.create("large", DType.INT64, new ShmOptions().reductionThreads(4),
                2, elements);
            SharedArray single = SharedArray.create("single", DType.INT64, new ShmOptions().reductionThreads(1),
                elements);
            SharedArray automatic = SharedArray.create("automatic", DType.INT64, elements))
        {
            large.fill(2L);
            assertNull(small.parallel(), "below PARALLEL_MIN_BYTES");
            assertNull(single.parallel(), "one reduction thread");
            assertEquals(SharedArray.automaticReductionThreads(), automatic.reductionThreads(), "the default");
            assertEquals(SharedArray.automaticReductionThreads() > 1, automatic.parallel() != null, "the default");
            assertNotNull(large.parallel());
            final SharedArray row = large.slice(0, 1, 2, 1);
            assertNotNull(row.parallel(), "a contiguous view keeps its handle's threads");
            assertEquals(2L * elements, row.sumLong());
            final SharedArray everyOther = large.slice(1, 0, elements, 2);
            assertNull(everyOther.parallel(), "a strided view");
            assertEquals(2L * elements, everyOther.sumLong());
            assertEquals(4L * elements, large.sumLong());
            small.unlink();
            large.unlink();
            single.unlink();
            automatic.unlink();
        }
    }

    @Test
    void shouldChooseTheCommonPoolsThreadsPlusTheCallerWithinTheProcessorsAndTheCap()
    {
        assertEquals(2, SharedArray.automaticReductionThreads(1, 2), "two cores");
        assertEquals(1, SharedArray.automaticReductionThreads(1, 1), "one core");
        assertEquals(1, SharedArray.automaticReductionThreads(0, 8), "a common pool without threads");
        assertEquals(3, SharedArray.automaticReductionThreads(2, 8), "the common pool's parallelism");
        assertEquals(ShmOptions.MAX_AUTO_REDUCTION_THREADS, SharedArray.automaticReductionThreads(63, 64), "the cap");
    }

    @Test
    void shouldGiveConcurrentCallersOnOneHandleTheSameResult() throws InterruptedException
    {
        final long count = 6 * PIECE_BYTES / Double.BYTES + 5;
        try (SharedArray array = SharedArray.create("shared", DType.FLOAT64, new ShmOptions().reductionThreads(2),
            count))
        {
            fillRandom(array, new SplittableRandom(3));
            final double expected;
            try (SharedArray sequential = SharedArray.open("shared"))
            {
                expected = sequential.sum();
            }
            final int callers = 3;
            final CountDownLatch start = new CountDownLatch(1);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < callers; t++)
            {
                threads.add(Thread.ofPlatform().start(() ->
                {
                    try
                    {
                        start.await();
                        for (int i = 0; i < 100; i++)
                        {
                            assertEquals(expected, array.sum(), "call " + i);
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                }));
            }
            start.countDown();
            for (final Thread thread : threads)
            {
                thread.join();
            }
            if (failure.get() != null)
            {
                throw new AssertionError("a concurrent caller failed", failure.get());
            }
            array.unlink();
        }
    }

    @Test
    void shouldThrowResourceClosedAfterCloseFromEveryThread()
    {
        final SharedArray array = SharedArray.create("closed", DType.INT32, new ShmOptions().reductionThreads(2),
            SharedArray.PARALLEL_MIN_BYTES / Integer.BYTES);
        array.unlink();
        assertEquals(0L, array.sumLong());
        array.close();
        assertThrows(ResourceClosedException.class, array::sumLong);
        assertThrows(ResourceClosedException.class, array::sum);
        assertThrows(ResourceClosedException.class, array::max);
        assertThrows(ResourceClosedException.class, array::minLong);
    }

    @Test
    void shouldNotAllocateOnTheCallingThreadOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (SharedArray doubles = SharedArray.create("doubles", DType.FLOAT64, new ShmOptions().reductionThreads(2),
            SharedArray.PARALLEL_MIN_BYTES / Double.BYTES + 3))
        {
            doubles.fill(0.5);
            double sink = 0;
            long least = Long.MAX_VALUE;
            for (int round = 0; round < 4; round++)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 50; i++)
                {
                    sink += doubles.sum() + doubles.max();
                }
                least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
            }
            // the least round: a helper that a loaded machine left unstarted for a millisecond is replaced (an
            // allocation), which a round may meet; the steady path allocates nothing
            assertEquals(0, least, "bytes allocated by 100 parallel reductions");
            assertTrue(sink > 0);
            doubles.unlink();
        }
    }

    private static String reductions(final SharedArray array)
    {
        if (array.dtype().isFloatingPoint())
        {
            return Double.doubleToRawLongBits(array.sum()) + " " + Double.doubleToRawLongBits(array.min()) + " " +
                Double.doubleToRawLongBits(array.max());
        }
        return array.sumLong() + " " + array.minLong() + " " + array.maxLong() + " " +
            Double.doubleToRawLongBits(array.sum()) + " " + array.min() + " " + array.max();
    }

    private static void fillRandom(final SharedArray array, final SplittableRandom random)
    {
        final MemorySegment data = array.dataSegment();
        final long count = array.size();
        switch (array.dtype())
        {
            case FLOAT64 ->
            {
                for (long i = 0; i < count; i++)
                {
                    data.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, random.nextDouble(-1e6, 1e6) *
                        Math.scalb(1.0, random.nextInt(-20, 20)));
                }
            }
            case FLOAT32 ->
            {
                for (long i = 0; i < count; i++)
                {
                    data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float)random.nextDouble(-1e6, 1e6));
                }
            }
            case BOOL ->
            {
                for (long i = 0; i < count; i++)
                {
                    data.set(ValueLayout.JAVA_BYTE, i, (byte)random.nextInt(2));
                }
            }
            default ->
            {
                for (long i = 0; i + 8 <= data.byteSize(); i += 8)
                {
                    data.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
                }
                for (long i = data.byteSize() & ~7L; i < data.byteSize(); i++)
                {
                    data.set(ValueLayout.JAVA_BYTE, i, (byte)random.nextInt());
                }
            }
        }
    }
}
