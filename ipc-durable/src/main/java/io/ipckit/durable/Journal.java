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
import static io.ipckit.durable.internal.JournalRecordDescriptor.TYPE_SNAPSHOT_OF_EARLIER;

/**
 * The journal a Manager keeps its state in: every mutation is appended with the identity of the process that asked
 * for it and that process's own sequence number (so a retried request can be recognised), a snapshot of the whole
 * state now and then, and after a restart {@link #replay} hands over the last snapshot and every mutation after it.
 * Entries are laid out by {@link io.ipckit.durable.internal.JournalRecordDescriptor} in a {@link SharedLog}.
 * <p>
 * The position of the last snapshot is kept as a named reader of the log ({@value #SNAPSHOT_READER}), so replay
 * starts there without scanning. A snapshot may also be of the state at an earlier entry
 * ({@link #snapshot(DirectBuffer, int, int, long)}): a writer that takes its state at one entry and writes it while
 * later entries are appended holds up nothing while it encodes. Retention must keep the cycles from the entry the last
 * snapshot covers: snapshot more often than the retention removes cycles.
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
        return appendSnapshot(TYPE_SNAPSHOT, 0, state, offset, length);
    }

    /**
     * Appends a snapshot entry and moves the mark to it. Called holding this journal's lock, the body checked.
     */
    private long appendSnapshot(
        final int type, final long coveredIndex, final DirectBuffer state, final int offset, final int length)
    {
        scratch.putInt(TYPE_OFFSET, type);
        scratch.putInt(TYPE_OFFSET + 4, 0);
        scratch.putLong(CALLER_PID_OFFSET, 0);
        scratch.putLong(CALLER_START_TIME_OFFSET, 0);
        scratch.putLong(CALLER_SEQUENCE_OFFSET, coveredIndex);
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
     * Appends a snapshot of the state as it was right after the entry at {@code coveredIndex}: the entries appended
     * after that one, before this snapshot, are replayed after it. A writer takes its state and
     * {@link #lastEntryIndex()} at one moment (under the lock its appends take), encodes and appends it later, while
     * other entries are appended. Marks it as the point replays start from.
     *
     * @param state        the state's bytes.
     * @param offset       where they start.
     * @param length       how many.
     * @param coveredIndex the index of the last entry the state includes: {@link #lastEntryIndex()} when the state
     *                     was taken.
     * @return the snapshot's index.
     * @throws IndexOutOfBoundsException when the slice lies outside {@code state}.
     * @throws IllegalArgumentException  when the snapshot is longer than the log's records hold, or
     *                                   {@code coveredIndex} is negative or past the journal's last entry.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the journal is closed.
     */
    public synchronized long snapshot(
        final DirectBuffer state, final int offset, final int length, final long coveredIndex)
    {
        checkBody(state, offset, length);
        final long last = lastEntryIndex();
        if (coveredIndex < 0 || coveredIndex > last)
        {
            throw new IllegalArgumentException("a snapshot of the journal in " + log.directory() + " covers up to " +
                "entry " + Long.toHexString(coveredIndex) + ", which it does not hold (its last entry is " +
                Long.toHexString(last) + "): pass lastEntryIndex() as it was when the state was taken");
        }
        return appendSnapshot(TYPE_SNAPSHOT_OF_EARLIER, coveredIndex, state, offset, length);
    }

    /**
     * @return the index of the last entry appended through this handle, or when it has appended none, of the journal's
     * last entry (-1 when it is empty): the {@code coveredIndex} of a snapshot of the state this handle's appends
     * built, taken now ({@link #snapshot(DirectBuffer, int, int, long)}). The first is a field's read; the second asks
     * the log, which looks at its last cycle's index (measured: hundreds of microseconds on a long journal).
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the journal is closed.
     */
    public long lastEntryIndex()
    {
        final long appended = log.lastAppendedIndex();
        return appended >= 0 ? appended : log.lastIndex();
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
     * A snapshot of the state at an earlier entry ({@link #snapshot(DirectBuffer, int, int, long)}) comes first, then
     * the entries after the one it covers, those appended before it included. A later snapshot met on the way replaces
     * the state when it covers every entry before it, and is passed over when it covers only up to an earlier entry
     * (the entries before it were handed over already, in order). Without a mark on a snapshot, the replay starts
     * at the journal's first entry.
     *
     * @param handler receives the entries.
     * @return the number of entries handed over (the snapshot included).
     * @throws CorruptLogException when an entry is not a journal entry, naming the file, or when the entry the last
     *                             snapshot covers is no longer in the log (retention removed its cycle).
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the journal is closed.
     */
    public long replay(final JournalHandler handler)
    {
        Objects.requireNonNull(handler, "handler");
        final long start = markPosition();
        try (LogReader<byte[]> reader = log.reader())
        {
            final Replay replay = new Replay(reader, handler);
            final long covered = snapshotAt(reader, start);
            if (covered == NOT_A_SNAPSHOT)
            {
                reader.toStart();
                replay.startsAnywhere = true;
            }
            else if (covered != COVERS_ALL)
            {
                reader.drain(replay, 1); // the snapshot the mark is on, then the entries after the one it covers
                replay.passOver = start;
                if (!reader.seek(covered) || reader.drain(SKIP, 1) != 1 || reader.lastReadIndex() != covered)
                {
                    throw new CorruptLogException("the snapshot at index " + Long.toHexString(start) + " of the " +
                        "journal in " + log.directory() + " covers the entries up to index " +
                        Long.toHexString(covered) + ", which the log no longer holds: retention removed the cycles " +
                        "it needs (keep them longer than the snapshots' interval)");
                }
            }
            while (reader.drain(replay, Integer.MAX_VALUE) > 0)
            {
                // drain until the end of the journal as it is now
            }
            return replay.count;
        }
    }

    /** {@link #snapshotAt}: no snapshot at the index. */
    private static final long NOT_A_SNAPSHOT = -2;
    /** {@link #snapshotAt}: a snapshot covering every entry before it. */
    private static final long COVERS_ALL = -1;
    private static final RecordHandler SKIP = (buffer, offset, length) -> { };

    /**
     * A replay's handing over of entries: a {@link RecordHandler} for the reader's drains.
     */
    private final class Replay implements RecordHandler
    {
        private final LogReader<byte[]> reader;
        private final JournalHandler handler;
        /** The replay started at the journal's first entry: a snapshot there is its starting point, whatever it covers. */
        private boolean startsAnywhere;
        /** The snapshot handed over first, met again after the entries it does not cover: passed over. */
        private long passOver = -1;
        private long count;

        Replay(final LogReader<byte[]> reader, final JournalHandler handler)
        {
            this.reader = reader;
            this.handler = handler;
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            final long index = reader.lastReadIndex();
            if (length < BODY_OFFSET)
            {
                throw new CorruptLogException("the entry at index " + Long.toHexString(index) +
                    " of the journal in " + log.directory() + " is " + length + " bytes, not a journal entry: " +
                    "the log holds records of something else");
            }
            final int type = buffer.getInt(offset + TYPE_OFFSET);
            if (type == TYPE_MUTATION)
            {
                handler.onMutation(index, new ProcessIdentity(buffer.getLong(offset + CALLER_PID_OFFSET),
                    buffer.getLong(offset + CALLER_START_TIME_OFFSET)), buffer.getLong(offset + CALLER_SEQUENCE_OFFSET),
                    buffer, offset + BODY_OFFSET, length - BODY_OFFSET);
            }
            else if (type == TYPE_SNAPSHOT || type == TYPE_SNAPSHOT_OF_EARLIER)
            {
                final boolean first = count == 0 && (startsAnywhere || passOver == -1);
                if (index == passOver || type == TYPE_SNAPSHOT_OF_EARLIER && !first)
                {
                    startsAnywhere = false;
                    return;
                }
                handler.onSnapshot(index, buffer, offset + BODY_OFFSET, length - BODY_OFFSET);
            }
            else
            {
                throw new CorruptLogException("the entry at index " + Long.toHexString(index) + " of the journal " +
                    "in " + log.directory() + " has unknown type " + type + ": written by a newer ipckit, or " +
                    "the log holds records of something else");
            }
            startsAnywhere = false;
            count++;
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

    /**
     * Looks at the entry at {@code index} and leaves the reader on it.
     *
     * @return {@link #NOT_A_SNAPSHOT} when it is none (or the log has no such index), {@link #COVERS_ALL} for a
     * snapshot of every entry before it, else the index of the last entry the snapshot covers.
     */
    private static long snapshotAt(final LogReader<byte[]> reader, final long index)
    {
        if (index <= 0 || !reader.seek(index))
        {
            return NOT_A_SNAPSHOT;
        }
        final long[] covered = {NOT_A_SNAPSHOT};
        try
        {
            reader.drain((buffer, offset, length) ->
            {
                if (length >= BODY_OFFSET)
                {
                    final int type = buffer.getInt(offset + TYPE_OFFSET);
                    covered[0] = type == TYPE_SNAPSHOT ? COVERS_ALL : type == TYPE_SNAPSHOT_OF_EARLIER ?
                        buffer.getLong(offset + CALLER_SEQUENCE_OFFSET) : NOT_A_SNAPSHOT;
                }
                throw PEEKED; // leaves the reader on the entry
            }, 1);
        }
        catch (final PeekException ignore)
        {
            // peeked
        }
        return covered[0];
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
