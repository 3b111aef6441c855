package io.ipckit.shm.internal;

import io.ipckit.core.internal.os.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Maps in, with one system call, the pages of a range of a new mapping that is about to be read whole:
 * {@code madvise(MADV_POPULATE_READ)} (Linux 5.14+). A fresh mapping of a 64 MiB array otherwise takes a page
 * fault every few pages on its first read, and those faults cost more than the read itself; populating them in
 * the kernel in one pass costs a fraction of that.
 * <p>
 * Where the kernel refuses the advice itself ({@code EINVAL} before 5.14: told apart from a failure of one range,
 * such as the pages of a file another process truncated, by populating a page of this class's own) or the platform
 * is not Linux, this turns itself off for the rest of the process and the read faults its pages in as before: the
 * fallback is the old behaviour, never an error. Binds its handle on first use. Thread-safe; process-local.
 */
public final class PagePopulator
{
    /** {@code MADV_POPULATE_READ} of Linux's {@code mman-common.h}. */
    static final int MADV_POPULATE_READ = 22;
    /** Ranges shorter than this are left to fault: the system call would cost more than it saves. */
    public static final long MIN_BYTES = 1L << 20;
    private static final long PAGE_BYTES = 4096;

    private static volatile boolean enabled = Native.isLinux() &&
        !Boolean.getBoolean("ipckit.shm.noPopulate");

    private PagePopulator()
    {
    }

    /**
     * Populates the pages under {@code [offset, offset + length)} of a mapped segment for reading, when the range
     * is at least {@link #MIN_BYTES} long and the kernel supports it. Allocates nothing.
     *
     * @param segment a mapped segment.
     * @param offset  where the range starts in it.
     * @param length  its length in bytes.
     * @return true when the kernel populated the range; false when it was short, or populating is off or refused.
     */
    public static boolean populateRead(final MemorySegment segment, final long offset, final long length)
    {
        if (!enabled || length < MIN_BYTES)
        {
            return false;
        }
        final long start = segment.address() + offset;
        final long alignedStart = start & -PAGE_BYTES;
        final long alignedLength = start + length - alignedStart;
        final int result;
        try
        {
            result = (int)Handle.MADVISE.invokeExact(alignedStart, alignedLength, MADV_POPULATE_READ);
        }
        catch (final Throwable ex)
        {
            enabled = false;
            return false;
        }
        if (result != 0 && !Handle.populatesAPageOfItsOwn())
        {
            enabled = false; // the kernel lacks the advice (EINVAL before 5.14), not just this range
        }
        return result == 0;
    }

    /**
     * @return true while populating is on in this process (Linux, not refused yet, not turned off with
     * {@code -Dipckit.shm.noPopulate=true}).
     */
    public static boolean enabled()
    {
        return enabled;
    }

    /**
     * The {@code madvise} handle, bound on first use (binding costs milliseconds at start-up).
     */
    private static final class Handle
    {
        static final MethodHandle MADVISE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("madvise")
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol madvise")),
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));

        /**
         * Whether the advice works on a page of this process's own memory, which no other process can take away:
         * false means the kernel refuses the advice itself.
         */
        static boolean populatesAPageOfItsOwn()
        {
            try
            {
                final MemorySegment page = Arena.global().allocate(PAGE_BYTES, PAGE_BYTES);
                return (int)MADVISE.invokeExact(page.address(), PAGE_BYTES, MADV_POPULATE_READ) == 0;
            }
            catch (final Throwable ex)
            {
                return false;
            }
        }
    }
}
