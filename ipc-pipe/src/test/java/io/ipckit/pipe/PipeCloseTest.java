package io.ipckit.pipe;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static io.ipckit.pipe.Expect.thrown;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing a pipe end with zero-copy claims outstanding: every uncommitted claim is aborted so that the peer reads
 * every message sent behind it, and the peer is told of the close.
 */
class PipeCloseTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    /**
     * Two claims, the later one committed: the close aborts the earlier one only. Before, it aborted the latest
     * claim, already committed, threw {@link IllegalStateException} out of the close, and never told the peer,
     * whose receive then waited until the closing process exited.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldCloseAndTellThePeerWhenALaterClaimWasCommitted() throws Exception
    {
        final Connection a = Pipe.create("claims2");
        try (Connection b = Pipe.open("claims2"))
        {
            a.sendBytes(new byte[10]);
            final int first = a.tryClaim(16);
            final int second = a.tryClaim(16);
            assertTrue(first >= 0 && second >= 0, "claimed");
            a.claimBuffer().putByte(second, (byte)7);
            a.commit(second);
            a.close();
            assertTrue(a.isClosed());
            assertEquals(10, b.recvBytes(5, TimeUnit.SECONDS).length);
            final byte[] committed = b.recvBytes(5, TimeUnit.SECONDS);
            assertEquals(16, committed.length);
            assertEquals(7, committed[0]);
            thrown(EndOfStreamException.class, () -> b.recvBytes(5, TimeUnit.SECONDS), "claims2", "closed");
            thrown(ResourceClosedException.class, () -> a.commit(first), "commit(" + first + ")", "claims2",
                "dropped");
        }
        assertFalse(SharedDirectory.exists("claims2"), "unlinked when both ends closed");
    }

    /**
     * A message sent between two claims still outstanding at the close. Before, the close aborted no claim when more
     * than one was outstanding, the reader stopped at the first, and the peer got end of stream without the message
     * whose send had returned.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldDeliverAMessageSentBetweenClaimsOutstandingAtClose() throws Exception
    {
        final Connection a = Pipe.create("claims3");
        try (Connection b = Pipe.open("claims3"))
        {
            final int first = a.tryClaim(16);
            a.sendBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            final int third = a.tryClaim(16);
            assertTrue(first >= 0 && third >= 0, "claimed");
            a.close();
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, b.recvBytes(5, TimeUnit.SECONDS));
            thrown(EndOfStreamException.class, () -> b.recvBytes(5, TimeUnit.SECONDS), "claims3", "closed");
            thrown(ResourceClosedException.class, () -> a.abort(third), "abort(" + third + ")", "claims3");
            thrown(ResourceClosedException.class, () -> a.commit(first), "commit(" + first + ")", "claims3");
            thrown(ResourceClosedException.class, () -> a.commit(first), "commit(" + first + ")", "claims3");
        }
        assertFalse(SharedDirectory.exists("claims3"), "unlinked when both ends closed");
    }
}
