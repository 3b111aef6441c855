package io.ipckit.durable;

import io.ipckit.core.ResourceName;
import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.durable.internal.LogDoorbellFile;
import io.ipckit.durable.internal.LogFiles;
import io.ipckit.durable.internal.LogRetention;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A durable, replayable log shared by any number of processes: appenders add records at the end, each reader
 * ({@link LogReader}) goes through them at its own pace, and everything stays on disk after every process is gone.
 * Built on Chronicle Queue (one directory per log, one file per {@link LogRollCycle cycle}); a blocked reader sleeps
 * on an ipckit doorbell file beside the log and is woken by the appender, where a Chronicle tailer would poll.
 * <pre>{@code
 * try (SharedLog<String> log = SharedLog.openOrCreate("orders", Codecs.STRING);
 *      LogReader<String> reader = log.reader("billing")) {   // a named reader resumes where it stopped
 *     long index = log.append("order 1");
 *     String next = reader.take();
 * }
 * }</pre>
 * Records are numbered by Chronicle's indices: increasing, but not contiguous across cycles. A record is committed
 * when {@link #append} (or {@link #commit}) returns: every reader then sees it, in every process, whatever happens to
 * the appender afterwards. An appender killed in the middle of an append leaves nothing a reader can see; the next
 * appender (in any process) takes over Chronicle's write lock from the dead process and overwrites the partial record.
 * <p>
 * Thread-safe and process-safe: appends from any threads and processes are serialized by Chronicle's write lock
 * (records of one appender keep their order). {@link #close()} is idempotent and closes this handle's readers.
 * <p>
 * Note to maintainers: this class is the public face of a log, and about 600 lines because most of it is the
 * Javadoc of the factory overloads and of the rule-5 claim methods. The work is done by package-private pieces, one
 * concept each: {@link LogOpener} opens or creates the directory and Chronicle's queue, {@link LogAppender} is the
 * appending side (its note keeps the locking and doorbell invariants), {@link LogReaders} the readers this handle
 * opened, and in {@code internal}: {@code LogRetention} (retention), {@code CycleFileSync} ({@link #sync()}),
 * {@code LogDoorbellFile} and {@code LogFiles}.
 *
 * @param <T> the type of record values.
 */
public final class SharedLog<T> implements AutoCloseable
{
    private static final long NO_INDEX = LogAppender.NO_INDEX;

    private final Path directory;
    private final Codec<T> codec;
    private final SharedLogOptions options;
    private final SingleChronicleQueue queue;
    private final LogDoorbellFile doorbellFile;
    private final Doorbell doorbell;
    private final LogAppender appender;
    private final LogReaders<T> readers;
    private final AtomicBoolean closed = new AtomicBoolean();

    SharedLog(
        final Path directory, final Codec<T> codec, final SharedLogOptions options, final SingleChronicleQueue queue,
        final LogDoorbellFile doorbellFile)
    {
        this.directory = directory;
        this.codec = codec;
        this.options = options;
        this.queue = queue;
        this.doorbellFile = doorbellFile;
        this.doorbell = doorbellFile.doorbell();
        final LogRetention retention = new LogRetention(directory, options.retainCycles(), options.retainBytes(), queue);
        this.appender = new LogAppender(this, queue, doorbell, options, retention);
        this.readers = new LogReaders<>(this, queue, this::releaseStore);
        retention.enforce();
    }

    /**
     * Creates the log named {@code name} under {@link SharedLogOptions#defaultDirectory()}, of Serializable values
     * ({@link Codecs#serializable(String...)}, admitting {@code java.base} and ipckit classes).
     *
     * @param name a valid resource name.
     * @param <T>  the type of record values.
     * @return the log.
     * @throws ResourceExistsException when a log (or any file of one) is already there.
     */
    public static <T> SharedLog<T> create(final String name)
    {
        return create(name, Codecs.serializable(), new SharedLogOptions());
    }

    /**
     * Creates the log named {@code name} under {@link SharedLogOptions#defaultDirectory()}.
     *
     * @param name  a valid resource name.
     * @param codec the codec of record values.
     * @param <T>   the type of record values.
     * @return the log.
     * @throws ResourceExistsException when a log is already there.
     */
    public static <T> SharedLog<T> create(final String name, final Codec<T> codec)
    {
        return create(name, codec, new SharedLogOptions());
    }

    /**
     * Creates the log named {@code name} under {@link SharedLogOptions#defaultDirectory()}.
     *
     * @param name    a valid resource name.
     * @param codec   the codec of record values.
     * @param options the options.
     * @param <T>     the type of record values.
     * @return the log.
     * @throws ResourceExistsException when a log is already there.
     */
    public static <T> SharedLog<T> create(final String name, final Codec<T> codec, final SharedLogOptions options)
    {
        return create(LogOpener.resolve(name), codec, options);
    }

    /**
     * Creates a log in {@code directory} (created with its parents when missing).
     *
     * @param directory the log's directory, on a disk file system for the log to survive a reboot.
     * @param codec     the codec of record values.
     * @param options   the options.
     * @param <T>       the type of record values.
     * @return the log.
     * @throws ResourceExistsException when the directory already holds a log.
     * @throws IpcException            when the directory cannot be created.
     */
    public static <T> SharedLog<T> create(final Path directory, final Codec<T> codec, final SharedLogOptions options)
    {
        return LogOpener.open(directory, codec, options, LogOpener.Mode.CREATE);
    }

    /**
     * Opens the existing log named {@code name} under {@link SharedLogOptions#defaultDirectory()}, of Serializable
     * values.
     *
     * @param name a valid resource name.
     * @param <T>  the type of record values.
     * @return the log.
     * @throws ResourceNotFoundException when there is no such log.
     * @throws CorruptLogException       when a file of the log is corrupt, naming it.
     * @throws io.ipckit.core.exceptions.IncompatibleVersionException when another ipckit version wrote the log.
     */
    public static <T> SharedLog<T> open(final String name)
    {
        return open(name, Codecs.serializable(), new SharedLogOptions());
    }

    /**
     * Opens the existing log named {@code name} under {@link SharedLogOptions#defaultDirectory()}.
     *
     * @param name  a valid resource name.
     * @param codec the codec of record values.
     * @param <T>   the type of record values.
     * @return the log.
     * @see #open(Path, Codec, SharedLogOptions)
     */
    public static <T> SharedLog<T> open(final String name, final Codec<T> codec)
    {
        return open(name, codec, new SharedLogOptions());
    }

    /**
     * Opens the existing log named {@code name} under {@link SharedLogOptions#defaultDirectory()}.
     *
     * @param name    a valid resource name.
     * @param codec   the codec of record values.
     * @param options the options.
     * @param <T>     the type of record values.
     * @return the log.
     * @see #open(Path, Codec, SharedLogOptions)
     */
    public static <T> SharedLog<T> open(final String name, final Codec<T> codec, final SharedLogOptions options)
    {
        return open(LogOpener.resolve(name), codec, options);
    }

    /**
     * Opens the existing log in {@code directory}.
     *
     * @param directory the log's directory.
     * @param codec     the codec of record values.
     * @param options   the options; a roll cycle set in them must be the log's own.
     * @param <T>       the type of record values.
     * @return the log.
     * @throws ResourceNotFoundException when the directory holds no log.
     * @throws IllegalArgumentException  when the options set a roll cycle other than the log's.
     * @throws CorruptLogException       when a file of the log is corrupt or truncated, naming it.
     * @throws io.ipckit.core.exceptions.IncompatibleVersionException when another ipckit version wrote the log.
     */
    public static <T> SharedLog<T> open(final Path directory, final Codec<T> codec, final SharedLogOptions options)
    {
        return LogOpener.open(directory, codec, options, LogOpener.Mode.OPEN);
    }

    /**
     * Opens the log named {@code name} under {@link SharedLogOptions#defaultDirectory()}, creating it when missing.
     *
     * @param name  a valid resource name.
     * @param codec the codec of record values.
     * @param <T>   the type of record values.
     * @return the log.
     * @see #openOrCreate(Path, Codec, SharedLogOptions)
     */
    public static <T> SharedLog<T> openOrCreate(final String name, final Codec<T> codec)
    {
        return openOrCreate(LogOpener.resolve(name), codec, new SharedLogOptions());
    }

    /**
     * Opens the log in {@code directory}, creating it when missing; any number of processes may race to do so.
     *
     * @param directory the log's directory.
     * @param codec     the codec of record values.
     * @param options   the options; a roll cycle set in them must be the log's own when it exists.
     * @param <T>       the type of record values.
     * @return the log.
     * @throws IllegalArgumentException when the options set a roll cycle other than the existing log's.
     * @throws CorruptLogException      when a file of the log is corrupt or truncated, naming it.
     * @throws io.ipckit.core.exceptions.IncompatibleVersionException when another ipckit version wrote the log.
     */
    public static <T> SharedLog<T> openOrCreate(
        final Path directory, final Codec<T> codec, final SharedLogOptions options)
    {
        return LogOpener.open(directory, codec, options, LogOpener.Mode.OPEN_OR_CREATE);
    }

    /**
     * Appends one record. Waits, without a limit and not interruptibly, while an appender of another process holds
     * the log's write lock (for a claim); a dead holder's lock is taken over within 1.5 s.
     *
     * @param value the value, not null.
     * @return the record's index.
     * @throws NullPointerException      when {@code value} is null.
     * @throws IllegalArgumentException  when the encoding is longer than {@link #maxRecordLength()}.
     * @throws ResourceClosedException   when this handle is closed.
     * @throws IllegalStateException     when the calling thread holds an open claim.
     */
    public long append(final T value)
    {
        return appender.append(codec, value);
    }

    /**
     * Appends one record of raw bytes (readers of a log with another codec must be able to decode them).
     *
     * @param buffer the bytes.
     * @param offset where they start.
     * @param length how many.
     * @return the record's index.
     * @throws IllegalArgumentException when {@code length} is negative or above {@link #maxRecordLength()}.
     * @throws ResourceClosedException  when this handle is closed.
     */
    public long append(final DirectBuffer buffer, final int offset, final int length)
    {
        return appender.append(buffer, offset, length);
    }

    /**
     * Appends several records in their order, then syncs (in {@link LogSyncMode#EVERY_APPEND}) and wakes readers
     * once. Records of other appenders may come between them.
     *
     * @param values the values, none null.
     * @return the index of the last record appended, or -1 when {@code values} is empty.
     * @throws NullPointerException when a value is null (the values before it are appended).
     * @see #append(Object)
     */
    public long appendBatch(final Iterable<? extends T> values)
    {
        return appender.appendBatch(codec, values);
    }

    /**
     * Claims room for one record of {@code length} bytes to write in place, in {@link #claimBuffer()} at the
     * returned offset; then {@link #commit} or {@link #abort} it from the same thread. A claim holds the log's write
     * lock for every process: keep it short.
     *
     * When another process (or handle) holds a claim, this waits one lock timeout of Chronicle's (about a second:
     * its lock offers no look without waiting) for it to end.
     *
     * @param length the record's length in bytes.
     * @return the offset in {@link #claimBuffer()}, or a negative value when another thread of this process holds
     *         a claim now, or another process's claim did not end within that second.
     * @throws IllegalArgumentException when {@code length} is negative or above {@link #maxRecordLength()}.
     * @throws IllegalStateException    when the calling thread already holds a claim.
     * @throws ResourceClosedException  when this handle is closed.
     */
    public int tryClaim(final int length)
    {
        return appender.tryClaim(length);
    }

    /**
     * Claims room for one record, waiting for other threads of this process, and other processes, that hold a
     * claim. Another process's claim is waited for in steps of Chronicle's lock timeout (about a second), so the
     * call may return up to that long after {@code timeout}.
     *
     * @param length  the record's length in bytes.
     * @param timeout how long to wait; 0 or less tries once (waiting that one step for another process's claim).
     * @param unit    the unit of {@code timeout}.
     * @return the offset in {@link #claimBuffer()}, or a negative value when the timeout passed.
     * @throws InterruptedException     when the thread is interrupted while waiting.
     * @throws IllegalArgumentException when {@code length} is negative or above {@link #maxRecordLength()}.
     * @throws IllegalStateException    when the calling thread already holds a claim.
     * @see #tryClaim(int)
     */
    public int claim(final int length, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return appender.claim(length, timeout, unit);
    }

    /**
     * @return the buffer of the current claim; write between the claimed offset and offset + length. Valid until
     *         {@link #commit} or {@link #abort}; only for the thread that holds the claim.
     * @throws ResourceClosedException when this handle is closed (a close rolls back the closing thread's claim).
     */
    public MutableDirectBuffer claimBuffer()
    {
        return appender.claimBuffer();
    }

    /**
     * Commits the calling thread's claim: the record becomes visible to every reader.
     *
     * @param index the offset {@link #tryClaim} or {@link #claim} returned.
     * @throws IllegalStateException   when the calling thread holds no claim or {@code index} is not its offset.
     * @throws ResourceClosedException when this handle is closed: the close rolled the claim back.
     */
    public void commit(final int index)
    {
        appender.commit(index);
    }

    /**
     * Abandons the calling thread's claim: no record is added.
     *
     * @param index the offset {@link #tryClaim} or {@link #claim} returned.
     * @throws IllegalStateException   when the calling thread holds no claim or {@code index} is not its offset.
     * @throws ResourceClosedException when this handle is closed: the close rolled the claim back.
     */
    public void abort(final int index)
    {
        appender.abort(index);
    }

    /**
     * @return the index of the last record appended through this handle (by any of its threads), or -1.
     */
    public long lastAppendedIndex()
    {
        return appender.lastAppendedIndex();
    }

    /**
     * @return the index of the last record in the log (appended by any process), or -1 when it is empty.
     * @throws ResourceClosedException when this handle is closed.
     */
    public long lastIndex()
    {
        checkOpen();
        readers.holdStore(); // a close from another thread meanwhile lets the store go after this look
        try
        {
            final long last = queue.lastIndex();
            return last < 0 ? NO_INDEX : last;
        }
        finally
        {
            readers.release();
        }
    }

    /**
     * @return the index of the first record still in the log, or -1 when it is empty.
     * @throws ResourceClosedException when this handle is closed.
     */
    public long firstIndex()
    {
        checkOpen();
        readers.holdStore();
        try
        {
            final long first = queue.firstIndex();
            return first < 0 || first == Long.MAX_VALUE ? NO_INDEX : first;
        }
        finally
        {
            readers.release();
        }
    }

    /**
     * @param index a record's index (a reader's {@link LogReader#position()}, or one of {@link #readerPositions()}).
     * @return the number of records from {@code index} to the end of the log (0 when {@code index} is past it): the
     *         lag of a reader positioned there.
     * @throws ResourceClosedException when this handle is closed.
     * @throws CorruptLogException     when a cycle file cannot be read, naming it.
     */
    public long recordsFrom(final long index)
    {
        checkOpen();
        readers.holdStore();
        try
        {
            final long last = queue.lastIndex();
            if (last < 0)
            {
                return 0;
            }
            final long from = Math.max(index, queue.firstIndex());
            return from > last ? 0 : queue.countExcerpts(from, last) + 1;
        }
        catch (final RuntimeException ex)
        {
            throw failure("count the records from index " + Long.toHexString(index), ex);
        }
        finally
        {
            readers.release();
        }
    }

    /**
     * Reads the named readers' persisted positions (Chronicle's named tailers, in the log's metadata file): every
     * name ever opened on this log, by any process, with the index it reads next. A diagnostic look, not a
     * snapshot: readers move on meanwhile.
     *
     * @return the positions by reader name, in name order.
     * @throws ResourceClosedException when this handle is closed.
     * @throws CorruptLogException     when the metadata file cannot be read, naming it.
     */
    public java.util.SortedMap<String, Long> readerPositions()
    {
        checkOpen();
        readers.holdStore();
        try
        {
            return readers.positions();
        }
        finally
        {
            readers.release();
        }
    }

    /**
     * @return the log's cycle files, oldest first (one per roll cycle that received records and is still kept).
     * @throws IpcException when the directory cannot be listed.
     */
    public java.util.List<Path> cycleFiles()
    {
        return LogFiles.cycleFiles(directory);
    }

    /**
     * Forces the records appended so far to the disk: when it returns they survive the machine's death too. Forces
     * every cycle file this handle appended to since its last sync (the one before a roll included), its current
     * cycle file (the newest one when this handle has not appended), and the log's directory when a file appeared
     * in it since then (and at the handle's first sync), so that a new file's entry survives too.
     *
     * @throws IpcException            when the file cannot be forced.
     * @throws ResourceClosedException when this handle is closed.
     */
    public void sync()
    {
        appender.sync();
    }

    /**
     * Opens an anonymous reader positioned at the first record: it reads every record still in the log, and its
     * position is forgotten when it closes.
     *
     * @return the reader, for one thread at a time.
     * @throws ResourceClosedException when this handle is closed.
     */
    public LogReader<T> reader()
    {
        return readers.open(null);
    }

    /**
     * Opens the named reader {@code name}: it resumes after the last record it read, across restarts of any process
     * (Chronicle's named tailer; the position is in the log's metadata file and moves as each read completes). A
     * new name starts at the first record. Use each name in one process at a time: two handles of one name share a
     * single position.
     *
     * @param name a valid resource name, not ending in {@code .lock} or {@code .version} (Chronicle's names for a
     *             reader's own keys, which {@link #readerPositions()} leaves out).
     * @return the reader, for one thread at a time.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws ResourceClosedException when this handle is closed.
     */
    public LogReader<T> reader(final String name)
    {
        ResourceName.validate(name);
        if (name.endsWith(".lock") || name.endsWith(".version"))
        {
            throw new io.ipckit.core.exceptions.InvalidNameException("reader name \"" + name + "\" ends in .lock or " +
                ".version, which Chronicle uses for a reader's own keys: choose another name");
        }
        return readers.open(name);
    }

    void readerClosed(final LogReader<?> reader)
    {
        readers.closed(reader);
    }

    void readerReleased()
    {
        readers.release();
    }

    /**
     * @return the files and directory the last sync of this handle forced, in order, for tests.
     */
    java.util.List<Path> lastForced()
    {
        return appender.lastForced();
    }

    /**
     * @return how many of Chronicle's lock timeouts this handle's appends and claims waited out, for tests.
     */
    long lockTimeoutsWaited()
    {
        return appender.lockTimeoutsWaited();
    }

    /**
     * @return the log's directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the log's roll cycle.
     */
    public LogRollCycle rollCycle()
    {
        return options.rollCycle();
    }

    /**
     * @return the longest record this log takes, in bytes.
     */
    public int maxRecordLength()
    {
        return appender.maxRecordLength();
    }

    /**
     * @return the number of reading threads, in every process, now asleep in the kernel waiting for records (a
     *         sleeper wakes every 50 ms to look again, so it may be missing from one reading).
     * @throws ResourceClosedException when this handle is closed.
     */
    public int sleepingReaders()
    {
        checkOpen();
        readers.holdStore(); // the doorbell's file is unmapped with the store: a read after that would crash the JVM
        try
        {
            return doorbellFile.sleepers();
        }
        finally
        {
            readers.release();
        }
    }

    /**
     * @return true once {@link #close()} was called.
     */
    public boolean isClosed()
    {
        return closed.get();
    }

    /**
     * Closes this handle's readers (threads blocked in them leave with {@link ResourceClosedException}) and lets go
     * of the log's files; the log stays on disk. A read under way in another thread (a handler that runs on) keeps
     * the files until it ends. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        readers.closeAll();
        appender.close(readers::release);
    }

    private void releaseStore()
    {
        queue.close();
        doorbellFile.close();
    }

    /**
     * @return a description for diagnostics.
     */
    @Override
    public String toString()
    {
        return "SharedLog{" + directory + ", " + options.rollCycle() + (closed.get() ? ", closed}" : "}");
    }

    SingleChronicleQueue queue()
    {
        return queue;
    }

    Codec<T> codec()
    {
        return codec;
    }

    Doorbell doorbell()
    {
        return doorbell;
    }

    org.agrona.concurrent.IdleStrategy idleStrategy()
    {
        return options.idleStrategy();
    }

    void checkOpen()
    {
        if (closed.get())
        {
            // a claim holder's call after another thread's close: that close waits for the claim's lock, so the
            // claim is let go before the call throws (whichever call it is: sync, lastIndex, ...)
            appender.releaseClaimClosedByAnother();
            throw new ResourceClosedException("the log in " + directory + " is closed in this process: open it again");
        }
    }

    IpcException failure(final String what, final RuntimeException ex)
    {
        if (closed.get())
        {
            return new ResourceClosedException("the log in " + directory + " was closed while trying to " + what);
        }
        return new CorruptLogException("cannot " + what + " on the log in " + directory + ": " + ex +
            "; a file of the log may be corrupt or truncated: restore the directory from a backup", ex);
    }
}
