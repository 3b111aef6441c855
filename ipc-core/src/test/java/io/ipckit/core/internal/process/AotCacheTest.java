package io.ipckit.core.internal.process;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AotCacheTest
{
    private static final String JAVA = java.nio.file.Paths.get(System.getProperty("java.home"), "bin", "java").toString();

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldLetOneChildTrainAndTrainAgainWhenNoCacheCameOfIt() throws Exception
    {
        final Path jar = dir.path().resolve("app.jar");
        Files.write(jar, new byte[] {1, 2, 3});
        withCacheDirectory(dir.path().resolve("aot").toString(), () ->
        {
            final AotCache.Plan training = AotCache.plan(JAVA, jar.toString(), List.of("-Xmx64m"), "app.Main");
            assertTrue(training.trains(), training.toString());
            assertEquals("-XX:AOTMode=record", training.options().getFirst());
            assertEquals(AotCache.Plan.NONE, AotCache.plan(JAVA, jar.toString(), List.of("-Xmx64m"), "app.Main"),
                "one trainer at a time");
            assertTrue(AotCache.plan(JAVA, jar.toString(), List.of("-Xmx128m"), "app.Main").trains(),
                "other options, other cache");
            assertTrue(AotCache.plan(JAVA, jar.toString(), List.of("-Xmx64m"), "app.Other").trains(),
                "another main class, another cache");
            Files.write(training.configuration(), new byte[] {42});
            training.publish();
            try (Stream<Path> files = Files.list(dir.path().resolve("aot")))
            {
                assertEquals(List.of(), files.map((p) -> p.getFileName().toString())
                    .filter((f) -> !f.endsWith(".training")).toList(),
                    "the JDK refused the configuration: no cache and no training files left");
            }
            assertTrue(AotCache.plan(JAVA, jar.toString(), List.of("-Xmx64m"), "app.Main").trains(),
                "the next child trains again");
        });
    }

    @Test
    void shouldRemoveTrainingFilesThatADeadParentLeftBehind() throws Exception
    {
        final Path jar = dir.path().resolve("app.jar");
        Files.write(jar, new byte[] {1, 2, 3});
        withCacheDirectory(dir.path().resolve("aot").toString(), () ->
        {
            final AotCache.Plan first = AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main");
            first.publish(); // the child was killed: nothing recorded
            final String base = first.cache().getFileName().toString().replace(AotCache.CACHE_SUFFIX, "");
            final String deadPid = ".999999999-1"; // above any pid_max
            final Path staleConfiguration = first.cache().resolveSibling(base + deadPid + ".config");
            final Path staleList = first.cache().resolveSibling(base + deadPid + ".config.classes");
            final Path staleAssembly = first.cache().resolveSibling(base + deadPid + ".tmp");
            final Path freshConfiguration = first.cache().resolveSibling(base + ".999999998-1.config");
            final Path liveConfiguration = first.cache().resolveSibling(
                base + "." + ProcessHandle.current().pid() + "-1.config"); // named as earlier versions did
            final ProcessIdentity self = ProcessIdentity.current();
            final Path liveIdentity = first.cache().resolveSibling(base + "." + self + "-2.config");
            final Path reusedPid = first.cache().resolveSibling(
                base + "." + self.pid() + "@" + (self.startTime() + 1) + "-3.config"); // an earlier process's pid
            for (final Path file : List.of(staleConfiguration, staleList, staleAssembly, freshConfiguration,
                liveConfiguration, liveIdentity, reusedPid))
            {
                Files.write(file, new byte[] {1});
            }
            final java.nio.file.attribute.FileTime tenMinutesAgo = java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - java.util.concurrent.TimeUnit.MINUTES.toMillis(10));
            for (final Path file : List.of(staleConfiguration, staleList, staleAssembly, liveConfiguration,
                liveIdentity, reusedPid))
            {
                Files.setLastModifiedTime(file, tenMinutesAgo);
            }

            final AotCache.Plan second = AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main");
            assertTrue(second.trains());
            assertTrue(second.configuration().getFileName().toString().startsWith(base + "." + self + "-"),
                "a training's files carry its process's whole identity: " + second.configuration());
            assertFalse(Files.exists(staleConfiguration));
            assertFalse(Files.exists(staleList));
            assertFalse(Files.exists(staleAssembly));
            assertFalse(Files.exists(reusedPid), "a dead process's files go, though its pid names a live one");
            assertTrue(Files.exists(freshConfiguration), "a training in progress elsewhere keeps its files");
            assertTrue(Files.exists(liveConfiguration), "a long training of a live parent keeps its files");
            assertTrue(Files.exists(liveIdentity), "named by its identity too");
            second.publish();
        });
    }

    @Test
    void shouldKeepTheTrainingLockOfALiveParentAndTakeOverADeadOnes() throws Exception
    {
        final Path lock = Files.createDirectories(dir.path().resolve("aot")).resolve("app.aot.training");
        assertTrue(AotCacheDirectory.takeTrainingLock(lock));
        assertEquals(io.ipckit.core.process.ProcessIdentity.current().toString(), Files.readString(lock));
        assertFalse(AotCacheDirectory.takeTrainingLock(lock), "held");
        final java.nio.file.attribute.FileTime anHourAgo = java.nio.file.attribute.FileTime.fromMillis(
            System.currentTimeMillis() - java.util.concurrent.TimeUnit.HOURS.toMillis(1));
        Files.setLastModifiedTime(lock, anHourAgo);
        assertFalse(AotCacheDirectory.takeTrainingLock(lock), "an hour old, but its parent lives: a long training");

        Files.writeString(lock, "999999999@1"); // above any pid_max
        assertFalse(AotCacheDirectory.takeTrainingLock(lock), "its parent is gone, but it is fresh");
        Files.setLastModifiedTime(lock, anHourAgo);
        assertTrue(AotCacheDirectory.takeTrainingLock(lock), "old, and its parent is gone");

        Files.writeString(lock, "");
        Files.setLastModifiedTime(lock, anHourAgo);
        assertTrue(AotCacheDirectory.takeTrainingLock(lock), "old and nobody's");
        assertFalse(AotCacheDirectory.takeTrainingLock(lock));
    }

    @Test
    void shouldStartWithoutACacheWhereItsDirectoryCannotBeCreated() throws Exception
    {
        final Path jar = dir.path().resolve("app.jar");
        Files.write(jar, new byte[] {1, 2, 3});
        final Path notADirectory = dir.path().resolve("file");
        Files.write(notADirectory, new byte[] {1});
        withCacheDirectory(notADirectory.resolve("aot").toString(), () ->
        {
            assertEquals(AotCache.Plan.NONE, AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main"));
        });
    }

    @Test
    void shouldCreateItsDirectoryOwnerOnlyAndRefuseOneOthersMayWrite() throws Exception
    {
        final Path jar = dir.path().resolve("app.jar");
        Files.write(jar, new byte[] {1, 2, 3});
        final Path aot = dir.path().resolve("deep").resolve("aot");
        withCacheDirectory(aot.toString(), () ->
        {
            final AotCache.Plan training = AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main");
            assertTrue(training.trains(), training.toString());
            assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(aot));
            training.publish();
            Files.setPosixFilePermissions(aot, PosixFilePermissions.fromString("rwxrwxrwx"));
            assertEquals(AotCache.Plan.NONE, AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main"),
                "a directory others may write to could hold a cache of theirs");
            Files.setPosixFilePermissions(aot, PosixFilePermissions.fromString("rwxrwx---"));
            assertEquals(AotCache.Plan.NONE, AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main"));
            Files.setPosixFilePermissions(aot, PosixFilePermissions.fromString("rwxr-x---"));
            assertTrue(AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main").trains());
        });
    }

    @Test
    void shouldRefuseADirectoryOfAnotherUser() throws Exception
    {
        final Path aot = Files.createDirectories(dir.path().resolve("theirs"));
        final java.nio.file.attribute.UserPrincipal nobody;
        try
        {
            nobody = aot.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(aot, nobody);
        }
        catch (final IOException ex)
        {
            Assumptions.abort("cannot give a directory to user nobody here (not root): " + ex);
            return;
        }
        Files.setPosixFilePermissions(aot, PosixFilePermissions.fromString("rwx------"));
        assertFalse(AotCacheDirectory.usable(aot), "owned by " + nobody);
    }

    @Test
    void shouldKeepTheCachesInTheUsersOwnCacheDirectoryByDefault()
    {
        final String previous = System.clearProperty(AotCache.DIR_PROP_NAME);
        try
        {
            final String xdg = System.getenv("XDG_CACHE_HOME");
            final Path expected = xdg != null && !xdg.isBlank() && Paths.get(xdg).isAbsolute() ?
                Paths.get(xdg, "ipckit", "aot") : Paths.get(System.getProperty("user.home"), ".cache", "ipckit", "aot");
            assertEquals(expected, AotCacheDirectory.directory());
        }
        finally
        {
            restore(previous);
        }
    }

    @Test
    void shouldNotApplyToAClassPathWithDirectories()
    {
        assertEquals(AotCache.Plan.NONE, AotCache.plan(JAVA, dir.path().toString(), List.of(), "app.Main"));
        assertEquals(AotCache.Plan.NONE, AotCache.plan(JAVA, "", List.of(), "app.Main"));
    }

    @Test
    void shouldLeaveClassDataSharingOptionsAlone() throws Exception
    {
        final Path jar = dir.path().resolve("app.jar");
        Files.write(jar, new byte[] {1});
        assertEquals(AotCache.Plan.NONE, AotCache.plan(JAVA, jar.toString(), List.of("-Xshare:auto"), "app.Main"),
            "the JDK refuses -XX:AOTMode together with -Xshare");
        assertEquals(AotCache.Plan.NONE, AotCache.plan(JAVA, jar.toString(), List.of("-XX:SharedArchiveFile=app.jsa"), "app.Main"));
    }

    @Test
    void shouldKeepOneSilentCachePerClassPathAcrossRebuilds() throws Exception
    {
        final Path aot = dir.path().resolve("aot");
        final Path first = dir.path().resolve("first.jar");
        final Path second = dir.path().resolve("second.jar");
        appJar(first, 0);
        appJar(second, 0);
        withCacheDirectory(aot.toString(), () ->
        {
            assertEquals("record", runChild(first, "first-1"), "the first child trains, and the JDK prints nothing");
            final List<String> firstBuild = caches(aot);
            assertEquals(1, firstBuild.size(), firstBuild.toString());
            assertEquals("use", runChild(first, "first-2"), "the next child uses the cache, silently");

            appJar(first, 1); // a rebuild
            assertEquals("record", runChild(first, "first-3"));
            final List<String> rebuilt = caches(aot);
            assertEquals(1, rebuilt.size(), "the rebuild's cache replaced the first build's: " + rebuilt);
            assertNotEquals(firstBuild, rebuilt);

            assertEquals("record", runChild(second, "second-1"));
            assertEquals(2, caches(aot).size(), "one cache per class path: " + caches(aot));
            try (Stream<Path> files = Files.list(aot))
            {
                assertEquals(List.of(), files.map((p) -> p.getFileName().toString())
                    .filter((f) -> !f.endsWith(AotCache.CACHE_SUFFIX)).toList(), "no training files left");
            }
        });
    }

    @Test
    void shouldKeepNoMethodProfilesOfTheChildThatTrained() throws Exception
    {
        final Path aot = dir.path().resolve("aot");
        final Path jar = appJar(dir.path().resolve("app.jar"), 0);
        withCacheDirectory(aot.toString(), () ->
        {
            assertEquals("record", runChild(jar, "trainer"));
            final List<String> caches = caches(aot);
            assertEquals(1, caches.size(), caches.toString());
            // the JDK lists the training data (method profiles) a cache holds, one numbered line each
            final Path out = dir.path().resolve("training-info.out");
            final List<String> command = new java.util.ArrayList<>(List.of(JAVA));
            command.addAll(JvmFlags.forChild()); // as the child that trained: a cache is used with the same flags
            command.addAll(List.of("-XX:AOTCache=" + aot.resolve(caches.getFirst()), "-XX:+UnlockDiagnosticVMOptions",
                "-XX:+AOTPrintTrainingInfo", "-Xlog:aot=off", "-Xlog:cds=off",
                "-cp", jar + java.io.File.pathSeparator + agronaJar(), PrintAotMode.class.getName()));
            final Process lister = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                .start();
            if (!lister.waitFor(60, TimeUnit.SECONDS))
            {
                lister.destroyForcibly().waitFor();
                throw new AssertionError("the JVM listing the cache's training data did not exit: " +
                    Files.readString(out));
            }
            final String listing = Files.readString(out);
            assertEquals(0, lister.exitValue(), listing);
            assertTrue(listing.contains("TrainingData Dictionary") && listing.strip().endsWith("use"), listing);
            final List<String> entries = listing.lines().filter((line) -> line.matches("\\s*\\d+: .*")).toList();
            assertEquals(0, entries.size(), "the cache holds no method profile of the child that trained it, but " +
                entries.size() + " training entries, such as " + entries.subList(0, Math.min(3, entries.size())));
        });
    }

    @Test
    void shouldAskAJavaLauncherWhetherItCanRecordWithoutProfiles() throws Exception
    {
        assertTrue(AotCache.acceptsNoProfiles(JAVA), "this JDK records without profiles");
        final Path refusing = dir.path().resolve("refusing-java");
        Files.writeString(refusing, "#!/bin/sh\necho \"Unrecognized VM option 'AOTRecordTraining'\" >&2\nexit 1\n");
        Files.setPosixFilePermissions(refusing, PosixFilePermissions.fromString("rwx------"));
        assertFalse(AotCache.acceptsNoProfiles(refusing.toString()), "a JDK without the option");
        assertFalse(AotCache.acceptsNoProfiles(dir.path().resolve("no-such-java").toString()), "no launcher at all");
    }

    @Test
    void shouldDropATrainingItsChildDiscardedAndTrainOneCachePerMainClass() throws Exception
    {
        final Path aot = dir.path().resolve("aot");
        final Path jar = appJar(dir.path().resolve("app.jar"), 0);
        withCacheDirectory(aot.toString(), () ->
        {
            assertEquals("record", runChild(jar, "discarded", PrintAotMode.class, "discard"));
            assertEquals(List.of(), caches(aot), "a discarded training gives no cache");
            assertEquals("record", runChild(jar, "kept", PrintAotMode.class, "discard", "keep"),
                "the next child trains again");
            assertEquals(1, caches(aot).size(), "a training kept after a discard gives a cache: " + caches(aot));
            assertEquals("use", runChild(jar, "used", PrintAotMode.class));
            assertEquals("record", runChild(jar, "other", PrintOtherAotMode.class),
                "another main class trains a cache of its own");
            assertEquals(2, caches(aot).size(), caches(aot).toString());
            try (Stream<Path> files = Files.list(aot))
            {
                assertEquals(List.of(), files.map((p) -> p.getFileName().toString())
                    .filter((f) -> !f.endsWith(AotCache.CACHE_SUFFIX)).toList(), "no training files left");
            }
        });
    }

    /**
     * A program that starts a daemon child (as {@code Manager.start} does) and exits without waiting for it: its exit
     * terminates the child, which trained, and then waits for the cache to be assembled and published, so that the
     * program's next run starts its child from the cache instead of training again on every run.
     */
    @Test
    void shouldPublishTheCacheOfADaemonChildThatTrainedWhenTheProgramExits() throws Exception
    {
        final Path aot = dir.path().resolve("aot");
        final Path jar = appJar(dir.path().resolve("app.jar"), 0);
        withCacheDirectory(aot.toString(), () ->
        {
            assertEquals("record", runProgramWithADaemonChild(jar, "first"));
            assertEquals("use", runProgramWithADaemonChild(jar, "second"), "the first run's exit published the cache");
        });
    }

    /**
     * Runs {@link StartDaemonAndExit} in a JVM of its own and returns what its daemon child printed.
     */
    private String runProgramWithADaemonChild(final Path jar, final String tag) throws Exception
    {
        final Path childOut = dir.path().resolve(tag + ".child.out");
        final Path out = dir.path().resolve(tag + ".out");
        final JvmProcess program = dir.start(StartDaemonAndExit.class, new ProcessOptions()
            .args(childOut.toString()).jvmOptions("-D" + AotCache.DIR_PROP_NAME + "=" + System.getProperty(
                AotCache.DIR_PROP_NAME)).classPath(jar + java.io.File.pathSeparator + agronaJar())
            .redirectOutput(out).redirectErrorStream(true));
        assertTrue(program.join(60, TimeUnit.SECONDS), "the program did not exit");
        assertEquals(0, program.exitCode().orElseThrow(), Files.readString(out));
        return Files.readString(childOut).strip();
    }

    /**
     * A program that starts a daemon child ({@link PrintAotModeAndWait}), waits for its line, and returns from
     * {@code main} with the child still running.
     */
    public static final class StartDaemonAndExit
    {
        public static void main(final String[] args) throws Exception
        {
            final Path childOut = Paths.get(args[0]);
            JvmProcess.start(PrintAotModeAndWait.class, new ProcessOptions().daemon(true).redirectOutput(childOut));
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(childOut) || !Files.readString(childOut).endsWith("\n"))
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("the daemon child printed nothing");
                }
                Thread.sleep(5);
            }
        }
    }

    /**
     * {@link PrintAotMode}, then waits until it is terminated.
     */
    public static final class PrintAotModeAndWait
    {
        public static void main(final String[] args) throws InterruptedException
        {
            PrintAotMode.main(args);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    @Test
    void shouldRemoveIdleCachesThenTheLeastRecentlyUsedUntilTheCachesFit() throws Exception
    {
        final Path aot = Files.createDirectories(dir.path().resolve("aot"));
        final long now = System.currentTimeMillis();
        final long day = java.util.concurrent.TimeUnit.DAYS.toMillis(1);
        cacheFile(aot, "idle", 10, now - 20 * day);
        cacheFile(aot, "old", 100, now - 3 * day);
        cacheFile(aot, "recent", 100, now - day);
        final Path kept = cacheFile(aot, "published", 100, now - 30 * day);
        Files.writeString(aot.resolve("other.training"), "");

        AotCacheDirectory.evict(aot, kept, 250, 14 * day, now);

        assertEquals(List.of("published.aot", "recent.aot"), caches(aot),
            "the idle cache goes, then the least recently used until 250 bytes fit; the published one stays");
        assertTrue(Files.exists(aot.resolve("other.training")), "only published caches are evicted");

        AotCacheDirectory.evict(aot, null, 1_000, 14 * day, now);
        assertEquals(List.of("recent.aot"), caches(aot), "without a cache to keep, the idle one goes too");
        AotCacheDirectory.evict(dir.path().resolve("missing"), null, 0, 0, now); // never throws
    }

    /**
     * A parent SIGKILLed while its child trained left a configuration and a training lock that stayed forever unless
     * that very cache trained again: eviction looked at published caches only.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRemoveStaleTrainingFilesAndLocksOfAnyKeyWhenEvicting() throws Exception
    {
        final Path aot = Files.createDirectories(dir.path().resolve("aot"));
        final long now = System.currentTimeMillis();
        final String dead = "999999999@1"; // above any pid_max
        final Path staleConfiguration = Files.writeString(aot.resolve("killed-v1." + dead + "-5.config"), "x");
        final Path staleList = Files.writeString(aot.resolve("killed-v1." + dead + "-5.config.classes"), "x");
        final Path staleAssembly = Files.writeString(aot.resolve("killed-v1." + dead + "-5.tmp"), "x");
        final Path staleLock = Files.writeString(aot.resolve("killed-v1.aot.training"), dead);
        final Path liveConfiguration = Files.writeString(
            aot.resolve("live-v1." + ProcessIdentity.current() + "-6.config"), "x");
        final Path liveLock = Files.writeString(aot.resolve("live-v1.aot.training"), ProcessIdentity.current().toString());
        final Path freshLock = Files.writeString(aot.resolve("fresh-v1.aot.training"), dead);
        final java.nio.file.attribute.FileTime tenMinutesAgo = java.nio.file.attribute.FileTime.fromMillis(
            now - TimeUnit.MINUTES.toMillis(10));
        for (final Path file : List.of(staleConfiguration, staleList, staleAssembly, staleLock, liveConfiguration,
            liveLock))
        {
            Files.setLastModifiedTime(file, tenMinutesAgo);
        }
        final Path published = cacheFile(aot, "other-v1", 10, now);

        AotCacheDirectory.evict(aot, published, 1_000, TimeUnit.DAYS.toMillis(14), now);

        try (Stream<Path> files = Files.list(aot))
        {
            assertEquals(List.of(freshLock.getFileName().toString(), liveConfiguration.getFileName().toString(),
                liveLock.getFileName().toString(), published.getFileName().toString()),
                files.map((p) -> p.getFileName().toString()).sorted().toList(),
                "a dead parent's old training files and lock go, whatever their key; a live or fresh one's stay");
        }
    }

    /**
     * Publishing deleted the training lock without looking whose it was: a lock another parent had taken over went.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldReleaseOnlyItsOwnTrainingLock() throws Exception
    {
        final Path jar = dir.path().resolve("app.jar");
        Files.write(jar, new byte[] {1, 2, 3});
        withCacheDirectory(dir.path().resolve("aot").toString(), () ->
        {
            final AotCache.Plan plan = AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main");
            assertTrue(plan.trains());
            final Path lock = plan.cache().resolveSibling(plan.cache().getFileName() + AotCache.LOCK_SUFFIX);
            assertEquals(ProcessIdentity.current().toString(), Files.readString(lock));
            Files.writeString(lock, "1@12345"); // another parent took it over, taking this one for dead
            plan.publish();
            assertEquals("1@12345", Files.readString(lock), "another parent's lock stays");

            final AotCache.Plan next = AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main");
            assertFalse(next.trains(), "the other parent trains");
            Files.delete(lock);
            final AotCache.Plan own = AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main");
            assertTrue(own.trains());
            own.publish();
            assertFalse(Files.exists(lock), "its own lock goes");
        });
    }

    static Path cacheFile(final Path aot, final String name, final int size, final long usedMs)
        throws IOException
    {
        final Path file = Files.write(aot.resolve(name + AotCache.CACHE_SUFFIX), new byte[size]);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(usedMs));
        return file;
    }

    private String runChild(final Path jar, final String tag) throws Exception
    {
        return runChild(jar, tag, PrintAotMode.class);
    }

    private String runChild(final Path jar, final String tag, final Class<?> main, final String... args)
        throws Exception
    {
        final Path out = dir.path().resolve(tag + ".out");
        final JvmProcess child = dir.start(main, new ProcessOptions().args(args)
            .classPath(jar + java.io.File.pathSeparator + agronaJar()).redirectOutput(out).redirectErrorStream(true));
        assertEquals(0, child.join(), Files.readString(out));
        final String output = Files.readString(out);
        assertTrue(output.endsWith("\n") && output.indexOf('\n') == output.length() - 1, "one line only: " + output);
        return output.strip();
    }

    static List<String> caches(final Path aot) throws IOException
    {
        try (Stream<Path> files = Files.list(aot))
        {
            return files.map((p) -> p.getFileName().toString()).filter((f) -> f.endsWith(AotCache.CACHE_SUFFIX))
                .sorted().toList();
        }
    }

    /**
     * Prints "record" when started to train an AOT cache, "use" when started with one, "none" otherwise.
     */
    public static final class PrintAotMode
    {
        public static void main(final String[] args)
        {
            for (final String arg : args)
            {
                if (arg.equals("discard"))
                {
                    AotCache.discardTraining();
                }
                else if (arg.equals("keep"))
                {
                    AotCache.keepTraining();
                }
            }
            final List<String> arguments = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
            System.out.println(arguments.contains("-XX:AOTMode=record") ? "record" :
                arguments.stream().anyMatch((a) -> a.startsWith("-XX:AOTCache=")) ? "use" : "none");
        }
    }

    /**
     * {@link PrintAotMode} under another name.
     */
    public static final class PrintOtherAotMode
    {
        public static void main(final String[] args)
        {
            PrintAotMode.main(args);
        }
    }

    static String agronaJar()
    {
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            if (entry.contains("agrona") && entry.endsWith(".jar"))
            {
                return entry;
            }
        }
        throw new IllegalStateException("agrona is not on the test class path");
    }

    /**
     * @return {@code jar}, written with this module's classes and test classes and {@code extraEntries} more.
     */
    static Path appJar(final Path jar, final int extraEntries) throws IOException
    {
        jarOf(jar, extraEntries, Paths.get("target/classes"), Paths.get("target/test-classes"));
        return jar;
    }

    private static void jarOf(final Path jar, final int extraEntries, final Path... roots) throws IOException
    {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)))
        {
            for (int i = 0; i < extraEntries; i++)
            {
                out.putNextEntry(new JarEntry("rebuild-" + i + ".txt"));
                out.write(new byte[] {(byte)i});
                out.closeEntry();
            }
            for (final Path root : roots)
            {
                try (Stream<Path> files = Files.walk(root))
                {
                    for (final Path file : files.filter(Files::isRegularFile).toList())
                    {
                        out.putNextEntry(new JarEntry(root.relativize(file).toString().replace('\\', '/')));
                        Files.copy(file, out);
                        out.closeEntry();
                    }
                }
            }
        }
    }

    /**
     * A step of a test that throws what it likes.
     */
    @FunctionalInterface
    interface Step
    {
        /**
         * @throws Exception what the step throws.
         */
        void run() throws Exception;
    }

    /**
     * Runs {@code step} with the AOT cache directory set to {@code aot}, and sets the property back afterwards
     * whatever happens.
     *
     * @param aot  the cache directory.
     * @param step the step.
     * @throws Exception what the step throws.
     */
    static void withCacheDirectory(final String aot, final Step step) throws Exception
    {
        final String previous = System.setProperty(AotCache.DIR_PROP_NAME, aot);
        try
        {
            step.run();
        }
        finally
        {
            restore(previous);
        }
    }

    private static void restore(final String previous)
    {
        if (previous == null)
        {
            System.clearProperty(AotCache.DIR_PROP_NAME);
        }
        else
        {
            System.setProperty(AotCache.DIR_PROP_NAME, previous);
        }
    }
}
