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
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "minor fault counts come from /proc");
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

    private static long minorFaults() throws Exception
    {
        final String stat = Files.readString(Path.of("/proc/self/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
    }
}
