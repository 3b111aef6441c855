package io.ipckit.durable;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IncompatibleVersionException;
import io.ipckit.durable.internal.LogDoorbellDescriptor;
import io.ipckit.durable.internal.LogFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged logs are refused with an exception that names the file and says what to do, never a Chronicle error
 * from deep inside a read or a crash.
 */
@Timeout(60)
class CorruptLogTest
{
    @RegisterExtension
    final LogDirectory logs = new LogDirectory();

    private Path logWithRecords() throws IOException
    {
        final Path dir = logs.resolve("damaged");
        try (SharedLog<String> log = SharedLog.create(dir, Codecs.STRING, new SharedLogOptions()))
        {
            log.append("one");
            log.append("two");
        }
        return dir;
    }

    @Test
    void shouldNameATruncatedCycleFile() throws IOException
    {
        final Path dir = logWithRecords();
        final Path cycle = LogFiles.cycleFiles(dir).getFirst();
        try (RandomAccessFile file = new RandomAccessFile(cycle.toFile(), "rw"))
        {
            file.setLength(20);
        }
        final CorruptLogException ex = assertThrows(CorruptLogException.class,
            () -> SharedLog.open(dir, Codecs.STRING, new SharedLogOptions()));
        assertTrue(ex.getMessage().startsWith("the log's cycle file " + cycle + " is corrupt: it is truncated to " +
            "20 bytes, shorter than its own "), ex.getMessage());
        assertTrue(ex.getMessage().endsWith("restore the log directory from a backup, or move this file away to " +
            "keep the rest of the log (its records are lost)"), ex.getMessage());
    }

    @Test
    void shouldNameAnOverwrittenCycleFile() throws IOException
    {
        final Path dir = logWithRecords();
        final Path cycle = LogFiles.cycleFiles(dir).getFirst();
        overwrite(cycle, 0, new byte[] {'g', 'a', 'r', 'b', 'a', 'g', 'e', '!'});
        final CorruptLogException ex = assertThrows(CorruptLogException.class,
            () -> SharedLog.open(dir, Codecs.STRING, new SharedLogOptions()));
        assertTrue(ex.getMessage().startsWith("the log's cycle file " + cycle + " is corrupt: it does not start " +
            "with a Chronicle Queue header"), ex.getMessage());
    }

    @Test
    void shouldTakeACycleFileWhoseHeaderIsBeingWrittenForOneInProgress() throws IOException
    {
        // Chronicle starts a new cycle file's header as NOT_COMPLETE with no length yet (0x80000000), then fills it:
        // a process opening the log at that moment must not call the file corrupt
        final Path dir = logWithRecords();
        final Path cycle = LogFiles.cycleFiles(dir).getFirst();
        overwrite(cycle, 0, intBytes(0x80000000));
        LogFiles.checkHeads(dir);
        overwrite(cycle, 0, intBytes(0x80000000 | 0x40000000 | 200));
        LogFiles.checkHeads(dir);
    }

    @Test
    void shouldNameAForeignHeaderInTheMetadataFile() throws IOException
    {
        final Path dir = logWithRecords();
        final Path metadata = dir.resolve(LogFiles.METADATA_FILE);
        final byte[] head = Files.readAllBytes(metadata);
        final String text = new String(head, java.nio.charset.StandardCharsets.ISO_8859_1);
        final int at = text.indexOf("STStore");
        assertTrue(at > 0, "Chronicle's metadata header names its store type");
        overwrite(metadata, at, "XXXXXXX".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        final CorruptLogException ex = assertThrows(CorruptLogException.class,
            () -> SharedLog.open(dir, Codecs.STRING, new SharedLogOptions()));
        assertTrue(ex.getMessage().startsWith("the log's Chronicle Queue metadata file " + metadata + " is corrupt: " +
            "its header is not a STStore"), ex.getMessage());
    }

    @Test
    void shouldRefuseALogOfAnotherLayoutVersion() throws IOException
    {
        final Path dir = logWithRecords();
        final Path doorbell = dir.resolve(LogDoorbellDescriptor.FILE_NAME);
        overwrite(doorbell, LogDoorbellDescriptor.LAYOUT_VERSION_OFFSET, intBytes(LogDoorbellDescriptor.LAYOUT_VERSION + 1));
        final IncompatibleVersionException ex = assertThrows(IncompatibleVersionException.class,
            () -> SharedLog.open(dir, Codecs.STRING, new SharedLogOptions()));
        assertEquals("the log in " + dir + " has layout version 2 (recorded in " + doorbell + ") but this ipckit " +
            "reads version 1: it was written by a newer ipckit; use the same ipckit version in every process, or " +
            "replay it with that version into a new log", ex.getMessage());
    }

    @Test
    void shouldNameATruncatedDoorbellFile() throws IOException
    {
        final Path dir = logWithRecords();
        final Path doorbell = dir.resolve(LogDoorbellDescriptor.FILE_NAME);
        try (RandomAccessFile file = new RandomAccessFile(doorbell.toFile(), "rw"))
        {
            file.setLength(10);
        }
        final CorruptResourceException ex = assertThrows(CorruptResourceException.class,
            () -> SharedLog.open(dir, Codecs.STRING, new SharedLogOptions()));
        assertTrue(ex.getMessage().startsWith("the log doorbell file " + doorbell + " is 10 bytes where 128 are " +
            "expected"), ex.getMessage());
    }

    @Test
    void shouldRefuseAChronicleQueueThatIsNotAnIpckitLog() throws IOException
    {
        final Path dir = logWithRecords();
        Files.delete(dir.resolve(LogDoorbellDescriptor.FILE_NAME));
        final io.ipckit.core.exceptions.ResourceNotFoundException ex = assertThrows(
            io.ipckit.core.exceptions.ResourceNotFoundException.class,
            () -> SharedLog.open(dir, Codecs.STRING, new SharedLogOptions()));
        assertTrue(ex.getMessage().contains("not an ipckit log"), ex.getMessage());
    }

    @Test
    void shouldReportACorruptRecordToItsReader() throws IOException
    {
        final Path dir = logWithRecords();
        try (SharedLog<String> log = SharedLog.open(dir, Codecs.STRING, new SharedLogOptions());
             LogReader<String> reader = log.reader())
        {
            final Path cycle = LogFiles.cycleFiles(dir).getFirst();
            final byte[] bytes = Files.readAllBytes(cycle);
            final String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
            final int at = text.indexOf("one") - 4; // the record's length word
            overwrite(cycle, at, intBytes(1000));
            final CorruptLogException ex = assertThrows(CorruptLogException.class, reader::poll);
            assertTrue(ex.getMessage().contains(cycle.toString()), ex.getMessage());
            assertTrue(ex.getMessage().contains("is corrupt: its length word says 1000 bytes"), ex.getMessage());
        }
    }

    /**
     * Before, Chronicle grew the truncated file back with zeros at open: readers stopped at the hole and the next
     * append took an index already handed out.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldNameACycleFileTruncatedInsideItsRecords() throws IOException
    {
        final Path dir = logWithManyRecords();
        final Path cycle = LogFiles.cycleFiles(dir).getFirst();
        final long cut = positionOf(cycle, "record-0150|");
        try (RandomAccessFile file = new RandomAccessFile(cycle.toFile(), "rw"))
        {
            file.setLength(cut);
        }
        final CorruptLogException ex = refusedAtOpen(dir);
        assertTrue(ex.getMessage().startsWith("the log's cycle file " + cycle + " is corrupt: it is truncated to " +
            cut + " bytes, but its header records a last record at position "), ex.getMessage());
        assertTrue(ex.getMessage().endsWith("restore the log directory from a backup, or move this file away to " +
            "keep the rest of the log (its records are lost)"), ex.getMessage());
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldNameACycleFileWhoseLastRecordsPageIsZeroed() throws IOException
    {
        final Path dir = logWithManyRecords();
        final Path cycle = LogFiles.cycleFiles(dir).getFirst();
        final long last = positionOf(cycle, "record-0299|") - 8; // Chronicle's header, then the length word
        final long page = last & ~4095L;
        overwrite(cycle, page, new byte[4096]);
        final CorruptLogException ex = refusedAtOpen(dir);
        assertEquals("the log's cycle file " + cycle + " is corrupt: its header records a last record at position " +
            last + ", where the file holds zeros (the page was lost, as after a crash, or the file was truncated " +
            "and grown again); restore the log directory from a backup, or move this file away to keep the rest " +
            "of the log (its records are lost)", ex.getMessage());
    }

    /**
     * Before, the reader stopped at the zeros and {@code take()} waited for good: this test timed out.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldNameTheFileWhereAReaderStopsAtZerosBeforeTheLastRecord() throws Exception
    {
        final Path dir = logWithManyRecords();
        final Path cycle = LogFiles.cycleFiles(dir).getFirst();
        final long hole = positionOf(cycle, "record-0150|") - 8;
        overwrite(cycle, hole, new byte[(int)(4096 - (hole & 4095)) + 4096]); // from the record to a page further
        try (SharedLog<String> log = SharedLog.open(dir, Codecs.STRING, new SharedLogOptions());
             LogReader<String> reader = log.reader())
        {
            for (int i = 0; i < 150; i++)
            {
                assertEquals(record(i), reader.take());
            }
            final CorruptLogException ex = assertThrows(CorruptLogException.class, reader::take);
            assertEquals("an anonymous reader of the log in " + dir + " stopped at position " + hole + " of the " +
                "cycle file " + cycle + ", which holds zeros there although the file records a record at position " +
                (positionOf(cycle, "record-0299|") - 8) + " after it: the file lost records (a page lost in a " +
                "crash, or a truncation); restore the log directory from a backup, or seek past the damage (to an " +
                "index after it, such as the log's lastIndex())", ex.getMessage());
            assertTrue(reader.seek(log.lastIndex()));
            assertEquals(record(299), reader.poll());
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldTakeAClaimStillOpenForOneInProgressNotForLostRecords() throws Exception
    {
        final Path dir = logWithManyRecords();
        try (SharedLog<String> claimer = SharedLog.open(dir, Codecs.STRING, new SharedLogOptions()))
        {
            final int offset = claimer.tryClaim(5);
            assertTrue(offset >= 0);
            claimer.claimBuffer().putStringWithoutLengthUtf8(offset, "claim");
            try (SharedLog<String> log = SharedLog.open(dir, Codecs.STRING, new SharedLogOptions());
                 LogReader<String> reader = log.reader())
            {
                for (int i = 0; i < 300; i++)
                {
                    assertEquals(record(i), reader.poll());
                }
                assertNull(reader.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS));
                claimer.commit(offset);
                assertEquals("claim", reader.take());
            }
        }
    }

    private Path logWithManyRecords()
    {
        final Path dir = logs.resolve("holed");
        try (SharedLog<String> log = SharedLog.create(dir, Codecs.STRING, new SharedLogOptions()))
        {
            for (int i = 0; i < 300; i++)
            {
                log.append(record(i)); // about 100 bytes each: the records span several pages
            }
        }
        return dir;
    }

    private static String record(final int i)
    {
        return String.format("record-%04d|", i) + "x".repeat(80);
    }

    private static CorruptLogException refusedAtOpen(final Path dir)
    {
        return assertThrows(CorruptLogException.class,
            () -> SharedLog.open(dir, Codecs.STRING, new SharedLogOptions()).close());
    }

    /**
     * @return the position of {@code text} in the first MiB of {@code file}, where a small log's records are.
     */
    private static long positionOf(final Path file, final String text) throws IOException
    {
        final ByteBuffer head = ByteBuffer.allocate(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            channel.read(head, 0);
        }
        final String bytes = new String(head.array(), 0, head.position(), java.nio.charset.StandardCharsets.ISO_8859_1);
        final int at = bytes.indexOf(text);
        assertTrue(at > 0, text + " is in " + file);
        return at;
    }

    private static byte[] intBytes(final int value)
    {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    private static void overwrite(final Path file, final long position, final byte[] bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(bytes), position);
        }
    }
}
