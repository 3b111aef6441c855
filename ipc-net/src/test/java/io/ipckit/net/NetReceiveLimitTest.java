package io.ipckit.net;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetTesting.message;
import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NetConnection#maxReceiveBytes(int)}: a longer message is refused without being reassembled, and the
 * connection goes on with the next one.
 */
class NetReceiveLimitTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldRefuseAMessageOverTheLimitAndGoOnWithTheNext() throws Exception
    {
        final String address = "127.0.0.1:" + NetTesting.freePort();
        final CompletableFuture<NetConnection> listening = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return NetPipe.listen(address, quickClose(), 20, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        try (NetConnection sender = NetPipe.connect(address, quickClose(), 20, TimeUnit.SECONDS);
            NetConnection receiver = listening.get(20, TimeUnit.SECONDS))
        {
            final IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                () -> receiver.maxReceiveBytes(receiver.maxClaimLength() - 1));
            assertTrue(tooSmall.getMessage().contains("maxClaimLength"), tooSmall.getMessage());
            receiver.maxReceiveBytes(4096);

            sender.sendBytes(message(100_000, 1));
            sender.sendBytes(message(100, 2));
            sender.sendBytes(message(4096, 3));
            sender.sendBytes(message(4097, 4));
            sender.sendBytes(message(10, 5));

            assertTrue(receiver.poll(10, TimeUnit.SECONDS), "a receive would not block: it would throw");
            final MessageTooLargeException first = assertThrows(MessageTooLargeException.class,
                () -> receiver.recvBytes(10, TimeUnit.SECONDS));
            assertTrue(first.getMessage().contains("100000 bytes, more than the maximum of 4096"), first.getMessage());
            assertArrayEquals(message(100, 2), receiver.recvBytes(10, TimeUnit.SECONDS));
            assertArrayEquals(message(4096, 3), receiver.recvBytes(10, TimeUnit.SECONDS));
            assertThrows(MessageTooLargeException.class, () -> receiver.recvBytes(10, TimeUnit.SECONDS));
            assertArrayEquals(message(10, 5), receiver.recvBytes(10, TimeUnit.SECONDS));
        }
    }

    /**
     * @return the tests' options without the close's wait for the peer to read (neither end reads at the close).
     */
    private static NetOptions quickClose()
    {
        return options().closeLingerTimeout(0, TimeUnit.SECONDS);
    }
}
