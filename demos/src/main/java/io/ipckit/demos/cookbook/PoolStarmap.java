package io.ipckit.demos.cookbook;

import io.ipckit.pool.ProcessPool;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Python: {@code with Pool(n) as p: p.starmap(mp_f, [(start_time,)] * n)}, where {@code mp_f} prints when it
 * started relative to {@code start_time}. {@code starmap} takes pairs of arguments ({@link Map.Entry}); the
 * function must be serializable (a method reference or a lambda that captures only serializable values), as
 * Python's must be picklable. Times use {@code System.currentTimeMillis()}: {@code nanoTime} is per JVM.
 */
public final class PoolStarmap
{
    private PoolStarmap()
    {
    }

    static String mpF(final Long startMillis, final Integer task) throws InterruptedException
    {
        final long started = System.currentTimeMillis();
        Thread.sleep(50);
        return String.format("%.3fs task %d in worker pid %d: begins . . . And Done!",
            (started - startMillis) / 1e3, task, ProcessHandle.current().pid());
    }

    /**
     * @param args the number of workers (default 2).
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        final long start = System.currentTimeMillis();
        System.out.println("0.000s - start");
        try (ProcessPool p = ProcessPool.create(n))
        {
            System.out.printf("%.3fs - pool created%n", (System.currentTimeMillis() - start) / 1e3);
            final List<Map.Entry<Long, Integer>> argsList = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++)
            {
                argsList.add(Map.entry(start, i));
            }
            p.starmap((Long t0, Integer i) -> mpFUnchecked(t0, i), Collections.unmodifiableList(argsList), 1)
                .forEach(System.out::println);
        }
    }

    private static String mpFUnchecked(final Long t0, final Integer i)
    {
        try
        {
            return mpF(t0, i);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
