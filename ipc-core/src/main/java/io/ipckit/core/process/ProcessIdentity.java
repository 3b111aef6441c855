package io.ipckit.core.process;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * Who a process is: its pid plus its start time, because pids are reused. Two identities are the same process
 * only when both match, so a liveness check never mistakes a new process that got a dead one's pid for it.
 * <p>
 * On Linux the start time is field 22 of {@code /proc/<pid>/stat} (clock ticks since boot, stable for the life of
 * the process, cheap to read); elsewhere it is {@link ProcessHandle.Info#startInstant()} in milliseconds.
 * <p>
 * Immutable and thread-safe.
 *
 * @param pid       the operating-system process id.
 * @param startTime the start time in an opaque, platform-specific unit; 0 when unknown.
 */
public record ProcessIdentity(long pid, long startTime)
{
    /** {@link #startTimeOf}: no such process runs (or it is a zombie). */
    public static final long GONE = Long.MIN_VALUE;
    /**
     * {@link #startTimeOf}: the process exists but its start time cannot be read now (this process is out of file
     * descriptors, or may not read its entry): a liveness check must take it as alive, never as dead without proof.
     */
    public static final long UNKNOWN = Long.MIN_VALUE + 1;
    private static final boolean PROC_FS = new File("/proc/self/stat").isFile();
    /** /proc/<pid>/stat is about 300 bytes; field 22 lies well within the first 1 KiB even with a long comm. */
    private static final int STAT_READ_BYTES = 1024;
    private static final ProcessIdentity CURRENT = of(ProcessHandle.current().pid()).orElseThrow(
        () -> new IllegalStateException("cannot read this process's own start time"));

    /**
     * @return the identity of this process.
     */
    public static ProcessIdentity current()
    {
        return CURRENT;
    }

    /**
     * Reads the identity of a running process.
     *
     * @param pid the process id.
     * @return its identity, or empty when no such process is alive, or when its start time cannot be read now
     * ({@link #UNKNOWN}).
     */
    public static Optional<ProcessIdentity> of(final long pid)
    {
        final long startTime = readStartTime(pid);
        return startTime == GONE || startTime == UNKNOWN ? Optional.empty() :
            Optional.of(new ProcessIdentity(pid, startTime));
    }

    /**
     * Reads a process's start time, in the unit of {@link #startTime()}, telling a process that is gone from one whose
     * entry cannot be read now.
     *
     * @param pid the process id.
     * @return its start time; {@link #GONE} when no such process runs or it is a zombie; {@link #UNKNOWN} when it
     * exists but its start time cannot be read now.
     */
    public static long startTimeOf(final long pid)
    {
        return pid <= 0 ? GONE : readStartTime(pid);
    }

    /**
     * Is this process still running? False when the pid is gone, reused by another process, or a zombie (dead but
     * not yet reaped by its parent). True when the process exists but its start time cannot be read now (this process
     * is out of file descriptors, say): only proof makes a process dead, since a dead owner's locks are taken over.
     *
     * @return true when this very process is alive, or may be.
     */
    public boolean isAlive()
    {
        if (pid <= 0)
        {
            return false;
        }
        final long now = readStartTime(pid);
        return now == UNKNOWN || now != GONE && (startTime == 0 || now == startTime);
    }

    /**
     * @return a compact form {@code pid@startTime}, parsed back by {@link #parse(String)}.
     */
    @Override
    public String toString()
    {
        return pid + "@" + startTime;
    }

    /**
     * @param text the form written by {@link #toString()}.
     * @return the identity.
     * @throws IllegalArgumentException when the text is not {@code pid@startTime}.
     */
    public static ProcessIdentity parse(final String text)
    {
        final int at = text.indexOf('@');
        if (at <= 0)
        {
            throw new IllegalArgumentException("not a process identity (pid@startTime): " + text);
        }
        return new ProcessIdentity(Long.parseLong(text.substring(0, at)), Long.parseLong(text.substring(at + 1)));
    }

    private static long readStartTime(final long pid)
    {
        if (PROC_FS)
        {
            return readProcStartTime(pid);
        }
        final Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive())
        {
            return GONE;
        }
        return handle.get().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /**
     * Field 22 of {@code /proc/<pid>/stat}; {@link #GONE} when the process is gone or a zombie; {@link #UNKNOWN} when
     * the file cannot be opened while {@code /proc/<pid>} exists (no file descriptor left, no permission). Reads
     * through {@link FileInputStream} and parses bytes: waiters call this every few hundred milliseconds, often
     * from code the JIT has not compiled, where this path costs a third of {@code Files.readAllBytes}.
     */
    private static long readProcStartTime(final long pid)
    {
        final byte[] text = new byte[STAT_READ_BYTES];
        int length = 0;
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat"))
        {
            int read;
            while (length < text.length && (read = in.read(text, length, text.length - length)) > 0)
            {
                length += read;
            }
        }
        catch (final IOException ex)
        {
            // a look at the folder takes no file descriptor: the process is gone only when its folder is
            return new File("/proc/" + pid).exists() ? UNKNOWN : GONE;
        }
        // comm (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
        int i = length - 1;
        while (i >= 0 && text[i] != ')')
        {
            i--;
        }
        i += 2;
        if (i < 2 || i >= length)
        {
            return GONE;
        }
        final byte state = text[i];
        if (state == 'Z' || state == 'X')
        {
            return GONE;
        }
        for (int field = 3; field < 22; field++)
        {
            while (i < length && text[i] != ' ')
            {
                i++;
            }
            i++;
            if (i >= length)
            {
                return GONE;
            }
        }
        long value = 0;
        int digits = 0;
        while (i < length && text[i] >= '0' && text[i] <= '9')
        {
            value = value * 10 + (text[i] - '0');
            i++;
            digits++;
        }
        return digits == 0 ? GONE : value;
    }
}
