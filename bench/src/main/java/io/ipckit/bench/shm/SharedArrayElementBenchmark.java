package io.ipckit.bench.shm;

import io.ipckit.shm.array.DType;
import io.ipckit.shm.array.SharedArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Element access on a shared array, in ns per operation: get and set by index (1-d and 2-d float64) and an atomic
 * getAndAdd on int64. The index walks the array so that the JIT cannot fold the access away. Run with
 * {@code -prof gc}: every benchmark must allocate 0 bytes per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-Dchronicle.analytics.disable=true"})
public class SharedArrayElementBenchmark
{
    private static final int ROWS = 1024;
    private static final int COLUMNS = 1024;
    private static final int MASK = ROWS * COLUMNS - 1;

    private SharedArray flat;
    private SharedArray matrix;
    private SharedArray counters;
    private int index;
    private long adds;

    @Setup(Level.Trial)
    public void setUp()
    {
        flat = SharedArray.create(DType.FLOAT64, ROWS * COLUMNS);
        matrix = flat.reshape(ROWS, COLUMNS);
        counters = SharedArray.create(DType.INT64, 64);
        for (int i = 0; i < ROWS * COLUMNS; i++)
        {
            flat.setDouble(i, i);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        if (counters.getLong(0) != adds)
        {
            throw new IllegalStateException("getAndAdd lost updates: " + counters.getLong(0) + " != " + adds);
        }
        for (int i = 0; i < 1000; i++)
        {
            if (flat.getDouble(i) != i)
            {
                throw new IllegalStateException("setDouble wrote " + flat.getDouble(i) + " at " + i);
            }
        }
        flat.unlink();
        flat.close();
        counters.unlink();
        counters.close();
    }

    @Benchmark
    public double get1d()
    {
        index = (index + 1) & MASK;
        return flat.getDouble(index);
    }

    @Benchmark
    public double get2d()
    {
        index = (index + 1) & MASK;
        return matrix.getDouble(index >>> 10, index & (COLUMNS - 1));
    }

    @Benchmark
    public void set1d()
    {
        index = (index + 1) & MASK;
        flat.setDouble(index, index);
    }

    @Benchmark
    public void set2d()
    {
        index = (index + 1) & MASK;
        matrix.setDouble(index >>> 10, index & (COLUMNS - 1), index);
    }

    @Benchmark
    public long getAndAddInt64()
    {
        adds++;
        return counters.getAndAdd(0, 1);
    }
}
