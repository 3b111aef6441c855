package io.ipckit.core.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Waits for a condition with a deadline instead of sleeping and hoping.
 */
public final class Eventually
{
    private Eventually()
    {
    }

    /**
     * Polls {@code condition} every millisecond until it holds or {@code timeout} passes, then fails the test.
     *
     * @param description what is awaited, for the failure message.
     * @param timeout     the deadline.
     * @param condition   the condition.
     * @return the time it took.
     */
    public static Duration await(final String description, final Duration timeout, final BooleanSupplier condition)
    {
        final long start = System.nanoTime();
        final long deadline = start + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out after " + timeout.toMillis() + " ms waiting for: " + description);
            }
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for: " + description);
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
