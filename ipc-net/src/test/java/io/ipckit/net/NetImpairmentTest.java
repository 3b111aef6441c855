package io.ipckit.net;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetTesting.message;
import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Delay, reordering, duplication and loss injected between two JVMs by a {@link UdpImpairmentRelay} (this kernel has
 * no {@code sch_netem}, so {@code tc netem} cannot do it): every message still arrives once, in order, and nothing
 * hangs.
 */
@Timeout(60)
class NetImpairmentTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldDeliverEveryMessageOnceInOrderThroughDelayReorderingDuplicationAndLoss() throws Exception
    {
        final int port = NetTesting.freePort();
        final JvmProcess echo = dir.start(NetPeer.class,
            new ProcessOptions().args("echo-listen", "127.0.0.1:" + port).inheritIO());
        final int count = 300;
        final int window = 16;
        try (UdpImpairmentRelay relay = new UdpImpairmentRelay(new InetSocketAddress("127.0.0.1", port),
            1, 3, TimeUnit.MILLISECONDS, 0.03, 0.03, 0.05, 20_261_205L))
        {
            try (NetConnection connection = NetPipe.connect("127.0.0.1:" + relay.port(), options(), 60,
                TimeUnit.SECONDS))
            {
                int received = 0;
                for (int sent = 0; sent < count || received < count; )
                {
                    if (sent < count && sent - received < window)
                    {
                        connection.sendBytes(message(NetPeer.size(sent), sent));
                        sent++;
                        continue;
                    }
                    assertArrayEquals(message(NetPeer.size(received), received),
                        connection.recvBytes(10, TimeUnit.SECONDS), "message #" + received);
                    received++;
                }
                assertFalse(connection.poll(), "a message after the last one");
            }
            assertTrue(echo.join(20, TimeUnit.SECONDS));
            assertEquals(NetPeer.EXIT_END_OF_STREAM, echo.exitCode().orElseThrow());
            assertTrue(relay.dropped() > 0 && relay.duplicated() > 0 && relay.reordered() > 0,
                "impairments: dropped " + relay.dropped() + ", duplicated " + relay.duplicated() + ", reordered " +
                relay.reordered() + " of " + relay.forwarded());
        }
    }
}
