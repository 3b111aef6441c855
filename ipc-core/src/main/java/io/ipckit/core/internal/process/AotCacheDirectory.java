package io.ipckit.core.internal.process;

import io.ipckit.core.process.ProcessIdentity;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The directory of the {@link AotCache} files: where it is, whether this user alone may write to it, and its
 * housekeeping (the times that record a cache's use, the removal of other versions, left-over training files and
 * caches unused or over the size bound). Every method is best effort and never throws, except where it says so.
 * Thread-safe and process-safe (each step is one file system call; another process's removal meanwhile is expected).
 */
final class AotCacheDirectory
{
    /** The file whose advisory lock a takeover of a stale training lock holds. */
    static final String TAKEOVER_GUARD = "training-takeover.guard";

    private AotCacheDirectory()
    {
    }

    /**
     * @return the directory of the caches.
     */
    static Path directory()
    {
        final String dir = System.getProperty(AotCache.DIR_PROP_NAME);
        if (dir != null)
        {
            return Paths.get(dir);
        }
        final String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Paths.get(xdg).isAbsolute())
        {
            return Paths.get(xdg, "ipckit", "aot");
        }
        final String home = System.getProperty("user.home");
        if (home != null && !home.isBlank() && !"?".equals(home))
        {
            return Paths.get(home, ".cache", "ipckit", "aot");
        }
        return Paths.get(System.getProperty("java.io.tmpdir"), "ipckit-aot-" + System.getProperty("user.name"));
    }

    /**
     * Creates the directory owner-only when it is missing, and checks that only this user may write to it: its
     * owner is this process's user and neither its group nor others may write.
     *
     * @return false when it cannot be created or another user could put a cache there.
     */
    static boolean usable(final Path dir)
    {
        try
        {
            final boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (posix)
            {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            }
            else
            {
                Files.createDirectories(dir);
            }
            if (!Files.isDirectory(dir) || !posix)
            {
                return Files.isDirectory(dir);
            }
            final PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class);
            final Set<PosixFilePermission> permissions = attributes.permissions();
            return attributes.owner().getName().equals(System.getProperty("user.name")) &&
                !permissions.contains(PosixFilePermission.GROUP_WRITE) &&
                !permissions.contains(PosixFilePermission.OTHERS_WRITE);
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * Removes, beside {@code cache}, the files of the same key: with {@code olderCaches} the caches of other versions
     * (earlier builds of the class path), their lists of learned classes and their stale locks, and always the
     * training files that a parent which died while its child trained left behind (five minutes old or more, of a
     * process that is gone).
     *
     * @param cache       the cache of this key's current version.
     * @param olderCaches whether to remove the other versions' caches too.
     */
    static void removeOthers(final Path cache, final boolean olderCaches)
    {
        final String name = cache.getFileName().toString();
        final String key = name.substring(0, name.indexOf('-') + 1);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(cache.getParent(), key + "*"))
        {
            for (final Path file : files)
            {
                final String other = file.getFileName().toString();
                if (other.startsWith(name))
                {
                    continue; // this version's cache, its lists and its lock
                }
                if (other.contains(AotCache.CACHE_SUFFIX))
                {
                    if (olderCaches && (!other.endsWith(AotCache.LOCK_SUFFIX) || isStaleLock(file)))
                    {
                        deleteQuietly(file); // an earlier build's cache (a running child keeps its mapping) or list
                    }
                }
                else if ((other.contains(AotCache.CONFIGURATION_SUFFIX) || other.endsWith(AotCache.ASSEMBLING_SUFFIX)) &&
                    isStaleTrainingFile(file, other))
                {
                    deleteQuietly(file); // left by a parent that died while its child trained
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // best effort: the next publish looks again
        }
    }

    /**
     * Creates a cache's training lock, holding this process's identity, after removing a stale one
     * ({@link #isStaleLock}). A stale one is checked again and removed under an advisory lock on
     * {@value #TAKEOVER_GUARD} in the same directory (made at the first takeover, then kept): two parents that both
     * found it stale would otherwise each remove it, the second removing the first one's fresh lock, and both train.
     *
     * @param lock the lock file.
     * @return true when this process holds the lock now; false when another holds it.
     * @throws IOException when the lock cannot be created for another reason (a directory that refuses it).
     */
    static boolean takeTrainingLock(final Path lock) throws IOException
    {
        if (!Files.exists(lock) || !isStaleLock(lock))
        {
            return createTrainingLock(lock);
        }
        synchronized (AotCacheDirectory.class) // a JVM holds a file lock once: its threads take turns here first
        {
            try (FileChannel guard = FileChannel.open(lock.resolveSibling(TAKEOVER_GUARD), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
                FileLock ignored = guard.lock())
            {
                if (Files.exists(lock) && isStaleLock(lock)) // still: not the fresh lock of a parent that took over
                {
                    deleteQuietly(lock);
                }
                return createTrainingLock(lock);
            }
        }
    }

    private static boolean createTrainingLock(final Path lock) throws IOException
    {
        try
        {
            Files.writeString(lock, ProcessIdentity.current().toString(), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
            return true;
        }
        catch (final FileAlreadyExistsException ex)
        {
            return false;
        }
    }

    /**
     * Removes a training lock if this process holds it: one whose holder was taken for dead and replaced belongs to
     * the parent that took it over.
     *
     * @param lock the lock file.
     */
    static void releaseTrainingLock(final Path lock)
    {
        try
        {
            if (Files.readString(lock).strip().equals(ProcessIdentity.current().toString()))
            {
                Files.deleteIfExists(lock);
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // gone already, or unreadable: not removed here (a stale one goes in a later takeover or eviction)
        }
    }

    /**
     * Removes the training files (configurations, their lists, assemblies) and training locks of any key that a
     * parent which died while its child trained left behind: {@link #removeOthers} only looks at the key it
     * publishes, which may never train again.
     *
     * @param dir the directory of the caches.
     */
    static void removeStaleTraining(final Path dir)
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                if (name.endsWith(AotCache.LOCK_SUFFIX))
                {
                    if (isStaleLock(file))
                    {
                        deleteQuietly(file);
                    }
                }
                else if (!name.contains(AotCache.CACHE_SUFFIX) && (name.contains(AotCache.CONFIGURATION_SUFFIX) ||
                    name.endsWith(AotCache.ASSEMBLING_SUFFIX)) && isStaleTrainingFile(file, name))
                {
                    deleteQuietly(file);
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // best effort: the next publish looks again
        }
    }

    /**
     * @param lock a training lock.
     * @return true when it is five minutes old or more and the process that took it is gone (or it does not say
     * which): a training that lasts, such as a pool worker's for as long as its pool lives, keeps its lock.
     */
    static boolean isStaleLock(final Path lock)
    {
        try
        {
            if (System.currentTimeMillis() - Files.getLastModifiedTime(lock).toMillis() <= AotCache.STALE_TRAINING_MS)
            {
                return false;
            }
            final String holder = Files.readString(lock).strip();
            return holder.isEmpty() || !ProcessIdentity.parse(holder).isAlive();
        }
        catch (final RuntimeException ex)
        {
            return true; // not an identity: old and nobody's
        }
        catch (final IOException ex)
        {
            return !Files.exists(lock); // gone meanwhile; else unreadable, kept
        }
    }

    /**
     * @param file  a training file, named {@code <key>-<version>.<pid>@<start time>-<nanos>.<suffix>} (or, written by
     *              an earlier version, {@code <key>-<version>.<pid>-<nanos>.<suffix>}).
     * @param name  its name.
     * @return true when it is five minutes old or more and the process named in it is gone (for a name with its
     *         start time: also when its pid now names another process).
     */
    private static boolean isStaleTrainingFile(final Path file, final String name) throws IOException
    {
        if (System.currentTimeMillis() - Files.getLastModifiedTime(file).toMillis() <= AotCache.STALE_TRAINING_MS)
        {
            return false;
        }
        try
        {
            final int pidStart = name.indexOf('.') + 1;
            final String process = name.substring(pidStart, name.indexOf('-', pidStart));
            if (process.indexOf('@') > 0)
            {
                return !ProcessIdentity.parse(process).isAlive();
            }
            return ProcessHandle.of(Long.parseLong(process)).map((p) -> !p.isAlive()).orElse(true);
        }
        catch (final RuntimeException ex)
        {
            return true; // not named by a training: old and nobody's
        }
    }

    /**
     * Removes, among the published caches in {@code dir} other than {@code keep}, those last used before
     * {@code now - maxIdleMs}, then the least recently used until all caches together take at most {@code maxBytes};
     * and the stale training files and locks of every key ({@link #removeStaleTraining}).
     * Never throws: what cannot be read or removed stays, and the next publish looks again.
     *
     * @param dir       the directory of the caches.
     * @param keep      the cache just published, never removed (null for none).
     * @param maxBytes  the most bytes the caches may take together.
     * @param maxIdleMs how long a cache may go unused.
     * @param now       the current time, in milliseconds since the epoch.
     */
    static void evict(final Path dir, final Path keep, final long maxBytes, final long maxIdleMs, final long now)
    {
        record Entry(Path path, long size, long usedMs)
        {
        }
        final List<Entry> caches = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + AotCache.CACHE_SUFFIX))
        {
            for (final Path file : files)
            {
                try
                {
                    final Entry entry = new Entry(file, Files.size(file), Files.getLastModifiedTime(file).toMillis());
                    total += entry.size();
                    if (!file.equals(keep))
                    {
                        caches.add(entry);
                    }
                }
                catch (final IOException | RuntimeException ignore)
                {
                    // removed meanwhile by another process's publish
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return;
        }
        removeOrphanLists(dir);
        removeStaleTraining(dir);
        caches.sort(Comparator.comparingLong(Entry::usedMs));
        for (final Entry entry : caches)
        {
            if (entry.usedMs() >= now - maxIdleMs && total <= maxBytes)
            {
                break; // sorted by last use: every later one is newer and the caches fit
            }
            deleteQuietly(entry.path());
            LearnedClasses.removeOf(entry.path());
            total -= entry.size();
        }
    }

    /**
     * Removes the lists of learned classes whose cache is gone: a child of a removed cache may still note a class
     * after its cache's lists went with it.
     */
    private static void removeOrphanLists(final Path dir)
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + AotCache.CACHE_SUFFIX + ".*"))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                final String cache = name.substring(0, name.lastIndexOf(AotCache.CACHE_SUFFIX) +
                    AotCache.CACHE_SUFFIX.length());
                if ((name.endsWith(LearnedClasses.CLASSES_SUFFIX) || name.endsWith(LearnedClasses.WANTED_SUFFIX)) &&
                    !Files.exists(dir.resolve(cache)))
                {
                    deleteQuietly(file);
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // best effort: the next publish looks again
        }
    }

    /**
     * Records that a child used {@code cache}: its modification time, refreshed at most once an hour, is what
     * {@link #evict} sorts by.
     *
     * @param cache a published cache.
     */
    static void markUsed(final Path cache)
    {
        try
        {
            final long now = System.currentTimeMillis();
            if (now - Files.getLastModifiedTime(cache).toMillis() > AotCache.USE_REFRESH_MS)
            {
                Files.setLastModifiedTime(cache, FileTime.fromMillis(now));
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // the time is a hint for eviction only
        }
    }

    /**
     * @param path a file to delete if it exists; one that cannot be deleted stays.
     */
    static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignore)
        {
            // best effort
        }
    }
}
