package io.ipckit.durable.internal;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.durable.CorruptLogException;
import org.agrona.IoUtil;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.ipckit.durable.internal.LogFiles.LENGTH_MASK;
import static io.ipckit.durable.internal.LogFiles.MAX_HEADER_LENGTH;
import static io.ipckit.durable.internal.LogFiles.META_DATA;
import static io.ipckit.durable.internal.LogFiles.NOT_COMPLETE;

/**
 * Where a cycle file's records end, as Chronicle Queue's own header records it, read without Chronicle: Chronicle
 * maps a file at its full block length and grows a shorter one back with zeros, which would hide a truncation.
 * <p>
 * Chronicle's header ({@code !SCQStore}) holds {@code writePosition}: two longs, the position of the header of the
 * last record committed in the file and a sequence word (0 until the file's first record is committed). An appender
 * publishes a record's header (a release store), then raises the write position to it (a CAS), both under the
 * queue's write lock: so a record at or before the write position read with acquire is complete, and an unfinished
 * document (a claim still open, or one a dead appender left) is always past it. The record at the write position
 * must therefore be a complete data record inside the file; when it is not, the file lost its end.
 * <p>
 * Thread-safe (stateless); reads through read-only mappings with acquire loads, so a live appender of another
 * process may be writing meanwhile.
 */
public final class CycleFileEnd
{
    /** Chronicle's binary wire codes met between the field's name and its value. */
    private static final int PADDING = 0x8F;
    private static final int PADDING32 = 0x8E;
    private static final int I64_ARRAY = 0x8D;
    private static final byte[] WRITE_POSITION = "writePosition".getBytes(StandardCharsets.ISO_8859_1);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** A file whose header is still being written, or that vanished: nothing to say of its end. */
    private static final long UNKNOWN = -1;

    private CycleFileEnd()
    {
    }

    /**
     * Checks that the last record the header of {@code file} records is complete and inside the file.
     *
     * @param file a cycle file whose head {@link LogFiles#checkHeads} found well formed.
     * @throws CorruptLogException naming the file when it lost its end (truncated, or the last record's page reads
     *                             zero, as after a crash that lost a page of a disk file).
     * @throws IpcException        when the file cannot be read.
     */
    public static void check(final Path file)
    {
        end(file, true);
    }

    /**
     * The bytes a cycle file uses: from its start to the end of its last record (Chronicle's header and indexes
     * included), not its length, which Chronicle sets to a whole block and fills sparsely.
     *
     * @param file a cycle file.
     * @return its used bytes; its length when its header cannot be read (a file being created, or damaged), 0 when
     *         it no longer exists.
     */
    public static long usedBytes(final Path file)
    {
        try
        {
            return end(file, false);
        }
        catch (final CorruptLogException ex)
        {
            return length(file);
        }
    }

    private static long end(final Path file, final boolean check)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size < 4)
            {
                return check ? UNKNOWN : size;
            }
            final MappedByteBuffer head = channel.map(FileChannel.MapMode.READ_ONLY, 0,
                Math.min(size, 4L + MAX_HEADER_LENGTH));
            head.order(ByteOrder.LITTLE_ENDIAN);
            try
            {
                final int header = (int)INT.getAcquire(head, 0);
                final int headerLength = header & LENGTH_MASK;
                if (header == 0 || (header & NOT_COMPLETE) != 0 || 4L + headerLength > head.capacity())
                {
                    return check ? UNKNOWN : size; // being created (or refused by checkHeads already)
                }
                final int at = writePositionOffset(head, headerLength);
                if (at < 0)
                {
                    if (check)
                    {
                        throw LogFiles.corrupt(file, "cycle file", "its header records no write position this " +
                            "ipckit can read");
                    }
                    return size;
                }
                final long writePosition = (long)LONG.getAcquire(head, at);
                final long sequence = (long)LONG.getAcquire(head, at + 8);
                if (writePosition == 0 || sequence == 0)
                {
                    // no record committed yet (Chronicle points the write position at its indexes while it
                    // creates them, with the sequence still 0)
                    return 4L + headerLength;
                }
                return recordEnd(file, channel, size, writePosition, check);
            }
            finally
            {
                IoUtil.unmap(head);
            }
        }
        catch (final NoSuchFileException ex)
        {
            return check ? UNKNOWN : 0; // deleted by retention meanwhile
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot read the cycle file " + file + ": " + ex, ex);
        }
    }

    private static long recordEnd(
        final Path file, final FileChannel channel, final long size, final long writePosition, final boolean check)
        throws IOException
    {
        if ((writePosition & 3) != 0 || writePosition < 0)
        {
            throw LogFiles.corrupt(file, "cycle file", "its header records its last record at position " +
                writePosition + ", which is not a record's position");
        }
        if (writePosition + 4 > size)
        {
            throw LogFiles.corrupt(file, "cycle file", "it is truncated to " + size + " bytes, but its header " +
                "records a last record at position " + writePosition + ": its records from there on are lost");
        }
        final MappedByteBuffer at = channel.map(FileChannel.MapMode.READ_ONLY, writePosition, 4);
        final int header;
        try
        {
            header = (int)INT.getAcquire(at, 0);
        }
        finally
        {
            IoUtil.unmap(at);
        }
        if (header == 0 || (header & (NOT_COMPLETE | META_DATA)) != 0)
        {
            throw LogFiles.corrupt(file, "cycle file", "its header records a last record at position " +
                writePosition + ", where the file holds " + (header == 0 ? "zeros (the page was lost, as after a " +
                "crash, or the file was truncated and grown again)" : "no complete record (word 0x" +
                Integer.toHexString(header) + ")"));
        }
        final long end = writePosition + 4 + (header & LENGTH_MASK);
        if (end > size)
        {
            throw LogFiles.corrupt(file, "cycle file", "it is truncated to " + size + " bytes, inside its last " +
                "record (at position " + writePosition + ", ending at " + end + ")");
        }
        return (end + 3) & ~3L; // the next record starts at a multiple of 4
    }

    /**
     * @return the offset in the file of the write position's first long, or -1 when the header does not record it
     *         as Chronicle's two-long array.
     */
    private static int writePositionOffset(final MappedByteBuffer head, final int headerLength)
    {
        final int limit = 4 + headerLength;
        int name = -1;
        for (int i = 4; i + WRITE_POSITION.length <= limit && name < 0; i++)
        {
            name = i;
            for (int j = 0; j < WRITE_POSITION.length; j++)
            {
                if (head.get(i + j) != WRITE_POSITION[j])
                {
                    name = -1;
                    break;
                }
            }
        }
        if (name < 0)
        {
            return -1;
        }
        int i = name + WRITE_POSITION.length;
        while (i < limit)
        {
            final int code = head.get(i) & 0xFF;
            if (code == PADDING)
            {
                i++;
            }
            else if (code == PADDING32 && i + 5 <= limit && head.getInt(i + 1) >= 0)
            {
                i += 5 + head.getInt(i + 1);
            }
            else
            {
                break;
            }
        }
        // the array: its code, capacity and used count (a long each), then the values, aligned for atomic access
        final int values = i + 1 + 16;
        if (i >= limit || (head.get(i) & 0xFF) != I64_ARRAY || values + 16 > limit || (values & 7) != 0 ||
            head.getLong(i + 1) < 2)
        {
            return -1;
        }
        return values;
    }

    private static long length(final Path file)
    {
        try
        {
            return java.nio.file.Files.size(file);
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }
}
