package io.ipckit.core.internal.process;

import io.ipckit.core.process.ProcessIdentity;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A JDK 25 AOT cache (JEP 483/514) for child JVMs, which shortens their start-up (measured on a 2-core machine:
 * start to first message 153 ms without, 99.5 ms with). The first child with a given JDK, class path, JVM options
 * and main class trains it: it runs with {@code -XX:AOTMode=record}, and when it has exited its parent assembles the
 * cache ({@code -XX:AOTMode=create}) in a JVM of its own whose output is discarded, then publishes it by an atomic
 * rename, so a half-written cache is never used. Later children start with {@code -XX:AOTCache}. One child trains at
 * a time.
 * <p>
 * A cache holds what its training child loaded, so each main class gets a cache of its own: a class the cache lacks
 * is read from its jar, and the first such class opens the jar and reads its whole central directory (about 30 ms
 * in a starting JVM for a jar of 11,000 entries, measured), more than the rest of the child's path. A child whose
 * run was not typical (a pool worker that ran no task) calls {@link #discardTraining()}, and the next child trains
 * again. A child whose work varies from run to run (a pool worker runs whatever tasks its pool is given) notes the
 * classes of that work ({@link #noteClass}); a class the cache lacks makes the next child train it again, with the
 * classes learned so far (see {@link LearnedClasses}).
 * <p>
 * The cache holds classes, loaded and linked, and none of the training child's method profiles (its recording runs
 * with {@code -XX:-AOTRecordTraining}). A child that starts with profiles in its cache compiles its hot code from them,
 * and the training child is whichever child of that class path, options and main class came first, not a run chosen
 * to stand for the others: measured, a benchmark worker whose cache another worker trained (same main class, another
 * transport) kept a round trip of 0.33 µs where its own profiles gave 0.25 µs, for as long as it ran. Without
 * profiles each child profiles its own run, as a JVM without a cache does; the start-up the cache gives comes from the
 * classes. A JDK other than 25 is first asked whether it accepts that option (once per parent JVM); one that does not
 * trains no cache.
 * <p>
 * Nothing is printed: the training child runs with {@code -XX:-DisplayVMOutput} (its program's output is untouched;
 * only the JDK's own lines, such as "AOTConfiguration recorded", are silenced), every child with the AOT and CDS
 * logs off, and the assembling JVM's output goes nowhere.
 * <p>
 * A cache is named {@code <key>-<version>.aot}: the key hashes the JDK's home, the main class, the class path
 * entries and the options; the version hashes the JDK's version and each jar's size and time. Publishing a cache
 * removes the other versions of the same key (the caches of earlier builds of the same class path), and a new
 * training removes the training files that a killed parent left behind, so one cache per class path, options and
 * main class stays.
 * <p>
 * The directory is bounded across class paths too (every build directory, worktree or CI clone has a class path of
 * its own, so caches of paths that no longer exist would otherwise pile up, some 20–40 MB each): a cache in use has
 * its time refreshed at most once per hour, and each publish removes the caches unused for
 * {@value #MAX_IDLE_DAYS_PROP_NAME} days (default {@value #DEFAULT_MAX_IDLE_DAYS}), then the least recently used
 * ones until the caches together take at most {@value #MAX_BYTES_PROP_NAME} bytes (default 1 GiB). A removed cache
 * is only a slower next start: a running child keeps its mapping, and the next child of that class path trains again.
 * <p>
 * Used only when every class path entry is a jar (the JDK refuses directories in an AOT class path) and the JDK is
 * 25 or newer; otherwise {@link #plan} returns {@link Plan#NONE}. The caches live in {@value #DIR_PROP_NAME}, by
 * default the user's own cache directory ({@code $XDG_CACHE_HOME/ipckit/aot}, else {@code ~/.cache/ipckit/aot}),
 * created owner-only. A cache is code the JVM runs, so a directory that another user owns or may write to (such as
 * a shared {@code /tmp} folder) is never used; neither is one that cannot be created or written: the child then
 * starts without a cache, silently. Thread-safe and process-safe.
 */
public final class AotCache
{
    /** System property: the directory of the caches. */
    public static final String DIR_PROP_NAME = "ipckit.aot.dir";
    /** System property of a training child: the configuration file its JVM records at exit. */
    public static final String TRAINING_PROP_NAME = "ipckit.child.aot.training";
    /** System property of a child that uses a cache: the cache's file. */
    public static final String CACHE_PROP_NAME = "ipckit.child.aot.cache";
    /** File name suffix of a published cache. */
    public static final String CACHE_SUFFIX = ".aot";

    /** System property: the most bytes the caches of all class paths may take together (default 1 GiB). */
    public static final String MAX_BYTES_PROP_NAME = "ipckit.aot.maxBytes";
    /** System property: the days after which a cache that no child used is removed. */
    public static final String MAX_IDLE_DAYS_PROP_NAME = "ipckit.aot.maxIdleDays";
    /** Default of {@link #MAX_BYTES_PROP_NAME}. */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    /** Default of {@link #MAX_IDLE_DAYS_PROP_NAME}. */
    public static final long DEFAULT_MAX_IDLE_DAYS = 14;

    static final long USE_REFRESH_MS = TimeUnit.HOURS.toMillis(1);
    static final long STALE_TRAINING_MS = TimeUnit.MINUTES.toMillis(5);
    private static final long ASSEMBLY_TIMEOUT_S = 120;
    private static final List<String> QUIET = List.of("-Xlog:aot=off", "-Xlog:cds=off");
    static final String CONFIGURATION_SUFFIX = ".config";
    static final String ASSEMBLING_SUFFIX = ".tmp";
    static final String LOCK_SUFFIX = ".training";
    static final String DISCARD_SUFFIX = ".discard";
    /** What the caches hold, in their version: a cache of an earlier layout (with profiles) is never used. */
    private static final String CACHE_CONTENT = "classes, no method profiles";
    private static final long PROBE_TIMEOUT_S = 30;
    /** What follows the defining class's name in the name of a lambda's hidden class. */
    private static final String LAMBDA_MARK = "$$Lambda";
    /** Whether a {@code java} launcher accepts {@code -XX:-AOTRecordTraining}, for a JDK other than 25. */
    private static final ConcurrentHashMap<String, Boolean> ACCEPTS_NO_PROFILES = new ConcurrentHashMap<>();

    /**
     * What a child JVM adds to its command line, and what its parent does once it has exited.
     *
     * @param options       JVM options to add (empty when no cache applies).
     * @param configuration the file the training child records at exit, else null.
     * @param assembled     the file the assembling JVM writes, else null.
     * @param cache         the cache file this plan uses or publishes, else null.
     * @param createCommand the command that assembles the cache, else empty.
     */
    public record Plan(List<String> options, Path configuration, Path assembled, Path cache, List<String> createCommand)
    {
        /** No cache: nothing added, nothing to publish. */
        public static final Plan NONE = new Plan(List.of(), null, null, null, List.of());

        /**
         * @return true when the child of this plan trains a new cache.
         */
        public boolean trains()
        {
            return configuration != null;
        }

        /**
         * Once the training child has exited: assembles the cache from what it recorded, publishes it, removes the
         * older versions of the same class path and the training files. A training the child discarded
         * ({@link #discardTraining()}) is only removed. Safe to call for any plan; blocks for as long as the assembly
         * takes (about half a second). Never throws: without a cache, the next child trains again.
         */
        public void publish()
        {
            if (configuration == null)
            {
                return;
            }
            final Path discard = discardMarkerOf(configuration);
            try
            {
                if (!Files.exists(discard) && Files.isRegularFile(configuration) && Files.size(configuration) > 0 &&
                    assemble() &&
                    Files.size(assembled) > 0)
                {
                    Files.move(assembled, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    LearnedClasses.publish(configuration, cache); // after: a child between the two notes a class twice
                    AotCacheDirectory.removeOthers(cache, true);
                    AotCacheDirectory.evict(cache.getParent(), cache, Long.getLong(MAX_BYTES_PROP_NAME, DEFAULT_MAX_BYTES),
                        TimeUnit.DAYS.toMillis(Long.getLong(MAX_IDLE_DAYS_PROP_NAME, DEFAULT_MAX_IDLE_DAYS)),
                        System.currentTimeMillis());
                }
            }
            catch (final IOException ignore)
            {
                // no cache this time: the next child trains again
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            finally
            {
                AotCacheDirectory.deleteQuietly(discard);
                LearnedClasses.removeTraining(configuration);
                AotCacheDirectory.deleteQuietly(configuration);
                AotCacheDirectory.deleteQuietly(assembled);
                AotCacheDirectory.releaseTrainingLock(lockOf(cache)); // ours unless taken over as stale
            }
        }

        private boolean assemble() throws IOException, InterruptedException
        {
            final Process process = new ProcessBuilder(createCommand)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
            process.getOutputStream().close();
            try
            {
                return process.waitFor(ASSEMBLY_TIMEOUT_S, TimeUnit.SECONDS) && process.exitValue() == 0;
            }
            finally
            {
                process.destroyForcibly();
            }
        }
    }

    private AotCache()
    {
    }

    /**
     * @param java       the child's {@code java}.
     * @param classPath  the child's class path.
     * @param jvmOptions the child's JVM options that the cache depends on (module flags, heap, ...): part of the
     *                   key, and given to the assembling JVM.
     * @param mainClass  what the child runs (its main class, or the class of its serialized target): part of the
     *                   key.
     * @return the options that use or train a cache, or {@link Plan#NONE}.
     */
    public static Plan plan(
        final String java, final String classPath, final List<String> jvmOptions, final String mainClass)
    {
        if (Runtime.version().feature() < 25 || classPath == null || classPath.isBlank())
        {
            return Plan.NONE;
        }
        try
        {
            final MessageDigest key = MessageDigest.getInstance("SHA-256");
            final MessageDigest version = MessageDigest.getInstance("SHA-256");
            key.update((System.getProperty("java.home") + "|" + mainClass + "|").getBytes(StandardCharsets.UTF_8));
            version.update((Runtime.version() + "|" + CACHE_CONTENT + "|").getBytes(StandardCharsets.UTF_8));
            for (final String entry : classPath.split(File.pathSeparator))
            {
                final Path jar = Paths.get(entry);
                if (!entry.endsWith(".jar") || !Files.isRegularFile(jar))
                {
                    return Plan.NONE;
                }
                key.update((jar.toAbsolutePath() + "|").getBytes(StandardCharsets.UTF_8));
                version.update((Files.size(jar) + "|" + Files.getLastModifiedTime(jar).toMillis() + "|")
                    .getBytes(StandardCharsets.UTF_8));
            }
            for (final String option : jvmOptions)
            {
                if (option.startsWith("-Xshare") || option.contains("SharedArchiveFile") || option.contains("AOTCache") ||
                    option.contains("AOTMode") || option.contains("AOTConfiguration") ||
                    option.contains("SharedClassListFile") || option.contains("DumpLoadedClassList"))
                {
                    return Plan.NONE; // the caller manages class-data sharing itself; the JDK refuses to mix the two
                }
                key.update((option + "\n").getBytes(StandardCharsets.UTF_8));
            }
            final Path dir = AotCacheDirectory.directory();
            if (!AotCacheDirectory.usable(dir))
            {
                return Plan.NONE;
            }
            final String base = HexFormat.of().formatHex(key.digest(), 0, 12) + "-" +
                HexFormat.of().formatHex(version.digest(), 0, 8);
            final Path cache = dir.resolve(base + CACHE_SUFFIX);
            final Plan use = usePlan(cache);
            if (use != null && !LearnedClasses.isWanted(cache))
            {
                return use;
            }
            final Plan fallback = use != null ? use : Plan.NONE;
            if (!recordsWithoutProfiles(java))
            {
                return fallback; // a cache with a training child's profiles is worse than none (see above)
            }
            final Plan training = trainingPlan(java, classPath, jvmOptions, cache, use != null);
            return training != null ? training : fallback;
        }
        catch (final IOException | NoSuchAlgorithmException | RuntimeException ex)
        {
            return Plan.NONE;
        }
    }

    /**
     * Takes the cache's training lock and plans a training child; for a published cache, only when its children
     * wanted classes its list lacks (the wanted list is taken).
     *
     * @return the plan, or null when another child trains, there is nothing new to learn, or the directory refuses
     * a file (the caller then uses the published cache, if any).
     */
    private static Plan trainingPlan(final String java, final String classPath, final List<String> jvmOptions,
        final Path cache, final boolean published)
    {
        final Path lock = lockOf(cache);
        final String base = cache.getFileName().toString().replace(CACHE_SUFFIX, "");
        // the process's whole identity, so that a later process given the same pid does not keep the files alive
        final String unique = base + "." + ProcessIdentity.current() + "-" + System.nanoTime();
        final Path configuration = cache.resolveSibling(unique + CONFIGURATION_SUFFIX);
        boolean locked = false;
        try
        {
            if (!AotCacheDirectory.takeTrainingLock(lock))
            {
                return null; // another child trains: until its cache is published, this one uses the old one
            }
            locked = true;
            AotCacheDirectory.removeOthers(cache, false);
            if (published && !LearnedClasses.takeWanted(cache, configuration))
            {
                LearnedClasses.removeTraining(configuration);
                AotCacheDirectory.releaseTrainingLock(lock);
                return null; // nothing new to learn
            }
            final Path assembled = cache.resolveSibling(unique + ASSEMBLING_SUFFIX);
            final List<String> record = new ArrayList<>(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" +
                configuration, "-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput", "-XX:-AOTRecordTraining",
                "-D" + TRAINING_PROP_NAME + "=" + configuration));
            record.addAll(QUIET);
            final List<String> create = new ArrayList<>();
            create.add(java);
            create.addAll(jvmOptions);
            create.addAll(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + configuration,
                "-XX:AOTCache=" + assembled));
            create.addAll(QUIET);
            create.addAll(List.of("-cp", classPath));
            return new Plan(List.copyOf(record), configuration, assembled, cache, List.copyOf(create));
        }
        catch (final IOException | RuntimeException ex)
        {
            if (locked)
            {
                LearnedClasses.removeTraining(configuration);
                AotCacheDirectory.releaseTrainingLock(lock);
            }
            return null; // a directory that refuses the lock or a list: no training this time
        }
    }

    /**
     * @return the plan of a child that starts with the published {@code cache}, or null when there is none.
     */
    private static Plan usePlan(final Path cache)
    {
        if (!Files.isRegularFile(cache))
        {
            return null;
        }
        AotCacheDirectory.markUsed(cache);
        final List<String> options = new ArrayList<>(QUIET);
        options.addFirst("-XX:AOTCache=" + cache);
        options.add("-D" + CACHE_PROP_NAME + "=" + cache);
        return new Plan(List.copyOf(options), null, null, cache, List.of());
    }

    /**
     * @param java the {@code java} launcher of the children.
     * @return true when it accepts {@code -XX:-AOTRecordTraining}: JDK 25 does; another JDK is asked once per parent
     * JVM, so that one without the option trains no cache instead of failing to start the child that would train it.
     * An answer cut short by an interrupt is not kept: the next child asks again.
     */
    private static boolean recordsWithoutProfiles(final String java)
    {
        if (Runtime.version().feature() == 25)
        {
            return true;
        }
        final Boolean known = ACCEPTS_NO_PROFILES.get(java);
        if (known != null)
        {
            return known;
        }
        final boolean accepts = acceptsNoProfiles(java); // not under the map's lock: the probe takes a JVM's start
        if (!Thread.currentThread().isInterrupted())
        {
            ACCEPTS_NO_PROFILES.putIfAbsent(java, accepts);
        }
        return accepts;
    }

    /**
     * Starts {@code java -XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining -version} and waits for it.
     *
     * @param java a {@code java} launcher.
     * @return true when it exited with 0 within {@value #PROBE_TIMEOUT_S} s; false otherwise, or when interrupted
     * (the interrupt is kept).
     */
    static boolean acceptsNoProfiles(final String java)
    {
        try
        {
            final Process probe = new ProcessBuilder(java, "-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTRecordTraining",
                "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!probe.waitFor(PROBE_TIMEOUT_S, TimeUnit.SECONDS))
            {
                probe.destroyForcibly();
                return false;
            }
            return probe.exitValue() == 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Called in a child JVM: when this JVM trains a cache, its recording is thrown away at exit instead of assembled,
     * so the next child trains again. For a child whose run did not take the path later children take (a pool
     * worker that ran no task would give a cache without the task path). Does nothing in a JVM that does not train.
     * Never throws.
     */
    public static void discardTraining()
    {
        final String configuration = System.getProperty(TRAINING_PROP_NAME);
        if (configuration != null)
        {
            try
            {
                Files.write(discardMarkerOf(Paths.get(configuration)), new byte[0]);
            }
            catch (final IOException | RuntimeException ignore)
            {
                // the training is kept: a cache with less in it, still valid
            }
        }
    }

    /**
     * Called in a child JVM: undoes {@link #discardTraining()}, so that this JVM's recording becomes the cache after
     * all. Does nothing in a JVM that does not train. Never throws.
     */
    public static void keepTraining()
    {
        final String configuration = System.getProperty(TRAINING_PROP_NAME);
        if (configuration != null)
        {
            AotCacheDirectory.deleteQuietly(discardMarkerOf(Paths.get(configuration)));
        }
    }

    /**
     * @param type a class.
     * @return the name of the class that defined {@code type} when it is a lambda's hidden class (a lambda's own
     * name changes from run to run, and only its defining class can be in a cache), else {@code type}'s own name.
     */
    public static String definingClassName(final Class<?> type)
    {
        final String name = type.getName();
        final int lambda = name.indexOf(LAMBDA_MARK);
        return lambda > 0 ? name.substring(0, lambda) : name;
    }

    /**
     * @return true in a child JVM that trains a cache.
     */
    public static boolean isTraining()
    {
        return System.getProperty(TRAINING_PROP_NAME) != null;
    }

    /**
     * Called in a child JVM: notes that it runs code of {@code type} (a pool worker, its tasks' classes), so that a
     * cache that lacks the class is trained again with it (see {@link LearnedClasses}). Cheap the second time for
     * the same class; the first time, it may read or append to a short file. Does nothing in a JVM without a cache.
     * Thread-safe. Never throws.
     *
     * @param type a class of the code the child runs.
     */
    public static void noteClass(final Class<?> type)
    {
        LearnedClasses.note(type);
    }

    /**
     * Called in a child JVM as it starts: a training child loads the classes that its cache's earlier children
     * noted, so that the cache it trains holds them. Does nothing in a JVM that does not train. Never throws.
     */
    public static void preloadLearnedClasses()
    {
        LearnedClasses.preload();
    }

    private static Path discardMarkerOf(final Path configuration)
    {
        return configuration.resolveSibling(configuration.getFileName() + DISCARD_SUFFIX);
    }

    private static Path lockOf(final Path cache)
    {
        return cache.resolveSibling(cache.getFileName() + LOCK_SUFFIX);
    }
}
