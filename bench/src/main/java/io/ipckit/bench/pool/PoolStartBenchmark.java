package io.ipckit.bench.pool;

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
    /** JVM options of the workers: none, or the fast-start set. */
    @Param({"default", "fast-start"})
    public String options;

    /**
     * @return the worker's pid (checked).
     * @throws ExecutionException   when the task fails.
     * @throws InterruptedException never in practice.
     */
    @Benchmark
    public long createToFirstResult() throws ExecutionException, InterruptedException
    {
        final ProcessPool.Builder builder = ProcessPool.builder().workers(1);
        if ("fast-start".equals(options))
        {
            builder.jvmOptions("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto");
        }
        final ProcessPool pool = builder.build();
        final long pid = pool.submit(() -> ProcessHandle.current().pid()).get();
        pool.shutdownNow();
        if (pid == ProcessHandle.current().pid())
        {
            throw new IllegalStateException("the task ran in the benchmark's own JVM");
        }
        return pid;
    }
}
