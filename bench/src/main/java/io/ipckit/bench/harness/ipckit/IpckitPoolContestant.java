package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.Contestant;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.VerificationException;
import io.ipckit.bench.harness.Workload;
import io.ipckit.pool.PoolOptions;
import io.ipckit.pool.ProcessPool;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * ipckit's {@link ProcessPool} with two worker JVMs on the pool workloads, exactly as the Python peer runs them:
 * {@code map(x -> x + 1, 200 items, chunk size 1)} repeatedly, time per task (pool-task), and
 * {@code map(x -> x + 1, 100,000 items)} with the default chunk size repeatedly, time per item (pool-map-default). The sum of the results is checked
 * against the formula, so a fast but wrong run fails. Beside the time per task it reports {@code cpuNsPerTask}: the
 * CPU time of this process and of the pool's workers over the measured interval, per task (the workers' from
 * {@code /proc/<pid>/stat}, in clock ticks).
 */
public final class IpckitPoolContestant implements Contestant
{
    private static final int BATCH = 200;
    private static final int DEFAULT_CHUNKING_ITEMS = 100_000;

    @Override
    public String id()
    {
        return "ipckit-pool";
    }

    @Override
    public String label()
    {
        return "ipckit ProcessPool(2).map";
    }

    @Override
    public Set<Workload> workloads()
    {
        return EnumSet.of(Workload.POOL_TASK, Workload.POOL_MAP_DEFAULT);
    }

    @Override
    public Measurement measure(final Workload workload, final RunContext context)
    {
        final boolean chunked = workload == Workload.POOL_MAP_DEFAULT;
        final int batch = (int)Math.min(chunked ? DEFAULT_CHUNKING_ITEMS : BATCH,
            context.maxMessages() > 0 ? context.maxMessages() : Integer.MAX_VALUE);
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(2).tasksInFlightPerWorker(8)))
        {
            final long warmEnd = System.nanoTime() + context.warmup().toNanos();
            run(pool, 0, batch, chunked);
            while (System.nanoTime() < warmEnd && context.maxMessages() == 0)
            {
                run(pool, 0, batch, chunked);
            }
            long tasks = 0;
            final List<Long> workers = pool.workerPids();
            final long cpuStartNs = cpuNs(workers);
            final long start = System.nanoTime();
            final long measureNs = context.measure().toNanos();
            while (context.maxMessages() > 0 ? tasks < context.maxMessages() : tasks == 0 || System.nanoTime() - start < measureNs)
            {
                run(pool, (int)(tasks % 1_000_000), batch, chunked);
                tasks += batch;
            }
            final long elapsed = System.nanoTime() - start;
            final long cpuUsedNs = cpuNs(workers) - cpuStartNs;
            return new Measurement(id(), workload, context.repeat(), (double)elapsed / tasks,
                Map.of("tasks", (double)tasks, "cpuNsPerTask", (double)cpuUsedNs / tasks), null);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the pool", ex);
        }
    }

    /**
     * @return the CPU time used so far by this process and by the given worker processes (which must stay alive).
     */
    static long cpuNs(final List<Long> workerPids)
    {
        long total = ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
        for (final long pid : workerPids)
        {
            try
            {
                final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields[11] and [12] are utime and stime (fields 14 and 15 of proc(5)), in ticks of 10 ms
                total += (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot read the CPU time of pool worker " + pid, ex);
            }
        }
        return total;
    }

    /**
     * One map of {@code batch} items from {@code from}, with chunk size 1 or the default chunking; the arguments are
     * built inside the timed call, as Python's {@code range} is.
     */
    private static void run(final ProcessPool pool, final int from, final int batch, final boolean chunked)
        throws InterruptedException
    {
        final List<Integer> items = IntStream.range(from, from + batch).boxed().toList();
        final List<Integer> results = chunked ? pool.map((Integer x) -> x + 1, items) :
            pool.map((Integer x) -> x + 1, items, 1);
        long sum = 0;
        for (final int result : results)
        {
            sum += result;
        }
        final long expected = (long)batch * from + (long)batch * (batch + 1) / 2;
        if (results.size() != batch || sum != expected)
        {
            throw new VerificationException("pool map returned " + results.size() + " results summing to " + sum +
                ", expected " + batch + " summing to " + expected);
        }
    }
}
