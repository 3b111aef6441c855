package io.ipckit.bench.pool;

import io.ipckit.pool.PoolOptions;
import io.ipckit.pool.ProcessPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Time from creating a pool to its first result (target: under 100 ms per worker JVM), and the whole life of a
 * one-task pool including stopping it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, batchSize = 1)
@Measurement(iterations = 15, batchSize = 1)
@Fork(1)
public class PoolStartBenchmark
{
    /** Workers with the AOT cache (the pool's default), without it, or with the fast-start JIT/GC options. */
    @Param({"default", "no-aot-cache", "fast-start"})
    public String options;

    private ProcessPool last;

    /**
     * Stops the iteration's pool outside the measured time (a worker that trained the AOT cache writes it then).
     */
    @org.openjdk.jmh.annotations.TearDown(org.openjdk.jmh.annotations.Level.Iteration)
    public void closePool()
    {
        if (last != null)
        {
            last.close();
            last = null;
        }
    }

    /**
     * @return the worker's pid (checked).
     * @throws ExecutionException   when the task fails.
     * @throws InterruptedException never in practice.
     */
    @Benchmark
    public long createToFirstResult() throws ExecutionException, InterruptedException
    {
        final PoolOptions poolOptions = new PoolOptions().workers(1).aotCache(!"no-aot-cache".equals(options));
        if ("fast-start".equals(options))
        {
            poolOptions.jvmOptions("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
        }
        final ProcessPool pool = ProcessPool.create(poolOptions);
        last = pool;
        final long pid = pool.submit(() -> ProcessHandle.current().pid()).get();
        if (pid == ProcessHandle.current().pid())
        {
            throw new IllegalStateException("the task ran in the benchmark's own JVM");
        }
        return pid;
    }
}
