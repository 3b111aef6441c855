package io.ipckit.pipe;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sequences of public calls on pipes and queues that once crashed the JVM (SIGSEGV: a close unmapped the file while a
 * zero-copy claim or a receive handler still used it) or published what a closed handle claimed. Each runs in a child
 * JVM, since a crash would take the test JVM with it; the child must exit 0 with every step refused as expected
 * and leave no hs_err file.
 */
@Timeout(120)
class MisuseTest
{
    private static final String RCE = "ResourceClosedException";

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @TempDir
    Path evidence;

    static Stream<Arguments> sequences()
    {
        final List<String> claimAfterClose = List.of(
            "claim end: " + RCE, "peer first 1", "peer first: returned", "peer then: EndOfStreamException", "END");
        return Stream.of(
            Arguments.of("pipe-commit-after-close", claimAfterClose),
            Arguments.of("pipe-abort-after-close", claimAfterClose),
            Arguments.of("pipe-write-claim-after-close", List.of("commit: " + RCE, "claimBuffer: " + RCE, "END")),
            Arguments.of("pipe-calls-after-close", List.of("claimBuffer: " + RCE, "tryClaim: " + RCE, "claim: " + RCE,
                "commit: " + RCE, "abort: " + RCE, "sendBytes: " + RCE, "drain: " + RCE, "END")),
            Arguments.of("pipe-close-in-receive-handler", List.of("receive true", "receive: returned",
                "handled 1 sum 6", "recvBytes: " + RCE, "peer: PeerGoneException", "END")),
            Arguments.of("pipe-close-in-drain-handler", List.of("drain 1", "drain: returned",
                "handled 1 sum 6", "recvBytes: " + RCE, "peer: PeerGoneException", "END")),
            Arguments.of("queue-commit-after-close", List.of("commit: " + RCE, "commit again: " + RCE,
                "size 0 poll null", "then 7", "END")),
            Arguments.of("queue-calls-after-close", List.of("claimBuffer: " + RCE, "tryClaim: " + RCE,
                "commit: " + RCE, "abort: " + RCE, "putBytes: " + RCE, "END")),
            Arguments.of("queue-close-in-drain-handler", List.of("drain 1", "drain: returned", "sum 1",
                "poll: " + RCE, "END")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sequences")
    void shouldRefuseCallsAfterCloseWithoutCrashingTheJvm(final String mode, final List<String> expected)
        throws Exception
    {
        final Path out = evidence.resolve(mode + ".out");
        final JvmProcess child = dir.start(MisuseChildMain.class, new ProcessOptions().args(mode, "misuse")
            .jvmOptions("-XX:ErrorFile=" + evidence.resolve("hs_err_%p.log"))
            .redirectOutput(out).redirectError(ProcessBuilder.Redirect.to(evidence.resolve(mode + ".err").toFile())));
        assertTrue(child.join(60, TimeUnit.SECONDS), mode + " did not end");
        final String stdout = Files.readString(out);
        final String stderr = Files.readString(evidence.resolve(mode + ".err"));
        assertEquals(0, child.exitCode().getAsInt(), mode + " exit code (134 or -6: crashed)\n" + stdout + stderr);
        assertEquals(expected, stdout.lines().toList(), stderr);
        try (Stream<Path> files = Files.list(evidence))
        {
            assertEquals(List.of(), files.filter((p) -> p.getFileName().toString().startsWith("hs_err")).toList());
        }
    }
}
