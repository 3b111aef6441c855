package io.ipckit.net.bridge;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.internal.net.FreePort;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.core.tracker.ResourceTracker;
import io.ipckit.durable.SharedLog;
import io.ipckit.durable.SharedLogOptions;
import io.ipckit.net.NetOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A bridge binds its address before {@code serve} returns. Bound later, in its accepting thread, the port was free
 * for a moment after {@code serve}: a replica of the same host connecting at once could be given that port as its own
 * reply endpoint, and its HELLO then went to itself until its connect timed out. A port already taken makes
 * {@code serve} throw, naming the address, and leaves no media driver behind.
 */
@Timeout(60)
class LogReplicatorBindTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final NetOptions options = new NetOptions()
        .livenessTimeout(1, TimeUnit.SECONDS)
        .closeLingerTimeout(1, TimeUnit.SECONDS)
        .termLengthBytes(256 * 1024);

    @Test
    void shouldHoldItsPortWhenServeReturns() throws Exception
    {
        final int port = FreePort.udp();
        try (SharedLog<Long> log = SharedLog.openOrCreate(dir.path().resolve("log"), Codecs.LONG,
                new SharedLogOptions());
             LogReplicator replicator = LogReplicator.serve(log, "127.0.0.1:" + port, options))
        {
            assertThrows(BindException.class, () ->
            {
                try (DatagramSocket taker = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    port)))
                {
                    fail("the port was free after serve returned: " + taker.getLocalPort());
                }
            });
            assertNull(replicator.failure());
        }
    }

    @Test
    void shouldThrowFromServeWhenItsPortIsTaken() throws Exception
    {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SharedLog<Long> log = SharedLog.openOrCreate(dir.path().resolve("log"), Codecs.LONG,
                new SharedLogOptions()))
        {
            final String address = "127.0.0.1:" + taken.getLocalPort();
            final IpcException refused = assertThrows(IpcException.class,
                () -> LogReplicator.serve(log, address, options).close());
            assertTrue(refused.getMessage().contains("binding " + address), refused.getMessage());
            assertEquals(List.of(), aeronDirectories(), "the media driver started for the listener was left running");
        }
    }

    /** The directories of this process's embedded media drivers in the shared directory. */
    private List<String> aeronDirectories() throws Exception
    {
        final String prefix = ResourceTracker.OWNED_DIRECTORY_PREFIX + ProcessHandle.current().pid() + "-";
        try (Stream<Path> entries = Files.list(dir.path()))
        {
            return entries.map((entry) -> entry.getFileName().toString()).filter((name) -> name.startsWith(prefix))
                .toList();
        }
    }
}
