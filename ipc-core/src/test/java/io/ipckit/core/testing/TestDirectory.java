package io.ipckit.core.testing;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.core.tracker.ResourceTracker;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A fresh shared directory per test ({@code /dev/shm/ipckit-test-*} on Linux), set as {@code -Dipckit.dir} for the
 * test and for every child it starts through {@link #start}. After the test every child still alive is killed and
 * the directory is deleted with everything in it, whatever the test did.
 * <pre>{@code
 * @RegisterExtension
 * final TestDirectory dir = new TestDirectory();
 * }</pre>
 * Tests that use it must not run in parallel within one JVM (the directory is a system property).
 */
public final class TestDirectory implements BeforeEachCallback, AfterEachCallback
{
    /** Prefix of every test directory; CI checks that none is left behind. */
    public static final String PREFIX = "ipckit-test-";

    private final List<JvmProcess> children = new ArrayList<>();
    private final Path root;
    private Path path;
    private String previous;

    /**
     * A directory per test in {@code /dev/shm} where there is one, else in {@code java.io.tmpdir}.
     */
    public TestDirectory()
    {
        this(Files.isDirectory(Paths.get("/dev/shm")) ? Paths.get("/dev/shm") :
            Paths.get(System.getProperty("java.io.tmpdir")));
    }

    /**
     * A directory per test in {@code root}: a disk directory, for what only a disk file system does (reusing a freed
     * inode at once).
     *
     * @param root where the per-test directories are made.
     */
    public TestDirectory(final Path root)
    {
        this.root = root;
    }

    @Override
    public void beforeEach(final ExtensionContext context) throws IOException
    {
        path = Files.createDirectory(root.resolve(PREFIX + UUID.randomUUID().toString().substring(0, 8)));
        previous = System.getProperty(SharedDirectory.DIRECTORY_PROP_NAME);
        System.setProperty(SharedDirectory.DIRECTORY_PROP_NAME, path.toString());
    }

    @Override
    public void afterEach(final ExtensionContext context) throws IOException, InterruptedException
    {
        try
        {
            for (final JvmProcess child : children)
            {
                if (child.isAlive())
                {
                    child.kill();
                }
                child.join(10, TimeUnit.SECONDS);
            }
        }
        finally
        {
            children.clear();
            if (previous == null)
            {
                System.clearProperty(SharedDirectory.DIRECTORY_PROP_NAME);
            }
            else
            {
                System.setProperty(SharedDirectory.DIRECTORY_PROP_NAME, previous);
            }
            deleteRecursively(path);
        }
    }

    /**
     * @return this test's shared directory.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return the names of the files now in the directory, sorted (registry files of the tracker included).
     */
    public List<String> list()
    {
        try (Stream<Path> files = Files.list(path))
        {
            return files.map((p) -> p.getFileName().toString()).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Whether {@code resourceName} exists and some process's tracker registry in this directory is complete (renamed
     * from its temporary copy) and lists it. A resource is recorded before it is named, so this is true once its
     * creator has finished creating it.
     *
     * @param resourceName a resource's name.
     * @return true when the resource is named and a complete registry lists it.
     */
    public boolean registered(final String resourceName)
    {
        if (!Files.exists(path.resolve(resourceName)))
        {
            return false;
        }
        for (final String name : list())
        {
            if (name.startsWith(ResourceTracker.REGISTRY_PREFIX) && !name.endsWith(".tmp"))
            {
                try
                {
                    if (Files.readString(path.resolve(name)).contains(resourceName + "\t"))
                    {
                        return true;
                    }
                }
                catch (final IOException ex)
                {
                    // renamed or removed meanwhile: looked at again by the caller's next poll
                }
            }
        }
        return false;
    }

    /**
     * Starts a child JVM ({@link JvmProcess#start(Class, ProcessOptions)}) that is killed after the test if still
     * alive.
     *
     * @param mainClass the class to run.
     * @param options   the child's settings.
     * @return the started child.
     */
    public JvmProcess start(final Class<?> mainClass, final ProcessOptions options)
    {
        return track(JvmProcess.start(mainClass, options));
    }

    /**
     * Starts a non-daemon child JVM with output inherited that is killed after the test if still alive.
     *
     * @param mainClass the class to run.
     * @param args      its arguments.
     * @return the started child.
     */
    public JvmProcess start(final Class<?> mainClass, final String... args)
    {
        return track(JvmProcess.start(mainClass, args));
    }

    /**
     * Starts a child JVM running {@code target} ({@link JvmProcess#start(SerializableRunnable, ProcessOptions)})
     * that is killed after the test if still alive.
     *
     * @param target  what the child runs.
     * @param options the child's settings.
     * @return the started child.
     */
    public JvmProcess start(final SerializableRunnable target, final ProcessOptions options)
    {
        return track(JvmProcess.start(target, options));
    }

    /**
     * Starts a non-daemon child JVM running {@code target}, with output inherited, that is killed after the test if
     * still alive.
     *
     * @param target what the child runs.
     * @return the started child.
     */
    public JvmProcess start(final SerializableRunnable target)
    {
        return track(JvmProcess.start(target));
    }

    /**
     * Registers a child started elsewhere to be killed after the test.
     *
     * @param child the child.
     * @return {@code child}.
     */
    public JvmProcess track(final JvmProcess child)
    {
        children.add(child);
        return child;
    }

    static void deleteRecursively(final Path root) throws IOException
    {
        // files may still vanish under us (a closing resource unlinking its own): retry the walk a few times
        for (int attempt = 0; ; attempt++)
        {
            if (root == null || !Files.exists(root))
            {
                return;
            }
            try (Stream<Path> walk = Files.walk(root))
            {
                for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(p);
                }
                return;
            }
            catch (final java.io.UncheckedIOException | java.nio.file.DirectoryNotEmptyException ex)
            {
                if (attempt >= 10)
                {
                    throw ex;
                }
            }
        }
    }
}
