package io.ipckit.net;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.manager.Manager;
import io.ipckit.manager.ManagerGoneException;
import io.ipckit.manager.ManagerOptions;
import io.ipckit.manager.ManagerServer;
import io.ipckit.manager.connection.AuthenticationException;
import io.ipckit.manager.connection.Client;
import io.ipckit.manager.connection.FrameConnection;
import io.ipckit.manager.connection.FrameTooLargeException;
import io.ipckit.manager.connection.Listener;
import io.ipckit.net.manager.AeronAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import static io.ipckit.net.ManagerAeronPeer.KEY;
import static io.ipckit.net.ManagerAeronPeer.LIVENESS_MS;
import static io.ipckit.net.ManagerAeronPeer.address;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manager over Aeron UDP on loopback: the same program as over TCP with an {@link AeronAddress}, clients in other
 * JVMs, the same authentication and refusals, and the deaths of clients and of the manager seen through Aeron's
 * liveness.
 */
class ManagerOverAeronTest
{
    private static final int MAX_FRAME_BYTES = 4096;
    /** How late past the liveness timeout a dead manager may be reported: timer ticks, scheduling, a slow machine. */
    private static final long SLACK_MS = 2_500;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private JvmProcess startPeer(final String... args)
    {
        return dir.start(ManagerAeronPeer.class, new ProcessOptions().args(args).inheritIO());
    }

    @Test
    void shouldServeClientJvmsAndReleaseTheLockOfAKilledOneWithinASecond() throws Exception
    {
        try (ManagerServer server = Manager.serve(address("127.0.0.1:0"), KEY, new ManagerOptions());
            Manager manager = Manager.connect(server.address(), KEY))
        {
            final String endpoint = ((AeronAddress)server.address()).endpoint();
            final ConcurrentMap<String, Object> dict = manager.dict();
            final Lock lock = manager.lock();
            final BlockingQueue<String> queue = manager.queue();
            manager.bind("dict", dict);
            manager.bind("lock", lock);
            manager.bind("queue", queue);

            final JvmProcess user = startPeer("use", endpoint);
            final JvmProcess locker = startPeer("lock", endpoint);
            assertTrue(user.join(60, TimeUnit.SECONDS), "the user JVM ended");
            assertEquals(0, user.exitCode().orElseThrow());
            assertEquals("from the locker", dict.get("took"));
            for (int i = 0; i < 100; i++)
            {
                assertEquals(i, dict.get("use-" + i));
            }
            assertEquals(locker.pid(), dict.get("locked"));
            assertFalse(lock.tryLock(), "the locker JVM holds the lock");
            Eventually.await("both clients seen", Duration.ofSeconds(10), () -> server.clientCount() >= 2);

            locker.kill();
            final long killed = System.nanoTime();
            assertTrue(lock.tryLock(10, TimeUnit.SECONDS), "the killed JVM's lock was released");
            final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(tookMs < 1_000, "lock released " + tookMs + " ms after the kill");
            lock.unlock();
            assertTrue(locker.join(10, TimeUnit.SECONDS));
            Eventually.await("the dead client's session ended", Duration.ofSeconds(10),
                () -> server.clientCount() == 1);
        }
    }

    @Test
    void shouldRefuseAWrongKeyGarbageAndAnOversizedFrameAndKeepServing() throws Exception
    {
        try (ManagerServer server = Manager.serve(address("127.0.0.1:0"), KEY,
            new ManagerOptions().maxFrameBytes(MAX_FRAME_BYTES));
            Manager good = Manager.connect(server.address(), KEY))
        {
            final AeronAddress address = (AeronAddress)server.address();
            final ConcurrentMap<String, Object> dict = good.dict();
            dict.put("before", 1);

            final AuthenticationException wrongKey = assertThrows(AuthenticationException.class,
                () -> Manager.connect(address, "wrong".getBytes(StandardCharsets.UTF_8)));
            assertTrue(wrongKey.getMessage().contains("rejected: wrong authkey"), wrongKey.getMessage());
            assertStillServing(address, dict);

            try (NetConnection raw = NetPipe.connect(address.endpoint(), address.options(), 10, TimeUnit.SECONDS))
            {
                final byte[] challenge = raw.recvBytes(10, TimeUnit.SECONDS);
                assertTrue(new String(challenge, StandardCharsets.US_ASCII).startsWith("#CHALLENGE#{sha256}"));
                raw.sendBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertArrayEquals("#FAILURE#".getBytes(StandardCharsets.US_ASCII),
                    raw.recvBytes(10, TimeUnit.SECONDS));
                assertThrows(EndOfStreamException.class, () -> raw.recvBytes(10, TimeUnit.SECONDS));
            }
            try (NetConnection raw = NetPipe.connect(address.endpoint(), address.options(), 10, TimeUnit.SECONDS))
            {
                raw.recvBytes(10, TimeUnit.SECONDS);
                raw.sendBytes(new byte[300]); // longer than any handshake frame: refused without an answer
                assertThrows(EndOfStreamException.class, () -> raw.recvBytes(10, TimeUnit.SECONDS));
            }
            try (FrameConnection authenticated = Client.connect(address, KEY))
            {
                authenticated.sendBytes(new byte[] {99, 1, 2, 3});
                final byte[] refusal = authenticated.recvBytes();
                assertEquals(7, refusal[0], "a FATAL frame");
                assertTrue(new String(refusal, StandardCharsets.UTF_8).contains("expected HELLO"));
                assertThrows(EndOfStreamException.class, authenticated::recvBytes);
            }
            assertStillServing(address, dict);

            try (Manager greedy = Manager.connect(address, KEY, new ManagerOptions().maxFrameBytes(1 << 20)))
            {
                final ConcurrentMap<String, Object> mine = greedy.dict();
                final ManagerGoneException ex = assertThrows(ManagerGoneException.class,
                    () -> mine.put("big", new byte[MAX_FRAME_BYTES * 2]));
                assertTrue(String.valueOf(ex.getCause()).contains("more than the maximum of " + MAX_FRAME_BYTES),
                    ex.toString());
            }
            assertStillServing(address, dict);
        }
    }

    @Test
    void shouldRefuseAMessageOverTheHandshakeLimitBeforeAuthenticationAndAcceptWholeFramesAfter() throws Exception
    {
        final int maxFrameBytes = 1 << 18;
        try (Listener listener = new Listener(address("127.0.0.1:0"), KEY, maxFrameBytes))
        {
            final AeronAddress address = (AeronAddress)listener.address();
            final CompletableFuture<NetConnection> connecting =
                CompletableFuture.supplyAsync(() -> connectRaw(address));
            final FrameConnection unauthenticated = listener.acceptRaw();
            assertEquals(FrameConnection.MAX_HANDSHAKE_FRAME_BYTES, unauthenticated.maxFrameBytes());
            final CompletableFuture<FrameConnection> authenticating =
                CompletableFuture.supplyAsync(() -> listener.authenticate(unauthenticated));
            try (NetConnection stranger = connecting.get(10, TimeUnit.SECONDS))
            {
                stranger.recvBytes(10, TimeUnit.SECONDS); // the challenge
                stranger.sendBytes(new byte[64 * 1024]); // under the manager's limit, over the handshake's
                assertThrows(EndOfStreamException.class, () -> stranger.recvBytes(10, TimeUnit.SECONDS));
            }
            final Exception refused = assertThrows(Exception.class, () -> authenticating.get(10, TimeUnit.SECONDS));
            assertInstanceOf(AuthenticationException.class, refused.getCause());
            // refused by the connection before reassembly (NetConnection's MessageTooLargeException)
            final String why = refused.getCause().getMessage();
            assertTrue(why.contains("before authentication") && why.contains("65536 bytes, more than the maximum of "),
                why);
            assertTrue(unauthenticated.isClosed());

            final CompletableFuture<FrameConnection> client = CompletableFuture.supplyAsync(
                () -> Client.connect(address, KEY, maxFrameBytes));
            try (FrameConnection served = listener.accept(); FrameConnection connected = client.get(10,
                TimeUnit.SECONDS))
            {
                assertEquals(maxFrameBytes, served.maxFrameBytes());
                assertEquals(maxFrameBytes, connected.maxFrameBytes());
                final byte[] whole = new byte[maxFrameBytes];
                whole[maxFrameBytes - 1] = 7;
                // a frame longer than a term goes while the peer receives
                final CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> connected.sendBytes(whole));
                assertArrayEquals(whole, served.recvBytes());
                sent.get(10, TimeUnit.SECONDS);
                final CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> served.sendBytes(whole));
                assertArrayEquals(whole, connected.recvBytes());
                answered.get(10, TimeUnit.SECONDS);
                assertThrows(FrameTooLargeException.class, () -> connected.sendBytes(new byte[maxFrameBytes + 1]));
                // the server's end closes while the client reads its end of stream, so neither lingers
                final CompletableFuture<Void> closing = CompletableFuture.runAsync(listener::close);
                assertThrows(EndOfStreamException.class, connected::recvBytes);
                closing.get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static NetConnection connectRaw(final AeronAddress address)
    {
        try
        {
            return NetPipe.connect(address.endpoint(), address.options(), 10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static void assertStillServing(final AeronAddress address, final ConcurrentMap<String, Object> dict)
    {
        dict.put("after", 2);
        assertEquals(1, dict.get("before"));
        try (Manager another = Manager.connect(address, KEY))
        {
            another.list().add("fine");
        }
    }

    @Test
    void shouldFailCallsWithManagerGoneWithinTheLivenessBoundWhenTheManagerJvmIsKilled() throws Exception
    {
        final String endpoint = "127.0.0.1:" + NetTesting.freePort();
        final JvmProcess server = startPeer("serve", endpoint);
        try (Manager manager = Manager.connect(address(endpoint), KEY))
        {
            final ConcurrentMap<String, Object> dict = manager.dict();
            dict.put("alive", true);
            server.kill();
            final long killed = System.nanoTime();
            final ManagerGoneException ex = assertThrows(ManagerGoneException.class, () -> dict.get("alive"));
            final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(tookMs < LIVENESS_MS + SLACK_MS, "ManagerGoneException after " + tookMs + " ms: " + ex);
            assertTrue(manager.isGone());
            assertInstanceOf(ManagerGoneException.class, assertThrows(ManagerGoneException.class,
                () -> dict.put("later", 1)));
        }
        assertTrue(server.join(10, TimeUnit.SECONDS));
        assertEquals(-JvmProcess.SIGKILL, server.exitCode().orElseThrow());
    }

    @Test
    void shouldFailWithinTheReconnectTimeoutWhenADurableManagerDoesNotComeBack() throws Exception
    {
        final String endpoint = "127.0.0.1:" + NetTesting.freePort();
        final String journal = dir.path().resolve("journal").toString();
        final JvmProcess server = startPeer("serve", endpoint, journal);
        final long reconnectMs = 1_000;
        // each connect attempt could wait AeronAddress.connectTimeout() (10 s): the reconnect must end on time
        try (Manager manager = Manager.connect(address(endpoint), KEY, new ManagerOptions()
            .reconnectTimeout(reconnectMs, TimeUnit.MILLISECONDS).callTimeout(60, TimeUnit.SECONDS)))
        {
            final ConcurrentMap<String, Object> dict = manager.dict();
            dict.put("before", 1);
            server.kill();
            final long killed = System.nanoTime();
            final ManagerGoneException ex = assertThrows(ManagerGoneException.class, () -> dict.get("before"));
            final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            System.out.println("a durable manager that did not come back: the call failed " + tookMs +
                " ms after the kill (liveness " + LIVENESS_MS + " ms + reconnect " + reconnectMs + " ms)");
            assertTrue(tookMs < LIVENESS_MS + reconnectMs + 2_000, "ManagerGoneException after " + tookMs + " ms: " +
                ex);
            assertTrue(manager.isGone());
        }
        assertTrue(server.join(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldReconnectToADurableManagerRestartedAfterASigkill() throws Exception
    {
        final String endpoint = "127.0.0.1:" + NetTesting.freePort();
        final String journal = dir.path().resolve("journal").toString();
        final JvmProcess first = startPeer("serve", endpoint, journal);
        try (Manager manager = Manager.connect(address(endpoint), KEY,
            new ManagerOptions().reconnectTimeout(30, TimeUnit.SECONDS)))
        {
            final ConcurrentMap<String, Object> dict = manager.dict();
            dict.put("before", 1);
            first.kill();
            assertTrue(first.join(10, TimeUnit.SECONDS));
            final JvmProcess second = startPeer("serve", endpoint, journal);
            dict.put("after", 2); // waits for the reconnection, then is sent again
            assertEquals(1, dict.get("before"));
            assertEquals(2, dict.get("after"));
            assertFalse(manager.isGone());
            manager.shutdown();
            assertTrue(second.join(10, TimeUnit.SECONDS));
        }
    }
}
