package io.ipckit.core.file;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IncompatibleVersionException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.testing.SystemProperties;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResourceFileTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldCreatePublishAndOpenWithHeaderFields()
    {
        try (ResourceFile created = ResourceFile.create("res", ResourceKind.TEST, 1, 16, 1000, false,
            (f) -> f.buffer().putLong(f.metadataOffset(), 42L)))
        {
            assertEquals(128, created.headerLength());
            assertEquals(1000, created.dataLengthBytes());
            try (ResourceFile opened = ResourceFile.open("res", ResourceKind.TEST, 1))
            {
                assertEquals(42L, opened.buffer().getLong(opened.metadataOffset()));
                assertEquals(ProcessIdentity.current(), opened.creator());
                assertEquals(1128, opened.file().lengthBytes());
                assertFalse(opened.isPersistent());
                opened.buffer().putInt(opened.headerLength(), 7);
                assertEquals(7, created.buffer().getInt(created.headerLength()), "both mappings share the memory");
            }
            assertTrue(created.unlink());
        }
    }

    /**
     * The size look keeps the file's channel, which is interruptible: asked with the caller's interrupt flag set, it
     * closed the channel for good, and every later look read -1 ("cannot tell"), so truncation went unnoticed for the
     * rest of the mapping's life. A pipe's read asks it on the way out of a handler that threw, often because its
     * thread was interrupted.
     */
    @Test
    void shouldReadTheLengthWithTheInterruptFlagSetAndKeepBothTheFlagAndTheChannel()
    {
        try (MappedFile file = MappedFile.create("interrupted", 4096))
        {
            Thread.currentThread().interrupt();
            try
            {
                assertEquals(4096, file.currentLengthBytes());
                assertTrue(Thread.currentThread().isInterrupted(), "the flag is put back");
            }
            finally
            {
                Thread.interrupted();
            }
            assertEquals(4096, file.currentLengthBytes(), "the channel is still open");
            assertTrue(file.isIntact());
        }
    }

    /**
     * The zeros that allocate a growing file's pages are written through the mapping's own channel, which an interrupt
     * of the writing thread would close for good: the write runs on a thread nobody interrupts, and the caller's
     * interrupt, however often it comes, only waits and stays set.
     */
    @Test
    void shouldWriteZerosThroughInterruptsAndKeepTheChannel() throws Exception
    {
        final long length = 16L << 20;
        try (MappedFile file = MappedFile.create("growing", length))
        {
            final Thread caller = Thread.currentThread();
            final java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            final Thread interrupter = new Thread(() ->
            {
                while (writing.get())
                {
                    caller.interrupt();
                    Thread.onSpinWait();
                }
            });
            interrupter.start();
            try
            {
                for (int i = 0; i < 8; i++)
                {
                    file.writeZeros(0, length); // before: ClosedByInterruptException, then the channel was gone
                }
            }
            finally
            {
                writing.set(false);
                while (interrupter.isAlive())
                {
                    try
                    {
                        interrupter.join(); // its last interrupts may still reach this thread
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            assertTrue(Thread.interrupted(), "the caller's interrupt is kept");
            assertEquals(length, file.currentLengthBytes(), "the channel is still open");
            file.writeZeros(4096, 4096);
            assertTrue(file.isIntact());
        }
    }

    @Test
    void shouldCreateFilesWithOwnerOnlyMode() throws Exception
    {
        try (ResourceFile created = ResourceFile.create("private", ResourceKind.TEST, 1, 0, 64, false, null))
        {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.path().resolve("private"))));
            created.unlink();
        }
    }

    @Test
    void shouldRefuseToCreateAnExistingName()
    {
        try (ResourceFile created = ResourceFile.create("dup", ResourceKind.TEST, 1, 0, 64, false, null))
        {
            final ResourceExistsException ex = assertThrows(ResourceExistsException.class,
                () -> ResourceFile.create("dup", ResourceKind.TEST, 1, 0, 64, false, null));
            assertTrue(ex.getMessage().contains("\"dup\"") && ex.getMessage().contains("already exists"), ex.getMessage());
            created.unlink();
        }
    }

    @Test
    void shouldRemoveTheFileWhenTheInitializerFails()
    {
        assertThrows(IllegalStateException.class, () -> ResourceFile.create("bad-init", ResourceKind.TEST, 1, 0, 64, false,
            (f) ->
            {
                throw new IllegalStateException("boom");
            }));
        assertFalse(SharedDirectory.exists("bad-init"));
    }

    @Test
    void shouldRefuseAMissingName()
    {
        final ResourceNotFoundException ex = assertThrows(ResourceNotFoundException.class,
            () -> ResourceFile.open("missing", ResourceKind.TEST, 1));
        assertTrue(ex.getMessage().startsWith("no resource named \"missing\" in " + dir.path()), ex.getMessage());
    }

    @Test
    void shouldRefuseTheWrongKind()
    {
        try (ResourceFile created = ResourceFile.create("a-pipe", ResourceKind.PIPE, 1, 0, 64, false, null))
        {
            final WrongResourceKindException ex = assertThrows(WrongResourceKindException.class,
                () -> ResourceFile.open("a-pipe", ResourceKind.QUEUE, 1));
            assertEquals("\"a-pipe\" is a Pipe, not a Queue: open it as what it is, or use another name", ex.getMessage());
            created.unlink();
        }
    }

    @Test
    void shouldRefuseAFutureVersion()
    {
        try (ResourceFile created = ResourceFile.create("future", ResourceKind.TEST, 3, 0, 64, false, null))
        {
            final IncompatibleVersionException ex = assertThrows(IncompatibleVersionException.class,
                () -> ResourceFile.open("future", ResourceKind.TEST, 2));
            assertTrue(ex.getMessage().contains("layout version 3") && ex.getMessage().contains("1..2"), ex.getMessage());
            created.unlink();
        }
    }

    @Test
    void shouldCallAVersionBelowOneCorruptNotNewer()
    {
        try (ResourceFile created = ResourceFile.create("zero-version", ResourceKind.TEST, 1, 0, 64, false, null))
        {
            created.buffer().putInt(ResourceHeaderDescriptor.LAYOUT_VERSION_OFFSET, 0);
            final CorruptResourceException ex = assertThrows(CorruptResourceException.class,
                () -> ResourceFile.open("zero-version", ResourceKind.TEST, 1));
            assertTrue(ex.getMessage().contains("layout version 0") && !ex.getMessage().contains("newer"),
                ex.getMessage());
            created.unlink();
        }
    }

    /**
     * Mapping goes through an interruptible channel, which an interrupt flag left set by the caller (a cancelled task,
     * a restored interrupt) closed at once: every create and open of that thread failed with
     * {@code ClosedByInterruptException}. The flag is set aside for the mapping and put back.
     */
    @Test
    void shouldCreateAndOpenWithTheInterruptFlagSetAndKeepTheFlag()
    {
        Thread.currentThread().interrupt();
        try
        {
            try (ResourceFile created = ResourceFile.create("flagged", ResourceKind.TEST, 1, 0, 64, false, null);
                ResourceFile opened = ResourceFile.open("flagged", ResourceKind.TEST, 1);
                MappedFile raw = MappedFile.create("flagged-raw", 4096))
            {
                assertTrue(Thread.currentThread().isInterrupted(), "the flag is put back");
                assertEquals(4096, raw.retainedBuffer().capacity());
                assertTrue(Thread.currentThread().isInterrupted(), "the flag is put back");
                assertEquals(created.buffer().capacity(), opened.buffer().capacity());
                created.unlink();
                raw.unlink();
            }
        }
        finally
        {
            Thread.interrupted();
        }
    }

    @Test
    void shouldRefuseToFollowASymbolicLink() throws Exception
    {
        final Path outside = Files.createTempFile("ipckit-victim-", ".bin");
        try
        {
            Files.write(outside, new byte[4096]);
            Files.createSymbolicLink(SharedDirectory.resolve("linked"), outside);
            assertThrows(WrongResourceKindException.class, () -> MappedFile.open("linked"));
            assertThrows(WrongResourceKindException.class, () -> ResourceFile.open("linked", ResourceKind.TEST, 1));
            assertArrayEquals(new byte[4096], Files.readAllBytes(outside));
        }
        finally
        {
            Files.delete(outside);
        }
    }

    /**
     * HotSpot reports an access to a page a truncation took as an {@link InternalError}; when the file has its length
     * back by the time the failure is looked at, it is still the file's corruption, not a bare error.
     */
    @Test
    void shouldNameALostPageAsCorruptionThoughTheFileHasItsLengthBack()
    {
        try (MappedFile file = MappedFile.create("restored", 4096))
        {
            final RuntimeException ex =
                file.failure(new InternalError("a fault occurred in an unsafe memory access operation"));
            assertTrue(ex instanceof CorruptResourceException && ex.getMessage().contains("\"restored\""),
                String.valueOf(ex));
            file.unlink();
        }
    }

    @Test
    void shouldRefuseATruncatedFile() throws Exception
    {
        final Path path;
        try (ResourceFile created = ResourceFile.create("trunc", ResourceKind.TEST, 1, 0, 4096, false, null))
        {
            path = created.file().path();
        }
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw"))
        {
            raf.setLength(1000);
        }
        final CorruptResourceException longer = assertThrows(CorruptResourceException.class,
            () -> ResourceFile.open("trunc", ResourceKind.TEST, 1));
        assertTrue(longer.getMessage().contains("is 1000 bytes but its header says 4160"), longer.getMessage());

        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw"))
        {
            raf.setLength(20);
        }
        final CorruptResourceException shorter = assertThrows(CorruptResourceException.class,
            () -> ResourceFile.open("trunc", ResourceKind.TEST, 1));
        assertTrue(shorter.getMessage().contains("truncated: 20 bytes"), shorter.getMessage());
    }

    @Test
    void shouldRefuseRandomBytes() throws Exception
    {
        final byte[] garbage = new byte[8192];
        new Random(7).nextBytes(garbage);
        Files.write(dir.path().resolve("garbage"), garbage);
        final CorruptResourceException ex = assertThrows(CorruptResourceException.class,
            () -> ResourceFile.open("garbage", ResourceKind.TEST, 1));
        assertTrue(ex.getMessage().contains("is not an ipckit TestResource"), ex.getMessage());

        Files.write(dir.path().resolve("tiny"), new byte[] {1, 2, 3});
        assertThrows(CorruptResourceException.class, () -> ResourceFile.open("tiny", ResourceKind.TEST, 1));
    }

    @Test
    void shouldRefuseAtOnceAFileThatCanNeverBecomeValid() throws Exception
    {
        final byte[] foreign = new byte[4096];
        ByteBuffer.wrap(foreign).order(ByteOrder.LITTLE_ENDIAN).putLong(ResourceHeaderDescriptor.MAGIC_OFFSET, 42L);
        final String[][] cases = {{"empty", "is empty (0 bytes)"}, {"short", "is truncated: 10 bytes"},
            {"zeros", "its header has no ipckit magic number (zeros)"},
            {"foreign", "its header has no ipckit magic number (foreign or random bytes)"}};
        Files.write(dir.path().resolve("empty"), new byte[0]);
        Files.write(dir.path().resolve("short"), new byte[10]);
        Files.write(dir.path().resolve("zeros"), new byte[4096]);
        Files.write(dir.path().resolve("foreign"), foreign);
        for (final String[] c : cases)
        {
            final long start = System.nanoTime();
            final CorruptResourceException ex = assertThrows(CorruptResourceException.class,
                () -> ResourceFile.open(c[0], ResourceKind.TEST, 1), c[0]);
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsedMs < 1_000, c[0] + " was refused only after " + elapsedMs + " ms");
            assertTrue(ex.getMessage().contains(c[1]), ex.getMessage());
            assertTrue(ex.getMessage().contains("\"" + c[0] + "\""), ex.getMessage());
        }
    }

    @Test
    void shouldWaitOnlyForAFileWhoseCreatorIsAliveAndInitialising() throws Exception
    {
        final ProcessIdentity self = ProcessIdentity.current();
        final byte[] bytes = new byte[4096];
        final ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(ResourceHeaderDescriptor.MAGIC_OFFSET, ResourceHeaderDescriptor.MAGIC);
        header.putLong(ResourceHeaderDescriptor.CREATOR_PID_OFFSET, self.pid());
        header.putLong(ResourceHeaderDescriptor.CREATOR_START_TIME_OFFSET, self.startTime());
        Files.write(dir.path().resolve("unpublished"), bytes);
        final long start = System.nanoTime();
        final CorruptResourceException ex = assertThrows(CorruptResourceException.class,
            () -> ResourceFile.open("unpublished", ResourceKind.TEST, 1, TimeUnit.MILLISECONDS.toNanos(200)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200));
        assertTrue(ex.getMessage().contains("was not published as a TestResource within 200 ms"), ex.getMessage());
    }

    @Test
    void shouldNeverShowTheNameOfAFileBeingCreated() throws Exception
    {
        final java.util.concurrent.CountDownLatch initialising = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final Thread creator = new Thread(() -> ResourceFile.create("slow", ResourceKind.TEST, 1, 0, 64, false,
            (file) ->
            {
                initialising.countDown();
                try
                {
                    release.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }).close());
        creator.start();
        assertTrue(initialising.await(10, TimeUnit.SECONDS));
        assertFalse(SharedDirectory.exists("slow"), "the name appears only once the file is whole and initialised");
        assertThrows(ResourceNotFoundException.class, () -> ResourceFile.open("slow", ResourceKind.TEST, 1));
        release.countDown();
        creator.join(10_000);
        try (ResourceFile opened = ResourceFile.open("slow", ResourceKind.TEST, 1, 0))
        {
            assertEquals(64, opened.dataLengthBytes());
            opened.unlink();
        }
        assertEquals(java.util.List.of(), dir.list(), "no temporary file is left behind");
    }

    @Test
    void shouldRefuseAFileWhoseCreatorDiedBeforePublishing() throws Exception
    {
        final byte[] bytes = new byte[4096];
        final ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(ResourceHeaderDescriptor.MAGIC_OFFSET, ResourceHeaderDescriptor.MAGIC);
        header.putLong(ResourceHeaderDescriptor.CREATOR_PID_OFFSET, Integer.MAX_VALUE - 1L);
        header.putLong(ResourceHeaderDescriptor.CREATOR_START_TIME_OFFSET, 1L);
        Files.write(dir.path().resolve("orphan"), bytes);
        final CorruptResourceException ex = assertThrows(CorruptResourceException.class,
            () -> ResourceFile.open("orphan", ResourceKind.TEST, 1));
        assertTrue(ex.getMessage().contains("died while creating it"), ex.getMessage());
    }

    @Test
    void shouldMapFilesLargerThanTwoGigabytes()
    {
        final long length = (1L << 31) + 4096;
        try (MappedFile file = MappedFile.create("big", length))
        {
            assertEquals(length, file.lengthBytes());
            file.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, length - 8, 0x1234L);
            try (MappedFile other = MappedFile.open("big"))
            {
                assertEquals(0x1234L, other.segment().get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, length - 8));
            }
            file.unlink();
        }
    }

    /**
     * Before, a timeout that was not a number was ignored, and a negative one meant no wait.
     */
    @Test
    void shouldRefuseAnOpenTimeoutPropertyThatIsNotAWholeNumberOfMillisecondsOrIsNegative()
    {
        final String name = ResourceFile.OPEN_TIMEOUT_PROP_NAME;
        assertEquals("-D" + name + "=5s: not a whole number; fix the property or remove it",
            SystemProperties.refusal(name, "5s", () -> ResourceFile.openTimeoutMs()));
        assertEquals("-D" + name + "=-1: the open timeout must be 0 ms or more, got -1; fix the property or remove it",
            SystemProperties.refusal(name, "-1", () -> ResourceFile.openTimeoutMs()));
        assertEquals(ResourceFile.OPEN_TIMEOUT_DEFAULT_MS, ResourceFile.openTimeoutMs());
        System.setProperty(name, "250");
        try
        {
            assertEquals(250, ResourceFile.openTimeoutMs());
        }
        finally
        {
            System.clearProperty(name);
        }
    }
}
