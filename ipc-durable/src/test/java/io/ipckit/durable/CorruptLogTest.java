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
