package io.ipckit.manager.internal;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import io.ipckit.shm.SharedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client pipe closed by one thread while another thread's handler reads a reply in place.
 */
@Timeout(60)
class ClientPipeTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    /**
     * The close lets the reading thread finish: the pipe is closed (the manager's end sees the end of the stream) as
     * that thread leaves its receive, not under its handler. Before, the close unmapped the ring while the handler
     * still read the record in it (a JVM crash when it read then).
     */
    @Test
    void shouldCloseThePipeOnlyOnceTheReadingThreadHasLeft() throws Exception
    {
        try (Connection managerEnd = Pipe.create("client-pipe");
            SharedMemory bell = SharedMemory.create("client-pipe-bell", 64))
        {
            final ClientPipe client = new ClientPipe("client-pipe", "client-pipe-bell");
            managerEnd.sendBytes(new byte[]{1});
            final CountDownLatch inHandler = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final CompletableFuture<Boolean> read = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return client.receive((buffer, offset, length) ->
                    {
                        inHandler.countDown();
                        awaitQuietly(release); // the record is still in the ring here
                    }, TimeUnit.SECONDS.toNanos(20));
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            assertTrue(inHandler.await(20, TimeUnit.SECONDS));
            client.close();
            final BufferHandler ignore = (buffer, offset, length) -> { };
            try
            {
                assertFalse(managerEnd.receive(ignore, 0, TimeUnit.NANOSECONDS),
                    "the client's end stays open while its handler reads");
            }
            finally
            {
                release.countDown();
            }
            assertTrue(read.get(20, TimeUnit.SECONDS));
            Eventually.await("the manager's end sees the end of the stream", Duration.ofSeconds(10), () ->
            {
                try
                {
                    managerEnd.receive(ignore, 0, TimeUnit.NANOSECONDS);
                    return false;
                }
                catch (final EndOfStreamException ex)
                {
                    return true;
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            assertThrows(ResourceClosedException.class, () -> client.receive(ignore, 0));
            assertThrows(ResourceClosedException.class, () -> client.send(new byte[]{2}, 1, 0));
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            assertTrue(latch.await(20, TimeUnit.SECONDS));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
