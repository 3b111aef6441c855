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
}
