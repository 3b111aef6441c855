package io.ipckit.shm.list;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.SharedMemory;
import io.ipckit.shm.value.SharedValue;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.ShmOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.ipckit.shm.list.ShareableListChild.LONG;
import static io.ipckit.shm.list.ShareableListChild.SHORT;
import static io.ipckit.shm.list.ShareableListChild.WIDE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(60)
class ShareableListTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldShareMixedItemsWithAnotherJvm() throws InterruptedException
    {
        try (ShareableList list = ShareableList.create("mixed",
            Arrays.asList(WIDE, 42, 2.5f, true, null, new byte[]{'a', 'b', 0, 0})))
        {
            final JvmProcess child = dir.start(ShareableListChild.class,
                "check-and-write", "mixed");
            assertTrue(child.join(30, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().getAsInt(), "the child read every item as created");
            assertEquals("grown\0", list.get(0), "a trailing NUL survives");
            assertEquals(-1.25, list.getDouble(1), "a slot may change type");
            assertEquals("x", list.getString(4));
            assertArrayEquals(new byte[0], (byte[])list.get(5));
            assertEquals(ItemType.BOOLEAN, list.type(3));
            list.unlink();
        }
    }

    @Test
    void shouldKeepStringsExactlyWhereCpythonDoesNot()
    {
        try (ShareableList list = ShareableList.create("strings", List.of("abc\0\0", WIDE, "", "12345678"),
            new ShmOptions().minSlotBytes(24)))
        {
            assertEquals("abc\0\0", list.get(0), "cpython#106939 strips trailing NULs");
            assertEquals(WIDE, list.get(1), "cpython#96779 corrupts multi-byte UTF-8");
            assertEquals("", list.get(2));
            assertEquals(24, list.capacity(3));
            list.set(3, "123456789012345678901234");
            assertEquals("123456789012345678901234", list.get(3), "a string may grow within its slot");
            final String tooLong = "\u00e9".repeat(13);
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> list.set(2, tooLong));
            assertEquals("a string of 26 UTF-8 bytes does not fit slot 2 of ShareableList \"strings\", whose capacity " +
                "is 24 bytes; create the list with a larger minSlotBytes", ex.getMessage());
            assertEquals("", list.get(2), "a rejected write leaves the slot unchanged");
            assertEquals("", list.set(2, "\u00e9".repeat(12)));
            assertEquals("\u00e9".repeat(12), list.get(2), "24 UTF-8 bytes fill the slot exactly");
        }
        try (ShareableList tight = ShareableList.create("tight", List.of("abc", 7L)))
        {
            assertEquals(8, tight.capacity(0), "by default a slot is what its first value needs, as in Python");
            assertEquals("abc", tight.set(0, "abcdefgh"));
            assertThrows(IllegalArgumentException.class, () -> tight.set(0, "abcdefghi"));
            assertEquals(7L, tight.set(1, "1234567"), "set returns the item it replaced");
        }
    }

    @Test
    void shouldBehaveAsFixedSizeList()
    {
        try (ShareableList list = ShareableList.create("list", Arrays.asList(1L, "two", 3.0, false, null)))
        {
            assertEquals(Arrays.asList(1L, "two", 3.0, false, null), list);
            assertEquals(1, list.indexOf("two"));
            assertTrue(list.contains(null));
            assertEquals("[1, two, 3.0, false, null]", list.toString());
            assertThrows(UnsupportedOperationException.class, () -> list.add("more"));
            assertThrows(UnsupportedOperationException.class, () -> list.remove(0));
            assertThrows(IllegalStateException.class, () -> list.getLong(1));
            final IndexOutOfBoundsException index = assertThrows(IndexOutOfBoundsException.class, () -> list.get(5));
            assertEquals("index 5 is out of bounds for ShareableList \"list\" of size 5", index.getMessage());
            assertThrows(IllegalArgumentException.class, () -> list.set(0, new Object()));
            assertThrows(IllegalArgumentException.class, () -> ShareableList.create("bad", List.of(List.of())));
            assertThrows(ResourceExistsException.class, () -> ShareableList.create("list", List.of()));
            try (ShareableList empty = ShareableList.create("empty", List.of()))
            {
                assertEquals(0, ShareableList.open("empty").size());
            }
            list.unlink();
            assertThrows(ResourceNotFoundException.class, () -> ShareableList.open("list"));
        }
    }

    @Test
    void shouldNeverReadHalfWrittenStrings() throws InterruptedException
    {
        try (ShareableList list = ShareableList.create("flip", List.of(SHORT), new ShmOptions().minSlotBytes(64)))
        {
            final JvmProcess writer = dir.start(ShareableListChild.class,
                "flip", "flip", "200000");
            long reads = 0;
            while ((writer.isAlive() || reads == 0) && !Thread.currentThread().isInterrupted())
            {
                final Object value = list.get(0);
                if (!SHORT.equals(value) && !LONG.equals(value))
                {
                    fail("torn read after " + reads + " reads: " + value);
                }
                reads++;
            }
            assertTrue(writer.join(30, TimeUnit.SECONDS));
            assertEquals(0, writer.exitCode().getAsInt());
            assertEquals(SHORT, list.get(0), "the last write was the short string");
        }
    }

    @Test
    void shouldTimeOutOnSlotLockedByALiveWriter()
    {
        System.setProperty(ShareableList.SLOT_TIMEOUT_PROP_NAME, "100");
        try (ShareableList list = ShareableList.create("stuck", List.of("a", "b"));
            SharedMemory raw = SharedMemory.open("stuck"))
        {
            final int slot = (int)raw.buffer().getLong(ShareableListDescriptor.entryOffset(1));
            // locked under this process's identity, which is alive: a stuck writer, not a dead one
            raw.buffer().putLongVolatile(slot, ShareableListDescriptor.lockWord(OwnerToken.current()));
            final IpcTimeoutException read = assertThrows(IpcTimeoutException.class, () -> list.get(1));
            assertEquals("slot 1 of ShareableList \"stuck\" has been locked or rewritten for more than 100 ms: a live " +
                "writer holds it or writes it without pause", read.getMessage());
            assertThrows(IpcTimeoutException.class, () -> list.set(1, "c"));
            assertEquals("a", list.get(0), "other slots are unaffected");
        }
        finally
        {
            System.clearProperty(ShareableList.SLOT_TIMEOUT_PROP_NAME);
        }
    }

    /**
     * A writer killed in the middle of a write leaves the slot locked under its identity, with a half-written value: a
     * read says so, and a write takes the slot over. Before, the lock word named no writer, and every read and write
     * of the slot timed out for good.
     */
    @Test
    void shouldLetAWriteTakeOverASlotWhoseWriterDied()
    {
        try (ShareableList list = ShareableList.create("torn", List.of("a", "b"));
            SharedMemory raw = SharedMemory.open("torn"))
        {
            final int slot = (int)raw.buffer().getLong(ShareableListDescriptor.entryOffset(1));
            final long deadWriter = 0x1234L << 32 | 0x3FFF_FFFFL; // no pid reaches 2^30
            raw.buffer().putInt(slot + ShareableListDescriptor.SLOT_LENGTH_OFFSET, 1 << 20); // torn: past the slot
            raw.buffer().putLongVolatile(slot, ShareableListDescriptor.lockWord(deadWriter));

            final CorruptResourceException read = assertThrows(CorruptResourceException.class, () -> list.get(1));
            assertEquals("slot 1 of ShareableList \"torn\" lost its value: its writer, pid 1073741823, died in the " +
                "middle of a write; set the slot again", read.getMessage());
            assertEquals(null, list.set(1, "c"), "the lost value");
            assertEquals("c", list.get(1));
            assertEquals("c", list.set(1, "d"));
            assertEquals(List.of("a", "d"), List.copyOf(list));
            try (ShareableList other = ShareableList.open("torn"))
            {
                assertEquals("d", other.get(1), "another handle reads the new value");
            }
        }
    }

    /**
     * A close that lands while a write holds a slot's lock used to unmap the list under the writer, which then could
     * not release the slot: its lock word named this live process, so every read and write of the slot, in every
     * process, timed out until this JVM exited. Close now waits for the writers inside their locked section.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldLeaveNoSlotLockedWhenClosedDuringAWrite() throws InterruptedException
    {
        System.setProperty(ShareableList.SLOT_TIMEOUT_PROP_NAME, "500");
        try
        {
            final byte[] payload = new byte[8 << 20];
            for (int trial = 0; trial < 10; trial++)
            {
                final String name = "closing-" + trial;
                final ShareableList list = ShareableList.create(name, List.of(payload));
                final AtomicLong writes = new AtomicLong();
                final AtomicReference<Throwable> ended = new AtomicReference<>();
                final Thread writer = Thread.ofPlatform().name("writer-" + trial).start(() ->
                {
                    try
                    {
                        while (true)
                        {
                            list.set(0, payload);
                            writes.incrementAndGet();
                        }
                    }
                    catch (final Throwable ex)
                    {
                        ended.set(ex);
                    }
                });
                Eventually.await("a first write", Duration.ofSeconds(30),
                    () -> writes.get() > 0 || ended.get() != null);
                list.close();
                writer.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(writer.isAlive(), "the writer did not stop after the close");
                assertInstanceOf(ResourceClosedException.class, ended.get(), "trial " + trial);
                try (ShareableList other = ShareableList.open(name))
                {
                    assertEquals(payload.length, ((byte[])other.get(0)).length,
                        "trial " + trial + ": the slot is free and holds a whole value");
                    other.unlink();
                }
            }
        }
        finally
        {
            System.clearProperty(ShareableList.SLOT_TIMEOUT_PROP_NAME);
        }
    }

    /**
     * An OutOfMemoryError while a write copied the old value used to leave the slot locked by this live process.
     * Run in a child with a 300 MiB heap, where a 100 MiB slot's old value no longer fits beside the new one.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldLeaveNoSlotLockedWhenAWriteRunsOutOfMemory() throws Exception
    {
        final Path output = dir.path().resolve(".oom-set.out");
        final JvmProcess child = dir.start(ShareableListChild.class, new ProcessOptions()
            .args("oom-set", "huge").jvmOptions("-Xmx300m", "-D" + ShareableList.SLOT_TIMEOUT_PROP_NAME + "=500")
            .redirectOutput(output).redirectErrorStream(true));
        assertTrue(child.join(45, TimeUnit.SECONDS), "the child did not finish");
        assertEquals(0, child.exitCode().getAsInt(), () -> "the child's output: " + readQuietly(output));
    }

    private static String readQuietly(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final java.io.IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    /**
     * Version 1 locked a slot with its sequence plus one, which a process of version 2 would take for a dead writer's
     * lock word and take over under a live writer: the two must not share a list.
     */
    @Test
    void shouldRefuseAListOfTheFirstLayout()
    {
        try (ShareableList list = ShareableList.create("first", List.of("a"));
            SharedMemory raw = SharedMemory.open("first"))
        {
            raw.buffer().putIntVolatile(io.ipckit.core.file.ResourceHeaderDescriptor.LAYOUT_VERSION_OFFSET, 1);
            final io.ipckit.core.exceptions.IncompatibleVersionException ex = assertThrows(
                io.ipckit.core.exceptions.IncompatibleVersionException.class, () -> ShareableList.open("first"));
            assertTrue(ex.getMessage().contains("has layout version 1 but this ipckit shares only version 2"),
                ex.getMessage());
        }
    }

    @Test
    void shouldRefuseCorruptFilesAndOtherKinds()
    {
        try (ShareableList list = ShareableList.create("corrupt", List.of(1L, 2L));
            SharedMemory raw = SharedMemory.open("corrupt"))
        {
            raw.buffer().putInt(ShareableListDescriptor.entryOffset(1) + ShareableListDescriptor.ENTRY_CAPACITY_OFFSET,
                1 << 20);
            final CorruptResourceException table = assertThrows(CorruptResourceException.class,
                () -> ShareableList.open("corrupt"));
            assertTrue(table.getMessage().startsWith("ShareableList \"corrupt\" is corrupt: slot 1 at offset 152 " +
                "with capacity 1048576 lies outside the"), table.getMessage());
            raw.buffer().putInt(ShareableListDescriptor.COUNT_OFFSET, 1000);
            assertThrows(CorruptResourceException.class, () -> ShareableList.open("corrupt"));
            final long slot = raw.buffer().getLong(ShareableListDescriptor.entryOffset(0));
            raw.buffer().putInt((int)slot + ShareableListDescriptor.SLOT_TYPE_OFFSET, 99);
            final CorruptResourceException type = assertThrows(CorruptResourceException.class, () -> list.get(0));
            assertEquals("ShareableList \"corrupt\" is corrupt: slot 0 holds type code 99 and length 8 (capacity 8);" +
                " unlink it and create it again", type.getMessage());
        }
        try (SharedValue value = SharedValue.create("value", DType.INT32))
        {
            assertThrows(WrongResourceKindException.class, () -> ShareableList.open("value"));
        }
    }

    /**
     * A list cut short by another process while it is being opened: the read of its slot table used to fault with a
     * bare InternalError, leaving the mapping behind.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseAListTruncatedWhileBeingOpened() throws InterruptedException
    {
        final int count = 200_000;
        ShareableList.create("cut", Collections.nCopies(count, 0L)).close();
        final int headerLength = io.ipckit.core.file.ResourceHeaderDescriptor.headerLength(
            ShareableListDescriptor.metadataLength(count));
        final TruncationRace.Outcome outcome = TruncationRace.run(
            dir.path().resolve("cut"), "cut", 8 << 10, headerLength, 100, ShareableList::open);
        assertTrue(outcome.unexpected().isEmpty() && outcome.mappings() == 0, outcome::describe);
    }

    /**
     * The slot table's length was counted in int: above about 134M items it went negative, and at 2^28 items it
     * wrapped to a tiny header. Checked with the count alone: nothing that large is allocated.
     */
    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseMoreItemsThanASlotTableHolds()
    {
        final int max = ShareableListDescriptor.MAX_ITEM_COUNT;
        assertEquals(134_217_719, max);
        assertEquals(Integer.MAX_VALUE & -64, io.ipckit.core.file.ResourceHeaderDescriptor.headerLength(
            ShareableListDescriptor.metadataLength(max)), "the largest table fills the largest header");
        final IllegalArgumentException wrapped = assertThrows(IllegalArgumentException.class,
            () -> ShareableListDescriptor.metadataLength(1 << 28));
        assertEquals("a ShareableList of 268435456 items cannot be laid out: its slot table must fit a header of at " +
            "most 2 GiB, which holds 0 to 134217719 items; split the items over several lists", wrapped.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ShareableListDescriptor.metadataLength(max + 1));
        assertThrows(IllegalArgumentException.class, () -> ShareableListDescriptor.entryOffset(max));
        final List<Object> huge = new java.util.AbstractList<>()
        {
            @Override
            public Object get(final int index)
            {
                return 0L;
            }

            @Override
            public int size()
            {
                return max + 1;
            }
        };
        final IllegalArgumentException create = assertThrows(IllegalArgumentException.class,
            () -> ShareableList.create("huge", huge));
        assertEquals("cannot create ShareableList \"huge\" of 134217720 items: its slot table must fit a header of " +
            "at most 2 GiB, which holds at most 134217719 items; split the items over several lists",
            create.getMessage());
        assertEquals(List.of(), dir.list().stream().filter((name) -> name.startsWith("huge")).toList());
    }

    /**
     * The slot timeout property was read with Long.getLong: a negative value timed out at once and a word fell back
     * to the default silently. It is checked as ipckit's other properties are.
     */
    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseASlotTimeoutPropertyThatIsNotAWholeNumberOfZeroOrMore()
    {
        try (ShareableList list = ShareableList.create("timed", List.of("a")))
        {
            System.setProperty(ShareableList.SLOT_TIMEOUT_PROP_NAME, "-5");
            final IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> ShareableList.open("timed"));
            assertEquals("-Dipckit.list.slot.timeout.ms=-5: the slot timeout must be 0 ms or more, got -5; fix the " +
                "property or remove it", negative.getMessage());
            System.setProperty(ShareableList.SLOT_TIMEOUT_PROP_NAME, "5s");
            final IllegalArgumentException word = assertThrows(IllegalArgumentException.class,
                () -> ShareableList.create("other", List.of("b")));
            assertEquals("-Dipckit.list.slot.timeout.ms=5s: not a whole number; fix the property or remove it",
                word.getMessage());
            assertFalse(dir.list().contains("other"), "nothing was created");
            System.setProperty(ShareableList.SLOT_TIMEOUT_PROP_NAME, "0");
            try (ShareableList zero = ShareableList.open("timed"))
            {
                assertEquals("a", zero.get(0), "0 ms is allowed: an unlocked slot is read at once");
            }
            list.unlink();
        }
        finally
        {
            System.clearProperty(ShareableList.SLOT_TIMEOUT_PROP_NAME);
        }
    }
}
