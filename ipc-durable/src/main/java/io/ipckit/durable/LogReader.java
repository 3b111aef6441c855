package io.ipckit.durable;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.durable.internal.LogRecordDescriptor;
import io.ipckit.durable.internal.PageWindow;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerState;
import net.openhft.chronicle.queue.impl.ExcerptContext;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wire;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * One reader of a {@link SharedLog}: a position in the log that moves on as records are read. Readers are
 * independent: each sees every record, whatever other readers (in this or any process) do. A named reader
 * ({@link SharedLog#reader(String)}) keeps its position in the log's metadata file, so it resumes where it stopped
 * after its process restarts; an anonymous one ({@link SharedLog#reader()}) starts at the first record.
 * <p>
 * A read completes when the value is returned or the handler returns: only then does the position move (and, for a
 * named reader, persist). A reader killed before that reads the same record again after restarting, never skips
 * one. A handler that throws leaves the position on its record. The one exception is retention
 * ({@link SharedLogOptions#retainCycles(int)}, {@link SharedLogOptions#retainBytes(long)}): it deletes whole cycle
 * files whether readers have read them or not, and a reader behind them goes on at the first record still kept.
 * <p>
 * The blocking reads spin briefly, then sleep on the log's doorbell until an appender (in any process) rings it:
 * an idle blocked reader costs no CPU to speak of, and appenders ring only when a reader sleeps. With an idle
 * strategy ({@link SharedLogOptions#idleStrategy}) they poll with it instead.
 * <p>
 * Not thread-safe: one thread at a time. {@link #close()} may come from any thread, and from the reader's own
 * handler: a thread blocked in the reader leaves with {@link ResourceClosedException}; a read under way (a handler
 * running, a record being decoded) completes, and the reader lets go of the log's files when it ends, so no read
 * touches freed memory. A handler that closes its reader ends the {@link #drain} that called it after its record.
 *
 * @param <T> the type of record values.
 */
public final class LogReader<T> implements AutoCloseable
{
    private static final long NO_INDEX = -1;
    /** How often a reader whose doorbell is quiet looks at the log all the same (for writers that do not ring). */
    private static final long FULL_LOOK_INTERVAL_NS = 1_000_000_000L;
    /** How often a reader that finds no record looks whether it stopped at a hole ({@link #checkNotAtHole}). */
    private static final long HOLE_CHECK_INTERVAL_NS = 1_000_000_000L;
    /** Empty reads between two looks at the clock for the hole check (a power of two). */
    private static final int HOLE_CHECK_READS = 64;

    private final SharedLog<T> log;
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final String name;
    private final Codec<T> codec;
    private final CloseGuard guard;
    private final Waiter waiter;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final PageWindow pages = PageWindow.forReader();
    private final RecordHandler decoder = this::decode;
    private T decoded;
    private long lastReadIndex = NO_INDEX;
    private long holeCheckedNs = System.nanoTime() - HOLE_CHECK_INTERVAL_NS;
    private int emptyReads;
    /**
     * The thread in this reader's wait, written by that thread only: a close from its handler (which runs inside the
     * wait) must not wait for it to leave. Another thread reads it only to compare it with itself.
     */
    private Thread waitingThread;

    LogReader(final SharedLog<T> log, final ExcerptTailer tailer, final String name)
    {
        this.log = log;
        this.queue = log.queue();
        this.tailer = tailer;
        this.name = name;
        this.codec = log.codec();
        tailer.singleThreadedCheckDisabled(true);
        this.guard = new CloseGuard(describe());
        this.waiter = new Waiter(log.doorbell(), log.idleStrategy(), guard);
    }

    /**
     * Reads the next record if there is one, without waiting.
     *
     * @return the value, or null when the reader is at the end of the log.
     * @throws ResourceClosedException when the reader or its log is closed.
     * @throws CorruptLogException     when the record cannot be read (corrupt file), or the reader stopped where its
     *                                 file lost records before its last one, naming the file.
     */
    public T poll()
    {
        guard.enterCall();
        try
        {
            return tryRead(decoder) ? takeDecoded() : null;
        }
        finally
        {
            guard.exitCall();
        }
    }

    /**
     * Reads the next record, waiting for one to be appended.
     *
     * @param timeout how long to wait; 0 or less does not wait.
     * @param unit    the unit of {@code timeout}.
     * @return the value, or null when the timeout passed first.
     * @throws InterruptedException    when the thread is interrupted while waiting.
     * @throws ResourceClosedException when the reader or its log is closed, also while waiting.
     * @throws CorruptLogException     when the record cannot be read (corrupt file), or the reader stopped where its
     *                                 file lost records before its last one, naming the file.
     */
    public T poll(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return receive(decoder, timeout <= 0 ? 0 : unit.toNanos(timeout)) ? takeDecoded() : null;
    }

    /**
     * Reads the next record, waiting as long as it takes for one to be appended.
     *
     * @return the value.
     * @throws InterruptedException    when the thread is interrupted while waiting.
     * @throws ResourceClosedException when the reader or its log is closed, also while waiting.
     * @throws CorruptLogException     when the record cannot be read (corrupt file), or the reader stopped where its
     *                                 file lost records before its last one, naming the file.
     */
    public T take() throws InterruptedException
    {
        receive(decoder, -1);
        return takeDecoded();
    }

    /**
     * Hands the next record to {@code handler} in place (no copy, no decoding), waiting for one to be appended.
     *
     * @param handler receives the record's bytes, valid only during the call; if it throws, the record stays
     *                unread and the exception propagates.
     * @param timeout how long to wait; 0 or less does not wait.
     * @param unit    the unit of {@code timeout}.
     * @return true when a record was handled, false when the timeout passed first.
     * @throws InterruptedException    when the thread is interrupted while waiting.
     * @throws ResourceClosedException when the reader or its log is closed, also while waiting.
     * @throws CorruptLogException     when the record cannot be read (corrupt file), or the reader stopped where its
     *                                 file lost records before its last one, naming the file.
     */
    public boolean receive(final RecordHandler handler, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        return receive(handler, timeout <= 0 ? 0 : unit.toNanos(timeout));
    }

    /**
     * Hands up to {@code limit} records to {@code handler} in place, without waiting.
     *
     * @param handler receives each record's bytes, valid only during its call; if it throws, that record stays
     *                unread and the exception propagates.
     * @param limit   the most records to handle.
     * @return how many were handled, 0 at the end of the log.
     * @throws ResourceClosedException when the reader or its log is closed.
     * @throws CorruptLogException     when a record cannot be read (corrupt file), or the reader stopped where its
     *                                 file lost records before its last one, naming the file.
     */
    public int drain(final RecordHandler handler, final int limit)
    {
        guard.enterCall();
        try
        {
            int count = 0;
            while (count < limit && tryRead(handler))
            {
                count++;
                if (guard.isClosed())
                {
                    break; // the handler closed the reader
                }
            }
            return count;
        }
        finally
        {
            guard.exitCall();
        }
    }

    private boolean receive(final RecordHandler handler, final long timeoutNs) throws InterruptedException
    {
        guard.enterCall();
        try
        {
            return tryRead(handler) || await(handler, timeoutNs);
        }
        finally
        {
            guard.exitCall();
        }
    }

    private boolean await(final RecordHandler handler, final long timeoutNs) throws InterruptedException
    {
        waiter.begin(timeoutNs);
        waitingThread = Thread.currentThread();
        try
        {
            boolean lookedWhileRegistered = false;
            int lookedAt = 0;
            long lookedAtNs = 0;
            while (true)
            {
                final int sequence = waiter.sequence();
                final boolean registered = waiter.isRegistered();
                // Asking Chronicle's tailer costs about a millisecond at the end of a log; once registered, look
                // only when the doorbell rang since the last look (no ring is lost: see the package notes), and
                // every FULL_LOOK_INTERVAL_NS in case a writer that does not ring (a Chronicle tool) appended.
                if (!registered || !lookedWhileRegistered || sequence != lookedAt ||
                    System.nanoTime() - lookedAtNs >= FULL_LOOK_INTERVAL_NS)
                {
                    if (tryRead(handler))
                    {
                        return true;
                    }
                    if (registered)
                    {
                        lookedWhileRegistered = true;
                        lookedAt = sequence;
                        lookedAtNs = System.nanoTime();
                    }
                }
                waiter.peersWatched(); // no process to look at: an append rings, and the log is looked at each second
                if (!waiter.pause(sequence))
                {
                    return false;
                }
            }
        }
        finally
        {
            waitingThread = null;
            waiter.end();
        }
    }

    private boolean tryRead(final RecordHandler handler)
    {
        if (read(handler))
        {
            return true;
        }
        // the clock only every 64th empty read: a reader spinning on an empty log pays a counter, not a clock read
        if ((emptyReads++ & (HOLE_CHECK_READS - 1)) == 0)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - holeCheckedNs >= HOLE_CHECK_INTERVAL_NS)
            {
                holeCheckedNs = nowNs;
                checkNotAtHole();
            }
        }
        return false;
    }

    /**
     * Throws when the reader found no record at a position before the last record its cycle file records: the file
     * lost records there (a page of zeros, as after a crash that lost it), and Chronicle's tailer would wait at that
     * position for good. A claim still open, or left by a dead appender, is never before that last record (an
     * appender raises the write position to a record only after publishing it), and its header is not zero.
     */
    private void checkNotAtHole()
    {
        if (tailer.state() != TailerState.FOUND_IN_CYCLE || !(tailer instanceof ExcerptContext context))
        {
            return;
        }
        final Wire wire = context.wire();
        if (wire == null)
        {
            return;
        }
        final long writePosition;
        try (SingleChronicleQueueStore store = queue.storeForCycle(tailer.cycle(), queue.epoch(), false, null))
        {
            if (store == null)
            {
                return;
            }
            writePosition = store.writePosition(); // before the look at the header, which it was published after
        }
        catch (final RuntimeException ex)
        {
            throw readFailure(ex);
        }
        final Bytes<?> bytes = wire.bytes();
        final long position = bytes.readPosition();
        if (position < writePosition && bytes.readVolatileInt(position) == 0)
        {
            throw new CorruptLogException(describe() + " stopped at position " + position + " of the cycle file " +
                tailer.currentFile() + ", which holds zeros there although the file records a record at position " +
                writePosition + " after it: the file lost records (a page lost in a crash, or a truncation); " +
                "restore the log directory from a backup, or seek past the damage (to an index after it, such as " +
                "the log's lastIndex())");
        }
    }

    private boolean read(final RecordHandler handler)
    {
        final DocumentContext document;
        try
        {
            document = tailer.readingDocument();
        }
        catch (final RuntimeException ex)
        {
            throw readFailure(ex);
        }
        boolean handled = false;
        try
        {
            if (!document.isPresent())
            {
                return false;
            }
            final Bytes<?> bytes = document.wire().bytes();
            final long position = bytes.readPosition();
            final long framed = bytes.readRemaining();
            if (framed < LogRecordDescriptor.PAYLOAD_OFFSET)
            {
                throw corruptRecord(document.index(), "it is " + framed + " bytes, shorter than its length word");
            }
            view.wrap(bytes.addressForRead(position, (int)framed), (int)framed);
            final int length = view.getInt(LogRecordDescriptor.LENGTH_OFFSET);
            // Chronicle pads a record to 4 bytes at least, and the document may carry that padding
            if (length < 0 || length > framed - LogRecordDescriptor.PAYLOAD_OFFSET ||
                framed - LogRecordDescriptor.PAYLOAD_OFFSET - length > 3)
            {
                throw corruptRecord(document.index(), "its length word says " + length + " bytes where the " +
                    "document holds " + (framed - LogRecordDescriptor.PAYLOAD_OFFSET));
            }
            lastReadIndex = document.index();
            handler.onMessage(view, LogRecordDescriptor.PAYLOAD_OFFSET, length);
            handled = true;
            pages.ahead(bytes.bytesStore(), position); // off the record's path: its handler has returned
            return true;
        }
        finally
        {
            if (!handled && document.isPresent())
            {
                document.rollbackOnClose();
            }
            document.close();
        }
    }

    private void decode(final DirectBuffer buffer, final int offset, final int length)
    {
        decoded = codec.decode(buffer, offset, length);
    }

    private T takeDecoded()
    {
        final T value = decoded;
        decoded = null;
        return value;
    }

    /**
     * Moves to the record at {@code index}: the next read returns it.
     *
     * @param index a record's index (from {@link SharedLog#append} or {@link #lastReadIndex()}).
     * @return true when positioned there, false when the log holds no record at that index (the position is then
     *         unspecified: call {@link #toStart()}, {@link #toEnd()} or seek again).
     * @throws ResourceClosedException when the reader or its log is closed.
     */
    public boolean seek(final long index)
    {
        guard.enterCall();
        try
        {
            return tailer.moveToIndex(index);
        }
        catch (final RuntimeException ex)
        {
            throw readFailure(ex);
        }
        finally
        {
            guard.exitCall();
        }
    }

    /**
     * Moves to the first record still in the log.
     *
     * @return this.
     * @throws ResourceClosedException when the reader or its log is closed.
     */
    public LogReader<T> toStart()
    {
        guard.enterCall();
        try
        {
            tailer.toStart();
        }
        catch (final RuntimeException ex)
        {
            throw readFailure(ex);
        }
        finally
        {
            guard.exitCall();
        }
        return this;
    }

    /**
     * Moves past the last record: the next read returns the next record appended.
     *
     * @return this.
     * @throws ResourceClosedException when the reader or its log is closed.
     */
    public LogReader<T> toEnd()
    {
        guard.enterCall();
        try
        {
            tailer.toEnd();
        }
        catch (final RuntimeException ex)
        {
            throw readFailure(ex);
        }
        finally
        {
            guard.exitCall();
        }
        return this;
    }

    /**
     * @return the number of records between this reader's position and the end of the log: how far behind it is.
     * @throws ResourceClosedException when the reader or its log is closed.
     */
    public long lag()
    {
        guard.enterCall();
        try
        {
            final long last = queue.lastIndex();
            if (last < 0)
            {
                return 0;
            }
            long next = tailer.index();
            final long first = queue.firstIndex();
            if (next < first)
            {
                next = first;
            }
            if (next > last)
            {
                return 0;
            }
            return queue.countExcerpts(next, last) + 1;
        }
        catch (final RuntimeException ex)
        {
            throw readFailure(ex);
        }
        finally
        {
            guard.exitCall();
        }
    }

    /**
     * @return the index of the record the next read returns once it exists (Chronicle's tailer index); for a named
     *         reader, the position persisted in the log.
     * @throws ResourceClosedException when the reader or its log is closed.
     */
    public long position()
    {
        guard.enterCall();
        try
        {
            return tailer.index();
        }
        finally
        {
            guard.exitCall();
        }
    }

    /**
     * @return the index of the record this reader read last, or -1 before its first read. Inside a handler, the index
     * of the record being handed over; when the handler throws, that record is not consumed (the next read returns
     * it again) although this still names it.
     */
    public long lastReadIndex()
    {
        return lastReadIndex;
    }

    /**
     * @return the reader's name, or null for an anonymous reader.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return true once this reader or its log is closed.
     */
    public boolean isClosed()
    {
        return guard.isClosed();
    }

    /**
     * Closes the reader; a named reader's position stays in the log. Threads blocked in it leave with
     * {@link ResourceClosedException}; a read under way in another thread, or in the calling thread's handler,
     * completes, and the reader lets go of the log's files when it ends. Idempotent.
     */
    @Override
    public void close()
    {
        if (guard.closeThenRelease(this::release, waitingThread == Thread.currentThread() ? 1 : 0, log.doorbell()))
        {
            log.readerClosed(this);
        }
    }

    private void release()
    {
        try
        {
            tailer.close();
        }
        finally
        {
            log.readerReleased();
        }
    }

    /**
     * @return a description for diagnostics.
     */
    @Override
    public String toString()
    {
        return describe() + (guard.isClosed() ? " (closed)" : "");
    }

    private String describe()
    {
        return (name == null ? "an anonymous reader" : "reader \"" + name + "\"") + " of the log in " + log.directory();
    }

    private IpcException readFailure(final RuntimeException ex)
    {
        if (guard.isClosed() || log.isClosed())
        {
            return new ResourceClosedException(describe() + " was closed while reading");
        }
        return new CorruptLogException(describe() + " cannot read at index " + Long.toHexString(tailer.index()) +
            " in " + tailer.currentFile() + ": " + ex + "; the file is corrupt or truncated: restore the log " +
            "directory from a backup, or seek past the damage", ex);
    }

    private CorruptLogException corruptRecord(final long index, final String why)
    {
        return new CorruptLogException(describe() + ": the record at index " + Long.toHexString(index) + " in " +
            tailer.currentFile() + " is corrupt: " + why + "; restore the log directory from a backup, or seek " +
            "past it");
    }
}
