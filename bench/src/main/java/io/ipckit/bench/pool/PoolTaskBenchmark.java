package io.ipckit.bench.pool;

import io.ipckit.pool.PoolOptions;
import io.ipckit.pool.ProcessPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Per-task overhead of the process pool for trivial tasks ({@code x -> x + 1}), as Python's {@code Pool.map}
 * is measured: with chunk size 1 (one message per task; Python: 26-29 us per task on these machines) and with
 * Python's default chunking (Python: 0.15 us per task). The result list is checked, so a wrong run fails.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PoolTaskBenchmark
{
    static final int TASKS = 10_000;

    /** Worker JVMs. */
    @Param({"1", "2"})
    public int workers;

    private ProcessPool pool;
    private List<Integer> items;

    /**
     * Starts the pool.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        pool = ProcessPool.create(new PoolOptions().workers(workers).tasksInFlightPerWorker(16));
        items = IntStream.range(0, TASKS).boxed().toList();
    }

    /**
     * Stops the pool.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        pool.close();
    }

    /**
     * @return the last result (checked).
     * @throws InterruptedException never in practice.
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public int mapChunkSizeOne() throws InterruptedException
    {
        return check(pool.map((Integer x) -> x + 1, items, 1));
    }

    /**
     * @return the last result (checked).
     * @throws InterruptedException never in practice.
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public int mapDefaultChunks() throws InterruptedException
    {
        return check(pool.map((Integer x) -> x + 1, items));
    }

    private static int check(final List<Integer> results)
    {
        if (results.size() != TASKS || results.getFirst() != 1 || results.getLast() != TASKS)
        {
            throw new IllegalStateException("wrong map result: " + results.size() + " results");
        }
        return results.getLast();
    }
}
