package io.ipckit.net;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.core.tracker.ResourceTracker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.ipckit.net.NetTesting.message;
import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Both ends in this JVM (each with its own embedded driver) on loopback: the connection's contract.
 */
@Timeout(60)
class NetPipeTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private NetConnection listener;
    private NetConnection connector;

    @BeforeEach
    void connect() throws Exception
    {
        final String address = "127.0.0.1:" + NetTesting.freePort();
        final Future<NetConnection> accepted =
            executor.submit(() -> NetPipe.listen(address, options(), 20, TimeUnit.SECONDS));
        connector = NetPipe.connect(address, options(), 20, TimeUnit.SECONDS);
        listener = accepted.get(20, TimeUnit.SECONDS);
    }

    @AfterEach
    void close()
    {
        final CompletableFuture<Void> a = CompletableFuture.runAsync(() -> { if (listener != null) listener.close(); });
        if (connector != null)
        {
            connector.close();
        }
        a.join();
        executor.shutdownNow();
    }

    @Test
    void shouldSendBothWaysInOrderAtManySizes() throws Exception
    {
        final int[] sizes = {0, 1, 7, 64, 1_000, 1_360, 1_361, 1_400, 4_096, 65_536, 300_000, 1_000_000};
        final Future<?> echo = executor.submit(() ->
        {
            for (int i = 0; i < sizes.length; i++)
            {
                listener.sendBytes(listener.recvBytes());
            }
            return null;
        });
        final Future<?> send = executor.submit(() ->
        {
            for (int i = 0; i < sizes.length; i++)
            {
                connector.sendBytes(message(sizes[i], i));
            }
            return null;
        });
        for (int i = 0; i < sizes.length; i++)
        {
            assertArrayEquals(message(sizes[i], i), connector.recvBytes(10, TimeUnit.SECONDS), "message " + i);
        }
        echo.get(10, TimeUnit.SECONDS);
        send.get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldKeepOrderOfManySmallMessages() throws Exception
    {
        final int count = 100_000;
        final Future<?> sender = executor.submit(() ->
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
            for (long i = 0; i < count; i++)
            {
                buffer.putLong(0, i);
                connector.sendBytes(buffer, 0, 8);
            }
            return null;
        });
        final long[] next = {0};
        while (next[0] < count)
        {
            listener.receive((buffer, offset, length) ->
            {
                assertEquals(8, length);
                assertEquals(next[0], buffer.getLong(offset));
                next[0]++;
            }, 10, TimeUnit.SECONDS);
        }
        sender.get(10, TimeUnit.SECONDS);
        assertFalse(listener.poll());
    }

    @Test
    void shouldSendObjectsThroughCodecs() throws Exception
    {
        connector.send("hello");
        connector.send(42L, Codecs.LONG);
        connector.sendAll(List.of("a", "b"), Codecs.STRING);
        assertEquals("hello", listener.recv());
        assertEquals(42L, listener.recv(Codecs.LONG));
        assertEquals("a", listener.recv(Codecs.STRING, 5, TimeUnit.SECONDS));
        assertEquals("b", listener.recv(Codecs.STRING, 5, TimeUnit.SECONDS));
    }

    @Test
    void shouldSendClaimedMessagesInPlace() throws Exception
    {
        final int index = connector.claim(16, 5, TimeUnit.SECONDS);
        assertTrue(index >= 0);
        connector.claimBuffer().putLong(index, 7);
        connector.claimBuffer().putLong(index + 8, 9);
        connector.commit(index);
        final int aborted = connector.tryClaim(4);
        assertTrue(aborted >= 0);
        connector.abort(aborted);
        connector.sendBytes(new byte[] {1});
        final AtomicReference<String> seen = new AtomicReference<>();
        assertTrue(listener.receive(
            (buffer, offset, length) -> seen.set(length + ":" + buffer.getLong(offset) + ":" + buffer.getLong(offset + 8)),
            5, TimeUnit.SECONDS));
        assertEquals("16:7:9", seen.get());
        assertArrayEquals(new byte[] {1}, listener.recvBytes(5, TimeUnit.SECONDS));
    }

    @Test
    void shouldRefuseClaimsBeyondTheLimitAndMisuse()
    {
        assertEquals(1408 - 32, connector.maxClaimLength());
        assertThrows(IllegalArgumentException.class, () -> connector.tryClaim(connector.maxClaimLength() + 1));
        assertThrows(IllegalArgumentException.class, () -> connector.tryClaim(-1));
        assertThrows(IllegalStateException.class, () -> connector.commit(40));
        final int index = connector.tryClaim(8);
        assertThrows(IllegalStateException.class, () -> connector.tryClaim(8));
        assertThrows(IllegalStateException.class, () -> connector.sendBytes(new byte[1]));
        connector.commit(index);
        assertThrows(IllegalStateException.class, () -> connector.abort(index));
    }

    /**
     * A slice outside its buffer is refused before a frame is claimed. Before, the copy into the claimed frame threw,
     * the claim stayed open, and every later send waited for Aeron's 15 s unblock timeout.
     */
    @Test
    void shouldRefuseASliceOutsideItsBufferAndSendOnAtOnce() throws Exception
    {
        final UnsafeBuffer small = new UnsafeBuffer(new byte[16]);
        assertThrows(IndexOutOfBoundsException.class, () -> connector.sendBytes(small, 100, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> connector.sendBytes(small, 0, -5));
        assertThrows(IndexOutOfBoundsException.class, () -> connector.sendBytes(small, 8, 4000)); // a split message
        assertTrue(connector.sendBytes(new UnsafeBuffer(new byte[]{7}), 0, 1, 5, TimeUnit.SECONDS),
            "the next message went within 5 s");
        assertArrayEquals(new byte[]{7}, listener.recvBytes(5, TimeUnit.SECONDS));
    }

    @Test
    void shouldRefuseAClaimUsedAfterTheConnectionClosed()
    {
        final int index = connector.tryClaim(16);
        assertTrue(index >= 0);
        final var kept = connector.claimBuffer();
        connector.close(); // gives the claim up; Aeron may unmap the term the view pointed into
        // before: the view still pointed into the term, and commit and abort said there was no claim
        assertThrows(ResourceClosedException.class, connector::claimBuffer);
        assertThrows(ResourceClosedException.class, () -> connector.commit(index));
        assertThrows(ResourceClosedException.class, () -> connector.abort(index));
        assertEquals(0, kept.capacity(), "a view kept from before the close points at nothing");
    }

    @Test
    void shouldDrainWhatIsThereWithoutWaiting() throws Exception
    {
        assertEquals(0, listener.drain((b, o, l) -> { }, 10));
        for (int i = 0; i < 5; i++)
        {
            connector.sendBytes(new byte[] {(byte)i});
        }
        assertTrue(listener.poll(5, TimeUnit.SECONDS));
        final List<Byte> got = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (got.size() < 5 && System.nanoTime() < deadline)
        {
            listener.drain((buffer, offset, length) -> got.add(buffer.getByte(offset)), 3);
        }
        assertEquals(List.of((byte)0, (byte)1, (byte)2, (byte)3, (byte)4), got);
    }

    @Test
    void shouldTimeOutWhenNothingArrives() throws Exception
    {
        final long start = System.nanoTime();
        assertNull(listener.recvBytes(200, TimeUnit.MILLISECONDS));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200));
        assertNull(listener.recvBytes(0, TimeUnit.SECONDS));
        assertFalse(listener.poll(0, TimeUnit.SECONDS));
        assertFalse(listener.receive((b, o, l) -> fail("nothing was sent"), -1, TimeUnit.SECONDS));
    }

    @Test
    void shouldTimeOutSendingWhenThePeerDoesNotRead() throws Exception
    {
        final UnsafeBuffer big = new UnsafeBuffer(new byte[64 * 1024]);
        int sent = 0;
        while (connector.sendBytes(big, 0, big.capacity(), 100, TimeUnit.MILLISECONDS))
        {
            assertTrue(++sent < 1000, "flow control never held the sender back");
        }
        // the partial message the timeout left is discarded: the next message arrives whole after the full ones
        final int full = sent;
        final Future<?> reader = executor.submit(() ->
        {
            for (int i = 0; i < full; )
            {
                final byte[] got = listener.recvBytes(5, TimeUnit.SECONDS);
                assertNotNull(got);
                if (got.length == 3)
                {
                    return got;
                }
                assertEquals(big.capacity(), got.length);
                i++;
            }
            return listener.recvBytes(5, TimeUnit.SECONDS);
        });
        connector.sendBytes(new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[])reader.get(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldThrowEndOfStreamAfterTheMessagesWhenThePeerCloses() throws Exception
    {
        connector.sendBytes(new byte[] {1});
        connector.sendBytes(message(5_000, 1));
        final Future<?> closing = executor.submit(() -> connector.close());
        assertArrayEquals(new byte[] {1}, listener.recvBytes(5, TimeUnit.SECONDS));
        assertArrayEquals(message(5_000, 1), listener.recvBytes(5, TimeUnit.SECONDS));
        assertThrows(EndOfStreamException.class, () -> listener.recvBytes(5, TimeUnit.SECONDS));
        assertThrows(EndOfStreamException.class, () -> listener.recvBytes());
        assertTrue(listener.poll());
        assertThrows(EndOfStreamException.class, () -> listener.drain((b, o, l) -> { }, 1));
        assertThrows(PeerGoneException.class, () -> listener.sendBytes(new byte[1]));
        closing.get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldThrowClosedOnUseAfterCloseAndCloseIdempotently() throws Exception
    {
        final Future<?> closing = executor.submit(() -> connector.close());
        assertThrows(EndOfStreamException.class, () -> listener.recvBytes(5, TimeUnit.SECONDS));
        closing.get(5, TimeUnit.SECONDS);
        connector.close();
        assertTrue(connector.isClosed());
        assertThrows(ResourceClosedException.class, () -> connector.sendBytes(new byte[1]));
        assertThrows(ResourceClosedException.class, () -> connector.recvBytes(0, TimeUnit.SECONDS));
        assertThrows(ResourceClosedException.class, () -> connector.tryClaim(1));
        assertThrows(ResourceClosedException.class, () -> connector.poll());
    }

    @Test
    void shouldWakeABlockedReceiverWithClosedWhenClosedLocally() throws Exception
    {
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                listener.recvBytes();
            }
            catch (final Throwable ex)
            {
                thrown.set(ex);
            }
        });
        thread.start();
        Eventually.await("the receiver to idle", Duration.ofSeconds(5),
            () -> thread.getState() == Thread.State.TIMED_WAITING);
        listener.close();
        thread.join(5_000);
        assertInstanceOf(ResourceClosedException.class, thrown.get());
    }

    @Test
    void shouldThrowInterruptedWhenInterruptedWhileWaiting() throws Exception
    {
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                listener.recvBytes();
            }
            catch (final Throwable ex)
            {
                thrown.set(ex);
            }
        });
        thread.start();
        thread.interrupt();
        thread.join(5_000);
        assertInstanceOf(InterruptedException.class, thrown.get());
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> listener.poll(1, TimeUnit.SECONDS));
        assertFalse(Thread.interrupted());
    }

    @Test
    void shouldPassHandlerFailuresToTheCallerAndConsumeTheMessage() throws Exception
    {
        connector.sendBytes(new byte[] {1});
        connector.sendBytes(new byte[] {2});
        assertThrows(IllegalStateException.class, () -> listener.receive(
            (b, o, l) -> { throw new IllegalStateException("handler"); }, 5, TimeUnit.SECONDS));
        assertArrayEquals(new byte[] {2}, listener.recvBytes(5, TimeUnit.SECONDS));
    }

    @Test
    void shouldTimeOutConnectingWhenNobodyListens()
    {
        final String address = "127.0.0.1:" + NetTesting.freePort();
        final long start = System.nanoTime();
        assertThrows(IpcTimeoutException.class, () -> NetPipe.connect(address, options(), 500, TimeUnit.MILLISECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
        assertThrows(IpcTimeoutException.class, () -> NetPipe.listen(address, options(), 200, TimeUnit.MILLISECONDS));
    }

    @Test
    void shouldDeleteTheEmbeddedDriversDirectoriesOnClose() throws Exception
    {
        assertEquals(2, driverDirectories());
        final Future<?> closing = executor.submit(() -> listener.close());
        connector.close();
        closing.get(5, TimeUnit.SECONDS);
        assertEquals(0, driverDirectories());
    }

    private long driverDirectories() throws Exception
    {
        try (var files = Files.list(dir.path()))
        {
            return files.map(Path::getFileName).filter((p) -> p.toString().startsWith(ResourceTracker.OWNED_DIRECTORY_PREFIX)).count();
        }
    }
}
