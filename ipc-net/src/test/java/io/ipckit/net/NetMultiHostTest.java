package io.ipckit.net;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetNamespaces.A_ADDRESS;
import static io.ipckit.net.NetNamespaces.B_ADDRESS;
import static io.ipckit.net.NetNamespaces.C_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three JVMs on "hosts" of this machine, in network namespaces joined by veth pairs: a multicast stream from one
 * host to two subscribers on another, and a connection relayed through a third host. Skipped where the machine does
 * not allow network namespaces (not root, no {@code ip}).
 */
@Timeout(90)
class NetMultiHostTest
{
    private static final int MESSAGES = 210;
    private static final String GROUP = "239.255.77.1:40457";

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private NetNamespaces namespaces;

    @AfterEach
    void deleteNamespaces()
    {
        if (namespaces != null)
        {
            namespaces.close();
        }
    }

    @Test
    void shouldDeliverAMulticastStreamOnceInOrderToTwoSubscribersOnAnotherHost() throws Exception
    {
        namespaces = NetNamespaces.create();
        assumeTrue(namespaces.refusal() == null, () -> "skipped: " + namespaces.refusal());
        final NetNamespaces.Peer first = namespaces.startInB(
            "subscribe-check", "aeron:udp?endpoint=" + GROUP + "|interface=" + B_ADDRESS, Integer.toString(MESSAGES));
        final NetNamespaces.Peer second = namespaces.startInB(
            "subscribe-check", "aeron:udp?endpoint=" + GROUP + "|interface=" + B_ADDRESS, Integer.toString(MESSAGES));
        final NetNamespaces.Peer publisher = namespaces.startInA(
            "publish", "aeron:udp?endpoint=" + GROUP + "|interface=" + A_ADDRESS + "|fc=min",
            Integer.toString(MESSAGES));
        assertNotNull(publisher.awaitLine("PUBLISHING", 60, TimeUnit.SECONDS), "no subscriber joined");
        assertNotNull(first.awaitLine("SUBSCRIBED", 60, TimeUnit.SECONDS), "the first subscriber found no stream");
        assertNotNull(second.awaitLine("SUBSCRIBED", 60, TimeUnit.SECONDS), "the second subscriber found no stream");
        publisher.tell("GO");
        assertNotNull(first.awaitLine("RECEIVED " + MESSAGES, 60, TimeUnit.SECONDS), "the first did not get all");
        assertNotNull(second.awaitLine("RECEIVED " + MESSAGES, 60, TimeUnit.SECONDS), "the second did not get all");
        assertEquals(NetPeer.EXIT_END_OF_STREAM, publisher.awaitExit(20, TimeUnit.SECONDS));
        assertEquals(NetPeer.EXIT_END_OF_STREAM, first.awaitExit(20, TimeUnit.SECONDS));
        assertEquals(NetPeer.EXIT_END_OF_STREAM, second.awaitExit(20, TimeUnit.SECONDS));
    }

    @Test
    void shouldRelayEveryMessageOnceInOrderThroughAThirdHost() throws Exception
    {
        namespaces = NetNamespaces.createChain();
        assumeTrue(namespaces.refusal() == null, () -> "skipped: " + namespaces.refusal());
        final String end = C_ADDRESS + ":40124";
        final String middle = B_ADDRESS + ":40123";
        final NetNamespaces.Peer last = namespaces.startInC("echo-listen", end);
        final NetNamespaces.Peer relay = namespaces.startInB("relay", middle, end);
        final NetNamespaces.Peer first = namespaces.startInA("check-connect", middle, Integer.toString(MESSAGES));
        assertNotNull(first.awaitLine("CHECKED " + MESSAGES, 60, TimeUnit.SECONDS), "the round trips did not finish");
        assertEquals(NetPeer.EXIT_END_OF_STREAM, first.awaitExit(20, TimeUnit.SECONDS));
        assertEquals(NetPeer.EXIT_END_OF_STREAM, relay.awaitExit(20, TimeUnit.SECONDS));
        assertEquals(NetPeer.EXIT_END_OF_STREAM, last.awaitExit(20, TimeUnit.SECONDS));
    }
}
