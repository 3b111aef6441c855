package io.ipckit.net;

import io.aeron.ChannelUri;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.testing.SystemProperties;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Setting connections up: options, addresses, session pairing, an external media driver.
 */
@Timeout(60)
class NetPipeSetupTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final String address = "127.0.0.1:" + NetTesting.freePort();

    /**
     * Before, a stream id given by property that was not a number was taken as unset, and an embedded-driver flag
     * that was not "true" as false: an external driver the user never started.
     */
    @Test
    void shouldRefuseAPropertyDefaultItsSetterRefuses()
    {
        for (final String[] bad : new String[][] {
            {NetOptions.LIVENESS_TIMEOUT_PROP_NAME, "100", "livenessTimeout must be at least 200 ms: 100 MILLISECONDS"},
            {NetOptions.STREAM_ID_PROP_NAME, "ten", "not a whole number from -2147483648 to 2147483647"},
            {NetOptions.EMBEDDED_DRIVER_PROP_NAME, "yes", "not true or false"}})
        {
            assertEquals("-D" + bad[0] + "=" + bad[1] + ": " + bad[2] + "; fix the property or remove it",
                SystemProperties.refusal(bad[0], bad[1], NetOptions::new));
        }
    }

    @Test
    void shouldRefuseInvalidOptionsWhenSet()
    {
        final NetOptions options = new NetOptions();
        assertThrows(IllegalArgumentException.class, () -> options.termLengthBytes(100_000));
        assertThrows(IllegalArgumentException.class, () -> options.termLengthBytes(32 * 1024));
        assertThrows(IllegalArgumentException.class, () -> options.mtuLengthBytes(1000));
        assertThrows(IllegalArgumentException.class, () -> options.mtuLengthBytes(1409));
        assertThrows(IllegalArgumentException.class, () -> options.livenessTimeout(100, TimeUnit.MILLISECONDS));
        assertThrows(IllegalArgumentException.class, () -> options.closeLingerTimeout(-1, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> options.receiveLossRate(1));
        assertThrows(NullPointerException.class, () -> options.codec(null));
        assertEquals(NetOptions.TERM_LENGTH_DEFAULT, options.termLengthBytes());
        assertEquals(2, options.livenessTimeout(TimeUnit.SECONDS));
    }

    @Test
    void shouldRefuseAReplyHostOnListenAndBadAddresses()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> NetPipe.listen(address, options().replyHost("127.0.0.1"), 1, TimeUnit.SECONDS));
        assertTrue(ex.getMessage().contains("replyHost"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NetPipe.connect("no-port", options(), 1, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class,
            () -> NetPipe.connect("aeron:ipc", options(), 1, TimeUnit.SECONDS));
    }

    @Test
    void shouldBuildPublicationChannelsWithTheTermAndMtuLengths()
    {
        final ChannelUri publication = ChannelUri.parse(NetPipe.channel("10.0.0.1:4000", options(), true));
        assertEquals("udp", publication.media());
        assertEquals("10.0.0.1:4000", publication.get("endpoint"));
        assertEquals("262144", publication.get("term-length"));
        assertEquals("1408", publication.get("mtu"));
        final ChannelUri subscription = ChannelUri.parse(NetPipe.channel("10.0.0.1:4000", options(), false));
        assertNull(subscription.get("term-length"));
        final ChannelUri given = ChannelUri.parse(
            NetPipe.channel("aeron:udp?endpoint=[::1]:4000|mtu=8192", options(), true));
        assertEquals("[::1]:4000", given.get("endpoint"));
        assertEquals("8192", given.get("mtu"));
        assertEquals("262144", given.get("term-length"));
    }

    @Test
    void shouldPairOneConnectorAndLeaveTheOthersToTheNextListener() throws Exception
    {
        final Future<NetConnection> accepted =
            executor.submit(() -> NetPipe.listen(address, options(), 20, TimeUnit.SECONDS));
        Future<NetConnection> waiting = null;
        try (NetConnection first = NetPipe.connect(address, options(), 20, TimeUnit.SECONDS);
            NetConnection listener = accepted.get(20, TimeUnit.SECONDS))
        {
            // its HELLOs reach this listener, which ignores them, as the next one's do during the second below
            waiting = executor.submit(() -> NetPipe.connect(address, options(), 20, TimeUnit.SECONDS));
            assertThrows(IpcTimeoutException.class, () -> NetPipe.connect(address, options(), 1, TimeUnit.SECONDS));
            first.sendBytes(new byte[] {5});
            assertArrayEquals(new byte[] {5}, listener.recvBytes(5, TimeUnit.SECONDS));
            listener.sendBytes(new byte[] {6});
            assertArrayEquals(new byte[] {6}, first.recvBytes(5, TimeUnit.SECONDS));
            final CompletableFuture<Void> closing = CompletableFuture.runAsync(listener::close);
            first.close();
            closing.join();
            assertFalse(waiting.isDone());

            // the next listener's image of the waiting connector starts after the HELLO the first one took
            try (NetConnection next = NetPipe.listen(address, options(), 10, TimeUnit.SECONDS);
                NetConnection second = waiting.get(10, TimeUnit.SECONDS))
            {
                second.sendBytes(new byte[] {7});
                assertArrayEquals(new byte[] {7}, next.recvBytes(5, TimeUnit.SECONDS));
                final CompletableFuture<Void> closingNext = CompletableFuture.runAsync(next::close);
                second.close();
                closingNext.join();
            }
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void shouldConnectThroughAnExternalMediaDriver() throws Exception
    {
        final String driverDirectory = dir.path().resolve("external-driver").toString();
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(driverDirectory)
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)))
        {
            final NetOptions external = options().embeddedDriver(false).driverDirectory(driverDirectory);
            final Future<NetConnection> accepted =
                executor.submit(() -> NetPipe.listen(address, external, 20, TimeUnit.SECONDS));
            try (NetConnection connector = NetPipe.connect(address, external, 20, TimeUnit.SECONDS);
                NetConnection listener = accepted.get(20, TimeUnit.SECONDS))
            {
                connector.send("through the external driver");
                assertEquals("through the external driver", listener.recv());
                final CompletableFuture<Void> closing = CompletableFuture.runAsync(listener::close);
                connector.close();
                closing.join();
            }
            assertTrue(Files.isDirectory(dir.path().resolve("external-driver")), "the driver is the user's");
        }
        finally
        {
            executor.shutdownNow();
        }
    }
}
