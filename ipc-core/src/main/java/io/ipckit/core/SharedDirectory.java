package io.ipckit.core;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceNotFoundException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * The directory that holds every named resource: one file per name.
 * <p>
 * Resolved on each call, first match wins: the system property {@value #DIRECTORY_PROP_NAME}, the environment
 * variable {@value #DIRECTORY_ENV_NAME}, {@code /dev/shm} on Linux (POSIX shared memory, a tmpfs, so Python's
 * {@code shared_memory} sees the same names), otherwise {@code ipckit} under {@code java.io.tmpdir}. Child JVMs
 * started by {@code JvmProcess} inherit the resolved directory. An override directory that does not exist is
 * created the first time this JVM resolves it, but never re-created once this JVM has seen it: a directory removed
 * under a running process is an error, not something to bring back silently.
 * <p>
 * Thread-safe.
 */
public final class SharedDirectory
{
    /** System property that overrides the shared directory. */
    public static final String DIRECTORY_PROP_NAME = "ipckit.dir";
    /** Environment variable that overrides the shared directory when the property is not set. */
    public static final String DIRECTORY_ENV_NAME = "IPCKIT_DIR";
    /** The default on Linux. */
    public static final String LINUX_SHM_DIR = "/dev/shm";

    /** Override directories this JVM has seen: created at most once, never re-created after someone removed them. */
    private static final java.util.Set<Path> KNOWN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private SharedDirectory()
    {
    }

    /**
     * @return the shared directory now in effect, created if it is an override that does not exist yet.
     * @throws IpcException when the directory cannot be created (it names the directory and the reason), or when an
     *                      override this JVM has used was removed since (it is not created again).
     */
    public static Path path()
    {
        String dir = System.getProperty(DIRECTORY_PROP_NAME);
        if (dir == null || dir.isBlank())
        {
            dir = System.getenv(DIRECTORY_ENV_NAME);
        }
        final Path path;
        if (dir != null && !dir.isBlank())
        {
            path = Paths.get(dir).toAbsolutePath();
        }
        else if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux") &&
            Files.isDirectory(Paths.get(LINUX_SHM_DIR)))
        {
            return Paths.get(LINUX_SHM_DIR);
        }
        else
        {
            path = Paths.get(System.getProperty("java.io.tmpdir"), "ipckit");
        }
        if (!Files.isDirectory(path))
        {
            if (KNOWN.contains(path)) // known only once it was a directory: a failed create is no removal
            {
                throw new IpcException("the shared directory " + path + " was removed while this process used it; " +
                    "recreate it or point -D" + DIRECTORY_PROP_NAME + " / " + DIRECTORY_ENV_NAME + " elsewhere");
            }
            try
            {
                Files.createDirectories(path);
            }
            catch (final IOException ex)
            {
                throw new IpcException("cannot create the shared directory " + path + ": " + ex +
                    "; set -D" + DIRECTORY_PROP_NAME + " or " + DIRECTORY_ENV_NAME + " to a writable directory", ex);
            }
        }
        KNOWN.add(path);
        return path;
    }

    /**
     * @param name a resource name, validated here.
     * @return the file of that name in the shared directory.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     */
    public static Path resolve(final String name)
    {
        return path().resolve(ResourceName.validate(name));
    }

    /**
     * @param name a resource name.
     * @return true when a resource of that name exists.
     */
    public static boolean exists(final String name)
    {
        return Files.exists(resolve(name));
    }

    /**
     * Lists what the shared directory holds, as {@code ipcs} does: every resource file with its kind, layout version,
     * size, creator and whether the creator is alive, age and persistence, read from each file's header. A file whose
     * header cannot be trusted is listed as {@link ResourceInfo.State#CORRUPT} with the reason, never an exception;
     * a file without an ipckit header (a raw {@code SharedMemory}) as {@link ResourceInfo.State#RAW}. Linear in the
     * number of files: one {@code stat} and one read of the 64-byte common header each, no mapping.
     * <p>
     * Thread-safe and process-safe (it only reads); a snapshot that may be stale as soon as it returns.
     *
     * @return the resources, sorted by name.
     * @throws java.io.UncheckedIOException when the directory cannot be read.
     */
    public static java.util.List<ResourceInfo> list()
    {
        return new HeaderScanner().scan(path());
    }

    /**
     * Reads one resource's header, as {@link #list()} does for every file.
     *
     * @param name a resource name.
     * @return what the name holds.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is invalid.
     * @throws ResourceNotFoundException when no such resource exists.
     */
    public static ResourceInfo info(final String name)
    {
        final ResourceInfo info = new HeaderScanner().read(resolve(name));
        if (info == null)
        {
            throw new ResourceNotFoundException("no resource named \"" + name + "\" in " + path() +
                ": check the name and the shared directory (-D" + DIRECTORY_PROP_NAME + " / " + DIRECTORY_ENV_NAME + ")");
        }
        return info;
    }

    /**
     * Removes a name from the shared directory, as POSIX {@code shm_unlink}: mappings stay valid until closed.
     *
     * @param name the resource name.
     * @throws ResourceNotFoundException when no such name exists.
     */
    public static void unlink(final String name)
    {
        final Path path = resolve(name);
        try
        {
            Files.delete(path);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ResourceNotFoundException("cannot unlink \"" + name + "\": no such resource in " + path() +
                " (already unlinked, or never created)");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot unlink " + path, ex);
        }
    }

    /**
     * Removes a name if it exists.
     *
     * @param name the resource name.
     * @return true when a file was removed.
     */
    public static boolean unlinkIfExists(final String name)
    {
        final Path path = resolve(name);
        try
        {
            return Files.deleteIfExists(path);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot unlink " + path, ex);
        }
    }
}
