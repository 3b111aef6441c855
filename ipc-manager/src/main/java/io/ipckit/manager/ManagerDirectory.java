package io.ipckit.manager;

import io.ipckit.core.ResourceName;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.manager.internal.ManagerInfoFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The managers started by name in the shared directory ({@link Manager#start}), which keep there a Unix socket
 * {@code manager-<name>.sock}, an authkey {@code manager-<name>.key}, a record {@code manager-<name>.info}
 * (pid, start time) and the lock file of their starts {@code manager-<name>.lock} (not ipckit resource files: no
 * 64-byte header): list them, tell running ones from dead ones,
 * remove what a dead one left. The library under {@code bin/ipckit ls}, {@code stat} and {@code rm} for managers;
 * {@link Manager#stats()} tells what a running one holds.
 * <p>
 * A manager is {@link ManagerInfo.State#RUNNING running} when the process of its record is alive (pid and start
 * time), {@link ManagerInfo.State#DEAD dead} when it is not. Without a record: running when its socket accepts a
 * connection; with only a key, {@link ManagerInfo.State#STARTING starting} for {@link #STARTING_GRACE} after the key
 * was written (the record follows once the manager's JVM is up), dead after.
 * <p>
 * Thread-safe and process-safe (it reads, and {@link #unlink} only deletes); each answer is a snapshot.
 */
public final class ManagerDirectory
{
    /** How long a key without a record or socket counts as a manager starting rather than a dead one. */
    public static final Duration STARTING_GRACE = Duration.ofSeconds(60);

    private static final String PREFIX = "manager-";
    private static final String[] SUFFIXES = {".sock", ".key", ".lock", ".info"};
    private static final int SOCKET = 0;
    private static final int KEY = 1;
    private static final int LOCK = 2;
    private static final int INFO = 3;

    private ManagerDirectory()
    {
    }

    /**
     * @return every manager that has files in the shared directory, sorted by name.
     * @throws UncheckedIOException when the directory cannot be read.
     */
    public static List<ManagerInfo> list()
    {
        final Path dir = SharedDirectory.path();
        final Map<String, Boolean> names = new TreeMap<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, PREFIX + "*"))
        {
            for (final Path path : stream)
            {
                final String name = nameOf(path.getFileName().toString());
                if (name != null)
                {
                    names.put(name, Boolean.TRUE);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list the shared directory " + dir, ex);
        }
        final List<ManagerInfo> infos = new ArrayList<>(names.size());
        for (final String name : names.keySet())
        {
            final ManagerInfo info = read(name);
            if (info != null)
            {
                infos.add(info);
            }
        }
        return infos;
    }

    /**
     * @param name a manager's name.
     * @return true when it has files in the shared directory (running or not).
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     */
    public static boolean exists(final String name)
    {
        ResourceName.validate(name);
        for (final String suffix : SUFFIXES)
        {
            if (Files.exists(SharedDirectory.path().resolve(PREFIX + name + suffix)))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param name a manager's name.
     * @return what its files say.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws ResourceNotFoundException                       when it has no files in the shared directory.
     */
    public static ManagerInfo info(final String name)
    {
        ResourceName.validate(name);
        final ManagerInfo info = read(name);
        if (info == null)
        {
            throw new ResourceNotFoundException("no manager named \"" + name + "\" in " + SharedDirectory.path());
        }
        return info;
    }

    /**
     * Deletes a manager's socket, key, lock file (unless a start holds it) and record. A running manager keeps serving the clients it has, but no new
     * client can find it: callers remove only {@link ManagerInfo.State#DEAD dead} ones unless told otherwise.
     *
     * @param name a manager's name.
     * @return the files deleted (none when it had none).
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws UncheckedIOException                            when a file exists but cannot be deleted.
     */
    public static List<Path> unlink(final String name)
    {
        ResourceName.validate(name);
        final List<Path> removed = new ArrayList<>(SUFFIXES.length);
        // the record last: until it goes, a half-removed manager still reads as what it was
        for (final String suffix : SUFFIXES)
        {
            final Path path = SharedDirectory.path().resolve(PREFIX + name + suffix);
            try
            {
                if (suffix.equals(SUFFIXES[LOCK]))
                {
                    // a start under way holds it: it stays, and the start refuses nothing it should not
                    if (Files.exists(path) && io.ipckit.manager.internal.StartClaim.deleteUnlessHeld(path))
                    {
                        removed.add(path);
                    }
                }
                else if (Files.deleteIfExists(path))
                {
                    removed.add(path);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot delete " + path, ex);
            }
        }
        return removed;
    }

    private static String nameOf(final String file)
    {
        if (!file.startsWith(PREFIX))
        {
            return null;
        }
        for (final String suffix : SUFFIXES)
        {
            if (file.endsWith(suffix) && file.length() > PREFIX.length() + suffix.length())
            {
                final String name = file.substring(PREFIX.length(), file.length() - suffix.length());
                return ResourceName.isValid(name) ? name : null;
            }
        }
        return null;
    }

    private static ManagerInfo read(final String name)
    {
        final Path dir = SharedDirectory.path();
        final List<Path> files = new ArrayList<>(SUFFIXES.length);
        final long[] modified = new long[SUFFIXES.length];
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < SUFFIXES.length; i++)
        {
            final Path path = dir.resolve(PREFIX + name + SUFFIXES[i]);
            try
            {
                modified[i] = Files.readAttributes(path, BasicFileAttributes.class).lastModifiedTime().toMillis();
                files.add(path);
                oldest = Math.min(oldest, modified[i]);
            }
            catch (final NoSuchFileException ex)
            {
                modified[i] = -1;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read " + path, ex);
            }
        }
        if (files.isEmpty())
        {
            return null;
        }
        final ManagerInfoFile.Info record = modified[INFO] < 0 ? null :
            ManagerInfoFile.read(dir.resolve(PREFIX + name + SUFFIXES[INFO]));
        if (record != null)
        {
            return new ManagerInfo(name, record.process().isAlive() ? ManagerInfo.State.RUNNING :
                ManagerInfo.State.DEAD, record.process(), record.startedAtMillis() > 0 ? record.startedAtMillis() :
                oldest, files);
        }
        final ManagerInfo.State state;
        if (modified[SOCKET] >= 0)
        {
            state = answers(dir.resolve(PREFIX + name + SUFFIXES[SOCKET])) ? ManagerInfo.State.RUNNING :
                ManagerInfo.State.DEAD;
        }
        else if (modified[KEY] >= 0 && modified[INFO] < 0 &&
            System.currentTimeMillis() - modified[KEY] < STARTING_GRACE.toMillis())
        {
            state = ManagerInfo.State.STARTING;
        }
        else
        {
            state = ManagerInfo.State.DEAD;
        }
        return new ManagerInfo(name, state, null, oldest, files);
    }

    private static boolean answers(final Path socket)
    {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            return channel.connect(UnixDomainSocketAddress.of(socket));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
