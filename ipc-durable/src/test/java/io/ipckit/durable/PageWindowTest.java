package io.ipckit.durable;

import io.ipckit.durable.internal.PageWindow;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page window that maps a cycle file's next pages ahead of appenders and readers.
 */
class PageWindowTest
{
    private static final long PAGE = 4096;
    private static final long CHUNK = 256 * 1024;
    private static final long OVERLAP = 64 * 1024;
    private static final int EINVAL = 22;

    @RegisterExtension
    final LogDirectory logs = new LogDirectory();

    @Test
    void shouldPopulatePagesAheadOfTheWriterSoThatItsWritesDoNotFault() throws Exception
    {
        assumeTrue(Files.isReadable(Path.of("/proc/thread-self/stat")), "minor fault counts come from /proc");
        final PageWindow window = PageWindow.forAppender();
        try (MappedBytes bytes = MappedBytes.mappedBytes(logs.resolve("faults").toFile(), CHUNK, OVERLAP))
        {
            bytes.writeLong(0, 1);
            window.ahead(bytes.bytesStore(), 8);
            assumeTrue(window.isOn() || window.lastErrno() != EINVAL, "madvise(MADV_POPULATE_WRITE) needs Linux 5.14");
            assertTrue(window.isOn(), "failed with errno " + window.lastErrno());
            final long before = minorFaults();
            for (long page = 1; page <= 16; page++)
            {
                bytes.writeLong(page * PAGE, page); // inside the window, untouched before it
            }
            final long faults = minorFaults() - before;
            assertTrue(faults < 8, faults + " minor faults writing 16 populated pages (16 without the window)");
        }
    }

    @Test
    void shouldMarkEachChunkAheadOfTheWriterForRandomAccessSoThatAFaultReadsOnlyItsPage() throws Exception
    {
        assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "the mappings' flags come from /proc");
        final PageWindow appender = PageWindow.forAppender();
        final PageWindow reader = PageWindow.forReader();
        try (MappedBytes bytes = MappedBytes.mappedBytes(logs.resolve("random").toFile(), CHUNK, OVERLAP);
             MappedBytes read = MappedBytes.mappedBytes(logs.resolve("read").toFile(), CHUNK, OVERLAP))
        {
            bytes.writeLong(PAGE, 1);
            final BytesStore<?, ?> first = bytes.bytesStore();
            appender.ahead(first, PAGE + 8);
            assertTrue(mappingFlags(first.addressForRead(PAGE)).contains("rr"), "the writer's page is marked");
            assertTrue(mappingFlags(first.addressForRead(CHUNK - PAGE)).contains("rr"), "so is the chunk's end");
            assertFalse(mappingFlags(first.addressForRead(0)).contains("rr"), "the pages behind keep read-ahead");

            final long next = CHUNK + OVERLAP + PAGE; // past the first chunk's mapping
            bytes.writeLong(next, 2);
            final BytesStore<?, ?> second = bytes.bytesStore();
            assertFalse(second == first, "the writer moved to the next chunk");
            appender.ahead(second, next + 8);
            assertTrue(mappingFlags(second.addressForRead(next + PAGE)).contains("rr"), "the next chunk too");

            read.writeLong(0, 3);
            reader.ahead(read.bytesStore(), 8);
            assertFalse(mappingFlags(read.bytesStore().addressForRead(PAGE)).contains("rr"), "a reader keeps it");
        }
    }

    @Test
    void shouldFollowTheWriterAcrossChunksWithoutFailing() throws Exception
    {
        final PageWindow appender = PageWindow.forAppender();
        final PageWindow reader = PageWindow.forReader();
        try (MappedBytes bytes = MappedBytes.mappedBytes(logs.resolve("chunks").toFile(), CHUNK, OVERLAP))
        {
            for (long position = 0; position < 4 * CHUNK; position += 40)
            {
                bytes.writeInt(position, (int)position);
                final BytesStore<?, ?> store = bytes.bytesStore();
                appender.ahead(store, position + 40);
                reader.ahead(store, position);
                assertEquals((int)position, bytes.readInt(position));
            }
        }
        if (appender.isOn())
        {
            assertEquals(0, appender.failures(), "errno " + appender.lastErrno());
            assertEquals(0, reader.failures(), "errno " + reader.lastErrno());
        }
        else
        {
            assertEquals(EINVAL, appender.lastErrno(), "only a kernel without MADV_POPULATE_WRITE turns it off");
        }
    }

    @Test
    void shouldTurnItselfOffWithoutThrowingOnMemoryThatIsNotMapped()
    {
        final PageWindow window = PageWindow.forAppender();
        window.ahead(BytesStore.wrap(new byte[64 * 1024]), 8);
        assertFalse(window.isOn());
        window.ahead(BytesStore.wrap(new byte[64 * 1024]), 16); // and stays a no-op
        window.ahead(null, 0);
        assertFalse(window.isOn());
    }

    /**
     * @return the two-letter flags ({@code VmFlags} in {@code /proc/self/smaps}) of the mapping holding {@code address}.
     */
    private static java.util.Set<String> mappingFlags(final long address) throws Exception
    {
        boolean inside = false;
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps")))
        {
            final int dash = line.indexOf('-');
            final int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+"))
            {
                final long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                final long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
            }
            else if (inside && line.startsWith("VmFlags:"))
            {
                return java.util.Set.of(line.substring("VmFlags:".length()).trim().split("\\s+"));
            }
        }
        throw new AssertionError("no mapping holds " + Long.toHexString(address));
    }

    private static long minorFaults() throws Exception
    {
        final String stat = Files.readString(Path.of("/proc/thread-self/stat")); // this thread's faults alone
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
    }
}
