package io.ipckit.bench.shm;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.array.SharedArray;

import java.util.concurrent.TimeUnit;

/**
 * The "64 MiB array to another process" workload: this JVM creates a 64 MiB float64 array and fills it; each of
 * {@code runs} child JVMs opens it by name (attach), sums it once cold and then {@value #SUMS} more times, checks
 * every sum, and reports its times through a small shared results array. The parent prints attach, first-sum
 * and best-sum times against the best in-process sum of the same array; the target is attach + best sum
 * &lt;= 1.2x the in-process sum (attach is O(1): a mapping, not a copy).
 * <p>
 * Usage: {@code java <ipckit JVM flags> -cp bench.jar io.ipckit.bench.AttachSumHarness [runs]}.
 */
public final class AttachSumHarness
{
    static final int ELEMENTS = (64 << 20) / Double.BYTES;
    static final int SUMS = 20;
    static final double EXPECTED = (double)ELEMENTS * (ELEMENTS - 1) / 2;

    private AttachSumHarness()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length >= 1 && "child".equals(args[0]))
        {
            child(args[1], args[2]);
            return;
        }
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        try (SharedArray data = SharedArray.create(DType.FLOAT64, ELEMENTS);
            SharedArray results = SharedArray.create(DType.INT64, 3))
        {
            for (int i = 0; i < ELEMENTS; i++)
            {
                data.setDouble(i, i);
            }
            long bestInProcessNs = Long.MAX_VALUE;
            for (int i = 0; i < SUMS; i++)
            {
                final long start = System.nanoTime();
                check(data.sum());
                bestInProcessNs = Math.min(bestInProcessNs, System.nanoTime() - start);
            }
            System.out.printf("in-process sum of 64 MiB float64: best %.3f ms (%.2f GB/s)%n",
                bestInProcessNs / 1e6, (64 << 20) / (double)bestInProcessNs);
            for (int run = 0; run < runs; run++)
            {
                results.fill(-1L);
                try (JvmProcess child = JvmProcess.start(AttachSumHarness.class, new ProcessOptions()
                    .args("child", data.name(), results.name()).inheritIO()))
                {
                    if (!child.join(60, TimeUnit.SECONDS) || child.exitCode().getAsInt() != 0)
                    {
                        throw new IllegalStateException("child failed: " + child);
                    }
                }
                final long attachNs = results.getLong(0);
                final long firstNs = results.getLong(1);
                final long bestNs = results.getLong(2);
                System.out.printf("run %d: attach %.3f ms, first sum %.3f ms, best sum %.3f ms; " +
                    "(attach + best sum) / in-process = %.2fx, (attach + first sum) / in-process = %.2fx%n",
                    run, attachNs / 1e6, firstNs / 1e6, bestNs / 1e6,
                    (attachNs + bestNs) / (double)bestInProcessNs, (attachNs + firstNs) / (double)bestInProcessNs);
            }
            data.unlink();
            results.unlink();
        }
    }

    private static void child(final String dataName, final String resultsName)
    {
        final long attachStart = System.nanoTime();
        try (SharedArray data = SharedArray.open(dataName, DType.FLOAT64, ELEMENTS))
        {
            final long attachNs = System.nanoTime() - attachStart;
            long start = System.nanoTime();
            check(data.sum());
            final long firstNs = System.nanoTime() - start;
            long bestNs = Long.MAX_VALUE;
            for (int i = 0; i < SUMS; i++)
            {
                start = System.nanoTime();
                check(data.sum());
                bestNs = Math.min(bestNs, System.nanoTime() - start);
            }
            try (SharedArray results = SharedArray.open(resultsName))
            {
                results.setLong(0, attachNs);
                results.setLong(1, firstNs);
                results.setLong(2, bestNs);
            }
        }
    }

    private static void check(final double sum)
    {
        if (sum != EXPECTED)
        {
            throw new IllegalStateException("wrong sum " + sum + ", expected " + EXPECTED);
        }
    }
}
