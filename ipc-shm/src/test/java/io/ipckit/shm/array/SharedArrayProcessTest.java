package io.ipckit.shm.array;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class SharedArrayProcessTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldShareElementsWithAnotherJvm() throws InterruptedException
    {
        try (SharedArray array = SharedArray.create("grid", DType.FLOAT64, 3, 4))
        {
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 4; j++)
                {
                    array.setDouble(i, j, 10 * i + j);
                }
            }
            final JvmProcess child = dir.start(SharedArrayChild.class, "check-and-write", "grid");
            assertTrue(child.join(30, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().getAsInt(), "the child saw every element");
            assertEquals(-1.0, array.getDouble(2, 3));
            assertEquals(138 - 23 - 1, array.sum());
            array.unlink();
        }
    }

    @Test
    void shouldAddAtomicallyFromTwoJvms() throws InterruptedException
    {
        final int perChild = 20_000;
        for (final DType dtype : new DType[]{DType.INT32, DType.INT64})
        {
            try (SharedArray counters = SharedArray.create("counters-" + dtype, dtype, 2))
            {
                final JvmProcess a = dir.start(SharedArrayChild.class,
                    "add", counters.name(), Integer.toString(perChild));
                final JvmProcess b = dir.start(SharedArrayChild.class,
                    "add", counters.name(), Integer.toString(perChild));
                assertTrue(a.join(30, TimeUnit.SECONDS) && b.join(30, TimeUnit.SECONDS));
                assertEquals(0, a.exitCode().getAsInt());
                assertEquals(0, b.exitCode().getAsInt());
                assertEquals(2L * perChild, counters.getLong(0), "getAndAdd lost no update");
                assertEquals(2L * perChild, counters.getLong(1), "compareAndSet lost no update");
                counters.unlink();
            }
        }
    }

    @Test
    void shouldLetAnotherJvmReduceLargeArraysOfEveryDenseDtypeOnOneThreadOrTwoAlike() throws InterruptedException
    {
        // past PARALLEL_MIN_BYTES, so that the child's two-thread handle splits, and its first read populates, a
        // new mapping; odd lengths (no whole number of pieces); doubles that are not integers, so that only the
        // same order of adding gives the same bits
        final String[] names = {"f64", "f32", "i64", "i32"};
        final DType[] types = {DType.FLOAT64, DType.FLOAT32, DType.INT64, DType.INT32};
        final java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("sum-each"));
        final java.util.List<SharedArray> arrays = new java.util.ArrayList<>();
        final java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        try
        {
            for (int t = 0; t < types.length; t++)
            {
                final long count = SharedArray.PARALLEL_MIN_BYTES / types[t].itemSize() + 7 + t;
                final SharedArray array = SharedArray.create(names[t], types[t], count);
                arrays.add(array);
                final boolean real = types[t].isFloatingPoint();
                long plainLong = 0;
                for (long i = 0; i < count; i++)
                {
                    if (real)
                    {
                        array.setDouble(i, random.nextDouble(-1e3, 1e3));
                    }
                    else
                    {
                        final long value = random.nextLong(-1_000_000, 1_000_000);
                        array.setLong(i, value);
                        plainLong += value;
                    }
                }
                if (!real)
                {
                    assertEquals(plainLong, array.sumLong(), "the parent's own sum");
                }
                args.add(names[t]);
                args.add(real ? Double.toString(array.sum()) : Long.toString(array.sumLong()));
                args.add(real ? Double.toString(array.min()) : Long.toString(array.minLong()));
                args.add(real ? Double.toString(array.max()) : Long.toString(array.maxLong()));
            }
            final JvmProcess child = dir.start(SharedArrayChild.class, args.toArray(new String[0]));
            assertTrue(child.join(30, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().getAsInt(), "the child's sums, minima and maxima on one and two threads");
        }
        finally
        {
            for (final SharedArray array : arrays)
            {
                array.unlink();
                array.close();
            }
        }
    }

    @Test
    void shouldRemoveArrayWhenCreatorIsKilled() throws InterruptedException
    {
        final JvmProcess child = dir.start(SharedArrayChild.class, "create-and-wait", "orphan");
        Eventually.await("child creates and registers orphan", Duration.ofSeconds(30),
            () -> dir.registered("orphan")); // complete: a child killed while writing it would leave nothing
        try (SharedArray array = SharedArray.open("orphan"))
        {
            child.kill();
            assertTrue(child.join(30, TimeUnit.SECONDS));
            assertFalse(Files.exists(dir.path().resolve("orphan")));
            array.setLong(999, 5);
            assertEquals(5, array.sumLong(), "the mapping outlives the name");
        }
        assertThrows(ResourceNotFoundException.class, () -> SharedArray.open("orphan"));
    }
}
