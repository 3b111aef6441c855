package io.ipckit.durable;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.process.ProcessIdentity;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.Objects;

import static io.ipckit.durable.internal.JournalRecordDescriptor.BODY_OFFSET;
import static io.ipckit.durable.internal.JournalRecordDescriptor.CALLER_PID_OFFSET;
import static io.ipckit.durable.internal.JournalRecordDescriptor.CALLER_SEQUENCE_OFFSET;
import static io.ipckit.durable.internal.JournalRecordDescriptor.CALLER_START_TIME_OFFSET;
import static io.ipckit.durable.internal.JournalRecordDescriptor.TYPE_MUTATION;
import static io.ipckit.durable.internal.JournalRecordDescriptor.TYPE_OFFSET;
import static io.ipckit.durable.internal.JournalRecordDescriptor.TYPE_SNAPSHOT;

/**
 * The journal a Manager keeps its state in: every mutation is appended with the identity of the process that asked
 * for it and that process's own sequence number (so a retried request can be recognised), a snapshot of the whole
 * state now and then, and after a restart {@link #replay} hands over the last snapshot and every mutation after it.
 * Entries are laid out by {@link io.ipckit.durable.internal.JournalRecordDescriptor} in a {@link SharedLog}.
 * <p>
 * The position of the last snapshot is kept as a named reader of the log ({@value #SNAPSHOT_READER}), so replay
 * starts there without scanning. Retention must keep the last snapshot's cycle: snapshot more often than the
 * retention removes cycles.
 * <p>
 * Thread-safe and process-safe for appends; snapshots should come from one process (the Manager) at a time, since
 * two processes moving the snapshot mark at once may leave it on the older of their snapshots (replay is then
 * longer, never wrong).
 */
public final class Journal implements AutoCloseable
{
    /** Name of the log reader whose position marks the last snapshot. */
    public static final String SNAPSHOT_READER = "ipckit-journal-snapshot";

    private final SharedLog<byte[]> log;
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(256);
    /**
     * The snapshot mark, opened at its first use and kept (guarded by this): opening a named reader costs about a
     * millisecond (measured, Chronicle's named tailer), which a snapshot paid each time while its caller held up the
     * calls that change state. Closed with the log.
     */
    private LogReader<byte[]> mark;

    private Journal(final SharedLog<byte[]> log)
    {
        this.log = log;
    }

    /**
     * Opens the journal in {@code directory}, creating it when missing.
     *
     * @param directory the journal's log directory.
     * @param options   the log's options (sync mode {@link LogSyncMode#EVERY_APPEND} for a journal that must
     *                  survive the machine's death).
     * @return the journal.
     * @throws CorruptLogException when a file of the log is corrupt, naming it.
     * @throws io.ipckit.core.exceptions.IncompatibleVersionException when another ipckit version wrote it.
     */
    public static Journal openOrCreate(final Path directory, final SharedLogOptions options)
    {
        return new Journal(SharedLog.openOrCreate(directory, Codecs.BYTES, options));
    }

    /**
     * Appends a mutation.
     *
     * @param caller         the process that asked for it.
     * @param callerSequence that process's sequence number for the request.
     * @param mutation       the mutation's bytes.
     * @param offset         where they start.
     * @param length         how many.
     * @return the entry's index.
     * @throws NullPointerException      when {@code caller} is null.
     * @throws IndexOutOfBoundsException when the slice lies outside {@code mutation}.
     * @throws IllegalArgumentException  when the entry is longer than the log's records hold.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the journal is closed.
     */
    public synchronized long append(
        final ProcessIdentity caller, final long callerSequence, final DirectBuffer mutation, final int offset,
        final int length)
    {
        Objects.requireNonNull(caller, "caller");
        checkBody(mutation, offset, length);
        scratch.putInt(TYPE_OFFSET, TYPE_MUTATION);
        scratch.putInt(TYPE_OFFSET + 4, 0);
        scratch.putLong(CALLER_PID_OFFSET, caller.pid());
        scratch.putLong(CALLER_START_TIME_OFFSET, caller.startTime());
        scratch.putLong(CALLER_SEQUENCE_OFFSET, callerSequence);
        scratch.putBytes(BODY_OFFSET, mutation, offset, length);
        return log.append(scratch, 0, BODY_OFFSET + length);
    }

    /**
     * Appends a mutation.
     *
     * @param caller         the process that asked for it.
     * @param callerSequence that process's sequence number for the request.
     * @param mutation       the mutation's bytes.
     * @return the entry's index.
     * @see #append(ProcessIdentity, long, DirectBuffer, int, int)
     */
    public long append(final ProcessIdentity caller, final long callerSequence, final byte[] mutation)
    {
        return append(caller, callerSequence, new UnsafeBuffer(mutation), 0, mutation.length);
    }

    /**
     * Appends a snapshot of the whole state and marks it as the point replays start from.
     *
     * @param state  the state's bytes.
     * @param offset where they start.
     * @param length how many.
     * @return the snapshot's index.
     * @throws IndexOutOfBoundsException when the slice lies outside {@code state}.
     * @throws IllegalArgumentException  when the snapshot is longer than the log's records hold.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the journal is closed.
     */
    public synchronized long snapshot(final DirectBuffer state, final int offset, final int length)
    {
        checkBody(state, offset, length);
        scratch.putInt(TYPE_OFFSET, TYPE_SNAPSHOT);
        scratch.putInt(TYPE_OFFSET + 4, 0);
        scratch.putLong(CALLER_PID_OFFSET, 0);
        scratch.putLong(CALLER_START_TIME_OFFSET, 0);
        scratch.putLong(CALLER_SEQUENCE_OFFSET, 0);
        scratch.putBytes(BODY_OFFSET, state, offset, length);
        final long index = log.append(scratch, 0, BODY_OFFSET + length);
        final LogReader<byte[]> mark = mark();
        if (mark.position() < index && !mark.seek(index))
        {
            throw new IpcException("the snapshot at index " + Long.toHexString(index) + " of the journal in " +
                log.directory() + " vanished at once: is retention deleting the current cycle?");
        }
        return index;
    }

    /**
     * Appends a snapshot of the whole state.
     *
     * @param state the state's bytes.
     * @return the snapshot's index.
     * @see #snapshot(DirectBuffer, int, int)
     */
    public long snapshot(final byte[] state)
    {
        return snapshot(new UnsafeBuffer(state), 0, state.length);
    }

    /**
     * Hands {@code handler} the last snapshot (if any) and every entry after it, up to the end of the journal now.
     *
     * @param handler receives the entries.
     * @return the number of entries handed over (the snapshot included).
     * @throws CorruptLogException when an entry is not a journal entry, naming the file.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the journal is closed.
     */
    public long replay(final JournalHandler handler)
    {
        Objects.requireNonNull(handler, "handler");
        final long start = markPosition();
        try (LogReader<byte[]> reader = log.reader())
        {
            if (!isSnapshotAt(reader, start))
            {
                reader.toStart();
            }
            final long[] count = {0};
            final RecordHandler dispatch = (buffer, offset, length) ->
            {
                if (length < BODY_OFFSET)
                {
                    throw new CorruptLogException("the entry at index " + Long.toHexString(reader.lastReadIndex()) +
                        " of the journal in " + log.directory() + " is " + length + " bytes, not a journal entry: " +
                        "the log holds records of something else");
                }
                final int type = buffer.getInt(offset + TYPE_OFFSET);
                final long index = reader.lastReadIndex();
                if (type == TYPE_SNAPSHOT)
                {
                    handler.onSnapshot(index, buffer, offset + BODY_OFFSET, length - BODY_OFFSET);
                }
                else if (type == TYPE_MUTATION)
                {
                    handler.onMutation(index, new ProcessIdentity(buffer.getLong(offset + CALLER_PID_OFFSET),
                        buffer.getLong(offset + CALLER_START_TIME_OFFSET)), buffer.getLong(offset + CALLER_SEQUENCE_OFFSET),
                        buffer, offset + BODY_OFFSET, length - BODY_OFFSET);
                }
                else
                {
                    throw new CorruptLogException("the entry at index " + Long.toHexString(index) + " of the journal " +
                        "in " + log.directory() + " has unknown type " + type + ": written by a newer ipckit, or " +
                        "the log holds records of something else");
                }
                count[0]++;
            };
            while (reader.drain(dispatch, Integer.MAX_VALUE) > 0)
            {
                // drain until the end of the journal as it is now
            }
            return count[0];
        }
    }

    private synchronized long markPosition()
    {
        return mark().position();
    }

    /**
     * @return the snapshot mark, opened now when this is its first use. Called holding this journal's lock.
     */
    private LogReader<byte[]> mark()
    {
        if (mark == null)
        {
            mark = log.reader(SNAPSHOT_READER);
        }
        return mark;
    }

    private static boolean isSnapshotAt(final LogReader<byte[]> reader, final long index)
    {
        if (index <= 0 || !reader.seek(index))
        {
            return false;
        }
        final boolean[] snapshot = {false};
        try
        {
            reader.drain((buffer, offset, length) ->
            {
                snapshot[0] = length >= BODY_OFFSET && buffer.getInt(offset + TYPE_OFFSET) == TYPE_SNAPSHOT;
                throw PEEKED; // leaves the reader on the entry
            }, 1);
        }
        catch (final PeekException ignore)
        {
            // peeked
        }
        return snapshot[0];
    }

    private static final PeekException PEEKED = new PeekException();

    /** Thrown by a handler to look at a record without consuming it. */
    private static final class PeekException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        PeekException()
        {
            super("peek", null, false, false);
        }
    }

    /**
     * Checks an entry's body before the scratch buffer grows to hold it: a slice outside its buffer, or a body the
     * log's records cannot hold, would otherwise reserve that much memory for good, then fail.
     */
    private void checkBody(final DirectBuffer body, final int offset, final int length)
    {
        Objects.checkFromIndexSize(offset, length, body.capacity());
        if (length > log.maxRecordLength() - BODY_OFFSET)
        {
            throw new IllegalArgumentException("a journal entry of " + length + " bytes does not fit the log in " +
                log.directory() + ": entries take 0.." + (log.maxRecordLength() - BODY_OFFSET) + " bytes " +
                "(SharedLogOptions.maxRecordLength less a " + BODY_OFFSET + "-byte header)");
        }
    }

    /**
     * @return the journal's log (to read it live, e.g. with a named reader of one's own).
     */
    public SharedLog<byte[]> log()
    {
        return log;
    }

    /**
     * Closes the journal's log handle, its snapshot mark with it; the journal stays on disk. Idempotent.
     */
    @Override
    public void close()
    {
        log.close();
    }
}
