package io.ipckit.shm;

import io.ipckit.core.exceptions.InvalidNameException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.SharedMemoryExhaustedException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class SharedMemoryTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldShareBytesWithAnotherJvm() throws Exception
    {
        try (SharedMemory shm = SharedMemory.create("seg", 4096))
        {
            assertEquals(4096, shm.size());
            assertEquals(4096, Files.size(dir.path().resolve("seg")), "a plain segment has no header");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.path().resolve("seg"))));
            shm.buffer().putLongRelease(0, 42L);

            final JvmProcess child = dir.start(SharedMemoryChild.class,
                "check-and-write", "seg", "0", "42", "4088", "43");
            Eventually.await("child's write at 4088", Duration.ofSeconds(30),
                () -> shm.buffer().getLongAcquire(4088) == 43L);
            assertTrue(child.join(30, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().getAsInt());
            assertEquals(43L, shm.segment().get(ValueLayout.JAVA_LONG, 4088));
            shm.unlink();
        }
        assertEquals(java.util.List.of(), dir.list());
    }

    @Test
    void shouldRemoveSegmentWhenCreatorIsKilled() throws InterruptedException
    {
        final JvmProcess child = dir.start(SharedMemoryChild.class,
            "create-and-wait", "orphan", "65536");
        Eventually.await("child creates and registers orphan", Duration.ofSeconds(30),
            () -> dir.registered("orphan")); // complete: a child killed while writing it would leave nothing
        try (SharedMemory shm = SharedMemory.open("orphan"))
        {
            assertEquals(65536, shm.size());
            child.kill();
            assertTrue(child.join(30, TimeUnit.SECONDS));
            assertEquals(-JvmProcess.SIGKILL, child.exitCode().getAsInt());
            assertFalse(Files.exists(dir.path().resolve("orphan")), "the tracker removes a dead creator's segment");
            shm.buffer().putLong(0, 7L);
            assertEquals(7L, shm.buffer().getLong(0), "an existing mapping outlives the name");
        }
        assertThrows(ResourceNotFoundException.class, () -> SharedMemory.open("orphan"));
    }

    @Test
    void shouldCreateWithRandomName()
    {
        try (SharedMemory a = SharedMemory.create(100); SharedMemory b = SharedMemory.create(100))
        {
            assertTrue(a.name().startsWith("ipc_"), a.name());
            assertFalse(a.name().equals(b.name()));
            assertEquals(100, SharedMemory.open(a.name()).size());
        }
    }

    @Test
    void shouldRejectBadSizesAndNames()
    {
        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
            () -> SharedMemory.create("z", 0));
        assertEquals("cannot create shared memory \"z\" of 0 bytes: the size must be at least 1 byte", zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create("z", -5));
        final SharedMemoryExhaustedException absurd = assertThrows(SharedMemoryExhaustedException.class,
            () -> SharedMemory.create("huge", Long.MAX_VALUE / 2));
        assertTrue(absurd.getMessage().contains("cannot allocate " + Long.MAX_VALUE / 2 + " bytes for \"huge\""),
            absurd.getMessage());
        assertFalse(Files.exists(dir.path().resolve("huge")));
        assertThrows(InvalidNameException.class, () -> SharedMemory.create("../etc", 10));
        assertThrows(InvalidNameException.class, () -> SharedMemory.open("a/b"));
    }

    @Test
    void shouldRejectExistingNameAndMissingName()
    {
        try (SharedMemory shm = SharedMemory.create("taken", 64))
        {
            final ResourceExistsException ex = assertThrows(ResourceExistsException.class,
                () -> SharedMemory.create("taken", 64));
            assertTrue(ex.getMessage().contains("\"taken\""), ex.getMessage());
            shm.unlink();
        }
        final ResourceNotFoundException missing = assertThrows(ResourceNotFoundException.class,
            () -> SharedMemory.open("nothing"));
        assertTrue(missing.getMessage().contains("\"nothing\""), missing.getMessage());
    }

    @Test
    void shouldKeepMappingsAfterUnlinkAndRefuseSecondUnlink()
    {
        try (SharedMemory creator = SharedMemory.create("gone", 64); SharedMemory other = SharedMemory.open("gone"))
        {
            other.unlink();
            assertThrows(ResourceNotFoundException.class, () -> SharedMemory.open("gone"));
            creator.buffer().putInt(0, 5);
            assertEquals(5, other.buffer().getInt(0));
            final ResourceNotFoundException twice = assertThrows(ResourceNotFoundException.class, creator::unlink);
            assertTrue(twice.getMessage().contains("already unlinked"), twice.getMessage());
        }
        assertEquals(java.util.List.of(), dir.list(), "unlink by another process leaves no registry entry behind");
    }

    @Test
    void shouldRefuseUseAfterClose()
    {
        final SharedMemory shm = SharedMemory.create("closed", 64);
        final MemorySegment segment = shm.segment();
        shm.close();
        shm.close();
        assertTrue(shm.isClosed());
        assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_INT, 0));
        assertThrows(io.ipckit.core.exceptions.ResourceClosedException.class, shm::buffer);
        shm.unlink();
    }

    @Test
    void shouldKeepAHandedOutBufferUsableAfterCloseInsteadOfCrashing() throws Exception
    {
        final java.nio.file.Path out = dir.path().resolve("late.out");
        final JvmProcess child = dir.start(SharedMemoryChild.class,
            new io.ipckit.core.process.ProcessOptions().args("use-buffer-after-close", "late").redirectOutput(out));
        assertTrue(child.join(30, TimeUnit.SECONDS));
        final String output = Files.readString(out);
        assertEquals(0, child.exitCode().getAsInt(), "the JVM survived a write through a kept buffer: " + output);
        assertTrue(output.contains("read back 7"), output);
        assertTrue(output.contains("refused: "), output);
        Files.delete(out);
        assertEquals(java.util.List.of(), dir.list(), "nothing left in the directory");
    }

    @Test
    void shouldSurviveABufferTakenWhileAnotherThreadCloses() throws Exception
    {
        final java.nio.file.Path out = dir.path().resolve("race.out");
        final JvmProcess child = dir.start(SharedMemoryChild.class, new io.ipckit.core.process.ProcessOptions()
            .args("buffer-racing-close", "race", "3000").redirectOutput(out));
        assertTrue(child.join(50, TimeUnit.SECONDS));
        final String output = Files.readString(out);
        assertEquals(0, child.exitCode().getAsInt(), "the JVM survived buffers taken during closes: " + output);
        assertTrue(output.contains("survived"), output);
        Files.delete(out);
    }

    @Test
    void shouldLetAnUnlinkedSegmentsMemoryGoOnceItsBufferIsCollected() throws Exception
    {
        final String mapsEntry = dir.path().resolve("collected").toString();
        SharedMemory shm = SharedMemory.create("collected", 1 << 20);
        shm.buffer().putLong(0, 1L);
        shm.unlink();
        shm.close();
        shm = null;
        Eventually.await("the buffer's mapping of the unlinked segment let go", Duration.ofSeconds(30), () ->
        {
            System.gc();
            try
            {
                return !Files.readString(java.nio.file.Path.of("/proc/self/maps")).contains(mapsEntry);
            }
            catch (final java.io.IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        });
    }

    @Test
    void shouldRefuseToFollowASymbolicLink() throws Exception
    {
        final java.nio.file.Path outside = Files.createTempFile("ipckit-victim-", ".txt");
        try
        {
            Files.writeString(outside, "untouched");
            Files.createSymbolicLink(dir.path().resolve("link"), outside);
            final io.ipckit.core.exceptions.WrongResourceKindException refused =
                assertThrows(io.ipckit.core.exceptions.WrongResourceKindException.class, () -> SharedMemory.open("link"));
            assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
            assertEquals("untouched", Files.readString(outside));
        }
        finally
        {
            Files.delete(outside);
        }
    }

    @Test
    void shouldMapSegmentsLargerThanTwoGigabytes()
    {
        final long size = (1L << 31) + 4096;
        try (SharedMemory shm = SharedMemory.create("big", size))
        {
            shm.segment().set(ValueLayout.JAVA_LONG, size - 8, 0x1122334455667788L);
            try (SharedMemory other = SharedMemory.open("big"))
            {
                assertEquals(size, other.size());
                assertEquals(0x1122334455667788L, other.segment().get(ValueLayout.JAVA_LONG, size - 8));
            }
            shm.unlink();
        }
    }
}
