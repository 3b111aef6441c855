package io.ipckit.core.internal.kit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OwnerLock#tryAcquireWithBackoff()}: takes a free word, gives up on a held one after its spin, and keeps
 * mutual exclusion when threads contend through it.
 */
class OwnerLockTest
{
    private static final long OTHER_PROCESS = 0x0000_1234_0000_0001L;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(128));

    @Test
    void shouldTakeAFreeWordAtItsFirstLook()
    {
        final OwnerLock lock = new OwnerLock().wrap(buffer, 0);

        assertTrue(lock.tryAcquireWithBackoff());
        assertEquals(OwnerToken.current(), lock.holder());
    }

    @Test
    void shouldGiveUpOnAWordAnotherProcessHoldsAndLeaveItAsItWas()
    {
        buffer.putLongVolatile(0, OTHER_PROCESS);
        final OwnerLock lock = new OwnerLock().wrap(buffer, 0);

        assertFalse(lock.tryAcquireWithBackoff());
        assertEquals(OTHER_PROCESS, lock.holder());
    }

    @Test
    void shouldKeepMutualExclusionBetweenThreadsThatWaitThroughTheBackoff() throws Exception
    {
        final int increments = 200_000;
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++)
        {
            final OwnerLock lock = new OwnerLock().wrap(buffer, 0); // one flyweight per thread, one word
            threads[t] = new Thread(() ->
            {
                try
                {
                    start.await();
                    for (int i = 0; i < increments; i++)
                    {
                        while (!lock.tryAcquire() && !lock.tryAcquireWithBackoff())
                        {
                            Thread.onSpinWait();
                        }
                        buffer.putLong(64, buffer.getLong(64) + 1); // plain: only the lock orders it
                        lock.release();
                    }
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            });
            threads[t].setDaemon(true); // a thread left spinning by a failure does not hold the test JVM
            threads[t].start();
        }
        start.countDown();
        for (final Thread thread : threads)
        {
            thread.join(60_000);
            assertFalse(thread.isAlive(), "a thread still waits for the lock after 60 s");
        }

        assertNull(failure.get());
        assertEquals((long)increments * threads.length, buffer.getLongVolatile(64));
        assertEquals(OwnerToken.NONE, buffer.getLongVolatile(0));
    }
}
