package io.ipckit.queue;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A take interrupted while it waits for the rest of an element larger than the ring (taken in parts as its writer
 * writes them) must not lose that element: the parts it took cannot be put back, so it finishes the element and
 * keeps the interrupt for the next call.
 */
@Timeout(60)
class InterruptedTakeTest
{
    private static final int ELEMENTS = 200;
    private static final int ELEMENT_BYTES = 16 * 1024; // 16 times the ring

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldLoseNoElementWhenATakeIsInterruptedInTheMiddleOfOne() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("split", Codecs.BYTES,
            new QueueOptions().capacityBytes(QueueOptions.MIN_CAPACITY_BYTES)))
        {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicBoolean done = new AtomicBoolean();
            final int[] interruptedTakes = new int[1];
            final Thread consumer = Thread.ofPlatform().name("interrupted-consumer").start(() ->
            {
                try
                {
                    int next = 0;
                    while (next < ELEMENTS)
                    {
                        final byte[] element;
                        try
                        {
                            element = queue.take();
                        }
                        catch (final InterruptedException ex)
                        {
                            interruptedTakes[0]++;
                            continue;
                        }
                        assertEquals(ELEMENT_BYTES, element.length);
                        assertEquals((byte)next, element[0], "element " + next + " (one lost before it?)");
                        assertEquals((byte)next, element[ELEMENT_BYTES - 1]);
                        next++;
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
                finally
                {
                    done.set(true);
                }
            });
            final Thread interrupter = Thread.ofPlatform().name("interrupter").start(() ->
            {
                while (!done.get())
                {
                    consumer.interrupt();
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                }
            });

            for (int i = 0; i < ELEMENTS && failure.get() == null; i++)
            {
                final byte[] element = new byte[ELEMENT_BYTES];
                java.util.Arrays.fill(element, (byte)i);
                assertTrue(queue.offer(element, 10, TimeUnit.SECONDS), "element " + i + " put");
            }
            consumer.join(TimeUnit.SECONDS.toMillis(30));
            done.set(true);
            interrupter.join(TimeUnit.SECONDS.toMillis(10));
            if (failure.get() != null)
            {
                throw new AssertionError("the consumer failed after " + interruptedTakes[0] + " interrupted takes",
                    failure.get());
            }
            assertTrue(interruptedTakes[0] > 0, "the interrupts reached the consumer's takes");
            assertNull(queue.poll(), "nothing left over");
        }
    }
}
