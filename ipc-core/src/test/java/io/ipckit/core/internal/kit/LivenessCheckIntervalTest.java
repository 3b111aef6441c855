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
