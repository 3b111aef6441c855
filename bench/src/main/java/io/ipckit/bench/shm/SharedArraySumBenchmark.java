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
 * Sum bandwidth over 64 MiB: a shared float64 and int32 array against the same values in a plain Java array
 * (the in-process reference). Bandwidth in GB/s is {@code 67.108864 / (ms per op) / 1000}. Each benchmark checks
 * its sum against the closed form, so a fast but wrong loop fails the run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true"})
public class SharedArraySumBenchmark
{
    static final int BYTES = 64 << 20;
    static final int DOUBLES = BYTES / Double.BYTES;
    static final int INTS = BYTES / Integer.BYTES;

    private SharedArray doubles;
    private SharedArray ints;
    private double[] heapDoubles;
    private int[] heapInts;

    @Setup(Level.Trial)
    public void setUp()
    {
        heapDoubles = new double[DOUBLES];
        heapInts = new int[INTS];
        for (int i = 0; i < DOUBLES; i++)
        {
            heapDoubles[i] = i;
        }
        for (int i = 0; i < INTS; i++)
        {
            heapInts[i] = i;
        }
        doubles = SharedArray.create(DType.FLOAT64, DOUBLES);
        doubles.copyFrom(heapDoubles);
        ints = SharedArray.create(DType.INT32, INTS);
        ints.copyFrom(heapInts);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        doubles.unlink();
        doubles.close();
        ints.unlink();
        ints.close();
    }

    @Benchmark
    public double sharedFloat64()
    {
        return check(doubles.sum(), (double)DOUBLES * (DOUBLES - 1) / 2);
    }

    @Benchmark
    public long sharedInt32()
    {
        return (long)check(ints.sumLong(), (double)INTS * (INTS - 1) / 2);
    }

    @Benchmark
    public double heapFloat64()
    {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        final double[] values = heapDoubles;
        for (int i = 0; i < values.length; i += 4)
        {
            a0 += values[i];
            a1 += values[i + 1];
            a2 += values[i + 2];
            a3 += values[i + 3];
        }
        return check((a0 + a1) + (a2 + a3), (double)DOUBLES * (DOUBLES - 1) / 2);
    }

    @Benchmark
    public long heapInt32()
    {
        long sum = 0;
        for (final int value : heapInts)
        {
            sum += value;
        }
        return (long)check(sum, (double)INTS * (INTS - 1) / 2);
    }

    static double check(final double actual, final double expected)
    {
        if (actual != expected)
        {
            throw new IllegalStateException("wrong sum " + actual + ", expected " + expected);
        }
        return actual;
    }
}
