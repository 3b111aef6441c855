package io.ipckit.net;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.core.tracker.ResourceTracker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetTesting.LIVENESS_MS;
import static io.ipckit.net.NetTesting.message;
import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.*;

/**
 * This JVM and a child JVM ({@link NetPeer}) on loopback.
 */
@Timeout(90)
class NetPipeCrossProcessTest
{
    /** How late past the liveness timeout a dead peer may be reported: timer ticks, scheduling, a slow machine. */
    private static final long SLACK_MS = 2_500;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final String address = "127.0.0.1:" + NetTesting.freePort();

    private JvmProcess startPeer(final String... args)
    {
        return dir.start(NetPeer.class, new ProcessOptions().args(args).inheritIO());
    }

    @Test
    void shouldExchangeMessagesWithAnotherJvmUntilEndOfStream() throws Exception
    {
        final JvmProcess peer = startPeer("echo-listen", address);
        try (NetConnection connection = NetPipe.connect(address, options(), 60, TimeUnit.SECONDS))
        {
            for (int i = 0; i < 200; i++)
            {
                connection.sendBytes(message(NetPeer.size(i), i));
                assertArrayEquals(message(NetPeer.size(i), i), connection.recvBytes(10, TimeUnit.SECONDS));
            }
        }
        assertTrue(peer.join(20, TimeUnit.SECONDS));
        assertEquals(NetPeer.EXIT_END_OF_STREAM, peer.exitCode().orElseThrow());
    }

    @Test
    void shouldReceiveEverythingThenEndOfStreamFromAJvmThatClosed() throws Exception
    {
        final int count = 500;
        final JvmProcess peer = startPeer("send-close", address, Integer.toString(count));
        try (NetConnection connection = NetPipe.listen(address, options(), 60, TimeUnit.SECONDS))
        {
            for (int i = 0; i < count; i++)
            {
                assertArrayEquals(message(NetPeer.size(i), i), connection.recvBytes(10, TimeUnit.SECONDS), "#" + i);
            }
            assertThrows(EndOfStreamException.class, () -> connection.recvBytes(10, TimeUnit.SECONDS));
        }
        assertTrue(peer.join(20, TimeUnit.SECONDS));
        assertEquals(NetPeer.EXIT_END_OF_STREAM, peer.exitCode().orElseThrow());
    }

    @Test
    void shouldThrowPeerGoneWithinTheBoundWhenThePeerIsKilledThenReconnect() throws Exception
    {
        final JvmProcess first = startPeer("echo-listen", address);
        try (NetConnection connection = NetPipe.connect(address, options(), 60, TimeUnit.SECONDS))
        {
            connection.sendBytes(new byte[] {1});
            assertArrayEquals(new byte[] {1}, connection.recvBytes(10, TimeUnit.SECONDS));
            first.kill();
            final long killed = System.nanoTime();
            assertThrows(PeerGoneException.class, connection::recvBytes);
            final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(tookMs < LIVENESS_MS + SLACK_MS, "PeerGoneException after " + tookMs + " ms");
            assertThrows(PeerGoneException.class, () -> connection.sendBytes(new byte[] {2}));
            assertTrue(connection.poll());
        }
        assertTrue(first.join(10, TimeUnit.SECONDS));
        assertEquals(-JvmProcess.SIGKILL, first.exitCode().orElseThrow());
        try (var entries = java.nio.file.Files.list(dir.path()))
        {
            final String killedsDriver = ResourceTracker.OWNED_DIRECTORY_PREFIX + first.pid() + "-";
            assertEquals(List.of(), entries.map((p) -> p.getFileName().toString())
                .filter((name) -> name.startsWith(killedsDriver)).toList(),
                "the killed peer's media driver directory is removed when it is reaped");
        }

        final JvmProcess second = startPeer("echo-listen", address);
        try (NetConnection connection = NetPipe.connect(address, options(), 60, TimeUnit.SECONDS))
        {
            connection.sendBytes(new byte[] {3});
            assertArrayEquals(new byte[] {3}, connection.recvBytes(10, TimeUnit.SECONDS));
        }
        assertTrue(second.join(20, TimeUnit.SECONDS));
        assertEquals(NetPeer.EXIT_END_OF_STREAM, second.exitCode().orElseThrow());
    }

    @Test
    void shouldThrowPeerGoneToABlockedSenderWhenThePeerIsKilled() throws Exception
    {
        final JvmProcess peer = startPeer("connect-wait", address);
        try (NetConnection connection = NetPipe.listen(address, options(), 60, TimeUnit.SECONDS))
        {
            connection.sendBytes(connection.recvBytes(10, TimeUnit.SECONDS));
            peer.kill();
            final long killed = System.nanoTime();
            final byte[] big = new byte[1 << 20];
            assertThrows(PeerGoneException.class, () ->
            {
                while (true)
                {
                    connection.sendBytes(big);
                }
            });
            final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(tookMs < LIVENESS_MS + SLACK_MS, "PeerGoneException after " + tookMs + " ms");
        }
    }

    @Test
    void shouldListenAgainOnTheSamePortAfterTheConnectorWasKilled() throws Exception
    {
        final JvmProcess first = startPeer("connect-wait", address);
        try (NetConnection connection = NetPipe.listen(address, options(), 60, TimeUnit.SECONDS))
        {
            connection.sendBytes(connection.recvBytes(10, TimeUnit.SECONDS));
            first.kill();
            assertThrows(PeerGoneException.class, () -> connection.recvBytes(LIVENESS_MS + SLACK_MS,
                TimeUnit.MILLISECONDS));
        }
        final JvmProcess second = startPeer("send-close", address, "20");
        try (NetConnection connection = NetPipe.listen(address, options(), 60, TimeUnit.SECONDS))
        {
            for (int i = 0; i < 20; i++)
            {
                assertArrayEquals(message(NetPeer.size(i), i), connection.recvBytes(10, TimeUnit.SECONDS), "#" + i);
            }
            assertThrows(EndOfStreamException.class, () -> connection.recvBytes(10, TimeUnit.SECONDS));
        }
        assertTrue(second.join(20, TimeUnit.SECONDS));
        assertEquals(NetPeer.EXIT_END_OF_STREAM, second.exitCode().orElseThrow());
    }
}
