package io.ipckit.net;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.aeron.Publication;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.net.internal.AeronEndpoint;
import io.ipckit.net.internal.FrameDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link NetListener} accepting many connectors on one endpoint, in this JVM.
 */
class NetListenerTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldTimeOutATimedAcceptWhileAnotherThreadAcceptsWithoutLimit() throws Exception
    {
        try (NetListener listener = NetListener.open("127.0.0.1:0", options()))
        {
            final CompletableFuture<Throwable> unbounded = new CompletableFuture<>();
            final Thread first = new Thread(() ->
            {
                try
                {
                    listener.accept();
                    unbounded.complete(null);
                }
                catch (final Throwable ex)
                {
                    unbounded.complete(ex);
                }
            }, "unbounded-accept");
            first.start();
            Eventually.await("a thread accepting without limit", Duration.ofSeconds(10),
                () -> java.util.Arrays.stream(first.getStackTrace())
                    .anyMatch((frame) -> "acceptNs".equals(frame.getMethodName())));
            final IpcTimeoutException ex = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(IpcTimeoutException.class, () -> listener.accept(200, TimeUnit.MILLISECONDS)),
                "a timed accept waited for the other thread's accept");
            assertTrue(ex.getMessage().contains(listener.address()), ex.getMessage());
            listener.close();
            assertInstanceOf(ResourceClosedException.class, unbounded.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldAcceptManyPeersOnOneEndpointEachOnItsOwnConnection() throws Exception
    {
        final int peers = 3;
        try (NetListener listener = NetListener.open("127.0.0.1:0", options()))
        {
            assertNotEquals("127.0.0.1:0", listener.address());
            final List<CompletableFuture<NetConnection>> connecting = new ArrayList<>();
            for (int i = 0; i < peers; i++)
            {
                connecting.add(CompletableFuture.supplyAsync(() -> connect(listener.address())));
            }
            final List<NetConnection> served = new ArrayList<>();
            for (int i = 0; i < peers; i++)
            {
                served.add(listener.accept(20, TimeUnit.SECONDS));
            }
            assertEquals(peers, listener.connectionCount());
            final List<NetConnection> clients = new ArrayList<>();
            for (final CompletableFuture<NetConnection> future : connecting)
            {
                clients.add(future.get(20, TimeUnit.SECONDS));
            }
            final Map<Integer, NetConnection> byFirstByte = new HashMap<>();
            for (int i = 0; i < peers; i++)
            {
                clients.get(i).sendBytes(new byte[] {(byte)i});
            }
            for (final NetConnection connection : served)
            {
                final byte[] first = connection.recvBytes(10, TimeUnit.SECONDS);
                byFirstByte.put((int)first[0], connection);
                connection.sendBytes(new byte[] {first[0], 42});
            }
            assertEquals(peers, byFirstByte.size(), "each peer on its own connection");
            for (int i = 0; i < peers; i++)
            {
                assertArrayEquals(new byte[] {(byte)i, 42}, clients.get(i).recvBytes(10, TimeUnit.SECONDS));
            }

            final NetConnection first = byFirstByte.get(0);
            final CompletableFuture<Throwable> firstEnd = CompletableFuture.supplyAsync(end(first));
            clients.get(0).close();
            assertInstanceOf(EndOfStreamException.class, firstEnd.get(10, TimeUnit.SECONDS));
            first.close();
            assertEquals(peers - 1, listener.connectionCount());
            clients.get(1).sendBytes(new byte[] {7});
            assertArrayEquals(new byte[] {7}, byFirstByte.get(1).recvBytes(10, TimeUnit.SECONDS));

            final List<CompletableFuture<Throwable>> ends = new ArrayList<>();
            for (int i = 1; i < peers; i++)
            {
                ends.add(CompletableFuture.supplyAsync(end(clients.get(i))));
            }
            listener.close();
            for (int i = 1; i < peers; i++)
            {
                assertInstanceOf(EndOfStreamException.class, ends.get(i - 1).get(10, TimeUnit.SECONDS));
                clients.get(i).close();
            }
            assertThrows(ResourceClosedException.class, () -> listener.accept(0, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldAcceptAPeerWhileAnotherHandshakeWaitsForAReplyEndpointThatNeverAnswers() throws Exception
    {
        try (NetListener listener = NetListener.open("127.0.0.1:0", options());
            AeronEndpoint stranger = AeronEndpoint.start(options());
            Publication hello = stranger.aeron().addPublication(
                "aeron:udp?endpoint=" + listener.address(), options().streamId()))
        {
            final UnsafeBuffer silent = new UnsafeBuffer(
                ("127.0.0.1:" + NetTesting.freePort()).getBytes(StandardCharsets.US_ASCII));
            Eventually.await("the stranger's HELLO sent", Duration.ofSeconds(10), () ->
                hello.offer(silent, 0, silent.capacity(), (buffer, offset, length) -> FrameDescriptor.tag(
                    FrameDescriptor.HELLO, 0)) > 0);
            final CompletableFuture<NetConnection> connecting =
                CompletableFuture.supplyAsync(() -> connect(listener.address()));
            try (NetConnection served = listener.accept(10, TimeUnit.SECONDS);
                NetConnection client = connecting.get(10, TimeUnit.SECONDS))
            {
                client.sendBytes(new byte[] {5});
                assertArrayEquals(new byte[] {5}, served.recvBytes(10, TimeUnit.SECONDS));
                assertEquals(1, listener.connectionCount());
                final CompletableFuture<Throwable> end = CompletableFuture.supplyAsync(end(served));
                client.close();
                assertInstanceOf(EndOfStreamException.class, end.get(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void shouldTimeOutAnAcceptWhenNoPeerComes() throws Exception
    {
        try (NetListener listener = NetListener.open("127.0.0.1:0", options()))
        {
            final IpcTimeoutException ex = assertThrows(IpcTimeoutException.class,
                () -> listener.accept(50, TimeUnit.MILLISECONDS));
            assertTrue(ex.getMessage().contains(listener.address()), ex.getMessage());
        }
    }

    @Test
    void shouldRefuseReplyHostOnAListener()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> NetListener.open("127.0.0.1:0", options().replyHost("127.0.0.1")));
        assertTrue(ex.getMessage().contains("replyHost"), ex.getMessage());
    }

    /**
     * @return what a client's receive ends with, waiting at most 10 s.
     */
    private static java.util.function.Supplier<Throwable> end(final NetConnection client)
    {
        return () ->
        {
            try
            {
                client.recvBytes(10, TimeUnit.SECONDS);
                return null;
            }
            catch (final Throwable ex)
            {
                return ex;
            }
        };
    }

    private static NetConnection connect(final String address)
    {
        try
        {
            return NetPipe.connect(address, options(), 20, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
