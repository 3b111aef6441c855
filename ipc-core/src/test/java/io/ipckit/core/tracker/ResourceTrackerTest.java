package io.ipckit.core.tracker;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResourceTrackerTest
{
    /** An identity no live process has: the maker of what a "dead process" left. */
    private static final String DEAD_REGISTRY = ResourceTracker.REGISTRY_PREFIX + (Integer.MAX_VALUE - 1L) + "-1";

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldRemoveWhatAKilledCreatorLeft() throws Exception
    {
        final JvmProcess child = dir.start(Creator.class,
            new ProcessOptions().args("left-behind", "false").daemon(true));
        awaitPublished("left-behind");
        child.kill();
        assertTrue(child.join(10, TimeUnit.SECONDS));
        assertEquals(-9, child.exitCode().getAsInt());
        assertFalse(SharedDirectory.exists("left-behind"), "the parent reaps a killed child's resources on join");
        assertEquals(List.of(), dir.list(), "the child's registry is gone too");
    }

    @Test
    void shouldRemoveWhatACreatorKilledBeforeRenamingItsRegistryLeft() throws Exception
    {
        final JvmProcess child = dir.start(Creator.class, new ProcessOptions().args("mid-write", "false").daemon(true));
        awaitPublished("mid-write");
        final String registry = dir.list().stream()
            .filter((f) -> f.startsWith(ResourceTracker.REGISTRY_PREFIX)).findFirst().orElseThrow();
        // the state of a creator killed after writing its registry's temporary copy and before renaming it
        Files.move(dir.path().resolve(registry), dir.path().resolve(registry + ".tmp"));
        child.kill();
        assertTrue(child.join(10, TimeUnit.SECONDS));
        assertFalse(SharedDirectory.exists("mid-write"), "the temporary copy of the registry is honoured");
        assertEquals(List.of(), dir.list(), "and removed");
    }

    @Test
    void shouldKeepAPersistentResourceOfAKilledCreator() throws Exception
    {
        final JvmProcess child = dir.start(Creator.class, new ProcessOptions().args("kept", "true").daemon(true));
        awaitPublished("kept");
        child.kill();
        assertTrue(child.join(10, TimeUnit.SECONDS));
        assertTrue(SharedDirectory.exists("kept"));
        try (ResourceFile kept = ResourceFile.open("kept", ResourceKind.TEST, 1))
        {
            assertTrue(kept.isPersistent());
            kept.unlink();
        }
    }

    @Test
    void shouldRemoveWhatACreatorLeftAtNormalExit() throws Exception
    {
        final JvmProcess child = dir.start((SerializableRunnable)() ->
            ResourceFile.create("forgotten", ResourceKind.TEST, 1, 0, 64, false, null));
        assertEquals(0, child.join());
        assertFalse(SharedDirectory.exists("forgotten"), "the creator's shutdown hook unlinks what it owns");
        assertEquals(List.of(), dir.list());
    }

    @Test
    void shouldNeverRemoveWhatAProcessOnlyOpened() throws Exception
    {
        try (ResourceFile mine = ResourceFile.create("mine", ResourceKind.TEST, 1, 0, 64, false, null))
        {
            final JvmProcess opener = dir.start((SerializableRunnable)() ->
                ResourceFile.open("mine", ResourceKind.TEST, 1).close());
            assertEquals(0, opener.join());
            final JvmProcess killedOpener = dir.start(Opener.class, new ProcessOptions().args("mine").daemon(true));
            Eventually.await("opener attached", Duration.ofSeconds(30),
                () -> mine.buffer().getIntAcquire(mine.headerLength()) == 1);
            killedOpener.kill();
            assertTrue(killedOpener.join(10, TimeUnit.SECONDS));
            assertTrue(SharedDirectory.exists("mine"), "an opener that exits or dies never unlinks (cpython#82300)");
            assertTrue(mine.unlink());
        }
    }

    @Test
    void shouldSweepRegistriesOfDeadProcessesOnly() throws Exception
    {
        try (ResourceFile mine = ResourceFile.create("alive-owner", ResourceKind.TEST, 1, 0, 64, false, null))
        {
            assertEquals(0, ResourceTracker.sweep(dir.path()), "this process is alive: nothing to sweep");
            assertTrue(SharedDirectory.exists("alive-owner"));
            mine.unlink();
        }
        final JvmProcess child = dir.start(Creator.class, new ProcessOptions().args("swept", "false").daemon(true));
        awaitPublished("swept");
        child.process().destroyForcibly();
        child.process().waitFor(10, TimeUnit.SECONDS);
        ResourceTracker.sweep(dir.path());
        assertFalse(SharedDirectory.exists("swept"));
    }

    @Test
    void shouldNotRemoveANameThatWasRecreatedBySomeoneElse() throws Exception
    {
        final JvmProcess child = dir.start(Creator.class, new ProcessOptions().args("reused", "false").daemon(true));
        awaitPublished("reused");
        SharedDirectory.unlink("reused");
        try (ResourceFile mine = ResourceFile.create("reused", ResourceKind.TEST, 1, 0, 64, true, null))
        {
            child.kill();
            assertTrue(child.join(10, TimeUnit.SECONDS));
            assertTrue(SharedDirectory.exists("reused"), "another file under the same name is not the child's");
            mine.unlink();
        }
    }

    /**
     * On a disk file system (ext4 gives a freed inode to the next file at once), a file made under the name a dead
     * creator had used, with that file's inode, is not the dead creator's: a sweep must leave it.
     */
    @Test
    void shouldNotRemoveAFileThatReusedTheInodeOfADeadCreatorsFile() throws Exception
    {
        final Path diskRoot = Paths.get(System.getProperty("java.io.tmpdir"));
        final TestDirectory disk = new TestDirectory(diskRoot);
        disk.beforeEach(null);
        try
        {
            final Path path = disk.path().resolve("inode-reused");
            final Object deadCreatorsKey;
            try (ResourceFile created = ResourceFile.create("inode-reused", ResourceKind.TEST, 1, 0, 64, false, null))
            {
                deadCreatorsKey = fileKey(path);
                // the state a creator killed now leaves: its record, in the registry of a process that is not alive
                final String record = Files.readAllLines(disk.path().resolve(ownRegistry())).stream()
                    .filter((line) -> line.startsWith("inode-reused\t")).findFirst().orElseThrow();
                Files.writeString(disk.path().resolve(DEAD_REGISTRY), record + "\n");
                created.unlink();
            }
            ResourceFile mine = null;
            for (int attempt = 0; attempt < 20 && mine == null; attempt++)
            {
                final ResourceFile made = ResourceFile.create("inode-reused", ResourceKind.TEST, 1, 0, 64, true, null);
                if (fileKey(path).equals(deadCreatorsKey))
                {
                    mine = made;
                }
                else
                {
                    made.unlink();
                    made.close();
                }
            }
            Assumptions.assumeTrue(mine != null, "skipped: the file system of " + diskRoot + " did not give a new " +
                "file the freed inode " + deadCreatorsKey + " in 20 attempts (tmpfs does not reuse inodes)");
            try (ResourceFile reused = mine)
            {
                ResourceTracker.sweep(disk.path());
                assertTrue(Files.exists(path), "a new file with a dead creator's inode is not the dead creator's");
                assertFalse(Files.exists(disk.path().resolve(DEAD_REGISTRY)), "the dead registry is processed");
                reused.unlink();
            }
        }
        finally
        {
            disk.afterEach(null);
        }
    }

    /**
     * A registry names files of its own directory: a line naming one outside it (written by another user into a
     * directory every user may write to, such as /dev/shm) deleted that file when a sweep found the registry's process
     * dead.
     */
    @Test
    void shouldNeverRemoveAFileOutsideTheDirectoryThatARegistryNames() throws Exception
    {
        final Path outside = Files.createTempFile("ipckit-victim-", ".bin");
        try
        {
            final Object key = fileKey(outside);
            Files.writeString(dir.path().resolve(DEAD_REGISTRY), dir.path().relativize(outside) + "\t" + key + "\n" +
                outside + "\t" + key + "\n");
            ResourceTracker.sweep(dir.path());
            assertTrue(Files.exists(outside), "a registry's name that leaves its directory is ignored");
        }
        finally
        {
            Files.deleteIfExists(outside);
        }
    }

    /**
     * Only a registry this process's user owns is acted on: one another user wrote is left alone, with the files it
     * names (root only, to give the registry another owner).
     */
    @Test
    void shouldLeaveARegistryThatAnotherUserOwns() throws Exception
    {
        try (ResourceFile kept = ResourceFile.create("other-users", ResourceKind.TEST, 1, 0, 64, true, null))
        {
            final Path registry = dir.path().resolve(DEAD_REGISTRY);
            Files.writeString(registry, "other-users\t" + fileKey(dir.path().resolve("other-users")) + "\n");
            try
            {
                Files.setAttribute(registry, "unix:uid", 12345);
            }
            catch (final java.io.IOException ex)
            {
                Assumptions.abort("skipped: cannot give a file another owner here (needs root): " + ex);
            }
            ResourceTracker.sweep(dir.path());
            assertTrue(Files.exists(dir.path().resolve("other-users")), "another user's registry is not acted on");
            assertTrue(Files.exists(registry), "nor deleted");
            Files.delete(registry);
            kept.unlink();
        }
    }

    private static String ownRegistry()
    {
        final ProcessIdentity self = ProcessIdentity.current();
        return ResourceTracker.REGISTRY_PREFIX + self.pid() + "-" + self.startTime();
    }

    private static Object fileKey(final Path path) throws java.io.IOException
    {
        return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }

    private static void awaitPublished(final String name)
    {
        Eventually.await("child published " + name, Duration.ofSeconds(30), () ->
        {
            try (ResourceFile file = ResourceFile.open(name, ResourceKind.TEST, 1, 0))
            {
                return true;
            }
            catch (final IpcException ex)
            {
                return false;
            }
        });
    }

    /**
     * Creates resource args[0] (persistent when args[1] is true) and sleeps until killed.
     */
    public static final class Creator
    {
        public static void main(final String[] args) throws InterruptedException
        {
            ResourceFile.create(args[0], ResourceKind.TEST, 1, 0, 64, Boolean.parseBoolean(args[1]), null);
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        }
    }

    /**
     * Opens resource args[0], marks that it did, and sleeps until killed.
     */
    public static final class Opener
    {
        public static void main(final String[] args) throws InterruptedException
        {
            final ResourceFile file = ResourceFile.open(args[0], ResourceKind.TEST, 1);
            file.buffer().putIntRelease(file.headerLength(), 1);
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        }
    }
}
