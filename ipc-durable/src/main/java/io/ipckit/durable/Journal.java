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
 * Thread-safe and process-safe for appends; snapshots must come from the one process whose appends built the state
 * (the Manager): a snapshot of an earlier entry covers up to that process's own last append
 * ({@link #lastEntryIndex()}), and two processes moving the snapshot mark at once may leave it on the older of their
 * snapshots.
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
     *                                   {@code coveredIndex} is negative or past {@link #lastEntryIndex()}.
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
     * (the entries before it were handed over already, in order). When the mark is on no snapshot (a writer killed
     * before its first move), the replay looks for the journal's last snapshot from its first entry, and starts at the
     * first entry when there is none.
     *
     * @param handler receives the entries.
     * @return the number of entries handed over (the snapshot included).
     * @throws CorruptLogException when an entry is not a journal entry, naming the file, or when the entry the last
     *                             snapshot covers is no longer in the log (retention removed its cycle) or cannot be
     *                             one it covers.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the journal is closed.
     */
    public long replay(final JournalHandler handler)
    {
        Objects.requireNonNull(handler, "handler");
        try (LogReader<byte[]> reader = log.reader())
        {
            long start = markPosition();
            long[] snapshot = snapshotAt(reader, start);
            if (snapshot == null)
            {
                start = lastSnapshot(reader);
                snapshot = start < 0 ? null : snapshotAt(reader, start);
            }
            final Replay replay = new Replay(reader, handler, start);
            if (snapshot == null)
            {
                reader.toStart();
            }
            else if (snapshot[0] == TYPE_SNAPSHOT_OF_EARLIER)
            {
                final long covered = snapshot[1];
                if (covered < 0 || covered >= start)
                {
                    throw new CorruptLogException("the snapshot at index " + Long.toHexString(start) + " of the " +
                        "journal in " + log.directory() + " says it covers the entries up to index " +
                        Long.toHexString(covered) + ", which is not before it: its header is corrupt");
                }
                if (reader.drain(replay, 1) != 1) // the snapshot, then the entries after the one it covers
                {
                    throw new CorruptLogException("the snapshot at index " + Long.toHexString(start) + " of the " +
                        "journal in " + log.directory() + " vanished while it was read: is retention removing cycles?");
                }
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

    /**
     * @param first  an entry's index.
     * @param second another's.
     * @return true when both are in one cycle file of the log: retention removes them together.
     */
    public boolean inOneCycle(final long first, final long second)
    {
        final net.openhft.chronicle.queue.RollCycle cycle = log.rollCycle().chronicle();
        return cycle.toCycle(first) == cycle.toCycle(second);
    }

    private static final RecordHandler SKIP = (buffer, offset, length) -> { };

    /**
     * A replay's handing over of entries: a {@link RecordHandler} for the reader's drains.
     */
    private final class Replay implements RecordHandler
    {
        private final LogReader<byte[]> reader;
        private final JournalHandler handler;
        /** The snapshot the replay starts from (handed over first), or -1: passed over when met again. */
        private final long start;
        private long count;

        Replay(final LogReader<byte[]> reader, final JournalHandler handler, final long start)
        {
            this.reader = reader;
            this.handler = handler;
            this.start = start;
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
                if (count > 0 && (index == start || type == TYPE_SNAPSHOT_OF_EARLIER))
                {
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
     * @return null when it is no snapshot (or the log has no such index), else its type and the index of the last
     * entry it covers (meaningful for a snapshot of an earlier entry).
     */
    private static long[] snapshotAt(final LogReader<byte[]> reader, final long index)
    {
        if (index <= 0 || !reader.seek(index))
        {
            return null;
        }
        final long[][] snapshot = {null};
        try
        {
            reader.drain((buffer, offset, length) ->
            {
                final int type = length >= BODY_OFFSET ? buffer.getInt(offset + TYPE_OFFSET) : 0;
                if (type == TYPE_SNAPSHOT || type == TYPE_SNAPSHOT_OF_EARLIER)
                {
                    snapshot[0] = new long[] {type, buffer.getLong(offset + CALLER_SEQUENCE_OFFSET)};
                }
                throw PEEKED; // leaves the reader on the entry
            }, 1);
        }
        catch (final PeekException ignore)
        {
            // peeked
        }
        return snapshot[0];
    }

    /**
     * Reads the whole journal from its first entry.
     *
     * @return the index of its last snapshot, or -1 when it holds none.
     */
    private static long lastSnapshot(final LogReader<byte[]> reader)
    {
        reader.toStart();
        final long[] last = {-1};
        final RecordHandler look = (buffer, offset, length) ->
        {
            final int type = length >= BODY_OFFSET ? buffer.getInt(offset + TYPE_OFFSET) : 0;
            if (type == TYPE_SNAPSHOT || type == TYPE_SNAPSHOT_OF_EARLIER)
            {
                last[0] = reader.lastReadIndex();
            }
        };
        while (reader.drain(look, Integer.MAX_VALUE) > 0)
        {
            // to the end of the journal as it is now
        }
        return last[0];
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
