package io.ipckit.shm.array;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.SharedMemoryExhaustedException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.SharedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class SharedArrayTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldLayOutHeaderAndDataAsDocumented() throws IOException
    {
        try (SharedArray array = SharedArray.create("layout", DType.INT16, 2, 3))
        {
            array.setLong(1, 2, 0x1234);
            final ByteBuffer bytes = ByteBuffer.wrap(java.nio.file.Files.readAllBytes(dir.path().resolve("layout")))
                .order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(DType.INT16.code(), bytes.getInt(SharedArrayDescriptor.DTYPE_CODE_OFFSET));
            assertEquals(2, bytes.getInt(SharedArrayDescriptor.ITEM_SIZE_OFFSET));
            assertEquals(2, bytes.getInt(SharedArrayDescriptor.NDIM_OFFSET));
            assertEquals(2, bytes.getLong(SharedArrayDescriptor.shapeOffset(0)));
            assertEquals(3, bytes.getLong(SharedArrayDescriptor.shapeOffset(1)));
            assertEquals(6, bytes.getLong(SharedArrayDescriptor.strideOffset(2, 0)));
            assertEquals(2, bytes.getLong(SharedArrayDescriptor.strideOffset(2, 1)));
            final int headerLength = bytes.getInt(16);
            assertEquals(128, headerLength);
            assertEquals(headerLength + 12, bytes.capacity());
            assertEquals(0x1234, bytes.getShort(headerLength + 10));
            assertArrayEquals(new long[]{6, 2}, array.strides());
            assertEquals(12, array.nbytes());
            assertEquals(12, array.dataSegment().byteSize());
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void shouldReduceEveryDtype(final DType dtype)
    {
        try (SharedArray array = SharedArray.create("r-" + dtype, dtype, 5, 7))
        {
            final long[] values = new long[35];
            for (int k = 0; k < 35; k++)
            {
                values[k] = dtype == DType.BOOL ? k % 3 == 0 ? 1 : 0 : dtype == DType.UINT8 ? k * 7 : (k * 7) % 50 - 20;
                array.setLong(new long[]{k / 7, k % 7}, values[k]);
            }
            long sum = 0;
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (final long v : values)
            {
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertEquals(sum, array.sum());
            assertEquals(min, array.min());
            assertEquals(max, array.max());
            final SharedArray column = array.slice(1, 2, 3, 1);
            assertFalse(column.isContiguous());
            long columnSum = 0;
            for (int i = 0; i < 5; i++)
            {
                columnSum += values[i * 7 + 2];
            }
            assertEquals(columnSum, column.sum(), "sum of a strided view");
            if (!dtype.isFloatingPoint())
            {
                assertEquals(sum, array.sumLong());
                assertEquals(min, array.minLong());
                assertEquals(max, array.maxLong());
            }
        }
    }

    @Test
    void shouldSumLongDenseRowsExactly()
    {
        try (SharedArray doubles = SharedArray.create("f64", DType.FLOAT64, 1003);
            SharedArray ints = SharedArray.create("i32", DType.INT32, 1003);
            SharedArray floats = SharedArray.create("f32", DType.FLOAT32, 1003);
            SharedArray longs = SharedArray.create("i64", DType.INT64, 1003))
        {
            for (int i = 0; i < 1003; i++)
            {
                doubles.setDouble(i, i * 0.5);
                ints.setLong(i, Integer.MAX_VALUE - i);
                floats.setDouble(i, i);
                longs.setLong(i, Long.MAX_VALUE / 2000 * i);
            }
            assertEquals(1002 * 1003 / 4.0, doubles.sum());
            assertEquals(1003L * Integer.MAX_VALUE - 1002 * 1003 / 2, ints.sumLong(), "int32 sums do not overflow");
            assertEquals(1002 * 1003 / 2.0, floats.sum());
            assertEquals(Long.MAX_VALUE / 2000 * (1002L * 1003 / 2), longs.sumLong());
            assertEquals(Long.MAX_VALUE / 2000 * 1002, longs.maxLong());
            doubles.setDouble(500, Double.NaN);
            assertTrue(Double.isNaN(doubles.max()), "NaN propagates as in numpy");
            assertTrue(Double.isNaN(doubles.sum()));
        }
    }

    @Test
    void shouldShareMemoryBetweenViews()
    {
        try (SharedArray array = SharedArray.create("views", DType.INT32, 4, 6))
        {
            for (int k = 0; k < 24; k++)
            {
                array.setLong(k / 6, k % 6, k);
            }
            final SharedArray transposed = array.transpose();
            assertArrayEquals(new long[]{6, 4}, transposed.shape());
            assertArrayEquals(new long[]{4, 24}, transposed.strides());
            assertEquals(array.getLong(1, 5), transposed.getLong(5, 1));
            final SharedArray flat = array.reshape(-1);
            assertArrayEquals(new long[]{24}, flat.shape());
            final SharedArray every3rd = flat.slice(0, 1, 24, 3);
            assertArrayEquals(new long[]{8}, every3rd.shape());
            assertEquals(1 + 4 + 7 + 10 + 13 + 16 + 19 + 22, every3rd.sumLong());
            every3rd.setLong(2, -7);
            assertEquals(-7, array.getLong(1, 1), "a write through a view lands in the parent");
            final SharedArray cube = array.reshape(2, 3, 4).transpose(2, 0, 1).slice(0, 1, 3, 1);
            assertArrayEquals(new long[]{2, 2, 3}, cube.shape());
            assertEquals(array.getLong(1, 3), cube.getLong(new long[]{0, 0, 2}), "cube (0, 0, 2) is flat element 2 * 4 + 1");
            final int[] copy = new int[12];
            cube.copyTo(copy);
            assertEquals(cube.sumLong(), java.util.Arrays.stream(copy).asLongStream().sum());
            cube.fill(9L);
            assertEquals(9, cube.minLong());
            assertEquals(9, cube.maxLong());
            assertEquals(9, array.getLong(0, 1), "(i=0,j=0,k=1) of the cube is element 1 of the flat array");
            final int[] back = new int[12];
            java.util.Arrays.fill(back, 3);
            cube.copyFrom(back);
            assertEquals(36, cube.sumLong());
            assertTrue(array.isContiguous() && !transposed.isContiguous() && transposed.isView());
            transposed.close();
            assertEquals(3, array.getLong(0, 1), "closing a view leaves the mapping alone");
        }
    }

    @Test
    void shouldCopyJavaArraysAndSegmentsInBulk()
    {
        try (SharedArray doubles = SharedArray.create("d", DType.FLOAT64, 2, 2);
            SharedArray bytes = SharedArray.create("b", DType.UINT8, 3);
            SharedArray shorts = SharedArray.create("s", DType.INT16, 2);
            SharedArray floats = SharedArray.create("f", DType.FLOAT32, 2);
            SharedArray longs = SharedArray.create("l", DType.INT64, 2))
        {
            doubles.copyFrom(new double[]{1.5, 2.5, 3.5, 4.5});
            final double[] d = new double[4];
            doubles.copyTo(d);
            assertArrayEquals(new double[]{1.5, 2.5, 3.5, 4.5}, d);
            assertEquals(3.5, doubles.getDouble(1, 0));
            bytes.copyFrom(new byte[]{(byte)200, 1, 2});
            assertEquals(200, bytes.getLong(0));
            final byte[] b = new byte[3];
            bytes.copyTo(b);
            assertArrayEquals(new byte[]{(byte)200, 1, 2}, b);
            shorts.copyFrom(new short[]{-3, 4});
            final short[] s = new short[2];
            shorts.copyTo(s);
            assertArrayEquals(new short[]{-3, 4}, s);
            floats.copyFrom(new float[]{0.25f, -1f});
            final float[] f = new float[2];
            floats.copyTo(f);
            assertArrayEquals(new float[]{0.25f, -1f}, f);
            longs.copyFrom(new long[]{Long.MIN_VALUE, Long.MAX_VALUE});
            final long[] l = new long[2];
            longs.copyTo(l);
            assertArrayEquals(new long[]{Long.MIN_VALUE, Long.MAX_VALUE}, l);
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment scratch = arena.allocate(32);
                doubles.transpose().copyTo(scratch);
                assertArrayEquals(new double[]{1.5, 3.5, 2.5, 4.5}, scratch.toArray(ValueLayout.JAVA_DOUBLE));
                doubles.copyFrom(scratch);
                assertEquals(3.5, doubles.getDouble(0, 1));
            }
        }
    }

    @Test
    void shouldRejectIndicesOutsideTheArray()
    {
        try (SharedArray array = SharedArray.create("idx", DType.FLOAT32, 3, 4))
        {
            final IndexOutOfBoundsException row = assertThrows(IndexOutOfBoundsException.class,
                () -> array.getDouble(3, 0));
            assertEquals("index 3 is out of bounds for axis 0 with size 3 of SharedArray \"idx\" (float32, shape [3, 4])",
                row.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> array.setDouble(0, -5, 1.0));
            final IndexOutOfBoundsException negative = assertThrows(IndexOutOfBoundsException.class,
                () -> array.getDouble(-4, 0));
            assertEquals("index -4 is out of bounds for axis 0 with size 3 of SharedArray \"idx\" (float32, shape " +
                "[3, 4])", negative.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> array.getDouble(Long.MIN_VALUE, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> array.getDouble(new long[]{0, 4}));
            final IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> array.getDouble(1));
            assertEquals("1 indices given for SharedArray \"idx\" (float32, shape [3, 4]), which has 2 dimensions",
                count.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> array.getLong(0, 0));
            assertThrows(UnsupportedOperationException.class, () -> array.getAndAdd(new long[]{0, 0}, 1));
            assertThrows(UnsupportedOperationException.class, array::sumLong);
        }
    }

    @Test
    void shouldCountNegativeIndicesFromTheEndAsNumpy()
    {
        try (SharedArray vector = SharedArray.create("neg1", DType.INT64, 5);
            SharedArray matrix = SharedArray.create("neg2", DType.FLOAT64, 3, 4);
            SharedArray cube = SharedArray.create("neg3", DType.INT32, 2, 3, 4))
        {
            for (int i = 0; i < 5; i++)
            {
                vector.setLong(i, 10 + i);
            }
            assertEquals(14, vector.getLong(-1));
            assertEquals(10, vector.getLong(-5));
            vector.setLong(-2, 99);
            assertEquals(99, vector.getLong(3));
            assertEquals(99, vector.getAndAdd(-2, 1));
            assertTrue(vector.compareAndSet(-2, 100, 7));
            assertEquals(7, vector.getLong(3));
            assertEquals(7, vector.slice(0, 1, 5, 2).getLong(-1), "views count from their own end");

            matrix.setDouble(-1, -1, 2.5);
            assertEquals(2.5, matrix.getDouble(2, 3));
            matrix.setDouble(new long[]{-3, 1}, 4.5);
            assertEquals(4.5, matrix.getDouble(0, 1));
            assertEquals(4.5, matrix.transpose().getDouble(-3, -3));

            cube.setLong(new long[]{-1, -2, -3}, 42);
            assertEquals(42, cube.getLong(new long[]{1, 1, 1}));
            assertTrue(cube.compareAndSet(new long[]{1, -2, 1}, 42, 43));
            assertEquals(43, cube.getAndAdd(new long[]{-1, 1, -3}, 0));
        }
    }

    @Test
    void shouldRejectValuesTheDtypeCannotHold()
    {
        try (SharedArray int8 = SharedArray.create("i8", DType.INT8, 2);
            SharedArray int32 = SharedArray.create("i32", DType.INT32, 2);
            SharedArray bool = SharedArray.create("bool", DType.BOOL, 2))
        {
            final IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> int8.setLong(0, 300));
            assertEquals("300 is out of range for int8 [-128, 127]", range.getMessage());
            final IllegalArgumentException fraction = assertThrows(IllegalArgumentException.class,
                () -> int32.setDouble(0, 1.5));
            assertEquals("1.5 is not a whole number that int32 can hold", fraction.getMessage());
            assertThrows(IllegalArgumentException.class, () -> bool.setLong(0, 2));
            assertThrows(IllegalArgumentException.class, () -> int32.fill(1L << 40));
            assertEquals(0, int32.sumLong(), "a rejected fill writes nothing");
            assertThrows(IllegalArgumentException.class, () -> int32.getAndAdd(0, 1L << 40));
            int32.setLong(1, 5);
            assertFalse(int32.compareAndSet(1, 1L << 40, 6), "an int32 never holds a value beyond int range");
            assertTrue(int32.compareAndSet(1, 5, 6));
            assertEquals(5, int32.getAndAdd(1, -1) - 1);
        }
    }

    @Test
    void shouldRejectBadShapesAndViews()
    {
        final IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
            () -> SharedArray.create("neg", DType.INT32, 3, -2));
        assertEquals("SharedArray \"neg\": shape [3, -2] has a negative extent", negative.getMessage());
        final IllegalArgumentException overflow = assertThrows(IllegalArgumentException.class,
            () -> SharedArray.create("big", DType.INT64, 1L << 40, 1L << 30));
        assertTrue(overflow.getMessage().contains("shape [1099511627776, 1073741824] of int64 is more than"),
            overflow.getMessage());
        final SharedMemoryExhaustedException absurd = assertThrows(SharedMemoryExhaustedException.class,
            () -> SharedArray.create("absurd", DType.FLOAT64, 1L << 40, 1L << 10));
        assertTrue(absurd.getMessage().contains("\"absurd\""), absurd.getMessage());
        // the data fits a long, the header then overflows it: before, a message with a negative size
        final IllegalArgumentException header = assertThrows(IllegalArgumentException.class,
            () -> SharedArray.create("header", DType.INT8, Long.MAX_VALUE));
        assertTrue(header.getMessage().contains(Long.MAX_VALUE + " data bytes and a "), header.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SharedArray.create("ndim", DType.INT8, new long[33]));
        try (SharedArray array = SharedArray.create("shape", DType.INT64, 4, 5))
        {
            final IllegalArgumentException reshape = assertThrows(IllegalArgumentException.class,
                () -> array.reshape(3, 7));
            assertEquals("cannot reshape SharedArray \"shape\" (int64, shape [4, 5]) of size 20 into shape [3, 7]",
                reshape.getMessage());
            assertThrows(IllegalArgumentException.class, () -> array.reshape(-1, -1));
            assertThrows(IllegalArgumentException.class, () -> array.reshape(-1, 3));
            assertThrows(IllegalStateException.class, () -> array.transpose().reshape(20));
            final IndexOutOfBoundsException outside = assertThrows(IndexOutOfBoundsException.class,
                () -> array.slice(1, 2, 6, 1));
            assertEquals("slice [2, 6) of axis 1 is outside SharedArray \"shape\" (int64, shape [4, 5]), whose axis 1" +
                " has size 5", outside.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> array.slice(0, -1, 2, 1));
            assertThrows(IllegalArgumentException.class, () -> array.slice(0, 0, 2, 0));
            assertThrows(IllegalArgumentException.class, () -> array.slice(2, 0, 1, 1));
            assertThrows(IllegalArgumentException.class, () -> array.transpose(0, 0));
            final IllegalArgumentException copy = assertThrows(IllegalArgumentException.class,
                () -> array.copyFrom(new long[19]));
            assertEquals("cannot copy between a long[] of length 19 and SharedArray \"shape\" (int64, shape [4, 5]) " +
                "of size 20", copy.getMessage());
            assertThrows(IllegalArgumentException.class, () -> array.copyFrom(new double[20]));
            assertThrows(IllegalStateException.class, () -> array.transpose().dataSegment());
            assertThrows(IllegalStateException.class, () -> array.slice(0, 0, 0, 1).min());
            assertEquals(0, array.slice(0, 0, 0, 1).sum(), "an empty view sums to 0");
            // a step past the axis: before, the extent overflowed to -1, every index passed the bound check, and
            // index 3 wrote into the file's header
            for (final long step : new long[]{Long.MAX_VALUE - 1, Long.MAX_VALUE, 7})
            {
                final SharedArray first = array.slice(0, 0, 4, step);
                assertArrayEquals(new long[]{1, 5}, first.shape(), "step " + step);
                first.setLong(0, 4, 44);
                assertEquals(44, array.getLong(0, 4));
                assertThrows(IndexOutOfBoundsException.class, () -> first.setLong(3, 0, 1));
            }
            try (SharedArray again = SharedArray.open("shape"))
            {
                assertArrayEquals(new long[]{4, 5}, again.shape(), "the header is intact");
            }
        }
    }

    @Test
    void shouldRefuseWrongDtypeExistingNameAndUnlinkedArray()
    {
        try (SharedArray array = SharedArray.create("a", DType.INT32, 10))
        {
            final WrongResourceKindException dtype = assertThrows(WrongResourceKindException.class,
                () -> SharedArray.open("a", DType.FLOAT64, 10));
            assertEquals("SharedArray \"a\" is int32 of shape [10], not float64 of shape [10]: open it without a " +
                "dtype to take what it is, or use another name", dtype.getMessage());
            assertThrows(WrongResourceKindException.class, () -> SharedArray.open("a", DType.INT32, 2, 5));
            assertThrows(ResourceExistsException.class, () -> SharedArray.create("a", DType.INT32, 10));
            try (SharedArray other = SharedArray.open("a", DType.INT32, 10))
            {
                other.unlink();
            }
            assertThrows(ResourceNotFoundException.class, () -> SharedArray.open("a"));
            assertThrows(ResourceNotFoundException.class, array::unlink);
            array.setLong(9, 1);
            assertEquals(1, array.sumLong());
        }
    }

    @Test
    void shouldRefuseTruncatedAndCorruptFiles() throws IOException
    {
        try (SharedArray array = SharedArray.create("trunc", DType.FLOAT64, 100))
        {
            try (FileChannel channel = FileChannel.open(dir.path().resolve("trunc"), StandardOpenOption.WRITE))
            {
                channel.truncate(500);
            }
            final CorruptResourceException truncated = assertThrows(CorruptResourceException.class,
                () -> SharedArray.open("trunc"));
            assertTrue(truncated.getMessage().contains("is 500 bytes but its header says 928"), truncated.getMessage());
        }
        corrupt("ndim", SharedArrayDescriptor.NDIM_OFFSET, 1000, "ndim 1000 does not fit its 128-byte header");
        corrupt("dtype", SharedArrayDescriptor.DTYPE_CODE_OFFSET, 77, "unknown dtype code 77 with item size 8");
        corrupt("shape", SharedArrayDescriptor.shapeOffset(0), 101,
            "float64 of shape [101] and strides [8] needs 808 bytes but the file holds 800 data bytes");
        corrupt("stride", SharedArrayDescriptor.strideOffset(1, 0), -8, "axis 0 has extent 100 and stride -8");
        // before, opened as 100 copies of element 0: with a huge extent too, a reduction ran for hours
        corrupt("stride-0", SharedArrayDescriptor.strideOffset(1, 0), 0, "axis 0 has stride 0, not the 8 of C order");
        try (SharedMemory garbage = SharedMemory.create("garbage", 4096))
        {
            garbage.buffer().setMemory(0, 4096, (byte)0x5A);
            assertThrows(CorruptResourceException.class, () -> SharedArray.open("garbage"));
        }
        try (ResourceFile test = ResourceFile.create("other", ResourceKind.TEST, 1, 0, 8, false, null))
        {
            final WrongResourceKindException kind = assertThrows(WrongResourceKindException.class,
                () -> SharedArray.open("other"));
            assertTrue(kind.getMessage().contains("not a SharedArray"), kind.getMessage());
        }
    }

    private void corrupt(final String name, final int offset, final long value, final String expected)
    {
        try (SharedArray array = SharedArray.create(name, DType.FLOAT64, 100);
            SharedMemory raw = SharedMemory.open(name))
        {
            if (offset == SharedArrayDescriptor.NDIM_OFFSET || offset == SharedArrayDescriptor.DTYPE_CODE_OFFSET)
            {
                raw.buffer().putInt(offset, (int)value);
            }
            else
            {
                raw.buffer().putLong(offset, value);
            }
            final CorruptResourceException ex = assertThrows(CorruptResourceException.class, () -> SharedArray.open(name));
            assertEquals("SharedArray \"" + name + "\" has corrupt metadata: " + expected +
                "; unlink it and create it again", ex.getMessage());
            assertEquals(100, array.size());
        }
    }

    @Test
    void shouldWrapRawSharedMemory()
    {
        try (SharedMemory memory = SharedMemory.create("raw", 64))
        {
            final SharedArray ints = SharedArray.wrap(memory, DType.INT32, 4, 4);
            ints.setLong(3, 3, 77);
            assertEquals(77, memory.buffer().getInt(60));
            final SharedArray tail = SharedArray.wrap(memory, 32, DType.INT64, 4);
            assertEquals(77L << 32, tail.getLong(3));
            assertEquals("raw", tail.name());
            assertTrue(tail.isView());
            final IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> SharedArray.wrap(memory, DType.FLOAT64, 3, 3));
            assertEquals("cannot view shared memory \"raw\" (64 bytes) as float64 of shape [3, 3] (72 bytes) at " +
                "offset 0: the offset must be a non-negative multiple of 8 and the elements must end within the segment",
                tooBig.getMessage());
            assertThrows(IllegalArgumentException.class, () -> SharedArray.wrap(memory, 4, DType.INT64, 2));
            assertThrows(UnsupportedOperationException.class, ints::unlink);
            ints.close();
            assertEquals(77, memory.buffer().getInt(60), "closing a wrapped array leaves the segment mapped");
        }
    }

    @Test
    void shouldFailCleanlyAfterClose()
    {
        final SharedArray array = SharedArray.create("closed", DType.INT64, 8);
        final SharedArray view = array.slice(0, 2, 4, 1);
        array.close();
        array.close();
        assertThrows(ResourceClosedException.class, () -> array.getLong(0));
        assertThrows(ResourceClosedException.class, view::sumLong);
        array.unlink();
    }

    @Test
    void shouldCreateScalarsAndRandomNames()
    {
        try (SharedArray scalar = SharedArray.create(DType.FLOAT64))
        {
            assertTrue(scalar.name().startsWith("ipc_"));
            assertEquals(0, scalar.ndim());
            assertEquals(1, scalar.size());
            scalar.setDouble(new long[0], 2.5);
            assertEquals(2.5, scalar.sum());
            try (SharedArray opened = SharedArray.open(scalar.name()))
            {
                assertEquals(2.5, opened.getDouble(new long[0]));
            }
        }
    }

    /**
     * numpy refuses a -1 beside a 0 extent (the -1 could be anything); it used to come back as an extent of -1.
     */
    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseToInferAnExtentBesideAZeroExtent()
    {
        try (SharedArray empty = SharedArray.create("empty", DType.FLOAT64, 0))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> empty.reshape(-1, 0));
            assertEquals("cannot reshape SharedArray \"empty\" (float64, shape [0]) of size 0 into shape [-1, 0]: " +
                "the other extents multiply to 0, so the -1 could be any extent; give every extent", ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> empty.reshape(0, -1));
            assertArrayEquals(new long[] {0, 5}, empty.reshape(0, 5).shape(), "every extent given: fine");
            empty.unlink();
        }
    }
}
