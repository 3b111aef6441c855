package io.ipckit.core.process;

import io.ipckit.core.testing.TestDirectory;
import io.ipckit.core.tracker.ResourceTracker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child's target reaches it through a file only its user can read, never through its command line (world-readable
 * in /proc), and that file is gone once the child has exited, however it exited.
 */
class JvmProcessTargetTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    /**
     * A lambda's captured values were Base64 on the command line, readable by every user in /proc/pid/cmdline.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldPassATargetThroughAPrivateFileNotTheCommandLine() throws Exception
    {
        final String secret = "secret-authkey";
        final JvmProcess waiting = dir.start((SerializableRunnable)() -> System.out.println(secret),
            new ProcessOptions().startDelay(10, TimeUnit.SECONDS));
        final List<String> commandLine = commandLine(waiting.pid());
        final String target = commandLine.getLast();
        assertTrue(target.startsWith("file:"), "the target is a file's path: " + commandLine);
        for (final String word : commandLine)
        {
            assertFalse(word.startsWith("lambda:"), "no encoded target on the command line: " + commandLine);
        }
        final Path file = Paths.get(target.substring("file:".length()));
        assertEquals(dir.path(), file.getParent());
        assertTrue(file.getFileName().toString().startsWith(ResourceTracker.CREATING_PREFIX), file.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        waiting.kill();
        assertTrue(waiting.join(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(file), "a child killed before it read its target leaves no file");
    }

    /**
     * A target over 100,000 characters went to a 0644 file in /tmp that only the child deleted: a child whose JVM
     * never started left it there.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldLeaveNoTargetFileWhenTheChildJvmCannotStart() throws Exception
    {
        final List<Path> tmpBefore = tmpTargets();
        final String large = "x".repeat(200_000);
        final JvmProcess child = dir.start((SerializableRunnable)() -> System.out.println(large.length()),
            new ProcessOptions().jvmOptions("-Xbogus").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD));
        assertEquals(1, child.join());
        assertEquals(List.of(), targetFiles(), "no target file left in " + dir.path());
        assertEquals(tmpBefore, tmpTargets(), "no target file left in java.io.tmpdir");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRunLargeAndSerializedTargetsAndDeleteTheirFiles() throws Exception
    {
        final Path out = dir.path().resolve("large.out");
        final String large = "y".repeat(200_000);
        final JvmProcess lambda = dir.start((SerializableRunnable)() -> System.out.println(large.length()),
            new ProcessOptions().redirectOutput(out));
        assertEquals(0, lambda.join());
        assertEquals("200000", Files.readString(out).strip());

        final List<String> list = List.of("a", "b"); // not a compact lambda: Java serialization
        final JvmProcess serialized = dir.start((SerializableRunnable)() -> System.out.println(list),
            new ProcessOptions().redirectOutput(out));
        assertEquals(0, serialized.join());
        assertEquals("[a, b]", Files.readString(out).strip());
        assertEquals(List.of(), targetFiles());
    }

    private List<String> targetFiles()
    {
        return dir.list().stream().filter((name) -> name.startsWith(ResourceTracker.CREATING_PREFIX)).toList();
    }

    private static List<Path> tmpTargets() throws IOException
    {
        try (Stream<Path> files = Files.list(Paths.get(System.getProperty("java.io.tmpdir"))))
        {
            return files.filter((p) -> p.getFileName().toString().startsWith("ipckit-target-")).sorted().toList();
        }
    }

    private static List<String> commandLine(final long pid) throws IOException
    {
        final String raw = new String(Files.readAllBytes(Paths.get("/proc/" + pid + "/cmdline")),
            StandardCharsets.UTF_8);
        return Arrays.asList(raw.split("\0"));
    }
}
