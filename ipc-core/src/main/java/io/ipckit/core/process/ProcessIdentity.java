package io.ipckit.core.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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
    private static final boolean PROC_FS = Files.isDirectory(Paths.get("/proc/self"));
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
     * @return its identity, or empty when no such process is alive.
     */
    public static Optional<ProcessIdentity> of(final long pid)
    {
        final long startTime = readStartTime(pid);
        return startTime == Long.MIN_VALUE ? Optional.empty() : Optional.of(new ProcessIdentity(pid, startTime));
    }

    /**
     * Is this process still running? False when the pid is gone, reused by another process, or a zombie (dead but
     * not yet reaped by its parent).
     *
     * @return true when this very process is alive.
     */
    public boolean isAlive()
    {
        if (pid <= 0)
        {
            return false;
        }
        final long now = readStartTime(pid);
        return now != Long.MIN_VALUE && (startTime == 0 || now == startTime);
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
            final Path stat = Paths.get("/proc", Long.toString(pid), "stat");
            final String text;
            try
            {
                text = new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
            }
            catch (final IOException ex)
            {
                return Long.MIN_VALUE;
            }
            // comm (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
            int i = text.lastIndexOf(')') + 2;
            if (i < 2 || i >= text.length())
            {
                return Long.MIN_VALUE;
            }
            final char state = text.charAt(i);
            if (state == 'Z' || state == 'X')
            {
                return Long.MIN_VALUE;
            }
            for (int field = 3; field < 22; field++)
            {
                i = text.indexOf(' ', i) + 1;
                if (i <= 0)
                {
                    return Long.MIN_VALUE;
                }
            }
            final int end = text.indexOf(' ', i);
            try
            {
                return Long.parseLong(text, i, end < 0 ? text.length() : end, 10);
            }
            catch (final NumberFormatException ex)
            {
                return Long.MIN_VALUE;
            }
        }
        final Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive())
        {
            return Long.MIN_VALUE;
        }
        return handle.get().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
