package io.ipckit.core.tracker;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.SharedMemoryExhaustedException;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceHeaderDescriptor;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Creating in a full shared directory: a 4 MiB tmpfs mounted for each test (skipped where mount is refused).
 */
@Timeout(120)
class FullDirectoryTest
{
    private static final int PAGE = 4096;
    private static final int EXHAUSTED_EXIT_CODE = 3;
    /** An identity no live process has: the maker of what a "dead process" left. */
    private static final String DEAD_REGISTRY = ResourceTracker.REGISTRY_PREFIX + (Integer.MAX_VALUE - 1L) + "-1";

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final List<JvmProcess> children = new ArrayList<>();
    private Path mount;
    private boolean mounted;

    @BeforeEach
    void mountSmallTmpfs() throws Exception
    {
        mount = Files.createTempDirectory("ipckit-full-");
        final Process process = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString())
            .redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        mounted = process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        if (!mounted)
        {
            Files.deleteIfExists(mount);
            Assumptions.abort("skipped: cannot mount a 4 MiB tmpfs at " + mount + " (needs root): " + output);
        }
        System.setProperty(SharedDirectory.DIRECTORY_PROP_NAME, mount.toString());
    }

    @AfterEach
    void unmount() throws Exception
    {
        try
        {
            for (final JvmProcess child : children)
            {
                if (child.isAlive())
                {
                    child.kill();
                }
                child.join(30, TimeUnit.SECONDS);
            }
        }
        finally
        {
            if (mounted)
            {
                final Process process = new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start();
                process.waitFor(30, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(mount);
        }
    }

    @Test
    void shouldLeaveNothingWhenACreatorIsKilledInAFullDirectory() throws Exception
    {
        fill("filler", PAGE); // room for the resource but not for its record
        final JvmProcess child = start("victim", PAGE, "stay");
        Eventually.await("victim created or refused", Duration.ofSeconds(60),
            () -> !child.isAlive() || Files.exists(mount.resolve("victim")));
        if (child.isAlive())
        {
            child.kill();
        }
        assertTrue(child.join(30, TimeUnit.SECONDS));
        ResourceTracker.sweep(mount);
        assertEquals(List.of("filler"), list(), "a resource made in a full directory must not outlive its creator");
    }

    @Test
    void shouldSweepWhatDeadProcessesLeftAndCreateInAFullDirectory() throws Exception
    {
        try (ResourceFile warm = ResourceFile.create("warm", ResourceKind.TEST, 1, 0, 64, false, null))
        {
            leaveBehindByADeadProcess("big1", 1 << 20);
            fill("filler1", 0);
            final JvmProcess child = start("next", 64 * 1024, "exit");
            assertTrue(child.join(60, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().orElseThrow(),
                "a fresh process's first create in a full directory sweeps first and succeeds");
            assertFalse(Files.exists(mount.resolve("big1")), "the dead process's resource is swept");

            leaveBehindByADeadProcess("big2", 512 * 1024);
            fill("filler2", 0);
            try (ResourceFile again = ResourceFile.create("again", ResourceKind.TEST, 1, 0, 64 * 1024, false, null))
            {
                assertEquals(64 * 1024, again.dataLengthBytes(), "a later create sweeps once and retries");
                again.unlink();
            }
            assertFalse(Files.exists(mount.resolve("big2")));
            warm.unlink();
        }
        assertTrue(list().stream().noneMatch((f) -> f.startsWith(ResourceTracker.CREATING_PREFIX) ||
            f.startsWith("big")), list().toString());
    }

    private JvmProcess start(final String name, final long totalBytes, final String mode)
    {
        final JvmProcess child = JvmProcess.start(Creator.class, new ProcessOptions()
            .args(name, Long.toString(totalBytes), mode).daemon(true).inheritIO());
        children.add(child);
        return child;
    }

    /** A resource recorded in the registry of a process that is not alive, as a SIGKILLed creator leaves it. */
    private void leaveBehindByADeadProcess(final String name, final long lengthBytes) throws IOException
    {
        MappedFile.create(name, lengthBytes).close();
        final Object key = Files.readAttributes(mount.resolve(name), BasicFileAttributes.class).fileKey();
        Files.writeString(mount.resolve(DEAD_REGISTRY), name + "\t" + key + "\n");
    }

    /** Fills the file system with one file, then frees {@code freeBytes} of it. */
    private void fill(final String name, final long freeBytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(mount.resolve(name), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE))
        {
            final ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            try
            {
                while (true)
                {
                    chunk.clear();
                    channel.write(chunk, channel.size());
                }
            }
            catch (final IOException full)
            {
                // the file system is full
            }
            channel.truncate(channel.size() / PAGE * PAGE - freeBytes);
        }
    }

    private List<String> list() throws IOException
    {
        try (Stream<Path> files = Files.list(mount))
        {
            return files.map((p) -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Creates resource args[0] of args[1] bytes in all; exits with {@value #EXHAUSTED_EXIT_CODE} when the directory
     * has no room; then sleeps until killed (args[2] "stay") or exits normally ("exit").
     */
    public static final class Creator
    {
        public static void main(final String[] args) throws InterruptedException
        {
            final long total = Long.parseLong(args[1]);
            try
            {
                ResourceFile.create(args[0], ResourceKind.TEST, 1, 0, total - ResourceHeaderDescriptor.headerLength(0),
                    false, null);
            }
            catch (final SharedMemoryExhaustedException ex)
            {
                System.err.println("refused: " + ex.getMessage());
                System.exit(EXHAUSTED_EXIT_CODE);
            }
            if ("stay".equals(args[2]))
            {
                Thread.sleep(TimeUnit.MINUTES.toMillis(5));
            }
        }
    }
}
