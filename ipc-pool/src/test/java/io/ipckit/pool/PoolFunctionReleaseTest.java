package io.ipckit.pool;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The functions a pool sends its workers are held, in the pool and in each worker, only while a task uses them:
 * a loop of capturing lambdas keeps memory bounded, equal functions are sent once, and a function that captures
 * nothing stays known.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PoolFunctionReleaseTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldReleaseCapturingFunctionsOnceNoTaskUsesThem() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1)))
        {
            final long[] big = new long[100_000];
            for (int i = 0; i < 200; i++)
            {
                final int k = i;
                // before, each new lambda instance stayed registered: 200 functions of 800 KB in the pool and worker
                assertEquals(1 + k + big.length, pool.apply((Integer x) -> x + k + big.length, 1));
            }
            Eventually.await("the pool releases the capturing functions", Duration.ofSeconds(30),
                () -> pool.scheduler().functionsRegistered() == 0);
            Eventually.await("the worker forgets them", Duration.ofSeconds(30),
                () -> pool.submit(PoolWorker::functionsHeld).join() == 0);

            // a function that captures nothing is kept for the tasks to come, and sent once
            for (int i = 0; i < 3; i++)
            {
                assertEquals(i + 1, pool.apply((Integer x) -> x + 1, i));
            }
            assertEquals(1, pool.scheduler().functionsRegistered());
            assertEquals(1, pool.submit(PoolWorker::functionsHeld).get(30, TimeUnit.SECONDS));
        }
        assertEquals(List.of(), dir.list());
    }

    @Test
    void shouldSendEqualCapturingFunctionsOnce() throws Exception
    {
        try (ResourceFile gate = Gates.create("held");
            ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1).tasksInFlightPerWorker(1)))
        {
            final CompletableFuture<Integer> blocker = pool.submit(() -> ProcessPoolTest.passGate("held"));
            Eventually.await("the worker runs the blocking task", Duration.ofSeconds(30),
                () -> Gates.entered(gate) == 1);
            // two lambda instances that captured equal values (equal arrays, not the same one): one function
            final CompletableFuture<Integer> first = pool.applyAsync(plus(7, new long[10_000]), 1);
            final CompletableFuture<Integer> second = pool.applyAsync(plus(7, new long[10_000]), 2);
            assertEquals(1, pool.scheduler().functionsRegistered(), "both tasks wait behind the blocking one");
            Gates.open(gate);
            assertEquals(1, blocker.get(30, TimeUnit.SECONDS));
            assertEquals(10_008, first.get(30, TimeUnit.SECONDS));
            assertEquals(10_009, second.get(30, TimeUnit.SECONDS));
            Eventually.await("the pool releases the function", Duration.ofSeconds(30),
                () -> pool.scheduler().functionsRegistered() == 0);
            gate.unlink();
        }
        assertEquals(List.of(), dir.list());
    }

    private static SerializableFunction<Integer, Integer> plus(final int k, final long[] big)
    {
        return (x) -> x + k + big.length;
    }
}
