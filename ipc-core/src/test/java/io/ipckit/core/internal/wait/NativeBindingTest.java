package io.ipckit.core.internal.wait;

import io.ipckit.core.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class NativeBindingTest
{
    @Test
    void shouldQueueWakesUntilBoundThenWakeEachAddressOnce() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final List<Long> woken = new ArrayList<>();
        final NativeBinding binding = new NativeBinding(0, () -> await(release), (address) ->
        {
            synchronized (woken)
            {
                woken.add(address);
            }
        }, false);

        binding.wake(64);
        binding.wake(128);
        binding.wake(64);
        assertFalse(binding.isBound());
        assertEquals(2, binding.pendingWakes());
        synchronized (woken)
        {
            assertTrue(woken.isEmpty(), "woken before the binding: " + woken);
        }

        release.countDown();
        Eventually.await("the binding", Duration.ofSeconds(10), binding::isBound);
        assertEquals(0, binding.pendingWakes());
        binding.wake(256);
        synchronized (woken)
        {
            woken.sort(null);
            assertEquals(List.of(64L, 128L, 256L), woken);
        }
    }

    @Test
    void shouldBindOnlyAfterItsDelay() throws Exception
    {
        final AtomicInteger binds = new AtomicInteger();
        final NativeBinding binding = new NativeBinding(150, binds::incrementAndGet, (address) -> { }, false);
        final long startNs = System.nanoTime();
        binding.parkPolling(TimeUnit.MILLISECONDS.toNanos(10)); // a sleep before the binding starts it
        binding.bindSoon();
        Eventually.await("the binding", Duration.ofSeconds(10), binding::isBound);
        assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(150), "bound before its delay");
        assertEquals(1, binds.get());
    }

    @Test
    void shouldBindAtExitOnlyWhileAQueuedWakeIsYoungerThanTheLongestSlice() throws Exception
    {
        final AtomicInteger binds = new AtomicInteger();
        final List<Long> woken = new ArrayList<>();
        final NativeBinding young = new NativeBinding(60_000, binds::incrementAndGet, woken::add, false);
        young.wake(8);
        young.bindAtExit();
        assertEquals(1, binds.get());
        assertEquals(List.of(8L), woken);

        final NativeBinding old = new NativeBinding(60_000, binds::incrementAndGet, woken::add, false);
        old.wake(16);
        final long queuedNs = System.nanoTime();
        Eventually.await("the wake to age past the longest slice", Duration.ofSeconds(5),
            () -> System.nanoTime() - queuedNs > WakeSignal.MAX_SLEEP_SLICE_NS);
        old.bindAtExit();
        assertEquals(1, binds.get(), "bound at exit for a wake every sleeper has looked past");
        assertFalse(old.isBound());
    }

    /**
     * A binding started in the background without the delay binds once: a caller that needs the calls meanwhile
     * waits for it rather than binding a second time, and returns bound.
     */
    @Test
    void shouldBindInTheBackgroundAtOnceAndLetACallerThatNeedsItWaitForThatBinding() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger binds = new AtomicInteger();
        final NativeBinding binding = new NativeBinding(60_000, () ->
        {
            binds.incrementAndGet();
            await(release);
        }, (address) -> { }, false);

        binding.bindInBackground();
        binding.bindInBackground(); // started once
        Eventually.await("the background binding under way", Duration.ofSeconds(10), () -> binds.get() == 1);
        final Thread caller = new Thread(binding::bindNow, "needs-the-calls");
        caller.start();
        Eventually.await("the caller waiting for the binding under way", Duration.ofSeconds(10),
            () -> caller.getState() == Thread.State.BLOCKED);
        assertFalse(binding.isBound());

        release.countDown();
        caller.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(caller.isAlive(), "the caller returned");
        assertTrue(binding.isBound(), "bound when the caller returned");
        assertEquals(1, binds.get(), "one binding, not the delay's 60 s and not the caller's own");
    }

    @Test
    void shouldKeepWakesQueuedWhenTheBindingFails() throws Exception
    {
        final AtomicInteger tries = new AtomicInteger();
        final NativeBinding binding = new NativeBinding(0, () ->
        {
            tries.incrementAndGet();
            throw new UnsupportedOperationException("no FFM here");
        }, (address) -> { }, false);
        binding.wake(32);
        Eventually.await("the binding's try", Duration.ofSeconds(10), () -> tries.get() == 1);
        assertFalse(binding.isBound());
        assertEquals(1, binding.pendingWakes());
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
