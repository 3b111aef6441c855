package io.ipckit.core.internal.kit;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class LivenessCheckIntervalTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldBeDueAtOnceThenOncePerInterval()
    {
        final LivenessCheckInterval interval = new LivenessCheckInterval();
        assertTrue(interval.due(), "the first look is not delayed");
        final long lookedNs = System.nanoTime();
        final boolean again = interval.due();
        assertTrue(!again || System.nanoTime() - lookedNs >= LivenessCheckInterval.INTERVAL_NS,
            "a second look within the interval is not due");
        Eventually.await("the next look due after the interval", Duration.ofSeconds(10), interval::due);
        assertTrue(System.nanoTime() - lookedNs >= LivenessCheckInterval.INTERVAL_NS);
    }

    @Test
    void shouldBeDueWithinAFewLooksOfASpinAndAtTheFirstLookOfSparseOnes()
    {
        final LivenessCheckInterval interval = new LivenessCheckInterval();
        long startNs = System.nanoTime(); // at or before the first look's clock read, which starts the interval
        assertTrue(interval.dueAtLook(), "the first look is not delayed");
        // a spin: the look that is due comes at most MAX_LOOKS_PER_CLOCK_READ looks after the interval has passed
        int looksAfterInterval = 0;
        while (!interval.dueAtLook())
        {
            if (System.nanoTime() - startNs >= LivenessCheckInterval.INTERVAL_NS)
            {
                looksAfterInterval++;
            }
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10), "a spin's look comes due");
        }
        final long dueNs = System.nanoTime(); // at or after the due look's own clock read, which starts the interval
        assertTrue(dueNs - startNs >= LivenessCheckInterval.INTERVAL_NS, "not before the interval");
        assertTrue(looksAfterInterval <= LivenessCheckInterval.MAX_LOOKS_PER_CLOCK_READ,
            looksAfterInterval + " looks of a spin passed the due one");
        // sparse looks, each after the clock moved past SPINNING_LOOK_NS: once the spin's looks are counted out,
        // every look reads the clock, so the one after the interval is due
        startNs = dueNs;
        int sparseLooks = 0;
        looksAfterInterval = 0;
        while (true)
        {
            final long lookNs = System.nanoTime();
            while (System.nanoTime() - lookNs < 2 * LivenessCheckInterval.SPINNING_LOOK_NS)
            {
                Thread.onSpinWait(); // the time between looks, measured by the clock, not slept
            }
            final boolean passed = System.nanoTime() - startNs >= LivenessCheckInterval.INTERVAL_NS;
            sparseLooks++;
            if (interval.dueAtLook())
            {
                break;
            }
            if (passed && sparseLooks > LivenessCheckInterval.MAX_LOOKS_PER_CLOCK_READ)
            {
                looksAfterInterval++;
            }
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10), "a sparse look comes due");
        }
        assertEquals(0, looksAfterInterval, "a sparse look past the interval is due at once");
    }

    @Test
    void shouldUseFiftyMillisecondsByDefaultForWaiterAndInterval()
    {
        assertEquals(50, LivenessCheckInterval.INTERVAL_DEFAULT_MS);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(50), LivenessCheckInterval.INTERVAL_NS);
        assertEquals(LivenessCheckInterval.INTERVAL_NS, Waiter.LIVENESS_CHECK_INTERVAL_NS, "one interval");
    }

    @Test
    void shouldReadTheIntervalFromItsOneSystemProperty() throws InterruptedException
    {
        final JvmProcess child = dir.start(IntervalChild.class, new ProcessOptions()
            .jvmOptions("-D" + LivenessCheckInterval.INTERVAL_PROP_NAME + "=7"));
        assertTrue(child.join(30, TimeUnit.SECONDS));
        assertEquals(7, child.exitCode().orElseThrow(), "the child's interval in ms, its waiter's too");
        final JvmProcess zero = dir.start(IntervalChild.class, new ProcessOptions()
            .jvmOptions("-D" + LivenessCheckInterval.INTERVAL_PROP_NAME + "=0"));
        assertTrue(zero.join(30, TimeUnit.SECONDS));
        assertEquals(1, zero.exitCode().orElseThrow(), "an interval below 1 ms is raised to 1 ms");
        assertFalse(zero.isAlive());
    }

    /**
     * Exits with its interval in milliseconds, or 99 when the waiter's interval differs from it.
     */
    public static final class IntervalChild
    {
        private IntervalChild()
        {
        }

        /**
         * @param args none.
         */
        public static void main(final String[] args)
        {
            System.exit(Waiter.LIVENESS_CHECK_INTERVAL_NS != LivenessCheckInterval.INTERVAL_NS ? 99 :
                (int)TimeUnit.NANOSECONDS.toMillis(LivenessCheckInterval.INTERVAL_NS));
        }
    }
}
