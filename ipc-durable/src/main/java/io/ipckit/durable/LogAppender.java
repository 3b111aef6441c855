package io.ipckit.durable;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.durable.internal.CycleFileSync;
import io.ipckit.durable.internal.LogRecordDescriptor;
import io.ipckit.durable.internal.LogRetention;
import io.ipckit.durable.internal.PageWindow;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.util.MicroTouched;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.UnrecoverableTimeoutException;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The appending side of one {@link SharedLog} handle: Chronicle's appender, the claim in progress, and what follows
 * every append (the doorbell, the sync mode, retention when a new cycle starts). {@link SharedLog} documents the
 * public contract of each method.
 * <p>
 * Thread-safe: every method takes {@code appendLock}.
 * <p>
 * Note to maintainers: invariants. Every append, claim and commit holds {@code appendLock}, which confines
 * Chronicle's appender, the shared {@code claimBuffer} and {@code scratch} to one thread at a time; a claim holds the
 * lock from {@link #tryClaim}/{@link #claim} to {@link #commit}/{@link #abort} (so {@code getHoldCount() > 1} means
 * the thread claims twice). The doorbell is rung after the document is closed (its header published by a CAS, which
 * orders it before the ring's load of the waiter count), never before. A failed write rolls its document back
 * before the lock is released, so the next append starts at the last complete record. The pages ahead are populated
 * ({@link PageWindow}) after the ring, under the lock, from the bytes store and end of the record just written
 * ({@code lastStore}, {@code lastEnd}, set by {@code reserve}): the store is still mapped then, as the appender holds
 * it; later it is only compared by identity.
 */
final class LogAppender
{
    static final long NO_INDEX = -1;

    private final SharedLog<?> log;
    private final Path directory;
    private final SingleChronicleQueue queue;
    private final Doorbell doorbell;
    private final boolean syncEveryAppend;
    private final CycleFileSync sync;
    private final LogRetention retention;
    private final int maxRecordLength;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(256);
    private final UnsafeBuffer claimBuffer = new UnsafeBuffer(0, 0);
    private final PageWindow pages = PageWindow.forAppender();
    private ExcerptAppender appender;
    private MicroTouched toucher;
    private BytesStore<?, ?> lastStore;
    private long lastEnd;
    private DocumentContext claim;
    private long lastAppendedIndex = NO_INDEX;
    private int lastCycle = Integer.MIN_VALUE;
    /** How many of Chronicle's lock timeouts appends and claims of this handle waited out, for tests. */
    private volatile long lockTimeoutsWaited;

    LogAppender(
        final SharedLog<?> log, final SingleChronicleQueue queue, final Doorbell doorbell, final SharedLogOptions options,
        final LogRetention retention)
    {
        this.log = log;
        this.directory = log.directory();
        this.queue = queue;
        this.doorbell = doorbell;
        this.syncEveryAppend = options.syncMode() == LogSyncMode.EVERY_APPEND;
        this.sync = new CycleFileSync(directory);
        this.retention = retention;
        this.maxRecordLength = (int)Math.min(queue.overlapSize(), Integer.MAX_VALUE - 64) -
            LogRecordDescriptor.PAYLOAD_OFFSET;
    }

    int maxRecordLength()
    {
        return maxRecordLength;
    }

    <T> long append(final Codec<T> codec, final T value)
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

    long append(final DirectBuffer buffer, final int offset, final int length)
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

    <T> long appendBatch(final Codec<T> codec, final Iterable<? extends T> values)
    {
        appendLock.lock();
        try
        {
            checkNoClaim();
            long index = NO_INDEX;
            try
            {
                for (final T value : values)
                {
                    Objects.requireNonNull(value, "a value of the batch");
                    final int length = codec.encode(value, scratch, 0);
                    index = write(scratch, 0, length);
                }
            }
            catch (final RuntimeException | Error ex)
            {
                if (index != NO_INDEX)
                {
                    try
                    {
                        afterAppend(); // the records written before the value that failed: rung, synced, retained
                    }
                    catch (final RuntimeException | Error after)
                    {
                        ex.addSuppressed(after);
                    }
                }
                throw ex;
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

    int tryClaim(final int length)
    {
        checkLength(length);
        if (!appendLock.tryLock())
        {
            return -1;
        }
        try
        {
            return openClaim(length, System.nanoTime(), false);
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException("unreachable: an uninterruptible claim was interrupted", ex);
        }
    }

    int claim(final int length, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        checkLength(length);
        final long deadlineNs = System.nanoTime() + Math.max(0, unit.toNanos(timeout));
        if (!(timeout <= 0 ? appendLock.tryLock() : appendLock.tryLock(timeout, unit)))
        {
            return -1;
        }
        return openClaim(length, deadlineNs, true);
    }

    /**
     * Holding {@code appendLock}: opens the claim's document, giving up (and the lock) once {@code deadlineNs} has
     * passed while another process holds Chronicle's write lock.
     *
     * @return the claim's offset, or -1 when the deadline passed first.
     */
    private int openClaim(final int length, final long deadlineNs, final boolean interruptible)
        throws InterruptedException
    {
        if (appendLock.getHoldCount() > 1)
        {
            // a second claim of the thread that holds one: refused, and the first claim and its hold left as they
            // are (inside the try below, the refusal rolled the first claim back and kept the lock held for good)
            appendLock.unlock();
            throw new IllegalStateException("this thread already holds a claim on the log in " + directory +
                ": commit or abort it first");
        }
        try
        {
            log.checkOpen();
            claim = writingDocument(deadlineNs, interruptible);
            if (claim == null)
            {
                appendLock.unlock();
                return -1;
            }
            reserve(claim, length, claimBuffer);
            return LogRecordDescriptor.PAYLOAD_OFFSET;
        }
        catch (final InterruptedException ex)
        {
            appendLock.unlock();
            throw ex;
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

    MutableDirectBuffer claimBuffer()
    {
        releaseClaimClosedByAnother();
        log.checkOpen(); // after the close the view points at nothing: a write would not reach freed memory anyway
        return claimBuffer;
    }

    void commit(final int index)
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

    void abort(final int index)
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

    long lastAppendedIndex()
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

    void sync()
    {
        log.checkOpen(); // before the lock: a claim holder's call after another thread's close lets the claim go
        appendLock.lock();
        try
        {
            log.checkOpen();
            sync.force(appender == null ? null : appender.currentFile());
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /**
     * Rolls back a claim left open, lets go of the appender and the synced file, then runs {@code thenUnderLock}
     * (letting go of the log handle's hold of the queue) before an append that is under way may start another.
     *
     * @param thenUnderLock lets go of what the appender writes to.
     */
    void close(final Runnable thenUnderLock)
    {
        appendLock.lock();
        try
        {
            if (claim != null)
            {
                // only this thread can hold it (another's close waits for the lock): roll it back, let go of the
                // claim's own hold of the lock (a commit after the close cannot), and point its view at nothing
                // before the store under it is freed
                claim.rollbackOnClose();
                claim.close();
                claim = null;
                claimBuffer.wrap(0, 0);
                appendLock.unlock();
            }
            sync.close();
            if (appender != null)
            {
                appender.close();
            }
            thenUnderLock.run();
        }
        finally
        {
            appendLock.unlock();
        }
    }

    private long write(final DirectBuffer buffer, final int offset, final int length)
    {
        checkLength(length);
        // before the document opens: a copy that threw inside it was reported as a possibly corrupt log file
        java.util.Objects.checkFromIndexSize(offset, length, buffer.capacity());
        log.checkOpen();
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
            throw log.failure("append", ex);
        }
        lastAppendedIndex = appender.lastIndexAppended();
        return lastAppendedIndex;
    }

    private DocumentContext writingDocument()
    {
        try
        {
            return writingDocument(Long.MAX_VALUE, false);
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException("unreachable: an uninterruptible append was interrupted", ex);
        }
    }

    /**
     * @return the files and directory the last sync forced, for tests.
     */
    java.util.List<Path> lastForced()
    {
        appendLock.lock();
        try
        {
            return sync.lastForced();
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /**
     * @return how many of Chronicle's lock timeouts this handle's appends and claims waited out (a live holder's).
     */
    long lockTimeoutsWaited()
    {
        return lockTimeoutsWaited;
    }

    /**
     * Starts a document, waiting for another process's claim or append to end. Chronicle's lock offers no look
     * without waiting: each attempt waits up to Chronicle's lock timeout, so the deadline is looked at between
     * attempts and a claim gives up at most that timeout after it.
     *
     * @param deadlineNs    {@link System#nanoTime()} after which a timed-out attempt gives up; {@link Long#MAX_VALUE}
     *                      for never.
     * @param interruptible whether an interrupt ends the wait (with {@link InterruptedException}).
     * @return the document, or null when the deadline passed.
     */
    private DocumentContext writingDocument(final long deadlineNs, final boolean interruptible)
        throws InterruptedException
    {
        while (true)
        {
            try
            {
                if (appender == null)
                {
                    appender = queue.createAppender(); // takes the write lock too, to find the end of the log
                    appender.singleThreadedCheckDisabled(true);
                    toucher = (MicroTouched)appender; // Chronicle's appender implements it; its interface does not say so
                }
                return appender.writingDocument();
            }
            catch (final UnrecoverableTimeoutException ex)
            {
                // Chronicle waited a lock timeout: it takes the lock over when its holder's pid is dead, and throws
                // this when the holder lives (a long claim, a paused JVM): keep waiting for it, within a claim's time
                lockTimeoutsWaited++; // only the thread holding appendLock writes it
                log.checkOpen();
                if (interruptible && Thread.interrupted())
                {
                    throw new InterruptedException("interrupted while claiming on the log in " + directory);
                }
                if (deadlineNs != Long.MAX_VALUE && System.nanoTime() - deadlineNs >= 0)
                {
                    return null;
                }
            }
            catch (final RuntimeException ex)
            {
                throw log.failure("start an append", ex);
            }
        }
    }

    /**
     * Reserves the framed record in the document and points {@code view} at it (length word included); remembers
     * where it ends for {@link #afterAppend}.
     */
    private void reserve(final DocumentContext document, final int length, final UnsafeBuffer view)
    {
        final Bytes<?> bytes = document.wire().bytes();
        final long position = bytes.writePosition();
        final int framed = LogRecordDescriptor.PAYLOAD_OFFSET + length;
        bytes.writeSkip(framed); // maps the record's whole range (within Chronicle's overlap) before its address is taken
        view.wrap(bytes.addressForWrite(position), framed);
        view.putInt(LogRecordDescriptor.LENGTH_OFFSET, length);
        lastStore = bytes.bytesStore();
        lastEnd = position + framed;
    }

    private void afterAppend()
    {
        // the record's header was published by a CAS, which orders it before this load of the waiter count
        doorbell.ringIfWaiting();
        // then, off the record's path (its reader is already woken), populate the pages ahead, many per system call,
        // so that no append takes the fault that allocates a fresh page of the cycle file; where that call is missing,
        // Chronicle's toucher write-touches the next page once per page from this thread instead
        pages.ahead(lastStore, lastEnd);
        if (!pages.isOn())
        {
            toucher.microTouch();
        }
        final int cycle = appender.cycle();
        final boolean newCycle = cycle != lastCycle; // one comparison per append
        if (newCycle)
        {
            lastCycle = cycle;
            sync.written(appender.currentFile()); // the file before it is forced by the next sync
        }
        if (syncEveryAppend)
        {
            sync.force(appender.currentFile());
        }
        if (newCycle)
        {
            retention.enforce();
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

    /**
     * When another thread closed the log while this thread holds a claim: that close waits for the lock the claim
     * holds, so the claim is rolled back and let go here, or that close and every appender of the log would wait for
     * good. The caller then throws, as the log is closed.
     */
    void releaseClaimClosedByAnother()
    {
        if (log.isClosed() && appendLock.isHeldByCurrentThread() && claim != null)
        {
            final DocumentContext document = claim;
            claim = null;
            claimBuffer.wrap(0, 0);
            try
            {
                document.rollbackOnClose();
                document.close();
            }
            finally
            {
                appendLock.unlock();
            }
        }
    }

    private void checkClaim(final int index)
    {
        releaseClaimClosedByAnother();
        log.checkOpen(); // a close by this thread rolled back its claim, and released it
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
}
