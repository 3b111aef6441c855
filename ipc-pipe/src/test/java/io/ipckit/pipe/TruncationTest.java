package io.ipckit.pipe;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pipe or queue file truncated by another process while a child JVM uses it must not crash that JVM (SIGBUS): the
 * child's call fails with {@link io.ipckit.core.exceptions.CorruptResourceException} naming the file, its close
 * works, and it exits 0 with no hs_err file. Truncated to 0 bytes (every page lost) and to one page (the header
 * kept, the rings lost).
 */
@Timeout(120)
class TruncationTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @TempDir
    Path evidence;

    static Stream<Arguments> cases()
    {
        return Stream.of("pipe-busy", "pipe-blocked", "queue-busy", "queue-blocked", "lifo-busy", "priority-busy",
                "lanes-busy", "joinable-busy", "joinable-join")
            .flatMap((mode) -> Stream.of(Arguments.of(mode, 0L), Arguments.of(mode, 4096L)));
    }

    @ParameterizedTest(name = "{0} truncated to {1} bytes")
    @MethodSource("cases")
    void shouldFailWithCorruptResourceRatherThanCrashWhenTheFileIsTruncatedInUse(final String mode, final long size)
        throws Exception
    {
        final String name = "cut";
        final Path file = dir.path().resolve(name);
        final Path out = evidence.resolve("out");
        final Path err = evidence.resolve("err");
        final JvmProcess child = dir.start(TruncationChildMain.class, new ProcessOptions()
            .args(mode, name, file.toString())
            .jvmOptions("-XX:ErrorFile=" + evidence.resolve("hs_err_%p.log"))
            .redirectOutput(out).redirectError(ProcessBuilder.Redirect.to(err.toFile())));
        Eventually.await("the child uses the " + mode, Duration.ofSeconds(30), () -> read(out).contains("READY"));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(size);
        }
        assertTrue(child.join(60, TimeUnit.SECONDS), mode + " did not end: " + read(out));
        assertEquals(0, child.exitCode().getAsInt(), "exit code (134 or -6: crashed)\n" + read(out) + read(err) +
            crashFrames());
        // the fault as the public method that met it translated it; or, rarely, raised by compiled code after that
        // method returned, in the child's own loop, as FileFaults documents: the JVM survives either way
        final List<String> lines = read(out).lines().toList();
        assertTrue(lines.equals(List.of("READY", "CorruptResourceException names file: true", "closed")) ||
            lines.equals(List.of("READY", "InternalError raised late", "closed")), lines + "\n" + read(err));
        try (Stream<Path> files = Files.list(evidence))
        {
            assertEquals(List.of(), files.filter((p) -> p.getFileName().toString().startsWith("hs_err")).toList());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"claim-truncated-lean", "claim-truncated-fast"})
    void shouldLetGoOfTheLaneWhenAClaimsCommitFaultsOnATruncatedRing(final String mode) throws Exception
    {
        final String name = "cut-claim";
        final Path file = dir.path().resolve(name);
        final Path out = evidence.resolve("out");
        final Path err = evidence.resolve("err");
        final JvmProcess child = dir.start(io.ipckit.queue.QueueChildMain.class, new ProcessOptions()
            .args(mode, name, file.toString())
            .jvmOptions("-XX:ErrorFile=" + evidence.resolve("hs_err_%p.log"))
            .redirectOutput(out).redirectError(ProcessBuilder.Redirect.to(err.toFile())));
        Eventually.await("a claim held and an offer waiting", Duration.ofSeconds(60),
            () -> read(out).contains("READY"));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(4096); // the header and the lanes' words kept, the ring lost
        }
        assertTrue(child.join(90, TimeUnit.SECONDS), mode + " did not end: " + read(out));
        assertEquals(0, child.exitCode().getAsInt(), "exit code (134 or -6: crashed)\n" + read(out) + read(err));
        // "offer: returned false" would mean the offer waited out its 30 s for a lane the faulted claim kept
        assertEquals(List.of("READY", "commit: CorruptResourceException names file: true",
            "offer: CorruptResourceException names file: true", "closed"), read(out).lines().toList(), read(err));
    }

    /**
     * @return the stacks of a crashed child's hs_err files (kept in the test's temporary directory, which goes with
     * it), so that a crash's failure says where it was.
     */
    private String crashFrames() throws java.io.IOException
    {
        final StringBuilder frames = new StringBuilder();
        try (Stream<Path> files = Files.list(evidence))
        {
            for (final Path file : files.filter((p) -> p.getFileName().toString().startsWith("hs_err")).toList())
            {
                final String text = read(file);
                final int stack = text.indexOf("Native frames:");
                final int end = stack < 0 ? -1 : text.indexOf("\n\n", text.indexOf("Java frames:", stack) + 1);
                frames.append("\n").append(file.getFileName()).append(":\n")
                    .append(stack < 0 ? text.substring(0, Math.min(4000, text.length())) :
                        text.substring(stack, end < 0 ? Math.min(text.length(), stack + 6000) : end));
            }
        }
        return frames.toString();
    }

    private static String read(final Path path)
    {
        try
        {
            return Files.exists(path) ? Files.readString(path) : "";
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
