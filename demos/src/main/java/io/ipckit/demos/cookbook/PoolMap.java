package io.ipckit.demos.cookbook;

import io.ipckit.pool.PoolOptions;
import io.ipckit.pool.ProcessPool;

import java.util.List;

/**
 * Python: {@code pool = Pool(processes=pool_size, initializer=start_process)};
 * {@code outputs = pool.map(function, args)}; and {@code with Pool(5) as p: print(p.map(func, [1, 2, 3]))}.
 * The initializer runs once in each worker JVM before its first task; {@code close()} (try-with-resources) is
 * Python's {@code close(); join()}: it waits for the submitted tasks, then stops the workers.
 */
public final class PoolMap
{
    private PoolMap()
    {
    }

    static Integer func(final Integer x)
    {
        return x * x;
    }

    static void startProcess()
    {
        System.out.println("Starting worker pid " + ProcessHandle.current().pid());
    }

    /**
     * @param args none.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        try (ProcessPool p = ProcessPool.create(new PoolOptions().workers(2).initializer(PoolMap::startProcess)))
        {
            final List<Integer> outputs = p.map(PoolMap::func, List.of(1, 2, 3));
            System.out.println(outputs); // [1, 4, 9]
        }
    }
}
