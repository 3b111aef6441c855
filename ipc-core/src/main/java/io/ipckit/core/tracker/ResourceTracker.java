package io.ipckit.core.tracker;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.SharedMemoryExhaustedException;
import io.ipckit.core.process.ProcessIdentity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Removes resources whose creating process died without unlinking them — and only those.
 * <p>
 * Each process that creates a non-persistent resource records it in a registry file of its own in the shared
 * directory, {@code .ipckit-owned-<pid>-<startTime>} (names cannot start with a dot, so it never clashes with a
 * resource). A resource is identified by name, file key (device and inode) and, where the file system records one,
 * birth time, so a name that was unlinked and created again by someone else is never removed by mistake, even on a
 * disk file system that gives the new file the old one's inode at once (ext4 does). The registry is consulted:
 * <ul>
 *     <li>at this JVM's normal exit or SIGTERM (a shutdown hook unlinks what it still owns, as Python's resource
 *     tracker does at interpreter exit);</li>
 *     <li>when {@code JvmProcess} sees a child exit, for the child's registry ({@link #reap(ProcessIdentity)});</li>
 *     <li>the first time a JVM creates a resource in a directory, and on {@link #sweep()}: every registry whose
 *     process is dead (SIGKILL, crash) is processed.</li>
 * </ul>
 * A process that only opens a resource never registers it and so never removes it (unlike Python before 3.13,
 * cpython#82300). Persistent resources are never registered.
 * <p>
 * A resource is recorded <em>before</em> it gets its name ({@link io.ipckit.core.file.MappedFile#create(String,
 * long, boolean, java.util.function.Consumer)}), while it is still a temporary file named after its maker
 * ({@link #CREATING_PREFIX}{@code <pid>-<startTime>-<n>}); a create whose record cannot be written fails. Sweeps
 * also remove the temporary files of dead makers. So a creator killed at any moment, even in a full directory,
 * leaves nothing that a reap or a sweep does not remove. A process's own working directories
 * ({@link #ownedDirectoryPath}) are removed the same way.
 * <p>
 * Thread-safe.
 */
public final class ResourceTracker
{
    /** Prefix of registry files in the shared directory. */
    public static final String REGISTRY_PREFIX = ".ipckit-owned-";

    /** Prefix of the temporary names under which resources are made before they are named. */
    public static final String CREATING_PREFIX = ".ipckit-creating-";

    /**
     * Prefix of the directories a process keeps in the shared directory for its own use (an embedded Aeron media
     * driver's files), removed with all they hold by a reap or a sweep once the process is dead.
     */
    public static final String OWNED_DIRECTORY_PREFIX = ".ipckit-dir-";

    private static final String TMP_SUFFIX = ".tmp";
    /** The largest registry a release reads: far above any real one (a line per live resource of one process). */
    private static final long MAX_REGISTRY_BYTES = 16L << 20;
    private static final AtomicLong CREATING_SEQUENCE = new AtomicLong();
    private static final String BIRTH_SEPARATOR = "@";
    private static final Map<Path, Map<String, String>> OWNED = new HashMap<>();
    private static final Map<Path, Boolean> BIRTH_TIME_RECORDED = new ConcurrentHashMap<>();
    private static boolean hookInstalled;

    private ResourceTracker()
    {
    }

    /**
     * Prepares this process to create resources in {@code dir}: the first time, sweeps what dead processes left
     * there (before anything is created, so that a directory they filled has room again) and installs the shutdown
     * hook. Cheap afterwards.
     *
     * @param dir a shared directory.
     */
    public static synchronized void prepare(final Path dir)
    {
        if (!OWNED.containsKey(dir))
        {
            OWNED.put(dir, new LinkedHashMap<>());
            sweep(dir);
        }
        if (!hookInstalled)
        {
            hookInstalled = true;
            Runtime.getRuntime().addShutdownHook(new Thread(ResourceTracker::releaseAll, "ipckit-resource-tracker"));
        }
    }

    /**
     * A fresh temporary path in {@code dir} under which this process makes a resource before naming it. Its name
     * says which process made it, so that {@link #sweep} removes it once that process is dead.
     *
     * @param dir a shared directory.
     * @return a path that does not clash with any resource or with other processes' temporary files.
     */
    public static Path creatingPath(final Path dir)
    {
        final ProcessIdentity self = ProcessIdentity.current();
        return dir.resolve(CREATING_PREFIX + self.pid() + "-" + self.startTime() + "-" + CREATING_SEQUENCE.incrementAndGet());
    }

    /**
     * A fresh path in {@code dir} for a directory this process keeps for its own use while it lives: its name says
     * which process made it, so that {@link #reap} and {@link #sweep} remove it, with everything in it, once that
     * process is dead (a process that ends normally removes it itself).
     *
     * @param dir     a shared directory.
     * @param purpose a word for what it holds, shown in its name ({@code [A-Za-z0-9-]}).
     * @return a path that does not clash with any resource or with other processes' directories.
     */
    public static Path ownedDirectoryPath(final Path dir, final String purpose)
    {
        final ProcessIdentity self = ProcessIdentity.current();
        return dir.resolve(OWNED_DIRECTORY_PREFIX + self.pid() + "-" + self.startTime() + "-" +
            CREATING_SEQUENCE.incrementAndGet() + "-" + purpose);
    }

    /**
     * Records that this process created the file at {@code path} and is responsible for it.
     *
     * @param path a resource file just created by this process.
     * @throws SharedMemoryExhaustedException when the record cannot be written (the directory is full).
     * @throws IpcException when the record cannot be written for another reason.
     */
    public static void register(final Path path)
    {
        register(path, path);
    }

    /**
     * Records, before the file is named, that this process is creating the resource {@code path}, whose content is
     * now at {@code createdAs} (the same file, identified by its file key, once it is linked to its name). The
     * record is on disk when this method returns, so a creator killed after it leaves nothing untracked.
     *
     * @param path      the resource's final path.
     * @param createdAs where the file is now (its temporary name, or {@code path}).
     * @throws SharedMemoryExhaustedException when the record cannot be written (the directory is full); nothing is
     *                                        recorded.
     * @throws IpcException when the record cannot be written for another reason.
     */
    public static synchronized void register(final Path path, final Path createdAs)
    {
        final Path dir = path.getParent();
        prepare(dir);
        final Map<String, String> owned = OWNED.get(dir);
        final String key = identity(createdAs, recordsBirthTime(dir));
        if (key == null)
        {
            throw new IpcException("cannot record \"" + path.getFileName() + "\": " + createdAs + " has vanished");
        }
        final String name = path.getFileName().toString();
        final String previous = owned.put(name, key);
        try
        {
            writeRegistry(dir, owned);
        }
        catch (final IOException ex)
        {
            if (previous == null)
            {
                owned.remove(name);
            }
            else
            {
                owned.put(name, previous);
            }
            final Path registry = dir.resolve(registryName(ProcessIdentity.current()));
            if (isNoSpace(ex))
            {
                throw new SharedMemoryExhaustedException("cannot create \"" + name + "\" in " + dir + ": no space " +
                    "left to record it for clean-up in " + registry + "; free shared memory (unlink unused " +
                    "resources) or enlarge the file system (e.g. mount -o remount,size=... /dev/shm)");
            }
            throw new IpcException("cannot create \"" + name + "\" in " + dir + ": cannot record it for clean-up " +
                "in " + registry + ": " + ex, ex);
        }
    }

    /**
     * Forgets a file this process unlinked (or handed over); does nothing for files it does not own.
     *
     * @param path the resource file.
     */
    public static synchronized void unregister(final Path path)
    {
        final Path dir = path.getParent();
        final Map<String, String> owned = OWNED.get(dir);
        if (owned != null && owned.remove(path.getFileName().toString()) != null)
        {
            writeRegistryQuietly(dir, owned);
        }
    }

    /**
     * Removes what dead processes left in the current shared directory.
     *
     * @return the number of resources removed.
     */
    public static int sweep()
    {
        return sweep(SharedDirectory.path());
    }

    /**
     * Removes what dead processes left in {@code dir}.
     *
     * @param dir a shared directory.
     * @return the number of resources removed.
     */
    public static int sweep(final Path dir)
    {
        int removed = 0;
        final List<Path> registries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, REGISTRY_PREFIX + "*"))
        {
            stream.forEach(registries::add);
        }
        catch (final IOException ex)
        {
            return 0;
        }
        removed += removeCreating(dir, null);
        final Set<Path> released = new HashSet<>();
        for (final Path found : registries)
        {
            // a registry's temporary copy (a process killed between writing it and renaming it) counts as its registry
            final String name = found.getFileName().toString();
            final Path registry = name.endsWith(TMP_SUFFIX) ?
                found.resolveSibling(name.substring(0, name.length() - TMP_SUFFIX.length())) : found;
            final ProcessIdentity owner = ownerOf(registry);
            if (owner != null && !owner.isAlive() && released.add(registry))
            {
                removed += release(registry);
            }
        }
        return removed;
    }

    /**
     * Removes what the (dead) process {@code owner} left in {@code dir}; called by {@code JvmProcess} when a child
     * exits, with the directory the child was given. Does nothing when the directory is gone.
     *
     * @param owner the identity of a process that has exited.
     * @param dir   the shared directory the process used.
     * @return the number of resources removed.
     */
    public static int reap(final ProcessIdentity owner, final Path dir)
    {
        if (owner.isAlive() || !Files.isDirectory(dir))
        {
            return 0;
        }
        return release(dir.resolve(registryName(owner))) + removeCreating(dir, owner);
    }

    /**
     * Removes the temporary files of resources that a dead process was making, and the directories it kept
     * ({@link #ownedDirectoryPath}) with what they hold: of {@code owner} only, or of every dead process when
     * {@code owner} is null.
     */
    private static int removeCreating(final Path dir, final ProcessIdentity owner)
    {
        return removeLeftBy(dir, CREATING_PREFIX, owner) + removeLeftBy(dir, OWNED_DIRECTORY_PREFIX, owner);
    }

    private static int removeLeftBy(final Path dir, final String prefix, final ProcessIdentity owner)
    {
        int removed = 0;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, prefix + "*"))
        {
            for (final Path file : stream)
            {
                final ProcessIdentity maker = ownerOf(file.getFileName().toString().substring(prefix.length()));
                if (maker != null && (owner == null ? !maker.isAlive() : maker.equals(owner)) && ownedByThisUser(file))
                {
                    deleteTreeQuietly(file);
                    removed++;
                }
            }
        }
        catch (final IOException ex)
        {
            // the directory is gone or unreadable: nothing to remove
        }
        return removed;
    }

    /** Deletes a file, or a directory with everything in it; never follows a link out of it. */
    private static void deleteTreeQuietly(final Path path)
    {
        try
        {
            Files.walkFileTree(path, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attributes)
                {
                    deleteQuietly(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(final Path file, final IOException ex)
                {
                    deleteQuietly(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path directory, final IOException ex)
                {
                    deleteQuietly(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final IOException ex)
        {
            // best effort during clean-up: what is left is looked at again by the next sweep
        }
    }

    private static synchronized void releaseAll()
    {
        for (final Map.Entry<Path, Map<String, String>> entry : OWNED.entrySet())
        {
            final Path dir = entry.getKey();
            for (final Map.Entry<String, String> owned : entry.getValue().entrySet())
            {
                unlinkIfSame(dir.resolve(owned.getKey()), owned.getValue());
            }
            entry.getValue().clear();
            deleteQuietly(dir.resolve(registryName(ProcessIdentity.current())));
        }
    }

    /**
     * Unlinks what {@code registry} and its temporary copy list (the copy holds the newest state when its writer was
     * killed before renaming it; a torn last line only fails its key check), then deletes both. Only a registry this
     * process's user owns is trusted, and of it only names of files in the registry's own directory: a registry
     * another user wrote in a directory every user may write to (the default, {@code /dev/shm}) could otherwise name
     * any file this process may delete. A registry larger than {@value #MAX_REGISTRY_BYTES} bytes is left alone.
     */
    private static int release(final Path registry)
    {
        final Path tmp = registry.resolveSibling(registry.getFileName() + TMP_SUFFIX);
        final Set<String> lines = new LinkedHashSet<>();
        final boolean trusted = readTrustedLinesInto(registry, lines) & readTrustedLinesInto(tmp, lines);
        if (!trusted)
        {
            return 0; // another user's (or an oversized) registry: not this process's to act on, nor to delete
        }
        final Path dir = registry.getParent();
        int removed = 0;
        for (final String line : lines)
        {
            final int tab = line.indexOf('\t');
            if (tab > 0 && isNameInDirectory(line.substring(0, tab)) &&
                unlinkIfSame(dir.resolve(line.substring(0, tab)), line.substring(tab + 1)))
            {
                removed++;
            }
        }
        deleteQuietly(registry);
        deleteQuietly(tmp);
        return removed;
    }

    /**
     * Adds the lines of {@code file}, when it exists, is owned by this process's user and is not oversized.
     *
     * @return false when the file exists but is not to be trusted; true otherwise (absent included).
     */
    private static boolean readTrustedLinesInto(final Path file, final Set<String> lines)
    {
        try
        {
            final BasicFileAttributes attributes =
                Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile() || attributes.size() > MAX_REGISTRY_BYTES || !ownedByThisUser(file))
            {
                return false;
            }
            lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            // absent (the usual case for the temporary copy) or unreadable: nothing to release from it
        }
        return true;
    }

    /** Whether {@code name} names a file of the directory itself: no separator, not {@code .} or {@code ..}. */
    private static boolean isNameInDirectory(final String name)
    {
        return !name.isEmpty() && name.indexOf('/') < 0 && name.indexOf('\\') < 0 && name.indexOf('\0') < 0 &&
            !".".equals(name) && !"..".equals(name);
    }

    /** Whether this process's user owns {@code file}; true where the file system keeps no owner to compare. */
    private static boolean ownedByThisUser(final Path file) throws IOException
    {
        final int self = ThisUser.UID;
        if (self < 0)
        {
            return true;
        }
        try
        {
            return ((Integer)Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)) == self;
        }
        catch (final UnsupportedOperationException | IllegalArgumentException ex)
        {
            return true;
        }
    }

    /** This process's user id, read once, or -1 where it cannot be read (not Linux). */
    private static final class ThisUser
    {
        static final int UID = read();

        private static int read()
        {
            try
            {
                return (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            }
            catch (final IOException | RuntimeException ex)
            {
                return -1;
            }
        }
    }

    /**
     * Unlinks {@code path} when it is still the file recorded as {@code expectedKey}: same device and inode, and the
     * same birth time when the record has one (records written by older versions have none).
     */
    private static boolean unlinkIfSame(final Path path, final String expectedKey)
    {
        final String key = identity(path, expectedKey.contains(BIRTH_SEPARATOR));
        if (key != null && key.equals(expectedKey))
        {
            try
            {
                return Files.deleteIfExists(path);
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return false;
    }

    private static void writeRegistry(final Path dir, final Map<String, String> owned) throws IOException
    {
        final Path registry = dir.resolve(registryName(ProcessIdentity.current()));
        if (owned.isEmpty())
        {
            Files.deleteIfExists(registry);
            return;
        }
        final StringBuilder sb = new StringBuilder();
        owned.forEach((name, key) -> sb.append(name).append('\t').append(key).append('\n'));
        final Path tmp = dir.resolve(registry.getFileName() + TMP_SUFFIX);
        try
        {
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, registry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            deleteQuietly(tmp); // the registry keeps its last complete state
            throw ex;
        }
    }

    private static void writeRegistryQuietly(final Path dir, final Map<String, String> owned)
    {
        try
        {
            writeRegistry(dir, owned);
        }
        catch (final IOException ex)
        {
            // Forgetting an entry failed: the stale entry names a file this process unlinked, whose key no longer
            // matches anything, so it is harmless.
            System.err.println("ipckit: cannot update the resource registry of this process in " + dir + ": " + ex);
        }
    }

    private static boolean isNoSpace(final IOException ex)
    {
        final String message = String.valueOf(ex.getMessage());
        return message.contains("No space left") || message.contains("Disk quota exceeded");
    }

    private static String registryName(final ProcessIdentity identity)
    {
        return REGISTRY_PREFIX + identity.pid() + "-" + identity.startTime();
    }

    private static ProcessIdentity ownerOf(final Path registry)
    {
        return ownerOf(registry.getFileName().toString().substring(REGISTRY_PREFIX.length()));
    }

    /** Parses {@code <pid>-<startTime>[-anything]}. */
    private static ProcessIdentity ownerOf(final String rest)
    {
        try
        {
            final int dash = rest.indexOf('-');
            final int end = rest.indexOf('-', dash + 1);
            return new ProcessIdentity(Long.parseLong(rest.substring(0, dash)),
                Long.parseLong(end < 0 ? rest.substring(dash + 1) : rest.substring(dash + 1, end)));
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    /**
     * What identifies the file now at {@code path}: its file key (device and inode) and, with {@code withBirth}, its
     * birth time in nanoseconds, which a file that reuses a freed inode does not share.
     *
     * @return the identity, or null when the file is gone or unreadable.
     */
    private static String identity(final Path path, final boolean withBirth)
    {
        try
        {
            final BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            final Object key = attributes.fileKey();
            final String fileKey = key == null ? "" : key.toString();
            return withBirth ? fileKey + BIRTH_SEPARATOR + attributes.creationTime().to(TimeUnit.NANOSECONDS) : fileKey;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /**
     * Whether the file system of {@code dir} records birth times, learned once per directory from a probe file whose
     * modification time is set back: where the JDK cannot read a birth time it reports the modification time as the
     * creation time, which changes with every write and so could not identify a file.
     */
    private static boolean recordsBirthTime(final Path dir)
    {
        return BIRTH_TIME_RECORDED.computeIfAbsent(dir, ResourceTracker::probeBirthTime);
    }

    private static boolean probeBirthTime(final Path dir)
    {
        final Path probe = creatingPath(dir); // a sweep removes it if this process dies before deleting it
        try
        {
            Files.createFile(probe);
            final FileTime setBack = FileTime.from(1, TimeUnit.SECONDS);
            Files.setLastModifiedTime(probe, setBack);
            return !Files.readAttributes(probe, BasicFileAttributes.class).creationTime().equals(setBack);
        }
        catch (final IOException ex)
        {
            return false; // a full or read-only directory: identify files by file key alone, as before
        }
        finally
        {
            deleteQuietly(probe);
        }
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignore)
        {
            // best effort during clean-up
        }
    }
}
