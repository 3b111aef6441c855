package io.ipckit.manager;

import io.ipckit.core.testing.SystemProperties;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Defaults given by system properties are checked as the setters check values.
 */
class ManagerOptionsTest
{
    /**
     * Before, {@code -Dipckit.manager.max.frame.bytes=16} gave frames too short for any request, and a snapshot
     * interval of 0 was used as given.
     */
    @Test
    void shouldRefuseAPropertyDefaultItsSetterRefuses()
    {
        assertRefused(ManagerOptions.MAX_FRAME_BYTES_PROP_NAME, "16", "maxFrameBytes must be at least 256: 16");
        assertRefused(ManagerOptions.SNAPSHOT_EVERY_ENTRIES_PROP_NAME, "0", "snapshotEveryEntries must be at least 1: 0");
        assertRefused(ManagerOptions.CALL_TIMEOUT_MS_PROP_NAME, "-1", "callTimeout must be positive");
        assertRefused(ManagerOptions.RECONNECT_TIMEOUT_MS_PROP_NAME, "soon", "not a whole number");
        System.setProperty(ManagerOptions.CALL_TIMEOUT_MS_PROP_NAME, "1500");
        try
        {
            assertEquals(1500, new ManagerOptions().callTimeout(TimeUnit.MILLISECONDS));
        }
        finally
        {
            System.clearProperty(ManagerOptions.CALL_TIMEOUT_MS_PROP_NAME);
        }
        assertEquals(ManagerOptions.CALL_TIMEOUT_MS_DEFAULT, new ManagerOptions().callTimeout(TimeUnit.MILLISECONDS));
    }

    private static void assertRefused(final String property, final String value, final String why)
    {
        assertEquals("-D" + property + "=" + value + ": " + why + "; fix the property or remove it",
            SystemProperties.refusal(property, value, ManagerOptions::new));
    }
}
