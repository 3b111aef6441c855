package io.ipckit.core.internal.process;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.ipckit.core.internal.process.AotCacheTest.agronaJar;
import static io.ipckit.core.internal.process.AotCacheTest.appJar;
import static io.ipckit.core.internal.process.AotCacheTest.caches;
import static io.ipckit.core.internal.process.AotCacheTest.withCacheDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearnedClassesTest
{
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldTrainAgainWithTheClassesThatItsChildrenNotedAndItLacked() throws Exception
    {
        final Path aot = dir.path().resolve("aot");
        final Path jar = appJar(dir.path().resolve("app.jar"), 0);
        final String first = FirstTask.class.getName();
        final String second = SecondTask.class.getName();
        withCacheDirectory(aot.toString(), () ->
        {
            assertEquals("record", runChild(jar, "trainer", first), "the first child trains");
            final Path cache = aot.resolve(caches(aot).getFirst());
            assertEquals(List.of(first), Files.readAllLines(LearnedClasses.classesOf(cache)),
                "the cache lists what its training child noted");

            final Path beforeLog = dir.path().resolve("before.log");
            assertEquals("use", runChild(jar, "user", beforeLog, first, second));
            assertEquals(List.of(second), Files.readAllLines(LearnedClasses.wantedOf(cache)),
                "a child of the cache notes the class the cache lacks, and only that one");
            assertEquals("source: file:" + jar, sourceOf(beforeLog, second), "read from the jar");

            Files.writeString(LearnedClasses.wantedOf(cache), "app.Gone\n", StandardOpenOption.APPEND);
            assertEquals("record", runChild(jar, "learner"), "a class is wanted: the next child trains again");
            assertEquals(List.of(first, second, "app.Gone"), Files.readAllLines(LearnedClasses.classesOf(cache)),
                "the new cache lists what it learned, and a class it could not load, so it is not wanted again");
            assertFalse(Files.exists(LearnedClasses.wantedOf(cache)), "the wanted list was taken");

            final Path afterLog = dir.path().resolve("after.log");
            assertEquals("use", runChild(jar, "learned", afterLog, second), "nothing left to learn");
            assertEquals("source: shared objects file", sourceOf(afterLog, second),
                "the class the first cache lacked now comes from the cache");
            assertFalse(Files.exists(LearnedClasses.wantedOf(cache)), "the class is on the list");
            assertEquals(List.of(cache.getFileName().toString(), LearnedClasses.classesOf(cache).getFileName()
                .toString()), files(aot), "no training files left");
        });
    }

    @Test
    void shouldNotTrainAgainForWantedClassesItAlreadyListsOrForAFullList() throws Exception
    {
        final Path aot = dir.path().resolve("aot");
        final Path jar = appJar(dir.path().resolve("app.jar"), 0);
        withCacheDirectory(aot.toString(), () ->
        {
            final AotCache.Plan training = AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main");
            assertTrue(training.trains());
            training.publish(); // nothing recorded: no cache
            final Path cache = training.cache();
            Files.write(cache, new byte[] {1}); // stands for a published cache
            Files.writeString(LearnedClasses.classesOf(cache), "app.A\napp.B\n");
            Files.writeString(LearnedClasses.wantedOf(cache), "app.B\napp.A\n");

            final AotCache.Plan listed = AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main");
            assertFalse(listed.trains(), "the wanted classes are listed already: " + listed);
            assertTrue(listed.options().contains("-XX:AOTCache=" + cache), listed.toString());
            assertFalse(Files.exists(LearnedClasses.wantedOf(cache)), "the wanted list was taken and dropped");

            final List<String> full = IntStream.range(0, LearnedClasses.MAX_CLASSES).mapToObj((i) -> "app.C" + i)
                .toList();
            Files.write(LearnedClasses.classesOf(cache), full, StandardCharsets.UTF_8);
            Files.writeString(LearnedClasses.wantedOf(cache), "app.New\n");
            assertFalse(AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main").trains(), "the list is full");

            Files.writeString(LearnedClasses.classesOf(cache), "app.A\n");
            Files.writeString(LearnedClasses.wantedOf(cache), "app.A\napp.New\napp.New\n");
            final AotCache.Plan learning = AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main");
            assertTrue(learning.trains(), "a class to learn: " + learning);
            assertEquals(List.of("app.A", "app.New"), Files.readAllLines(
                Path.of(learning.configuration() + LearnedClasses.PRELOAD_SUFFIX)), "listed, then wanted, once each");
            Files.writeString(LearnedClasses.wantedOf(cache), "app.Other\n");
            final AotCache.Plan meanwhile = AotCache.plan(JAVA, jar.toString(), List.of(), "app.Main");
            assertFalse(meanwhile.trains(), "one trainer at a time");
            assertTrue(meanwhile.options().contains("-XX:AOTCache=" + cache), "the others use the cache meanwhile");
            assertTrue(Files.exists(LearnedClasses.wantedOf(cache)), "and leave the wanted list for a later training");
            Files.delete(LearnedClasses.wantedOf(cache));
            learning.publish(); // its child was killed: nothing recorded, the old cache stays
            assertEquals(List.of(cache.getFileName().toString(),
                LearnedClasses.classesOf(cache).getFileName().toString()), files(aot), "no training files left");
        });
    }

    @Test
    void shouldRemoveTheListsWithTheirCache() throws Exception
    {
        final Path aot = Files.createDirectories(dir.path().resolve("aot"));
        final long now = System.currentTimeMillis();
        final long day = java.util.concurrent.TimeUnit.DAYS.toMillis(1);
        final Path older = AotCacheTest.cacheFile(aot, "0123-older", 10, now);
        final Path current = AotCacheTest.cacheFile(aot, "0123-current", 10, now);
        final Path idle = AotCacheTest.cacheFile(aot, "4567-idle", 10, now - 30 * day);
        for (final Path cache : List.of(older, current, idle))
        {
            Files.writeString(LearnedClasses.classesOf(cache), "app.A\n");
            Files.writeString(LearnedClasses.wantedOf(cache), "app.B\n");
        }
        Files.writeString(aot.resolve("0123-older.aot.training"), ProcessHandle.current().pid() + "@0");
        Files.writeString(aot.resolve("89ab-removed.aot.wanted"), "app.C\n"); // noted after its cache went

        AotCacheDirectory.removeOthers(current, true);
        assertEquals(List.of("0123-current.aot", "0123-current.aot.classes", "0123-current.aot.wanted",
            "0123-older.aot.training", "4567-idle.aot", "4567-idle.aot.classes", "4567-idle.aot.wanted",
            "89ab-removed.aot.wanted"), files(aot), "an older build's cache goes with its lists; a live lock stays");
        AotCacheDirectory.evict(aot, current, 1_000, 14 * day, now);

        assertEquals(List.of("0123-current.aot", "0123-current.aot.classes", "0123-current.aot.wanted",
            "0123-older.aot.training"), files(aot), "an idle cache goes with its lists, and lists without a cache go");
    }

    private String runChild(final Path jar, final String tag, final String... classes) throws Exception
    {
        return runChild(jar, tag, null, classes);
    }

    /**
     * Runs {@link NoteClasses} with {@code classes}, its class loading logged to {@code classLog} when not null.
     */
    private String runChild(final Path jar, final String tag, final Path classLog, final String... classes)
        throws Exception
    {
        final Path out = dir.path().resolve(tag + ".out");
        final ProcessOptions options = new ProcessOptions().args(classes)
            .classPath(jar + File.pathSeparator + agronaJar()).redirectOutput(out)
            .redirectError(ProcessBuilder.Redirect.to(dir.path().resolve(tag + ".err").toFile()));
        if (classLog != null) // not a JVM option: those are part of the cache's key
        {
            options.environment("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + classLog);
        }
        final JvmProcess child = dir.start(NoteClasses.class, options);
        assertEquals(0, child.join(), Files.readString(out) + Files.readString(dir.path().resolve(tag + ".err")));
        return Files.readString(out).strip();
    }

    /**
     * @return the {@code source: ...} of {@code className}'s line in a class loading log.
     */
    private static String sourceOf(final Path classLog, final String className) throws Exception
    {
        try (Stream<String> lines = Files.lines(classLog))
        {
            final List<String> found = lines.filter((line) -> line.contains(" " + className + " source: "))
                .map((line) -> line.substring(line.indexOf("source: "))).toList();
            assertEquals(1, found.size(), className + " loaded once: " + found);
            return found.getFirst();
        }
    }

    private static List<String> files(final Path aot) throws Exception
    {
        try (Stream<Path> files = Files.list(aot))
        {
            return new ArrayList<>(files.map((p) -> p.getFileName().toString()).sorted().toList());
        }
    }

    /**
     * Loads each class its arguments name and notes it ({@link AotCache#noteClass}), then prints "record", "use" or
     * "none" as {@link AotCacheTest.PrintAotMode} does.
     */
    public static final class NoteClasses
    {
        public static void main(final String[] args) throws Exception
        {
            for (final String name : args)
            {
                AotCache.noteClass(Class.forName(name));
            }
            AotCacheTest.PrintAotMode.main(new String[0]);
        }
    }

    /**
     * A task class of the first pool.
     */
    public static final class FirstTask
    {
    }

    /**
     * A task class of a later pool.
     */
    public static final class SecondTask
    {
    }
}
