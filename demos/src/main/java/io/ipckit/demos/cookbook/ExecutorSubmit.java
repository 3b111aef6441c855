package io.ipckit.demos.cookbook;

import io.ipckit.pool.ProcessPool;
import io.ipckit.pool.SerializableCallable;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Python: {@code with concurrent.futures.ProcessPoolExecutor(max_workers=CORES) as ex:
 * monitors.append(ex.submit(hard))}, then {@code as_completed(monitors)}. {@link ProcessPool} is an
 * {@link java.util.concurrent.ExecutorService}: {@code submit} returns a {@link CompletableFuture} (Python's
 * {@code Future}: {@code cancel, done, result, exception, add_done_callback} are {@code cancel, isDone, get,
 * exceptionNow, whenComplete}), and {@link ProcessPool#asCompleted} is {@code as_completed}.
 */
public final class ExecutorSubmit
{
    private static final int CORES = 2;

    private ExecutorSubmit()
    {
    }

    static Integer hard()
    {
        return 99 * 99;
    }

    /**
     * @param args none.
     * @throws Exception when a task fails or the wait is interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        try (ProcessPool ex = ProcessPool.create(CORES))
        {
            final List<CompletableFuture<Integer>> monitors = new ArrayList<>();
            for (int num = 0; num < CORES; num++)
            {
                monitors.add(ex.submit((SerializableCallable<Integer>)ExecutorSubmit::hard));
            }
            final Iterator<CompletableFuture<Integer>> done = ProcessPool.asCompleted(monitors);
            while (done.hasNext())
            {
                System.out.println(done.next().get()); // 9801
            }
        }
    }
}
