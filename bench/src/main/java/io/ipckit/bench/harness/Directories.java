package io.ipckit.bench.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Directory helpers of the harness.
 */
public final class Directories
{
    private Directories()
    {
    }

    /**
     * Deletes a directory and everything in it; does nothing when it does not exist.
     *
     * @param directory the directory.
     * @throws UncheckedIOException when something cannot be deleted.
     */
    public static void deleteRecursively(final Path directory)
    {
        if (directory == null || !Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(directory))
        {
            for (final Path path : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + directory + ": " + ex, ex);
        }
    }

    /**
     * Creates a directory and its parents.
     *
     * @param directory the directory.
     * @return {@code directory}.
     * @throws UncheckedIOException when it cannot be created.
     */
    public static Path create(final Path directory)
    {
        try
        {
            return Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + directory + ": " + ex, ex);
        }
    }

    /**
     * Deletes a file if it exists, ignoring failure (for leftovers that the run's directory removal also covers).
     *
     * @param path the file.
     */
    public static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignore)
        {
            // best effort: the run's scratch directory is deleted as a whole afterwards
        }
    }
}
