package io.ipckit.demos.cookbook;

import io.ipckit.pool.ProcessPool;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Python: {@code futures.ThreadPoolExecutor(2).map(fib, [35]*2)} against {@code ProcessPoolExecutor(2)} (and
 * {@code Pool(5).map(fib, [35]*5)} against a plain {@code map}): in CPython the GIL serialises the threads, so only
 * processes run fib in parallel. Java has no GIL: threads run in parallel too, and stay the right tool for CPU work
 * inside one JVM. Processes are for isolation (a crash, a leak, a native library), separate heaps and GCs, or
 * programs that are separate anyway.
 */
public final class FibThreadsVsProcesses
{
    private FibThreadsVsProcesses()
    {
    }

    static long fib(final Integer n)
    {
        return n <= 2 ? 1 : fib(n - 1) + fib(n - 2);
    }

    /**
     * @param args the Fibonacci number to compute twice (default 30).
     * @throws Exception when a task fails or the wait is interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        final List<Integer> inputs = Collections.nCopies(2, n);
        long s = System.nanoTime();
        try (ExecutorService e = Executors.newFixedThreadPool(2))
        {
            final List<Future<Long>> res = e.invokeAll(inputs.stream().map((x) -> (java.util.concurrent.Callable<Long>)() -> fib(x)).toList());
            for (final Future<Long> r : res)
            {
                System.out.println(r.get());
            }
        }
        System.out.printf("thread cost: %.3f s%n", (System.nanoTime() - s) / 1e9);
        s = System.nanoTime();
        try (ProcessPool e = ProcessPool.create(2))
        {
            e.map(FibThreadsVsProcesses::fib, inputs).forEach(System.out::println);
        }
        System.out.printf("process cost: %.3f s (worker JVMs start and warm up first)%n", (System.nanoTime() - s) / 1e9);
    }
}
