package io.ipckit.core.internal.kit;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Waiter#spinBeforeSleep(long)}: how long a sleeping wait polls before it registers on its doorbell, the
 * low-CPU wait when 0.
 */
class WaiterTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldRegisterAtTheFirstPauseWhenToldNotToSpin() throws Exception
    {
        try (ResourceFile file = ResourceFile.create("bell", ResourceKind.TEST, 1, 0, DoorbellDescriptor.LENGTH, false,
            null))
        {
            final Doorbell bell = new Doorbell().wrap(file.buffer(), file.headerLength());
            final Waiter waiter = new Waiter(bell, null, new CloseGuard("test")).spinBeforeSleep(0);
            waiter.begin(TimeUnit.SECONDS.toNanos(10));
            try
            {
                assertTrue(waiter.pause(waiter.sequence()));
                assertTrue(waiter.isRegistered(), "no spin, no yield: registered at once");
                final int sequence = waiter.sequence();
                bell.ring();
                final long startNs = System.nanoTime();
                assertTrue(waiter.pause(sequence), "the ring ends the sleep");
                assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(5));
            }
            finally
            {
                waiter.end();
            }
            assertFalse(waiter.isRegistered());
        }
    }

    @Test
    void shouldPollForTheSpinBeforeRegisteringByDefault() throws Exception
    {
        try (ResourceFile file = ResourceFile.create("bell", ResourceKind.TEST, 1, 0, DoorbellDescriptor.LENGTH, false,
            null))
        {
            final Doorbell bell = new Doorbell().wrap(file.buffer(), file.headerLength());
            final Waiter waiter = new Waiter(bell, null, new CloseGuard("test"));
            waiter.begin(TimeUnit.SECONDS.toNanos(10));
            try
            {
                final long startNs = System.nanoTime();
                int pauses = 0;
                while (!waiter.isRegistered())
                {
                    assertTrue(waiter.pause(waiter.sequence()));
                    pauses++;
                }
                assertTrue(System.nanoTime() - startNs >= Waiter.UNREGISTERED_SPIN_NS, "polled for the spin first");
                assertTrue(pauses > 32, "spun, then yielded, before registering: " + pauses + " pauses");
            }
            finally
            {
                waiter.end();
            }
        }
    }

    @Test
    void shouldRefuseANegativeSpin()
    {
        final Waiter waiter = new Waiter(new Doorbell(), null, new CloseGuard("test"));
        final IllegalArgumentException thrown =
            assertThrows(IllegalArgumentException.class, () -> waiter.spinBeforeSleep(-1));
        assertEquals("spinBeforeSleepNs must be 0 or more, got -1", thrown.getMessage());
    }

    @Test
    void shouldSleepInTheKernelOnceTheFutexCallIsBoundDuringAWait() throws Exception
    {
        try (ResourceFile file = ResourceFile.create("late", ResourceKind.TEST, 1, 0, DoorbellDescriptor.LENGTH, false,
            null))
        {
            final Doorbell bell = new Doorbell().wrap(file.buffer(), file.headerLength());
            final int word = file.headerLength() + DoorbellDescriptor.SIGNAL_OFFSET +
                io.ipckit.core.internal.wait.WakeSignalDescriptor.SEQUENCE_OFFSET;
            // the child registers while its futex call is not bound (so it polls), then binds 300 ms later
            final io.ipckit.core.process.JvmProcess child = dir.start(LateSleeper.class,
                new io.ipckit.core.process.ProcessOptions().args("late").daemon(true)
                    .jvmOptions("-D" + io.ipckit.core.internal.wait.NativeBinding.DELAY_PROP_NAME + "=300"));
            io.ipckit.core.testing.Eventually.await("the child asleep on the futex (the word's sleeping flag)",
                java.time.Duration.ofSeconds(20), () -> (file.buffer().getIntVolatile(word) & 1) != 0);
            bell.ring();
            assertTrue(child.join(20, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().getAsInt());
            file.unlink();
        }
    }

    /**
     * Waits on the doorbell of the file named by its argument until it rings, registering at once.
     */
    public static final class LateSleeper
    {
        public static void main(final String[] args) throws Exception
        {
            try (ResourceFile file = ResourceFile.open(args[0], ResourceKind.TEST, 1))
            {
                final Doorbell bell = new Doorbell().wrap(file.buffer(), file.headerLength());
                final Waiter waiter = new Waiter(bell, null, new CloseGuard("late")).spinBeforeSleep(0);
                final int start = bell.sequence();
                waiter.begin(TimeUnit.SECONDS.toNanos(30));
                try
                {
                    while (true)
                    {
                        final int sequence = waiter.sequence();
                        if (waiter.isRegistered() && sequence != start)
                        {
                            return;
                        }
                        if (!waiter.pause(sequence))
                        {
                            System.exit(2);
                        }
                    }
                }
                finally
                {
                    waiter.end();
                }
            }
        }
    }
}
