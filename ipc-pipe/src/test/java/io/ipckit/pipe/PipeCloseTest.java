package io.ipckit.pipe;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.ipckit.pipe.Expect.thrown;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing a pipe end while other threads use it, and with zero-copy claims outstanding: the file stays mapped under
 * every call under way, every uncommitted claim is aborted so that the peer reads every message sent behind it,
 * and the peer is told of the close.
 */
class PipeCloseTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @TempDir
    Path evidence;

    /**
     * A close on the main thread while another thread's handler reads its message in place. Before, the close
     * unmapped the file under the handler (at once, or after 5 s when the handler had been called from inside a
     * wait) and the JVM died of SIGSEGV; so this runs in a child JVM.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"receive", "waiting-receive", "drain"})
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldKeepTheFileMappedUnderAHandlerOfAnotherThreadWhileItsEndCloses(final String mode) throws Exception
    {
        final Path out = evidence.resolve(mode + ".out");
        final Path err = evidence.resolve(mode + ".err");
        final JvmProcess child = dir.start(CloseDuringCallChildMain.class, new ProcessOptions().args(mode, "p3")
            .jvmOptions("-XX:ErrorFile=" + evidence.resolve("hs_err_%p.log"))
            .redirectOutput(out).redirectError(ProcessBuilder.Redirect.to(err.toFile())));
        assertTrue(child.join(60, TimeUnit.SECONDS), mode + " did not end"); // killed after the test if not
        final String stdout = Files.readString(out);
        final String stderr = Files.readString(err);
        assertEquals(0, child.exitCode().getAsInt(), mode + " exit code (134: crashed)\n" + stdout + stderr);
        assertEquals(List.of("close: returned", "reader: " + (mode.equals("drain") ? "1" : "true"), "sum 1024",
            "peer: EndOfStreamException", "unlinked true", "END"), stdout.lines().toList(), stderr);
        try (Stream<Path> files = Files.list(evidence))
        {
            assertEquals(List.of(), files.filter((p) -> p.getFileName().toString().startsWith("hs_err")).toList());
        }
    }

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
