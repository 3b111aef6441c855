package io.ipckit.pipe.internal;

import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.file.ResourceFile;

/**
 * Keeps a file that another process shrinks from crashing the JVM that maps it. An access to a mapped page past the
 * end of a truncated file raises SIGBUS. HotSpot turns it into an {@link InternalError} ("a fault occurred in an
 * unsafe memory access operation") when it comes from an {@code Unsafe} get, put or copy (interpreted, or compiled
 * code, where the error may be raised a little later), which {@link #corrupt(InternalError)} turns into a
 * {@link CorruptResourceException} naming the file at the public edge. It does not recover from a fault inside the
 * native compare-and-set that interpreted and C1 code call ({@code Unsafe_CompareAndSetInt/Long}): that ends the JVM.
 * So the slow paths call {@link #checkSize()} (opening, every wait before it registers on a doorbell, every liveness
 * look, at most every 50 ms, and close, which then only unmaps), and every compare-and-set in this module's pipes
 * and queues comes right after a plain read or write of its word or a neighbour on the same page (a get-and-add is a
 * volatile read then a compare-and-set, too), so that the plain access faults, recoverably, on a page already lost.
 * <p>
 * The window that remains, which Linux gives a JVM no way to close (the file cannot be sealed against shrinking, and
 * SIGBUS in that native code is fatal): a page lost between that plain access and the compare-and-set after it, a
 * few nanoseconds, longer only when the thread is descheduled between the two. The words concerned: the lane
 * claim and release ({@code LaneWords}), a joinable queue's done count, a pipe end's owner token at open, and the
 * waiter counts of the doorbells; the lock words belong to {@code io.ipckit.core.internal.kit}'s locks. Also, an
 * {@code InternalError} raised late for a fault in compiled code may surface after the call returned, in the
 * caller's code, as an {@code InternalError}.
 * <p>
 * Thread-safe; allocation only on the slow paths.
 */
public final class FileFaults
{
    private final ResourceFile file;
    private final String description;
    private long nextWaitCheckNs = System.nanoTime();

    /**
     * @param file        the mapped file.
     * @param description the structure, for messages, e.g. {@code queue "jobs"}.
     */
    public FileFaults(final ResourceFile file, final String description)
    {
        this.file = file;
        this.description = description;
    }

    /**
     * {@link #checkSize()} at most once per liveness interval ({@link LivenessCheckInterval#INTERVAL_NS}), for the
     * path into a wait: asking the file system for the size is a system call that allocates, over a microsecond,
     * and a blocking receive or put takes this path on every call that finds nothing yet. Between two checks a
     * truncation is still caught before the wait's atomic add on the doorbell, by the plain read of the same word
     * the wait loop makes first (a fault there becomes {@code InternalError}, which the public edge translates).
     * Threads of one handle may race on the deadline; the price is a check more or less.
     *
     * @throws CorruptResourceException when the file was truncated; the message names it.
     */
    public void checkSizeBeforeWait()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - nextWaitCheckNs >= 0)
        {
            nextWaitCheckNs = nowNs + LivenessCheckInterval.INTERVAL_NS;
            checkSize();
        }
    }

    /**
     * Refuses a file that has become shorter than its mapping: every later access to the lost pages would fault.
     *
     * @throws CorruptResourceException when the file was truncated; the message names it.
     */
    public void checkSize()
    {
        // asked of the descriptor kept with the mapping: right also when the name was unlinked (another process that
        // has the file open can still shrink it) or reused; -1 when it cannot tell, and the accesses themselves will
        final long size = file.file().currentLengthBytes();
        if (size >= 0 && size < file.file().lengthBytes())
        {
            throw truncated(size, null);
        }
    }

    /**
     * @return true when the file is shorter than its mapping now.
     */
    public boolean isTruncated()
    {
        try
        {
            checkSize();
            return false;
        }
        catch (final CorruptResourceException ex)
        {
            return true;
        }
    }

    /**
     * Turns the error HotSpot raises for a fault in an unsafe memory access into a {@link CorruptResourceException}
     * naming the file when the file no longer covers its mapping; any other {@link InternalError}, and a fault while
     * the file is whole (on a page of another mapping, such as a buffer the caller passed), is thrown as it is.
     *
     * @param error the error caught at a public method's edge.
     * @return the exception to throw instead.
     * @throws InternalError {@code error}, when it is not a fault on this file's pages.
     */
    public RuntimeException corrupt(final InternalError error)
    {
        final String message = error.getMessage();
        if (message == null || !message.contains("unsafe memory access"))
        {
            throw error;
        }
        final long size = file.file().currentLengthBytes(); // -1 when unknown
        if (size >= file.file().lengthBytes())
        {
            throw error; // this file still covers its mapping: the fault was on another one, e.g. the caller's buffer
        }
        return truncated(size, error);
    }

    private CorruptResourceException truncated(final long size, final Throwable cause)
    {
        return new CorruptResourceException(description + " at " + file.file().path() + " was truncated while in " +
            "use: it is " + (size < 0 ? "now of unknown size" : size + " bytes") + " but " +
            file.file().lengthBytes() + " bytes are mapped (another process shrank the file); close this handle, " +
            "unlink the file and create it again", cause);
    }
}
