package io.ipckit.pipe.internal;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.file.ResourceFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;

/**
 * Keeps a file that another process shrinks from crashing the JVM that maps it. An access to a mapped page past the
 * end of a truncated file raises SIGBUS. HotSpot turns it into an {@link InternalError} ("a fault occurred in an
 * unsafe memory access operation") when it comes from an {@code Unsafe} get, put or copy, which
 * {@link #corrupt(InternalError)} turns into a {@link CorruptResourceException} naming the file at the public edge;
 * but a fault in an atomic read-modify-write (a compare-and-set, a get-and-add: the locks, lane claims and doorbell
 * waiter counts) kills the JVM. So the slow paths that lead to those (opening, waiting, taking a lock or lane over,
 * closing) call {@link #checkSize()} first, which refuses a file shorter than its mapping.
 * <p>
 * What remains, and Linux gives no way to close it from a JVM: a file truncated after the last size check and
 * before an atomic instruction on one of its pages (a producer or consumer lock CAS of a queue's call, a lane
 * claim, a doorbell's waiter count in the first pause of a wait) still ends the JVM with SIGBUS. Each such window
 * is the few hundred nanoseconds between a size check and the next atomic instruction, or, on the paths that check
 * no size (a queue put or take that takes its lock with a CAS without waiting), the whole time the handle is used.
 * An {@code InternalError} HotSpot raises late (asynchronously, for a fault in compiled code) may also surface after
 * the call returned, in the caller's code.
 * <p>
 * Thread-safe; allocation only on the slow paths.
 */
public final class FileFaults
{
    private final ResourceFile file;
    private final String description;

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
     * Refuses a file that has become shorter than its mapping: every later access to the lost pages would fault.
     *
     * @throws CorruptResourceException when the file was truncated; the message names it.
     */
    public void checkSize()
    {
        final long size;
        try
        {
            size = Files.size(file.file().path());
        }
        catch (final NoSuchFileException ex)
        {
            return; // unlinked: no other process can reach it by name any more, and the mapping keeps it whole
        }
        catch (final IOException ex)
        {
            return; // cannot tell: the accesses themselves will say
        }
        if (size < file.file().lengthBytes())
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
     * naming the file; any other {@link InternalError} is given back as it is.
     *
     * @param error the error caught at a public method's edge.
     * @return the exception to throw instead.
     */
    public RuntimeException corrupt(final InternalError error)
    {
        final String message = error.getMessage();
        if (message == null || !message.contains("unsafe memory access"))
        {
            throw error;
        }
        long size = -1;
        try
        {
            size = Files.size(file.file().path());
        }
        catch (final IOException ignore)
        {
            // unknown
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
