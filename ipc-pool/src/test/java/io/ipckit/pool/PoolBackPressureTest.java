package io.ipckit.pool;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker whose ring is full (it is busy, and does not read) holds up neither the other workers nor the task
 * timeout.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PoolBackPressureTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldKeepOtherWorkersAndTheTimeoutGoingWhileOneWorkersRingIsFull() throws Exception
    {
        // items longer than the 1 MB ring: the second one sent to the worker that loops on item 0 fills its ring
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(2).taskTimeout(2, TimeUnit.SECONDS)))
        {
            final List<byte[]> items = IntStream.range(0, 6).mapToObj((i) ->
            {
                final byte[] bytes = new byte[1_500_000];
                bytes[0] = (byte)i;
                return bytes;
            }).toList();
            final Iterator<Integer> results = pool.imapUnordered(PoolBackPressureTest::loopOnZero, items, 1);
            final List<Integer> done = new ArrayList<>();
            final List<Throwable> failed = new ArrayList<>();
            for (int i = 0; i < items.size(); i++)
            {
                try
                {
                    done.add(results.next());
                }
                catch (final CompletionException ex)
                {
                    failed.add(ex.getCause());
                }
            }
            assertFalse(results.hasNext());
            // before, the dispatcher waited for room in the looping worker's ring: no result came, no timeout fired
            assertEquals(List.of(1, 2, 3, 4, 5), done.stream().sorted().toList());
            assertEquals(1, failed.size(), failed.toString());
            assertInstanceOf(WorkerDiedException.class, failed.getFirst());
            assertTrue(failed.getFirst().getMessage().contains("ran longer than its timeout of 2000 ms"),
                failed.getFirst().getMessage());
        }
        assertEquals(List.of(), dir.list());
    }

    static int loopOnZero(final byte[] item)
    {
        while (item[0] == 0 && !Thread.currentThread().isInterrupted())
        {
            Thread.onSpinWait();
        }
        return item[0];
    }
}
