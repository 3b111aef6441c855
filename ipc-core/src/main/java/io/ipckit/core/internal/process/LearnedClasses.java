package io.ipckit.core.internal.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The classes an {@link AotCache} learns from the children that use it. A cache holds what its training child
 * loaded, and a pool worker's tasks are whatever the first pool of that class path ran: a worker that later runs a
 * task of another class reads that class from its jar, and the first such read opens the jar on the way to the
 * task's first result. Measured on a 2-core machine with a 20 MB jar: a pool of two gave its first result after
 * 61–75 ms with a cache trained by another pool's tasks, 44–54 ms with one trained by its own.
 * <p>
 * So a child notes the classes of what it runs ({@link #note}). Beside a cache, {@code <cache>.classes} lists the
 * classes its training child noted; a child that uses the cache and notes a class not on that list appends the
 * class's name to {@code <cache>.wanted}. The next child of that class path then trains the cache again (its parent
 * takes the wanted list by a rename, so only one does), loading every listed and wanted class before its own run
 * ({@link #preload}), and its cache replaces the old one. Each training lists what the one before listed, so the
 * trainings stop once every pool's tasks are on the list; once it holds {@value #MAX_CLASSES} classes, nothing more
 * is wanted. Until the new cache is published, children keep using the old one.
 * <p>
 * Classes are noted by name: a lambda's hidden class by the class that defined it, whose loading is what costs;
 * classes not of the application class loader are not noted. Every method is best effort and never
 * throws: a list that cannot be read or written only means a cache that learns less. Thread-safe and process-safe
 * (a wanted name is one short append; a list is replaced by a rename).
 */
final class LearnedClasses
{
    /** File name suffix of a cache's list of learned classes, and of a training child's. */
    static final String CLASSES_SUFFIX = ".classes";
    /** File name suffix of the classes that children of a cache noted and its list lacks. */
    static final String WANTED_SUFFIX = ".wanted";
    /** File name suffix of the classes a training child loads before its own run. */
    static final String PRELOAD_SUFFIX = ".preload";
    /** The most classes a cache learns. */
    static final int MAX_CLASSES = 256;

    /** The names this JVM has noted, each written at most once. */
    private static final Set<String> NOTED = ConcurrentHashMap.newKeySet();
    /** The classes this JVM has noted: a note of a class seen before is a lookup, without a name or an allocation. */
    private static final ClassValue<Boolean> NOTED_TYPES = new ClassValue<>()
    {
        @Override
        protected Boolean computeValue(final Class<?> type)
        {
            final String name = nameOf(type);
            if (name != null && type.getClassLoader() == ClassLoader.getSystemClassLoader())
            {
                note(name);
            }
            return Boolean.TRUE;
        }
    };
    /** The list of the cache this JVM uses, read at the first note. */
    private static volatile Set<String> known;

    private LearnedClasses()
    {
    }

    /**
     * Called in a child JVM: notes that it runs code of {@code type}. In a training child the name goes on the
     * training's list; in a child that uses a cache whose list lacks it, on the cache's wanted list. Does nothing
     * in a JVM without a cache, and nothing the second time for the same class.
     *
     * @param type a class of the code the child runs, such as a pool task's.
     */
    static void note(final Class<?> type)
    {
        NOTED_TYPES.get(type);
    }

    private static void note(final String name)
    {
        if (!NOTED.add(name))
        {
            return;
        }
        final String training = System.getProperty(AotCache.TRAINING_PROP_NAME);
        if (training != null)
        {
            if (NOTED.size() <= MAX_CLASSES)
            {
                append(Paths.get(training + CLASSES_SUFFIX), name);
            }
            return;
        }
        final String cache = System.getProperty(AotCache.CACHE_PROP_NAME);
        if (cache != null)
        {
            final Set<String> learned = known(cache);
            if (learned.size() < MAX_CLASSES && !learned.contains(name))
            {
                append(Paths.get(cache + WANTED_SUFFIX), name);
            }
        }
    }

    /**
     * @return the name of the class to learn for {@code type}: its own, or for a lambda's hidden class the class that
     * defined the lambda (not its nest host, which for a nested class is the outermost one); null for another hidden
     * class, which no cache can hold.
     */
    private static String nameOf(final Class<?> type)
    {
        final String name = AotCache.definingClassName(type);
        return type.isHidden() && name.equals(type.getName()) ? null : name;
    }

    /**
     * Called in a training child: loads, without initialising them, the classes its parent listed (the cache's list
     * and the wanted ones), so that the cache it trains holds them, and notes each on the training's list. A class
     * that cannot be loaded is listed all the same, so that it never makes a cache train again.
     */
    static void preload()
    {
        final String training = System.getProperty(AotCache.TRAINING_PROP_NAME);
        if (training == null)
        {
            return;
        }
        for (final String name : read(Paths.get(training + PRELOAD_SUFFIX)))
        {
            try
            {
                Class.forName(name, false, ClassLoader.getSystemClassLoader());
            }
            catch (final ClassNotFoundException | LinkageError | RuntimeException ignore)
            {
                // gone from the class path since it was noted: listed all the same, so it is not wanted again
            }
            note(name);
        }
    }

    /**
     * @param cache a published cache.
     * @return true when a child of it noted a class its list lacks.
     */
    static boolean isWanted(final Path cache)
    {
        return Files.exists(wantedOf(cache));
    }

    /**
     * In the parent that won the training lock of {@code cache}: takes the cache's wanted list (by a rename, so that
     * names appended meanwhile go to a new list) and writes the training's preload list: the cache's list, then the
     * wanted names it lacks, at most {@value #MAX_CLASSES} in all.
     *
     * @param cache         the published cache to train again.
     * @param configuration the configuration file the training child will record.
     * @return true when the preload list names a class the cache's list lacks, so that a training pays; false when
     * the wanted list was taken by another parent, brought nothing new, or the list is full.
     */
    static boolean takeWanted(final Path cache, final Path configuration)
    {
        final Path taken = Paths.get(configuration + WANTED_SUFFIX);
        try
        {
            Files.move(wantedOf(cache), taken, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
        try
        {
            final List<String> learned = read(classesOf(cache));
            final Set<String> preload = new LinkedHashSet<>(learned);
            for (final String name : read(taken))
            {
                if (preload.size() < MAX_CLASSES)
                {
                    preload.add(name);
                }
            }
            if (preload.size() == learned.size())
            {
                return false;
            }
            Files.write(Paths.get(configuration + PRELOAD_SUFFIX), preload, StandardCharsets.UTF_8);
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
        finally
        {
            AotCacheDirectory.deleteQuietly(taken);
        }
    }

    /**
     * Once a training child's cache is assembled, before it is published: its list becomes the cache's list (a
     * training that noted nothing leaves the cache without one).
     *
     * @param configuration the configuration the training child recorded.
     * @param cache         the cache about to be published.
     * @throws IOException when the list cannot be moved.
     */
    static void publish(final Path configuration, final Path cache) throws IOException
    {
        final Path trained = Paths.get(configuration + CLASSES_SUFFIX);
        if (Files.exists(trained))
        {
            Files.move(trained, classesOf(cache), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        }
        else
        {
            Files.deleteIfExists(classesOf(cache));
        }
    }

    /**
     * Removes a training's lists, once it is published or given up.
     *
     * @param configuration the configuration of the training.
     */
    static void removeTraining(final Path configuration)
    {
        AotCacheDirectory.deleteQuietly(Paths.get(configuration + CLASSES_SUFFIX));
        AotCacheDirectory.deleteQuietly(Paths.get(configuration + PRELOAD_SUFFIX));
        AotCacheDirectory.deleteQuietly(Paths.get(configuration + WANTED_SUFFIX));
    }

    /**
     * Removes a cache's lists, with the cache.
     *
     * @param cache a cache being removed.
     */
    static void removeOf(final Path cache)
    {
        AotCacheDirectory.deleteQuietly(classesOf(cache));
        AotCacheDirectory.deleteQuietly(wantedOf(cache));
    }

    /**
     * @param cache a published cache.
     * @return its list of learned classes.
     */
    static Path classesOf(final Path cache)
    {
        return Paths.get(cache + CLASSES_SUFFIX);
    }

    /**
     * @param cache a published cache.
     * @return the list of classes its children noted and its list lacks.
     */
    static Path wantedOf(final Path cache)
    {
        return Paths.get(cache + WANTED_SUFFIX);
    }

    private static Set<String> known(final String cache)
    {
        Set<String> names = known;
        if (names == null)
        {
            names = Set.copyOf(read(classesOf(Paths.get(cache))));
            known = names;
        }
        return names;
    }

    private static List<String> read(final Path list)
    {
        try
        {
            return Files.readAllLines(list, StandardCharsets.UTF_8).stream().filter((line) -> !line.isBlank()).toList();
        }
        catch (final IOException | RuntimeException ex)
        {
            return List.of(); // none yet, or unreadable: nothing learned
        }
    }

    private static void append(final Path list, final String name)
    {
        try
        {
            Files.write(list, (name + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        catch (final IOException | RuntimeException ignore)
        {
            // a cache that learns less
        }
    }
}
