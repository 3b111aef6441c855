package io.ipckit.shm.array;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.internal.os.Native;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.SharedMemory;
import io.ipckit.shm.internal.PagePopulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dense reductions ({@link Reductions}' unrolled loops) against a plain loop at every edge of their unrolling,
 * for every dense dtype; their allocation; and {@link PagePopulator} on a fresh mapping.
 */
class SharedArraySumTest
{
    private static final long[] EDGE_LENGTHS = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000,
        4095, 4096, 4097, 100_003};

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldSumEveryEdgeLengthOfEveryDenseDtypeAsAPlainLoopDoes()
    {
        for (final DType type : new DType[] {DType.FLOAT64, DType.FLOAT32, DType.INT64, DType.INT32})
        {
            for (final long length : EDGE_LENGTHS)
            {
                try (SharedArray array = SharedArray.create(DType.FLOAT64 == type ? "f" + length : "x" + length,
                    type, length))
                {
                    double plain = 0;
                    long plainLong = 0;
                    for (long i = 0; i < length; i++)
                    {
                        // integers small enough that every order of adding them gives the same double
                        final long value = (i * 7919) % 2001 - 1000;
                        if (type.isFloatingPoint())
                        {
                            array.setDouble(i, value);
                        }
                        else
                        {
                            array.setLong(i, value);
                        }
                        plain += value;
                        plainLong += value;
                    }
                    final String what = type + " of length " + length;
                    assertEquals(plain, array.sum(), what);
                    if (!type.isFloatingPoint())
                    {
                        assertEquals(plainLong, array.sumLong(), what);
                    }
                    if (length > 2)
                    {
                        // an unaligned start and end: a view from element 1 to length - 1
                        final SharedArray inner = array.slice(0, 1, length - 1, 1);
                        final double first = type.isFloatingPoint() ? array.getDouble(0) : array.getLong(0);
                        final double last = type.isFloatingPoint() ? array.getDouble(length - 1) :
                            array.getLong(length - 1);
                        assertEquals(plain - first - last, inner.sum(), what + ", inner view");
                    }
                    array.unlink();
                }
            }
        }
    }

    @Test
    void shouldSumRandomDoublesWithinRoundingOfAPlainLoop()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final long length = 1_000_003;
        try (SharedArray array = SharedArray.create("random", DType.FLOAT64, length))
        {
            double plain = 0;
            double magnitude = 0;
            for (long i = 0; i < length; i++)
            {
                final double value = random.nextDouble(-1e6, 1e6);
                array.setDouble(i, value);
                plain += value;
                magnitude += Math.abs(value);
            }
            // a plain loop's error bound is length * ulp-scale * sum of magnitudes; the unrolled one's is smaller
            assertEquals(plain, array.sum(), magnitude * length * 0x1p-53);
            array.unlink();
        }
    }

    @Test
    void shouldSumWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (SharedArray doubles = SharedArray.create("doubles", DType.FLOAT64, 10_007);
            SharedArray longs = SharedArray.create("longs", DType.INT64, 10_007))
        {
            doubles.fill(0.5);
            longs.fill(3L);
            double sink = 0;
            long allocated = -1;
            for (int round = 0; round < 3; round++)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 2_000; i++)
                {
                    sink += doubles.sum() + longs.sumLong() + doubles.max() + longs.minLong();
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(0, allocated, "bytes allocated by 8,000 reductions");
            assertTrue(sink > 0);
            doubles.unlink();
            longs.unlink();
        }
    }

    @Test
    void shouldPopulateAFreshMappingAndLeaveShortRangesToFault()
    {
        try (SharedMemory created = SharedMemory.create("fresh", (2 << 20) + 4096 * 3 + 8))
        {
            try (SharedMemory opened = SharedMemory.open("fresh"))
            {
                final boolean populated = PagePopulator.populateRead(opened.segment(), 8, opened.size() - 8);
                assertEquals(Native.isLinux() && kernelAtLeast(5, 14), populated,
                    "MADV_POPULATE_READ on Linux 5.14+ (this kernel: " + System.getProperty("os.version") + ")");
                assertEquals(populated, PagePopulator.enabled(), "a refusal turns populating off, nothing else");
                assertFalse(PagePopulator.populateRead(opened.segment(), 0, PagePopulator.MIN_BYTES - 1),
                    "a short range is left to fault");
                assertEquals(0L, opened.segment().get(java.lang.foreign.ValueLayout.JAVA_LONG, opened.size() - 8));
            }
            created.unlink();
        }
    }

    /**
     * A whole-array read through a closed or truncated handle used to hand madvise a dead range, whose refusal
     * turned page population off for every array in the process.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldKeepPopulatingAfterASumOnAClosedOrTruncatedArray() throws java.io.IOException
    {
        assumeTrue(PagePopulator.enabled(), "page population is off in this process or on this kernel");
        try (SharedArray created = SharedArray.create("dead", DType.FLOAT64, (2 << 20) / Double.BYTES))
        {
            final SharedArray closed = SharedArray.open("dead");
            closed.close();
            assertThrows(ResourceClosedException.class, closed::sum);
            assertTrue(PagePopulator.enabled(), "a sum on a closed handle turned page population off");

            try (SharedArray truncated = SharedArray.open("dead"))
            {
                try (FileChannel channel = FileChannel.open(dir.path().resolve("dead"), StandardOpenOption.WRITE))
                {
                    channel.truncate(4096);
                }
                assertThrows(CorruptResourceException.class, truncated::sum);
                assertTrue(PagePopulator.enabled(), "a sum on a truncated file turned page population off");
            }
            created.unlink();
        }
    }

    @Test
    void shouldSumAnOpenedArrayWhosePagesItPopulated()
    {
        try (SharedArray created = SharedArray.create("opened", DType.FLOAT64, (2 << 20) / Double.BYTES + 3))
        {
            created.fill(1.0);
            try (SharedArray opened = SharedArray.open("opened"))
            {
                assertEquals((double)created.size(), opened.sum());
                assertEquals((double)created.size(), opened.sum(), "again, with nothing left to populate");
                assertEquals(1.0, opened.max());
            }
            created.unlink();
        }
    }

    private static boolean kernelAtLeast(final int major, final int minor)
    {
        final String[] parts = System.getProperty("os.version", "0.0").split("[.-]");
        final int actualMajor = Integer.parseInt(parts[0]);
        final int actualMinor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return actualMajor > major || actualMajor == major && actualMinor >= minor;
    }

    /**
     * A range that cannot be populated (the pages of a file another process truncated, a closed mapping) is that
     * range's failure, not the kernel's refusal of the advice: populating stays on for every other array.
     */
    @Test
    void shouldKeepPopulatingAfterOneRangeFails()
    {
        org.junit.jupiter.api.Assumptions.assumeTrue(PagePopulator.enabled(), "populating is off in this process");
        // the first pages of the address space are never mapped (vm.mmap_min_addr)
        final java.lang.foreign.MemorySegment unmapped =
            java.lang.foreign.MemorySegment.ofAddress(4096).reinterpret(PagePopulator.MIN_BYTES);
        assertFalse(PagePopulator.populateRead(unmapped, 0, PagePopulator.MIN_BYTES));
        assertTrue(PagePopulator.enabled(), "one range's failure leaves populating on");
    }
}
