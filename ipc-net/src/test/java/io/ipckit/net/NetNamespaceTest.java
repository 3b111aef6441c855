package io.ipckit.net;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetNamespaces.A_ADDRESS;
import static io.ipckit.net.NetTesting.LIVENESS_MS;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two JVMs in two network namespaces joined by a veth pair: a network between "hosts", with loss injected and the
 * link cut. Skipped where the machine does not allow network namespaces (not root, no {@code ip}). {@code tc
 * netem} is not used: this machine's kernel has no {@code sch_netem}; loss comes from Aeron's
 * {@code RandomLossGenerator} in both drivers ({@link NetOptions#receiveLossRate}), and its retransmissions
 * arrive after later frames, so the receiver also sees reordering.
 */
@Timeout(90)
class NetNamespaceTest
{
    private static final long SLACK_MS = 3_000;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private NetNamespaces namespaces;
    private final String address = A_ADDRESS + ":" + 40_123;

    @BeforeEach
    void createNamespaces()
    {
        namespaces = NetNamespaces.create();
        assumeTrue(namespaces.refusal() == null, () -> "skipped: " + namespaces.refusal());
    }

    @AfterEach
    void deleteNamespaces()
    {
        namespaces.close();
    }

    @Test
    void shouldDeliverEveryMessageOnceInOrderAcrossALossyLink() throws Exception
    {
        final NetNamespaces.Peer listener = namespaces.startInA("echo-listen", address, "0", "0.05");
        final NetNamespaces.Peer checker = namespaces.startInB("check-connect", address, "700", "0.05");
        final String checked = checker.awaitLine("CHECKED 700", 60, TimeUnit.SECONDS);
        assertNotNull(checked, "the checker did not finish");
        final long naks = Long.parseLong(checked.substring(checked.lastIndexOf(' ') + 1));
        assertTrue(naks > 0, "no loss was injected: " + checked);
        assertEquals(NetPeer.EXIT_END_OF_STREAM, checker.awaitExit(20, TimeUnit.SECONDS));
        assertNotNull(listener.awaitLine("END_OF_STREAM", 20, TimeUnit.SECONDS));
        assertEquals(NetPeer.EXIT_END_OF_STREAM, listener.awaitExit(20, TimeUnit.SECONDS));
    }

    @Test
    void shouldThrowPeerGoneOnBothSidesWithinTheBoundWhenTheLinkIsCut() throws Exception
    {
        final NetNamespaces.Peer listener = namespaces.startInA("echo-listen", address);
        final NetNamespaces.Peer waiter = namespaces.startInB("connect-wait", address);
        assertNotNull(waiter.awaitLine("CONNECTED", 60, TimeUnit.SECONDS), "the peers did not connect");
        namespaces.cutLink();
        final long cut = System.nanoTime();
        assertEquals(NetPeer.EXIT_PEER_GONE, waiter.awaitExit(LIVENESS_MS + SLACK_MS, TimeUnit.MILLISECONDS));
        assertEquals(NetPeer.EXIT_PEER_GONE, listener.awaitExit(LIVENESS_MS + SLACK_MS, TimeUnit.MILLISECONDS));
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut);
        assertTrue(tookMs < LIVENESS_MS + SLACK_MS, "both saw the peer gone only after " + tookMs + " ms");
    }

    @Test
    void shouldServeTheManagerAcrossTheLinkAndFailTheClientsCallsWithManagerGoneWhenItIsCut() throws Exception
    {
        final String endpoint = A_ADDRESS + ":" + 40_124;
        final NetNamespaces.Peer manager = namespaces.startInA(ManagerAeronPeer.class, "serve", endpoint);
        final NetNamespaces.Peer client = namespaces.startInB(ManagerAeronPeer.class, "use-until-gone", endpoint);
        assertNotNull(manager.awaitLine("SERVING", 60, TimeUnit.SECONDS), "the manager did not start");
        assertNotNull(client.awaitLine("READY", 60, TimeUnit.SECONDS),
            "the client did not use the dict and the lock across the link");
        namespaces.cutLink();
        final long cut = System.nanoTime();
        final long boundMs = ManagerAeronPeer.LIVENESS_MS + SLACK_MS;
        final String gone = client.awaitLine("GONE", boundMs, TimeUnit.MILLISECONDS);
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut);
        assertNotNull(gone, "no ManagerGoneException within " + boundMs + " ms of the cut");
        System.out.println("the client's call failed " + tookMs + " ms after the cut (liveness " +
            ManagerAeronPeer.LIVENESS_MS + " ms): " + gone);
        assertEquals(ManagerAeronPeer.EXIT_MANAGER_GONE, client.awaitExit(10, TimeUnit.SECONDS));
    }
}
