package io.ipckit.core.internal.wait;

import io.ipckit.core.internal.os.Native;
import io.ipckit.core.testing.Eventually;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsymmetricFenceTest
{
    @Test
    void shouldRegisterExactlyWhereTheKernelOffersTheGlobalExpeditedBarrier()
    {
        final long mask = Native.membarrier(0);
        final boolean offered = mask > 0 && (mask & 2) != 0 && (mask & 4) != 0;
        final boolean wanted = offered && !"false".equals(System.getProperty(AsymmetricFence.ENABLED_PROP_NAME));
        assertEquals(wanted, AsymmetricFence.isRegistrationWanted(), "membarrier query mask " + mask);
        AsymmetricFence.progressSide(); // fences while the registration is under way
        if (wanted)
        {
            Eventually.await("the background registration", Duration.ofSeconds(10), AsymmetricFence::isRegistered);
        }
        else
        {
            assertEquals(false, AsymmetricFence.isRegistered());
        }
        AsymmetricFence.progressSide();
        assertTrue(AsymmetricFence.waitingSide(), "the barrier reached every registered process");
    }
}
