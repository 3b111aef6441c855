package io.ipckit.core;

import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceHeaderDescriptor;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedDirectoryListTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldListHeaderFieldsOfOwnResources()
    {
        try (ResourceFile a = ResourceFile.create("a", ResourceKind.TEST, 3, 0, 100, false, null);
            ResourceFile b = ResourceFile.create("b", ResourceKind.TEST, 1, 0, 64, true, null))
        {
            final List<ResourceInfo> infos = SharedDirectory.list();
            assertEquals(List.of("a", "b"), infos.stream().map(ResourceInfo::name).toList(), "registries are left out");
            final ResourceInfo info = infos.get(0);
            assertEquals(ResourceInfo.State.READY, info.state());
            assertEquals(ResourceKind.TEST, info.kind());
            assertEquals("TestResource", info.kindName());
            assertEquals(3, info.layoutVersion());
            assertEquals(64 + 100, info.sizeBytes());
            assertEquals(ProcessIdentity.current(), info.creator());
            assertTrue(info.creatorAlive());
            assertFalse(info.creatorDead());
            assertFalse(info.persistent());
            assertNull(info.problem());
            assertTrue(infos.get(1).persistent());
            b.unlink();
            a.unlink();
        }
    }

    @Test
    void shouldListAResourceOfAKilledCreatorAsDead() throws Exception
    {
        final JvmProcess child = dir.start(CreatePersistentChild.class, new ProcessOptions().args("left").daemon(true));
        Eventually.await("child created its resource", Duration.ofSeconds(30), () -> SharedDirectory.exists("left") &&
            SharedDirectory.info("left").state() == ResourceInfo.State.READY);
        assertTrue(SharedDirectory.info("left").creatorAlive());
        assertEquals(child.identity(), SharedDirectory.info("left").creator());
        child.kill();
        assertTrue(child.join(30, TimeUnit.SECONDS));
        final ResourceInfo info = SharedDirectory.info("left");
        assertTrue(info.creatorDead());
        assertTrue(info.persistent());
        assertEquals(ResourceInfo.State.READY, info.state());
        SharedDirectory.unlink("left");
    }

    @Test
    void shouldListCorruptFilesAsCorruptAndRawFilesAsRaw() throws Exception
    {
        Files.write(dir.path().resolve("raw"), new byte[4096]);
        final ByteBuffer truncated = header(ResourceKind.QUEUE.code(), 1, 64, 4096, ResourceHeaderDescriptor.READY);
        Files.write(dir.path().resolve("truncated"), java.util.Arrays.copyOf(truncated.array(), 40));
        Files.write(dir.path().resolve("short"), header(ResourceKind.QUEUE.code(), 1, 64, 4096,
            ResourceHeaderDescriptor.READY).array());
        Files.write(dir.path().resolve("unknown"), header(12345, 1, 64, 64, ResourceHeaderDescriptor.READY).array());
        Files.write(dir.path().resolve("garbage"), header(ResourceKind.LOCK.code(), 1, 64, 64, 77).array());
        final ByteBuffer unpublished = header(ResourceKind.LOCK.code(), 1, 64, 64, 0);
        unpublished.putLong(ResourceHeaderDescriptor.CREATOR_START_TIME_OFFSET, ProcessIdentity.current().startTime() + 1);
        Files.write(dir.path().resolve("unpublished"), unpublished.array());

        final List<ResourceInfo> infos = SharedDirectory.list();
        assertEquals(List.of("garbage", "raw", "short", "truncated", "unknown", "unpublished"),
            infos.stream().map(ResourceInfo::name).toList());
        assertEquals(ResourceInfo.State.RAW, SharedDirectory.info("raw").state());
        assertEquals("SharedMemory", SharedDirectory.info("raw").kindName());
        for (final String name : List.of("garbage", "short", "truncated", "unknown", "unpublished"))
        {
            assertEquals(ResourceInfo.State.CORRUPT, SharedDirectory.info(name).state(), name);
        }
        assertEquals("file is 64 bytes but its header says 4096 (truncated or overwritten)",
            SharedDirectory.info("short").problem());
        assertEquals("Queue", SharedDirectory.info("short").kindName());
        assertEquals("unknown(12345)", SharedDirectory.info("unknown").kindName());
        assertTrue(SharedDirectory.info("truncated").problem().startsWith("truncated: 40 bytes"));
        assertTrue(SharedDirectory.info("unpublished").problem().startsWith("never published"));
        assertTrue(SharedDirectory.info("unpublished").creatorDead());
    }

    @Test
    void shouldRefuseInfoOnAMissingName()
    {
        final ResourceNotFoundException ex =
            assertThrows(ResourceNotFoundException.class, () -> SharedDirectory.info("nothing"));
        assertTrue(ex.getMessage().startsWith("no resource named \"nothing\""), ex.getMessage());
    }

    @Test
    void shouldListAThousandResources()
    {
        final ResourceFile[] files = new ResourceFile[1000];
        try
        {
            for (int i = 0; i < files.length; i++)
            {
                files[i] = ResourceFile.create(String.format("r%04d", i), ResourceKind.TEST, 1, 0, 0, true, null);
            }
            final List<ResourceInfo> infos = SharedDirectory.list();
            assertEquals(1000, infos.size());
            assertEquals("r0999", infos.get(999).name());
            assertTrue(infos.stream().allMatch((i) -> i.state() == ResourceInfo.State.READY && i.creatorAlive()));
        }
        finally
        {
            for (final ResourceFile file : files)
            {
                if (file != null)
                {
                    file.unlink();
                    file.close();
                }
            }
        }
    }

    private static ByteBuffer header(
        final int kind, final int version, final int headerLength, final long totalLength, final int ready)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(ResourceHeaderDescriptor.MAGIC_OFFSET, ResourceHeaderDescriptor.MAGIC);
        buffer.putInt(ResourceHeaderDescriptor.KIND_OFFSET, kind);
        buffer.putInt(ResourceHeaderDescriptor.LAYOUT_VERSION_OFFSET, version);
        buffer.putInt(ResourceHeaderDescriptor.HEADER_LENGTH_OFFSET, headerLength);
        buffer.putLong(ResourceHeaderDescriptor.TOTAL_LENGTH_OFFSET, totalLength);
        buffer.putLong(ResourceHeaderDescriptor.CREATOR_PID_OFFSET, ProcessIdentity.current().pid());
        buffer.putLong(ResourceHeaderDescriptor.CREATOR_START_TIME_OFFSET, ProcessIdentity.current().startTime());
        buffer.putLong(ResourceHeaderDescriptor.CREATION_TIME_OFFSET, System.currentTimeMillis());
        buffer.putInt(ResourceHeaderDescriptor.READY_OFFSET, ready);
        return buffer;
    }

    /**
     * Creates the persistent resource named in args[0], then waits to be killed.
     */
    public static final class CreatePersistentChild
    {
        public static void main(final String[] args) throws InterruptedException
        {
            ResourceFile.create(args[0], ResourceKind.TEST, 1, 0, 64, true, null);
            Thread.sleep(TimeUnit.MINUTES.toMillis(2));
        }
    }
}
