package io.ipckit.demos.examples;

import io.ipckit.pool.ProcessPool;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The Python notes' pool examples in Java: {@code with Pool(n) as p: p.starmap(mp_f, ...)} and the CPU-bound
 * {@code fib} spread over worker JVMs.
 */
public final class PoolExample
{
    private PoolExample()
    {
    }

    /**
     * Naive Fibonacci: the notes' CPU-bound task.
     *
     * @param n which number.
     * @return fib(n).
     */
    public static long fib(final Integer n)
    {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    /**
     * @param args the number of workers (default 2).
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final int workers = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        final long start = System.nanoTime();
        System.out.println("0.000s - start");
        try (ProcessPool pool = ProcessPool.create(workers))
        {
            System.out.printf("%.3fs - pool created%n", (System.nanoTime() - start) / 1e9);
            final List<String> started = pool.starmap((Long t0, Integer i) -> String.format(
                    "%.3fs worker pid %d runs task %d", (System.nanoTime() - t0) / 1e9, ProcessHandle.current().pid(), i),
                IntStream.range(0, 2 * workers).mapToObj((i) -> Map.entry(start, i)).toList(), 1);
            started.forEach(System.out::println);
            final long fibStart = System.nanoTime();
            final List<Long> fibs = pool.map(PoolExample::fib, List.of(30, 31, 32, 30, 31, 32), 1);
            System.out.printf("%.3fs - fib(30..32) x2 = %s across %d worker JVMs%n",
                (System.nanoTime() - fibStart) / 1e9, fibs, workers);
        }
    }
}
