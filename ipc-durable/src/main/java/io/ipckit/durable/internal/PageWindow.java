package io.ipckit.durable.internal;

import net.openhft.chronicle.bytes.BytesStore;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Keeps the pages ahead of a position in a mapped cycle file mapped in this process, many pages per system call:
 * {@code madvise(MADV_POPULATE_WRITE)} for an appender (Linux 5.14+: allocates the pages and maps them writable, as
 * write faults would) and {@code MADV_POPULATE_READ} for a reader (maps them). Without it, each process takes one
 * page fault per 4 KiB page of each log it writes or reads, on the path of the record that first touches the page:
 * about one round trip in fifty with 32-byte payloads, each a few microseconds slower. With it, one call per
 * {@link #STEP_BYTES} does the work of that many faults, ahead of time.
 * <p>
 * An appender's window reaches {@link #APPENDER_WINDOW_BYTES} ahead and a reader's only {@link #READER_WINDOW_BYTES}:
 * a reader is never ahead of the appenders, so it maps pages the appender has already allocated, and an appender
 * never faults on a page a reader mapped first. The window stays inside the chunk Chronicle has mapped (which lies
 * inside the file), starts again when Chronicle moves to another chunk or cycle file, and turns itself off for good
 * when the call is unknown (a kernel before 5.14, another OS); any other failure costs only that step's pages, which
 * then fault one at a time as they would without it. On a disk file system the populated pages ahead of the end are
 * allocated and dirty (zeros, which Chronicle reads as the end of the log) until the records overwrite them.
 * <p>
 * An appender's window also marks the rest of each chunk it enters, from its position on, for random access
 * ({@code madvise(MADV_RANDOM)}): a page fault there then reads only its own page. Without the mark, the first fault on
 * a part of the file that was never written reads around it as far as the disk's read-ahead reaches, zero-filling a
 * hole that large in one go (8 MiB where {@code read_ahead_kb} is 8192, about 20 ms), on the path of the record that
 * took the fault. The pages ahead of an appender are holes, so nothing is lost by reading them one at a time; those
 * behind it, and every reader's, keep the read-ahead that a replay from the disk needs. Readers of the same log in
 * the appender's process share its mapping: they read the marked part one page at a time when it is not in the page
 * cache, which it is after this process wrote it.
 * <p>
 * Not thread-safe: one per appender (used under its lock) or per reader (used by its thread). Allocates nothing.
 */
public final class PageWindow
{
    /** How far ahead of its position an appender keeps pages populated. */
    public static final long APPENDER_WINDOW_BYTES = 128 * 1024;
    /** How far ahead of its position a reader keeps pages populated. */
    public static final long READER_WINDOW_BYTES = 64 * 1024;
    /** The page size Chronicle's own toucher assumes (its {@code MicroToucher}); madvise needs aligned ranges. */
    static final long PAGE_SIZE = 4096;
    /**
     * About how much one call populates: four pages, a few microseconds of work, so that the record whose append or
     * read makes the call is not much slower than the rest.
     */
    static final long STEP_BYTES = 4 * PAGE_SIZE;
    private static final int MADV_RANDOM = 1;
    private static final int MADV_POPULATE_READ = 22;
    private static final int MADV_POPULATE_WRITE = 23;
    private static final int EINVAL = 22;
    private static final int ENOSYS = 38;
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle MADVISE = bind();

    private final int advice;
    /** Whether each new chunk is marked for random access from the position on (appenders). */
    private final boolean marksRandom;
    private final long windowBytes;
    /** The window is topped up when less than this is left ahead of the position. */
    private final long refillAtBytes;
    private BytesStore<?, ?> store;
    /** The chunk last marked for random access. */
    private BytesStore<?, ?> marked;
    private long populatedFrom;
    private long populatedTo;
    private final MemorySegment errno;
    private boolean off = MADVISE == null;
    private long failures;
    private int lastErrno;

    private PageWindow(final int advice, final long windowBytes)
    {
        this.advice = advice;
        this.marksRandom = advice == MADV_POPULATE_WRITE;
        this.windowBytes = windowBytes;
        this.refillAtBytes = windowBytes - STEP_BYTES;
        this.errno = MADVISE == null ? null : Arena.ofAuto().allocate(CAPTURE);
    }

    /**
     * @return a window for an appender: pages populated writable, {@link #APPENDER_WINDOW_BYTES} ahead.
     */
    public static PageWindow forAppender()
    {
        return new PageWindow(MADV_POPULATE_WRITE, APPENDER_WINDOW_BYTES);
    }

    /**
     * @return a window for a reader: pages populated readable, {@link #READER_WINDOW_BYTES} ahead.
     */
    public static PageWindow forReader()
    {
        return new PageWindow(MADV_POPULATE_READ, READER_WINDOW_BYTES);
    }

    /**
     * Makes sure the pages from {@code position} to the window's end are populated, with one system call once
     * {@link #STEP_BYTES} more are due; otherwise returns at once. An appender's window first marks a chunk it has
     * not seen before for random access from {@code position} to the chunk's end. Never throws.
     *
     * @param mapped   the chunk of the cycle file that holds {@code position} (Chronicle's bytes store).
     * @param position a file offset inside {@code mapped}: where the last record was written or read.
     */
    public void ahead(final BytesStore<?, ?> mapped, final long position)
    {
        if (mapped == null)
        {
            return;
        }
        if (marksRandom && mapped != marked && MADVISE != null)
        {
            marked = mapped;
            markRandom(mapped, position); // also where populating is off: a fault's read-around costs the same then
        }
        if (off || (mapped == store && position >= populatedFrom && position + refillAtBytes <= populatedTo))
        {
            return;
        }
        final long page = position & -PAGE_SIZE;
        // the same chunk, moving forward: carry on from where the last call stopped
        final long from = mapped == store && position >= populatedFrom ? Math.max(page, populatedTo) : page;
        try
        {
            final long to = Math.min((position + windowBytes) & -PAGE_SIZE, mapped.safeLimit() & -PAGE_SIZE);
            store = mapped;
            populatedFrom = page;
            populatedTo = Math.max(from, to);
            if (to <= from || !mapped.inside(from, to - from))
            {
                return; // the end of the chunk: Chronicle maps the next one when a record reaches it
            }
            final long address = advice == MADV_POPULATE_WRITE ? mapped.addressForWrite(from) :
                mapped.addressForRead(from);
            if ((address & (PAGE_SIZE - 1)) != 0)
            {
                off = true;
            }
            else if ((int)MADVISE.invokeExact(errno, address, to - from, advice) != 0)
            {
                lastErrno = (int)ERRNO.get(errno, 0L);
                failures++;
                // an unknown advice: a kernel before 5.14; anything else (a range past the end of the file, a
                // signal) costs only this window's pages, which fault as they would without it
                off = lastErrno == EINVAL || lastErrno == ENOSYS;
            }
        }
        catch (final Throwable ex)
        {
            off = true;
        }
    }

    /**
     * Marks {@code mapped} for random access from the page of {@code position} to its end: the page faults of an
     * appender there (its own, or those of the populate calls) read no more than their page.
     */
    private void markRandom(final BytesStore<?, ?> mapped, final long position)
    {
        try
        {
            final long from = position & -PAGE_SIZE;
            final long to = mapped.safeLimit() & -PAGE_SIZE;
            if (to > from && mapped.inside(from, to - from))
            {
                final long address = mapped.addressForWrite(from);
                if ((address & (PAGE_SIZE - 1)) == 0 && (int)MADVISE.invokeExact(errno, address, to - from,
                    MADV_RANDOM) != 0)
                {
                    lastErrno = (int)ERRNO.get(errno, 0L); // advice only: the faults read around as before
                }
            }
        }
        catch (final Throwable ex)
        {
            // not a mapped chunk (a heap store): nothing to mark
        }
    }

    /**
     * @return how many populate calls failed (the pages of those windows fault one at a time instead).
     */
    public long failures()
    {
        return failures;
    }

    /**
     * @return the errno of the last failed populate call, 0 when none failed.
     */
    public int lastErrno()
    {
        return lastErrno;
    }

    /**
     * @return true while the window populates pages; false after a failure or where the system call is missing.
     */
    public boolean isOn()
    {
        return !off;
    }

    private static MethodHandle bind()
    {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"))
        {
            return null;
        }
        try
        {
            final Linker linker = Linker.nativeLinker();
            // the address travels as a plain long (an argument register either way): nothing is allocated per call
            return linker.downcallHandle(linker.defaultLookup().find("madvise").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), Linker.Option.captureCallState("errno"));
        }
        catch (final RuntimeException | Error ex)
        {
            return null; // native access refused, or no C library: no window
        }
    }
}
