package io.ipckit.demos.cookbook;

import io.ipckit.pool.ProcessPool;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Python: {@code result = pool.apply_async(f, (10,)); print(result.get(timeout=1))};
 * {@code print(pool.map(f, range(10)))}; {@code res = pool.map_async(f, range(10)); pool.close(); pool.join();
 * print(res.get())}. {@code apply_async} returns a {@link CompletableFuture} (Python's {@code AsyncResult}), with
 * callbacks as {@code thenAccept}/{@code exceptionally} or the overload taking both. The pool has no
 * {@code mapAsync}: {@link CompletableFuture#supplyAsync} around {@code map}, or {@code imap}, does it.
 */
public final class PoolApplyAsync
{
    private PoolApplyAsync()
    {
    }

    static Integer f(final Integer x)
    {
        return x * x;
    }

    /**
     * @param args none.
     * @throws Exception when a task fails or the wait is interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        final List<Integer> range = IntStream.range(0, 10).boxed().toList();
        final CompletableFuture<List<Integer>> res;
        try (ProcessPool pool = ProcessPool.create(4))
        {
            final CompletableFuture<Integer> result = pool.applyAsync(PoolApplyAsync::f, 10);
            System.out.println(result.get(30, TimeUnit.SECONDS)); // 100 (Python's example waits 1 s: JVMs start slower)
            System.out.println(pool.map(PoolApplyAsync::f, range));
            res = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return pool.map(PoolApplyAsync::f, range);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ex);
                }
            });
            res.join(); // the map must be submitted before close() refuses new tasks
        }
        System.out.println(res.get());
    }
}
