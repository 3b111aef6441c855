package io.ipckit.pool;

import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A {@link ProcessPool#create} that fails half-way leaves nothing behind in its caller's JVM: no mapping or
 * descriptor of the pool's task board or of a started worker's pipe (a removed name does not unmap them), no reader
 * thread, no worker process, and no file of the pool in the shared directory.
 */
class FailedPoolCreationTest
{
    private static final Path PROC_SELF = Paths.get("/proc/self");
    /** The name of worker 1's pipe ({@code <pool>-w<index>-<generation>}), taken by the test. */
    private static final String BLOCKER = "doomed-w1-0";

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldReleaseEverythingItAcquiredWhenAWorkerFailsToStart() throws Exception
    {
        assumeTrue(Files.isReadable(PROC_SELF.resolve("maps")), "needs /proc/self/maps");
        final Set<Long> childrenBefore = ProcessHandle.current().descendants().map(ProcessHandle::pid)
            .collect(Collectors.toSet());
        // worker 0 starts, then worker 1 finds its pipe's name taken
        try (Connection blocker = Pipe.create(BLOCKER))
        {
            assertThrows(ResourceExistsException.class,
                () -> ProcessPool.create(new PoolOptions().name("doomed").workers(2)));
        }

        // a resource is mapped under the temporary name it was created with (then linked to its own name), so the
        // lines name this test's directory, which nothing else in this JVM maps once the blocker is closed
        final String testFiles = dir.path() + "/";
        assertEquals(List.of(), linesContaining(PROC_SELF.resolve("maps"), testFiles),
            "this JVM's mappings of the failed pool's board and pipes");
        assertEquals(List.of(), descriptorsOf(testFiles), "this JVM's descriptors of the failed pool's files");
        assertEquals(List.of(), Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
            .filter((name) -> name.startsWith("ipckit-pool-doomed")).toList(), "the failed pool's threads");
        Eventually.await("the failed pool's worker exits", Duration.ofSeconds(10),
            () -> ProcessHandle.current().descendants().allMatch((p) -> childrenBefore.contains(p.pid())));
        assertEquals(List.of(), dir.list().stream().filter((name) -> name.startsWith("doomed") && !name.equals(BLOCKER))
            .toList(), "the failed pool's files");
    }

    private static List<String> linesContaining(final Path file, final String text) throws IOException
    {
        try (Stream<String> lines = Files.lines(file))
        {
            return lines.filter((line) -> line.contains(text)).toList();
        }
    }

    private static List<String> descriptorsOf(final String text) throws IOException
    {
        final List<String> found = new ArrayList<>();
        try (Stream<Path> fds = Files.list(PROC_SELF.resolve("fd")))
        {
            for (final Path fd : fds.toList())
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.contains(text))
                    {
                        found.add(fd.getFileName() + " -> " + target);
                    }
                }
                catch (final IOException ex)
                {
                    // closed since it was listed (the directory stream's own descriptor, among others)
                }
            }
        }
        return found;
    }
}
