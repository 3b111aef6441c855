package io.ipckit.queue;

import io.ipckit.core.codec.Codecs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Checks of the handle gate that run in a child JVM (so that its JVM options can differ from the test's).
 */
final class GateChecks
{
    private GateChecks()
    {
    }

    /**
     * {@code threads} threads put {@code perThread} tagged longs through one handle of queue {@code name} while this
     * thread takes them all through the same handle; throws unless every element came once and in its thread's order.
     */
    static void manyThreadsThroughOneHandle(final String name, final int threads, final int perThread)
    {
        try (SharedQueue<Long> queue = SharedQueue.open(name, Codecs.LONG))
        {
            final List<CompletableFuture<Void>> producers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final long thread = t;
                producers.add(CompletableFuture.runAsync(() ->
                {
                    try
                    {
                        for (long i = 0; i < perThread; i++)
                        {
                            queue.put(thread << 32 | i);
                        }
                    }
                    catch (final InterruptedException ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                }, runnable -> new Thread(runnable, "producer-" + thread).start()));
            }
            final long[] next = new long[threads];
            for (int taken = 0; taken < threads * perThread; taken++)
            {
                final Long element = queue.poll(30, TimeUnit.SECONDS);
                if (element == null)
                {
                    throw new IllegalStateException("nothing came within 30 s after " + taken + " elements");
                }
                final int thread = (int)(element >>> 32);
                if ((element & 0xFFFF_FFFFL) != next[thread])
                {
                    throw new IllegalStateException("thread " + thread + " expected " + next[thread] + ", got " +
                        (element & 0xFFFF_FFFFL));
                }
                next[thread]++;
            }
            CompletableFuture.allOf(producers.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
