package io.ipckit.core.tracker;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.process.ProcessIdentity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Removes resources whose creating process died without unlinking them — and only those.
 * <p>
 * Each process that creates a non-persistent resource records it in a registry file of its own in the shared
 * directory, {@code .ipckit-owned-<pid>-<startTime>} (names cannot start with a dot, so it never clashes with a
 * resource). A resource is identified by name and file key (inode), so a name that was unlinked and created again
 * by someone else is never removed by mistake. The registry is consulted:
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
 * Thread-safe.
 */
public final class ResourceTracker
{
    /** Prefix of registry files in the shared directory. */
    public static final String REGISTRY_PREFIX = ".ipckit-owned-";

    private static final String TMP_SUFFIX = ".tmp";
    private static final Map<Path, Map<String, String>> OWNED = new HashMap<>();
    private static boolean hookInstalled;

    private ResourceTracker()
    {
    }

    /**
     * Records that this process created the file at {@code path} and is responsible for it.
     *
     * @param path a resource file just created by this process.
     */
    public static synchronized void register(final Path path)
    {
        final Path dir = path.getParent();
        Map<String, String> owned = OWNED.get(dir);
        if (owned == null)
        {
            owned = new LinkedHashMap<>();
            OWNED.put(dir, owned);
            sweep(dir);
        }
        if (!hookInstalled)
        {
            hookInstalled = true;
            Runtime.getRuntime().addShutdownHook(new Thread(ResourceTracker::releaseAll, "ipckit-resource-tracker"));
        }
        final String key = fileKey(path);
        if (key != null)
        {
            owned.put(path.getFileName().toString(), key);
            writeRegistry(dir, owned);
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
            writeRegistry(dir, owned);
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
        return release(dir.resolve(registryName(owner)));
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
     * killed before renaming it; a torn last line only fails its key check), then deletes both.
     */
    private static int release(final Path registry)
    {
        final Path tmp = registry.resolveSibling(registry.getFileName() + TMP_SUFFIX);
        final Set<String> lines = new LinkedHashSet<>();
        readLinesInto(registry, lines);
        readLinesInto(tmp, lines);
        int removed = 0;
        for (final String line : lines)
        {
            final int tab = line.indexOf('\t');
            if (tab > 0 && unlinkIfSame(registry.resolveSibling(line.substring(0, tab)), line.substring(tab + 1)))
            {
                removed++;
            }
        }
        deleteQuietly(registry);
        deleteQuietly(tmp);
        return removed;
    }

    private static void readLinesInto(final Path file, final Set<String> lines)
    {
        try
        {
            lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            // absent (the usual case for the temporary copy) or unreadable: nothing to release from it
        }
    }

    private static boolean unlinkIfSame(final Path path, final String expectedKey)
    {
        final String key = fileKey(path);
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

    private static void writeRegistry(final Path dir, final Map<String, String> owned)
    {
        final Path registry = dir.resolve(registryName(ProcessIdentity.current()));
        try
        {
            if (owned.isEmpty())
            {
                Files.deleteIfExists(registry);
                return;
            }
            final StringBuilder sb = new StringBuilder();
            owned.forEach((name, key) -> sb.append(name).append('\t').append(key).append('\n'));
            final Path tmp = dir.resolve(registry.getFileName() + TMP_SUFFIX);
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, registry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            // The resource itself is fine; only its clean-up after a crash is lost. Say so once, do not fail.
            System.err.println("ipckit: cannot record resources of this process in " + registry + ": " + ex);
        }
    }

    private static String registryName(final ProcessIdentity identity)
    {
        return REGISTRY_PREFIX + identity.pid() + "-" + identity.startTime();
    }

    private static ProcessIdentity ownerOf(final Path registry)
    {
        final String name = registry.getFileName().toString();
        final String rest = name.substring(REGISTRY_PREFIX.length());
        final int dash = rest.indexOf('-');
        try
        {
            return new ProcessIdentity(Long.parseLong(rest.substring(0, dash)), Long.parseLong(rest.substring(dash + 1)));
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    private static String fileKey(final Path path)
    {
        try
        {
            final Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            return key == null ? "" : key.toString();
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            return null;
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
