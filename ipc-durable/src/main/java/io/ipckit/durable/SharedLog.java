package io.ipckit.durable;

import io.ipckit.core.ResourceName;
import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.durable.internal.ChronicleFlags;
import io.ipckit.durable.internal.LogDoorbellFile;
import io.ipckit.durable.internal.LogFiles;
import io.ipckit.durable.internal.LogRecordDescriptor;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.UnrecoverableTimeoutException;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

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
 * Note to maintainers: this class is longer than ipckit's usual 600 lines because more than half of it is the
 * Javadoc of the factory overloads (create/open/openOrCreate by name or directory) and of the rule-5 claim methods;
 * its logic is about 350 lines. Invariants: every append, claim and commit holds {@code appendLock}, which confines
 * Chronicle's appender and the shared {@code claimBuffer} to one thread at a time; a claim holds the lock from
 * {@link #tryClaim} to {@link #commit}/{@link #abort}; the doorbell is rung after the document is closed (its header
 * published by a CAS), never before.
 *
 * @param <T> the type of record values.
 */
public final class SharedLog<T> implements AutoCloseable
{
    private static final long NO_INDEX = -1;
    /** The metadata key prefix of a named reader's position (Chronicle's {@code indexForId}). */
    private static final String NAMED_READER_KEY_PREFIX = "index.";
    /**
     * Chronicle's timeout; its write lock times out after 1.5 times this, then checks whether the holder's process
     * is alive and takes the lock over if not. Chronicle's default (10 s) would stall every live appender that long
     * after an appender died holding the lock.
     */
    private static final long CHRONICLE_TIMEOUT_MS = 1_000;

    private enum Mode
    {
        CREATE, OPEN, OPEN_OR_CREATE
    }

    private final Path directory;
    private final Codec<T> codec;
    private final SharedLogOptions options;
    private final SingleChronicleQueue queue;
    private final LogDoorbellFile doorbellFile;
    private final Doorbell doorbell;
    private final int maxRecordLength;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(256);
    private final UnsafeBuffer claimBuffer = new UnsafeBuffer(0, 0);
    private final Set<LogReader<?>> readers = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private ExcerptAppender appender;
    private DocumentContext claim;
    private long lastAppendedIndex = NO_INDEX;
    private int lastCycle = Integer.MIN_VALUE;
    private File syncedFile;
    private FileChannel syncChannel;

    private SharedLog(
        final Path directory, final Codec<T> codec, final SharedLogOptions options, final SingleChronicleQueue queue,
        final LogDoorbellFile doorbellFile)
    {
        this.directory = directory;
        this.codec = codec;
        this.options = options;
        this.queue = queue;
        this.doorbellFile = doorbellFile;
        this.doorbell = doorbellFile.doorbell();
        this.maxRecordLength = (int)Math.min(queue.overlapSize(), Integer.MAX_VALUE - 64) -
            LogRecordDescriptor.PAYLOAD_OFFSET;
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
        return create(resolve(name), codec, options);
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
        return open(directory, codec, options, Mode.CREATE);
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
        return open(resolve(name), codec, options);
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
        return open(directory, codec, options, Mode.OPEN);
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
        return openOrCreate(resolve(name), codec, new SharedLogOptions());
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
        return open(directory, codec, options, Mode.OPEN_OR_CREATE);
    }

    private static Path resolve(final String name)
    {
        return SharedLogOptions.defaultDirectory().resolve(ResourceName.validate(name));
    }

    private static <T> SharedLog<T> open(
        final Path directory, final Codec<T> codec, final SharedLogOptions givenOptions, final Mode mode)
    {
        Objects.requireNonNull(codec, "codec");
        ChronicleFlags.check();
        final SharedLogOptions options = givenOptions.copy();
        final Path dir = directory.toAbsolutePath().normalize();
        switch (mode)
        {
            case CREATE ->
            {
                if (Files.isDirectory(dir) && LogFiles.holdsLog(dir))
                {
                    throw new ResourceExistsException("cannot create a log in " + dir + ": it already holds one; " +
                        "open it, delete the directory first, or choose another");
                }
                createDirectories(dir);
            }
            case OPEN ->
            {
                if (!Files.isDirectory(dir) || !LogDoorbellFile.exists(dir))
                {
                    throw new ResourceNotFoundException("no log in " + dir + (Files.isDirectory(dir) &&
                        LogFiles.holdsLog(dir) ? " (it holds Chronicle Queue files but no " +
                        io.ipckit.durable.internal.LogDoorbellDescriptor.FILE_NAME + ": not an ipckit log)" : "") +
                        ": create it first, or check the directory (" + SharedLogOptions.DIRECTORY_PROP_NAME + ")");
                }
            }
            case OPEN_OR_CREATE -> createDirectories(dir);
            default -> throw new IllegalStateException(mode.toString());
        }
        LogFiles.checkHeads(dir);
        final LogDoorbellFile doorbellFile = LogDoorbellFile.createOrOpen(dir, mode == Mode.CREATE);
        SingleChronicleQueue queue = null;
        try
        {
            final SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(dir)
                .checkInterrupts(false)
                .timeoutMS(CHRONICLE_TIMEOUT_MS);
            if (mode == Mode.CREATE || options.rollCycleSet() || !Files.exists(dir.resolve(LogFiles.METADATA_FILE)))
            {
                builder.rollCycle(options.rollCycle().chronicle());
            }
            if (options.clock() != null)
            {
                builder.timeProvider(options.clock());
            }
            queue = builder.build();
            final LogRollCycle actual = LogRollCycle.of(queue.rollCycle());
            if (options.rollCycleSet() && actual != options.rollCycle())
            {
                throw new IllegalArgumentException("the log in " + dir + " rolls " + (actual == null ?
                    queue.rollCycle() : actual) + ", not " + options.rollCycle() + ": rollCycle is fixed when a log " +
                    "is created; leave it unset to open the log");
            }
            options.rollCycle(actual == null ? LogRollCycle.DAILY : actual);
            queue.lastIndex(); // maps the newest cycle's header now, so corruption shows at open
            final SharedLog<T> log = new SharedLog<>(dir, codec, options, queue, doorbellFile);
            log.enforceRetention();
            return log;
        }
        catch (final RuntimeException | Error ex)
        {
            if (queue != null)
            {
                queue.close();
            }
            doorbellFile.close();
            if (ex instanceof IpcException || ex instanceof IllegalArgumentException)
            {
                throw ex;
            }
            if (ex instanceof Error)
            {
                throw new IpcException("cannot open the log in " + dir + ": Chronicle Queue failed with " + ex, ex);
            }
            throw new CorruptLogException("cannot open the log in " + dir + ": " + ex + "; one of its files " +
                LogFiles.cycleFiles(dir) + " or " + LogFiles.METADATA_FILE + " is corrupt or was written by an " +
                "incompatible Chronicle Queue; restore the directory from a backup", ex);
        }
    }

    private static void createDirectories(final Path dir)
    {
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot create the log directory " + dir + ": " + ex, ex);
        }
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
        Objects.requireNonNull(value, "value");
        appendLock.lock();
        try
        {
            checkNoClaim();
            final int length = codec.encode(value, scratch, 0);
            final long index = write(scratch, 0, length);
            afterAppend();
            return index;
        }
        finally
        {
            appendLock.unlock();
        }
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
        appendLock.lock();
        try
        {
            checkNoClaim();
            final long index = write(buffer, offset, length);
            afterAppend();
            return index;
        }
        finally
        {
            appendLock.unlock();
        }
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
        appendLock.lock();
        try
        {
            checkNoClaim();
            long index = NO_INDEX;
            for (final T value : values)
            {
                Objects.requireNonNull(value, "a value of the batch");
                final int length = codec.encode(value, scratch, 0);
                index = write(scratch, 0, length);
            }
            if (index != NO_INDEX)
            {
                afterAppend();
            }
            return index;
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /**
     * Claims room for one record of {@code length} bytes to write in place, in {@link #claimBuffer()} at the
     * returned offset; then {@link #commit} or {@link #abort} it from the same thread. A claim holds the log's write
     * lock for every process: keep it short.
     *
     * @param length the record's length in bytes.
     * @return the offset in {@link #claimBuffer()}, or a negative value when another thread of this process holds
     *         a claim now.
     * @throws IllegalArgumentException when {@code length} is negative or above {@link #maxRecordLength()}.
     * @throws IllegalStateException    when the calling thread already holds a claim.
     * @throws ResourceClosedException  when this handle is closed.
     */
    public int tryClaim(final int length)
    {
        checkLength(length);
        if (!appendLock.tryLock())
        {
            return -1;
        }
        return openClaim(length);
    }

    /**
     * Claims room for one record, waiting for other threads of this process that hold a claim.
     *
     * @param length  the record's length in bytes.
     * @param timeout how long to wait; 0 or less tries once.
     * @param unit    the unit of {@code timeout}.
     * @return the offset in {@link #claimBuffer()}, or a negative value when the timeout passed.
     * @throws InterruptedException     when the thread is interrupted while waiting.
     * @throws IllegalArgumentException when {@code length} is negative or above {@link #maxRecordLength()}.
     * @throws IllegalStateException    when the calling thread already holds a claim.
     * @see #tryClaim(int)
     */
    public int claim(final int length, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        checkLength(length);
        if (!(timeout <= 0 ? appendLock.tryLock() : appendLock.tryLock(timeout, unit)))
        {
            return -1;
        }
        return openClaim(length);
    }

    private int openClaim(final int length)
    {
        try
        {
            if (appendLock.getHoldCount() > 1)
            {
                throw new IllegalStateException("this thread already holds a claim on the log in " + directory +
                    ": commit or abort it first");
            }
            checkOpen();
            claim = writingDocument();
            reserve(claim, length, claimBuffer);
            return LogRecordDescriptor.PAYLOAD_OFFSET;
        }
        catch (final RuntimeException | Error ex)
        {
            if (claim != null)
            {
                claim.rollbackOnClose();
                claim.close();
                claim = null;
            }
            appendLock.unlock();
            throw ex;
        }
    }

    /**
     * @return the buffer of the current claim; write between the claimed offset and offset + length. Valid until
     *         {@link #commit} or {@link #abort}; only for the thread that holds the claim.
     */
    public MutableDirectBuffer claimBuffer()
    {
        return claimBuffer;
    }

    /**
     * Commits the calling thread's claim: the record becomes visible to every reader.
     *
     * @param index the offset {@link #tryClaim} or {@link #claim} returned.
     * @throws IllegalStateException when the calling thread holds no claim or {@code index} is not its offset.
     */
    public void commit(final int index)
    {
        checkClaim(index);
        try
        {
            final DocumentContext document = claim;
            claim = null;
            document.close();
            lastAppendedIndex = appender.lastIndexAppended();
            afterAppend();
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /**
     * Abandons the calling thread's claim: no record is added.
     *
     * @param index the offset {@link #tryClaim} or {@link #claim} returned.
     * @throws IllegalStateException when the calling thread holds no claim or {@code index} is not its offset.
     */
    public void abort(final int index)
    {
        checkClaim(index);
        try
        {
            final DocumentContext document = claim;
            claim = null;
            document.rollbackOnClose();
            document.close();
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /**
     * @return the index of the last record appended through this handle (by any of its threads), or -1.
     */
    public long lastAppendedIndex()
    {
        appendLock.lock();
        try
        {
            return lastAppendedIndex;
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /**
     * @return the index of the last record in the log (appended by any process), or -1 when it is empty.
     * @throws ResourceClosedException when this handle is closed.
     */
    public long lastIndex()
    {
        checkOpen();
        final long last = queue.lastIndex();
        return last < 0 ? NO_INDEX : last;
    }

    /**
     * @return the index of the first record still in the log, or -1 when it is empty.
     * @throws ResourceClosedException when this handle is closed.
     */
    public long firstIndex()
    {
        checkOpen();
        final long first = queue.firstIndex();
        return first < 0 || first == Long.MAX_VALUE ? NO_INDEX : first;
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
        final java.util.SortedMap<String, Long> values = new java.util.TreeMap<>();
        try
        {
            queue.metaStore().forEachKey(values, (map, key, value) ->
            {
                final String text = key.toString();
                if (text.startsWith(NAMED_READER_KEY_PREFIX))
                {
                    map.put(text.substring(NAMED_READER_KEY_PREFIX.length()), value.int64());
                }
            });
        }
        catch (final RuntimeException ex)
        {
            throw failure("read the named readers in " + directory.resolve(LogFiles.METADATA_FILE), ex);
        }
        // Chronicle keeps "index.NAME.lock" and "index.NAME.version" beside a reader's "index.NAME"
        values.keySet().removeIf((key) -> key.endsWith(".lock") &&
            values.containsKey(key.substring(0, key.length() - ".lock".length())) || key.endsWith(".version") &&
            values.containsKey(key.substring(0, key.length() - ".version".length())));
        return values;
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
     * this handle's current cycle file (the newest one when this handle has not appended).
     *
     * @throws IpcException            when the file cannot be forced.
     * @throws ResourceClosedException when this handle is closed.
     */
    public void sync()
    {
        appendLock.lock();
        try
        {
            checkOpen();
            forceCurrentFile();
        }
        finally
        {
            appendLock.unlock();
        }
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
        return newReader(null);
    }

    /**
     * Opens the named reader {@code name}: it resumes after the last record it read, across restarts of any process
     * (Chronicle's named tailer; the position is in the log's metadata file and moves as each read completes). A
     * new name starts at the first record. Use each name in one process at a time: two handles of one name share a
     * single position.
     *
     * @param name a valid resource name.
     * @return the reader, for one thread at a time.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws ResourceClosedException when this handle is closed.
     */
    public LogReader<T> reader(final String name)
    {
        return newReader(ResourceName.validate(name));
    }

    private LogReader<T> newReader(final String name)
    {
        checkOpen();
        final LogReader<T> reader;
        try
        {
            reader = new LogReader<>(this, name == null ? queue.createTailer() : queue.createTailer(name), name);
        }
        catch (final IpcException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw failure("open a reader" + (name == null ? "" : " named \"" + name + "\""), ex);
        }
        readers.add(reader);
        if (closed.get())
        {
            reader.close();
            checkOpen();
        }
        return reader;
    }

    void readerClosed(final LogReader<?> reader)
    {
        readers.remove(reader);
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
        return maxRecordLength;
    }

    /**
     * @return the number of reading threads, in every process, now asleep in the kernel waiting for records (a
     *         sleeper wakes every 50 ms to look again, so it may be missing from one reading).
     */
    public int sleepingReaders()
    {
        return doorbellFile.sleepers();
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
     * of the log's files; the log stays on disk. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        for (final LogReader<?> reader : readers)
        {
            reader.close();
        }
        appendLock.lock();
        try
        {
            if (claim != null)
            {
                claim.rollbackOnClose();
                claim.close();
                claim = null;
            }
            if (syncChannel != null)
            {
                closeQuietly(syncChannel);
            }
            if (appender != null)
            {
                appender.close();
            }
            queue.close();
            doorbellFile.close();
        }
        finally
        {
            appendLock.unlock();
        }
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

    private long write(final DirectBuffer buffer, final int offset, final int length)
    {
        checkLength(length);
        checkOpen();
        final DocumentContext document = writingDocument();
        try
        {
            reserve(document, length, claimBuffer);
            claimBuffer.putBytes(LogRecordDescriptor.PAYLOAD_OFFSET, buffer, offset, length);
            document.close();
        }
        catch (final RuntimeException ex)
        {
            if (document.isOpen())
            {
                document.rollbackOnClose();
                document.close();
            }
            throw failure("append", ex);
        }
        lastAppendedIndex = appender.lastIndexAppended();
        return lastAppendedIndex;
    }

    private DocumentContext writingDocument()
    {
        while (true)
        {
            try
            {
                if (appender == null)
                {
                    appender = queue.createAppender(); // takes the write lock too, to find the end of the log
                    appender.singleThreadedCheckDisabled(true);
                }
                return appender.writingDocument();
            }
            catch (final UnrecoverableTimeoutException ex)
            {
                // Chronicle waited a lock timeout: it takes the lock over when its holder's pid is dead, and throws
                // this when the holder lives (a long claim, a paused JVM): keep waiting for it
                checkOpen();
            }
            catch (final RuntimeException ex)
            {
                throw failure("start an append", ex);
            }
        }
    }

    /** Reserves the framed record in the document and points {@code view} at it (length word included). */
    private static void reserve(final DocumentContext document, final int length, final UnsafeBuffer view)
    {
        final Bytes<?> bytes = document.wire().bytes();
        final long position = bytes.writePosition();
        final int framed = LogRecordDescriptor.PAYLOAD_OFFSET + length;
        bytes.writeSkip(framed); // maps the record's whole range (within Chronicle's overlap) before its address is taken
        view.wrap(bytes.addressForWrite(position), framed);
        view.putInt(LogRecordDescriptor.LENGTH_OFFSET, length);
    }

    private void afterAppend()
    {
        // the record's header was published by a CAS, which orders it before this load of the waiter count
        doorbell.ringIfWaiting();
        if (options.syncMode() == LogSyncMode.EVERY_APPEND)
        {
            forceCurrentFile();
        }
        final int cycle = appender.cycle();
        if (cycle != lastCycle)
        {
            lastCycle = cycle;
            enforceRetention();
        }
    }

    private void enforceRetention()
    {
        if (LogFiles.enforceRetention(directory, options.retainCycles(), options.retainBytes()) > 0)
        {
            queue.refreshDirectoryListing();
        }
    }

    private void forceCurrentFile()
    {
        File file = appender == null ? null : appender.currentFile();
        if (file == null)
        {
            final java.util.List<Path> cycles = LogFiles.cycleFiles(directory);
            if (cycles.isEmpty())
            {
                return;
            }
            file = cycles.getLast().toFile();
        }
        try
        {
            if (!file.equals(syncedFile))
            {
                if (syncChannel != null)
                {
                    closeQuietly(syncChannel);
                    syncChannel = null;
                }
                syncChannel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE);
                syncedFile = file;
            }
            // fsync writes back the file's dirty pages, those written through Chronicle's mappings included
            syncChannel.force(false);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot force the cycle file " + file + " of the log to disk: " + ex, ex);
        }
    }

    private void checkLength(final int length)
    {
        if (length < 0 || length > maxRecordLength)
        {
            throw new IllegalArgumentException("a record of " + length + " bytes does not fit the log in " +
                directory + ": records take 0.." + maxRecordLength + " bytes");
        }
    }

    private void checkNoClaim()
    {
        if (claim != null)
        {
            throw new IllegalStateException("this thread holds a claim on the log in " + directory +
                ": commit or abort it before appending");
        }
    }

    private void checkClaim(final int index)
    {
        if (!appendLock.isHeldByCurrentThread() || claim == null)
        {
            throw new IllegalStateException("this thread holds no claim on the log in " + directory);
        }
        if (index != LogRecordDescriptor.PAYLOAD_OFFSET)
        {
            throw new IllegalStateException("claim offset " + index + " is not this thread's claim (" +
                LogRecordDescriptor.PAYLOAD_OFFSET + ") on the log in " + directory);
        }
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        try
        {
            closeable.close();
        }
        catch (final Exception ignore)
        {
            // closing what only this handle used; the handle is going away
        }
    }
}
