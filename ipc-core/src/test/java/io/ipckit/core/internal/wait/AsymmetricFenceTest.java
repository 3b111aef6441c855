package io.ipckit.core.internal.wait;

import io.ipckit.core.internal.os.Native;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsymmetricFenceTest
{
    @Test
    void shouldRegisterExactlyWhereTheKernelOffersTheGlobalExpeditedBarrier()
    {
        final long mask = Native.membarrier(0);
        final boolean offered = mask > 0 && (mask & 2) != 0 && (mask & 4) != 0;
        assertEquals(offered && !"false".equals(System.getProperty(AsymmetricFence.ENABLED_PROP_NAME)),
            AsymmetricFence.isRegistered(), "membarrier query mask " + mask);
        AsymmetricFence.progressSide();
        assertTrue(AsymmetricFence.waitingSide(), "the barrier reached every registered process");
    }
}
