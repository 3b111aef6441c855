package io.ipckit.net;

import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetTesting.message;
import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A close that a receive's handler outlives: the handler reads the message in place, in Aeron's term, so nothing may
 * unmap it until the handler has returned.
 */
class NetCloseDuringHandlerTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldKeepTheTermMappedUntilAHandlerThatOutlivesTheClosesReturns() throws Exception
    {
        final byte[] sent = message(1000, 1);
        final NetListener listener = NetListener.open("127.0.0.1:0", options());
        final CompletableFuture<NetConnection> connecting = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return NetPipe.connect(listener.address(), options(), 20, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        try (listener;
            NetConnection served = listener.accept(20, TimeUnit.SECONDS);
            NetConnection client = connecting.get(20, TimeUnit.SECONDS))
        {
            client.sendBytes(sent);
            final CountDownLatch inHandler = new CountDownLatch(1);
            final CountDownLatch closed = new CountDownLatch(1);
            final CompletableFuture<byte[]> read = new CompletableFuture<>();
            final Thread receiver = new Thread(() ->
            {
                try
                {
                    served.receive((final DirectBuffer buffer, final int offset, final int length) ->
                    {
                        inHandler.countDown();
                        try
                        {
                            closed.await();
                        }
                        catch (final InterruptedException ex)
                        {
                            Thread.currentThread().interrupt();
                        }
                        final byte[] copy = new byte[length];
                        buffer.getBytes(offset, copy);
                        read.complete(copy);
                    });
                }
                catch (final Throwable ex)
                {
                    read.completeExceptionally(ex);
                }
            }, "slow-handler");
            receiver.start();
            assertTrue(inHandler.await(20, TimeUnit.SECONDS), "the handler runs");
            served.close(); // gives up waiting for the handler after 5 s
            listener.close();
            closed.countDown();
            assertEquals(java.util.Arrays.toString(sent), java.util.Arrays.toString(read.get(20, TimeUnit.SECONDS)));
            receiver.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(receiver.isAlive(), "the receiving thread ended");
            assertEquals(0, listener.connectionCount());
        }
        Eventually.await("every driver directory removed", Duration.ofSeconds(10), () -> dir.list().isEmpty());
        assertEquals(List.of(), dir.list());
    }
}
