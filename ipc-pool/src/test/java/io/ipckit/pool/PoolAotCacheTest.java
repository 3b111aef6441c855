package io.ipckit.pool;

import io.ipckit.core.internal.process.AotCache;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.JarClassPath;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workers' AOT cache learns the task classes of the pools that use it: a cache trained by one pool's tasks is
 * trained again, once, after a later pool ran tasks of another class.
 */
class PoolAotCacheTest
{
    private static final Duration PUBLISHED = Duration.ofSeconds(60);

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldTeachTheWorkersCacheTheTaskClassesOfALaterPool() throws Exception
    {
        final Path aot = dir.path().resolve("aot");
        final PoolOptions options = new PoolOptions().workers(1).classPath(JarClassPath.of());
        final String first = FirstTasks.class.getName();
        final String second = SecondTasks.class.getName();
        final String previous = System.setProperty(AotCache.DIR_PROP_NAME, aot.toString());
        try
        {
            try (ProcessPool pool = ProcessPool.create(options))
            {
                assertEquals(List.of(2, 3), pool.map(FirstTasks.increment(), List.of(1, 2)));
            }
            await("the first pool's worker trained the cache, listing its task's class", aot,
                () -> lines(aot, ".aot.classes").equals(List.of(first)));

            try (ProcessPool pool = ProcessPool.create(options))
            {
                assertEquals("second", pool.submit(SecondTasks.name()).get(30, TimeUnit.SECONDS));
            }
            await("the second pool's worker noted the class the cache lacks", aot,
                () -> lines(aot, ".aot.wanted").equals(List.of(second)));

            try (ProcessPool pool = ProcessPool.create(options))
            {
                assertEquals(List.of(4), pool.map(FirstTasks.increment(), List.of(3)));
            }
            await("the third pool's worker trained the cache again, with both classes", aot,
                () -> lines(aot, ".aot.classes").equals(List.of(first, second)) && lines(aot, ".aot.wanted").isEmpty());

            final Object learned = cacheFileKey(aot);
            try (ProcessPool pool = ProcessPool.create(options))
            {
                assertEquals("second", pool.submit(SecondTasks.name()).get(30, TimeUnit.SECONDS));
            }
            assertEquals(List.of(), lines(aot, ".aot.wanted"), "the class is learned: nothing more is wanted");
            try (ProcessPool pool = ProcessPool.create(options))
            {
                assertEquals(List.of(6), pool.map(FirstTasks.increment(), List.of(5)));
            }
            assertEquals(learned, cacheFileKey(aot), "and the cache is not trained again");
        }
        finally
        {
            restore(AotCache.DIR_PROP_NAME, previous);
        }
    }

    @Test
    void shouldStartAWorkerWhoseCacheIsTrainedWithoutReadingAClassFromTheClassPath() throws Exception
    {
        final Path aot = dir.path().resolve("aot");
        final Path logs = Files.createDirectories(dir.path().resolve("class-loading"));
        // the same option for every pool of the test, so that they share one cache (options are part of its key)
        final PoolOptions options = new PoolOptions().workers(1).classPath(JarClassPath.of())
            .jvmOptions("-Xlog:class+load=info:file=" + logs.resolve("worker-%p.log"));
        final String previous = System.setProperty(AotCache.DIR_PROP_NAME, aot.toString());
        try
        {
            try (ProcessPool pool = ProcessPool.create(options))
            {
                // one task, and the pool closes at once: the training worker's life is as short as it gets
                assertEquals(1, pool.submit(FirstTasks.one()).get(30, TimeUnit.SECONDS));
            }
            await("the first pool's worker trained the cache", aot,
                () -> lines(aot, ".aot.classes").equals(List.of(FirstTasks.class.getName())));
            final List<Path> before = list(logs);

            try (ProcessPool pool = ProcessPool.create(options))
            {
                assertEquals(List.of(4), pool.map(FirstTasks.increment(), List.of(3)));
            } // closed once its worker exited: the worker's log is whole

            final List<Path> after = list(logs).stream().filter((log) -> !before.contains(log)).toList();
            assertEquals(1, after.size(), "one worker started: " + after);
            final List<String> loaded = Files.readAllLines(after.getFirst());
            assertTrue(loaded.stream().anyMatch((line) -> line.contains(PoolWorker.class.getName() +
                " source: shared objects file")), "the worker started from the cache");
            assertEquals(List.of(), loaded.stream().filter((line) -> line.contains("source: file:")).toList(),
                "every class of the worker's start and task path comes from the cache (the first class read from " +
                "a jar costs the jar's opening)");
        }
        finally
        {
            restore(AotCache.DIR_PROP_NAME, previous);
        }
    }

    @Test
    void shouldKeepATrainingOnceItsRehearsalAndItsStartAreDone() throws Exception
    {
        final Path configuration = dir.path().resolve("worker.config");
        final Path discarded = dir.path().resolve("worker.config.discard");
        final String previous = System.setProperty(AotCache.TRAINING_PROP_NAME, configuration.toString());
        try
        {
            AotCache.discardTraining();
            assertTrue(Files.exists(discarded), "a starting worker discards its training until it is typical");
            io.ipckit.core.internal.wait.NativeBinding.instance().bindNow(); // as a training worker's watchdog does
            PoolWorker.rehearse();
            assertTrue(Files.exists(discarded), "the rehearsal alone does not make the training typical");
            PoolWorker.trainingStepDone();
            assertFalse(Files.exists(discarded), "the rehearsal took built-in tasks through the task path, all of " +
                "it, and the worker's start is done");
        }
        finally
        {
            restore(AotCache.TRAINING_PROP_NAME, previous);
        }
    }

    private static void await(final String description, final Path aot, final BooleanSupplier condition)
    {
        try
        {
            Eventually.await(description, PUBLISHED, condition);
        }
        catch (final AssertionError ex)
        {
            try (Stream<Path> files = Files.list(aot))
            {
                throw new AssertionError(ex.getMessage() + "; the cache directory holds " + files.map((f) ->
                    f.getFileName() + (f.toString().endsWith(".aot") ? "" : " " + lines(aot, f.getFileName().toString())))
                    .toList(), ex);
            }
            catch (final IOException io)
            {
                throw new AssertionError(ex.getMessage() + "; the cache directory cannot be listed: " + io, ex);
            }
        }
    }

    /**
     * Gives a system property back the value it had before a test.
     */
    private static void restore(final String property, final String previous)
    {
        if (previous == null)
        {
            System.clearProperty(property);
        }
        else
        {
            System.setProperty(property, previous);
        }
    }

    private static List<Path> list(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.sorted().toList();
        }
    }

    /**
     * @return the identity of the cache's file (a new training replaces the file).
     */
    private static Object cacheFileKey(final Path aot) throws IOException
    {
        try (Stream<Path> files = Files.list(aot))
        {
            final Path cache = files.filter((f) -> f.toString().endsWith(".aot")).findFirst().orElseThrow();
            return Files.readAttributes(cache, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        }
    }

    /**
     * @return the lines of the file in {@code aot} whose name ends with {@code suffix} (none when there is none).
     */
    private static List<String> lines(final Path aot, final String suffix)
    {
        try (Stream<Path> files = Files.list(aot))
        {
            final List<Path> found = files.filter((f) -> f.getFileName().toString().endsWith(suffix)).toList();
            return found.isEmpty() ? List.of() : Files.readAllLines(found.getFirst());
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            return List.of(); // no directory yet, or the file went between the listing and the read
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Tasks of the first pool: lambdas whose class is hidden, noted by the class that defines them.
     */
    static final class FirstTasks
    {
        private FirstTasks()
        {
        }

        static SerializableFunction<Integer, Integer> increment()
        {
            return (x) -> x + 1;
        }

        static SerializableCallable<Integer> one()
        {
            return () -> 1;
        }
    }

    /**
     * Tasks of a later pool.
     */
    static final class SecondTasks
    {
        private SecondTasks()
        {
        }

        static SerializableCallable<String> name()
        {
            return () -> "second";
        }
    }
}
