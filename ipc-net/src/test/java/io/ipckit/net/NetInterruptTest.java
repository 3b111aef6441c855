package io.ipckit.net;

import io.aeron.Publication;
import io.aeron.Subscription;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.net.internal.AeronEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Calls of ipc-net made by a thread whose interrupt flag is set. Aeron's client ends itself, closing every
 * publication and subscription of it, when a registration waits for the driver with the flag set; an endpoint that
 * many connections share (a {@link NetListener}'s) must not lose them to one interrupted thread.
 */
class NetInterruptTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @AfterEach
    void clearInterrupt()
    {
        Thread.interrupted();
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldKeepTheEndpointsOtherResourcesWhenAnInterruptedThreadAddsOne()
    {
        try (AeronEndpoint endpoint = AeronEndpoint.start(options()))
        {
            final String channel = "aeron:udp?endpoint=127.0.0.1:" + NetTesting.freePort();
            final Subscription existing = endpoint.addSubscription(channel, 1, "the test's first subscription");
            Thread.currentThread().interrupt();
            final Publication added = endpoint.addPublication(channel, 1, "the test's publication");
            assertTrue(Thread.interrupted(), "the interrupt flag is kept");
            assertFalse(existing.isClosed(), "the other subscription of the endpoint is open");
            assertFalse(added.isClosed(), "the publication added is open");
            endpoint.checkAlive("the test", false);
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldThrowInterruptedExceptionFromAListenOfAnInterruptedThreadAndLeaveNoDriver() throws Exception
    {
        final String address = "127.0.0.1:" + NetTesting.freePort();
        Thread.currentThread().interrupt();
        final InterruptedException ex = assertThrows(InterruptedException.class,
            () -> NetPipe.listen(address, options(), 10, TimeUnit.SECONDS));
        assertTrue(ex.getMessage().contains(address), ex.getMessage());
        assertEquals(java.util.List.of(), dir.list(), "files left in " + dir.path());
    }
}
