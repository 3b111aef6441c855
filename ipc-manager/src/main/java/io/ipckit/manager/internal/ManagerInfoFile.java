package io.ipckit.manager.internal;

import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.tracker.ResourceTracker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The small record a manager started by name writes beside its socket, {@code manager-<name>.info}: who serves
 * (pid and start time) and since when, so that tools can tell a running manager from one that was killed and left
 * its socket and key behind, without connecting. Text, {@code key=value} lines; written once, atomically (a
 * temporary file moved into place), by the manager's own JVM before it listens; removed when it stops.
 * Stateless and thread-safe; process-safe through the atomic move.
 */
public final class ManagerInfoFile
{
    private static final String SOCKET_SUFFIX = ".sock";
    private static final String INFO_SUFFIX = ".info";

    private ManagerInfoFile()
    {
    }

    /**
     * What the record says.
     *
     * @param process         the manager's process.
     * @param startedAtMillis when it started, in epoch milliseconds.
     */
    public record Info(ProcessIdentity process, long startedAtMillis)
    {
    }

    /**
     * @param socket a manager's socket path, {@code manager-<name>.sock}.
     * @return its record's path, {@code manager-<name>.info}.
     */
    public static Path beside(final Path socket)
    {
        final String file = socket.getFileName().toString();
        final String stem = file.endsWith(SOCKET_SUFFIX) ? file.substring(0, file.length() - SOCKET_SUFFIX.length()) :
            file;
        return socket.resolveSibling(stem + INFO_SUFFIX);
    }

    /**
     * Writes the record of this process, recorded with this process's {@link ResourceTracker} before it is named: a
     * manager killed at any moment leaves no record that the JVM which started it (or a later sweep) does not remove.
     *
     * @param path where.
     * @throws IOException when it cannot be written.
     * @throws io.ipckit.core.exceptions.IpcException when it cannot be recorded for clean-up (a full directory).
     */
    public static void writeCurrent(final Path path) throws IOException
    {
        final ProcessIdentity self = ProcessIdentity.current();
        final String text = "pid=" + self.pid() + "\nstartTime=" + self.startTime() + "\nstartedAtMillis=" +
            System.currentTimeMillis() + "\n";
        // named after this process until moved into place: a sweep removes it if this process dies before the move
        final Path temporary = ResourceTracker.creatingPath(path.getParent());
        Files.writeString(temporary, text, StandardCharsets.US_ASCII);
        try
        {
            ResourceTracker.register(path, temporary);
        }
        catch (final RuntimeException ex)
        {
            Files.deleteIfExists(temporary);
            throw ex;
        }
        Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * @param path a record's path.
     * @return what it says, or null when it is missing or unreadable (written by something else).
     */
    public static Info read(final Path path)
    {
        final Properties properties = new Properties();
        try (java.io.Reader reader = Files.newBufferedReader(path, StandardCharsets.US_ASCII))
        {
            properties.load(reader);
            final long pid = Long.parseLong(properties.getProperty("pid", "").trim());
            final long startTime = Long.parseLong(properties.getProperty("startTime", "").trim());
            final long startedAt = Long.parseLong(properties.getProperty("startedAtMillis", "0").trim());
            return pid > 0 ? new Info(new ProcessIdentity(pid, startTime), startedAt) : null;
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }
}
