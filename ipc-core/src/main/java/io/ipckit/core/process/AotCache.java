package io.ipckit.core.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JDK 25 AOT cache (JEP 483/514) for child JVMs, which shortens their start-up (measured on a 2-core
 * machine: start to first message 153 ms without, 99.5 ms with): the first child with a
 * given class path, JDK and options trains the cache ({@code -XX:AOTCacheOutput}, written when it exits), later
 * children use it ({@code -XX:AOTCache}). One child trains at a time; the cache file is published by an atomic
 * rename, so a half-written cache is never used.
 * <p>
 * Used only when every class path entry is a jar (the JDK refuses directories in an AOT class path) and the JDK
 * is 25 or newer; otherwise {@link #plan} returns no options. The caches live in {@value #DIR_PROP_NAME}, by
 * default {@code ipckit-aot} under {@code java.io.tmpdir}, named by a hash of the JDK, the class path (with each
 * jar's size and time) and the options. Thread-safe.
 */
public final class AotCache
{
    /** System property: the directory of the caches. */
    public static final String DIR_PROP_NAME = "ipckit.aot.dir";
    private static final long STALE_TRAINING_MS = TimeUnit.MINUTES.toMillis(5);

    /**
     * What a child JVM should add to its command line.
     *
     * @param options        JVM options to add (empty when no cache applies).
     * @param trainingOutput the file the child writes at exit when it trains, else null.
     * @param cache          the cache file this plan publishes or uses, else null.
     */
    public record Plan(List<String> options, Path trainingOutput, Path cache)
    {
        static final Plan NONE = new Plan(List.of(), null, null);

        /**
         * Publishes a trained cache once the training child has exited. Safe to call for any plan.
         */
        public void publish()
        {
            if (trainingOutput == null)
            {
                return;
            }
            try
            {
                if (Files.size(trainingOutput) > 0)
                {
                    Files.move(trainingOutput, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            catch (final IOException ignore)
            {
                // no cache this time: the next child trains again
            }
            finally
            {
                deleteQuietly(trainingOutput);
                // the JDK's temporary configuration, left behind when the training child was killed
                deleteQuietly(trainingOutput.resolveSibling(trainingOutput.getFileName() + ".config"));
                deleteQuietly(lockOf(cache));
            }
        }
    }

    private AotCache()
    {
    }

    /**
     * @param classPath  the child's class path.
     * @param jvmOptions the child's JVM options (part of the cache key).
     * @return the options that use or train a cache, or {@link Plan#NONE}.
     */
    public static Plan plan(final String classPath, final List<String> jvmOptions)
    {
        if (Runtime.version().feature() < 25 || classPath == null || classPath.isBlank())
        {
            return Plan.NONE;
        }
        try
        {
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(System.getProperty("java.home").getBytes(StandardCharsets.UTF_8));
            digest.update(Runtime.version().toString().getBytes(StandardCharsets.UTF_8));
            for (final String entry : classPath.split(java.io.File.pathSeparator))
            {
                final Path jar = Paths.get(entry);
                if (!entry.endsWith(".jar") || !Files.isRegularFile(jar))
                {
                    return Plan.NONE;
                }
                digest.update((jar.toAbsolutePath() + "|" + Files.size(jar) + "|" +
                    Files.getLastModifiedTime(jar).toMillis()).getBytes(StandardCharsets.UTF_8));
            }
            for (final String option : jvmOptions)
            {
                if (option.startsWith("-Xshare") || option.contains("SharedArchiveFile") || option.contains("AOTCache") ||
                    option.contains("AOTMode") || option.contains("SharedClassListFile") || option.contains("DumpLoadedClassList"))
                {
                    return Plan.NONE; // the caller manages class-data sharing itself; the JDK refuses to mix the two
                }
                digest.update(option.getBytes(StandardCharsets.UTF_8));
            }
            final Path dir = directory();
            Files.createDirectories(dir);
            final Path cache = dir.resolve(HexFormat.of().formatHex(digest.digest(), 0, 12) + ".aot");
            if (Files.isRegularFile(cache))
            {
                return new Plan(List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off"), null, cache);
            }
            final Path lock = lockOf(cache);
            if (Files.exists(lock) && System.currentTimeMillis() - Files.getLastModifiedTime(lock).toMillis() > STALE_TRAINING_MS)
            {
                deleteQuietly(lock);
            }
            try
            {
                Files.createFile(lock);
            }
            catch (final java.nio.file.FileAlreadyExistsException ex)
            {
                return Plan.NONE;
            }
            final Path output = dir.resolve(cache.getFileName() + "." + ProcessHandle.current().pid() + "-" +
                System.nanoTime() + ".tmp");
            return new Plan(List.of("-XX:AOTCacheOutput=" + output, "-Xlog:aot=off", "-Xlog:cds=off"), output, cache);
        }
        catch (final IOException | NoSuchAlgorithmException | RuntimeException ex)
        {
            return Plan.NONE;
        }
    }

    /**
     * @return the directory of the caches.
     */
    public static Path directory()
    {
        final String dir = System.getProperty(DIR_PROP_NAME);
        return dir != null ? Paths.get(dir) : Paths.get(System.getProperty("java.io.tmpdir"), "ipckit-aot");
    }

    private static Path lockOf(final Path cache)
    {
        return cache.resolveSibling(cache.getFileName() + ".training");
    }

    private static void deleteQuietly(final Path path)
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
