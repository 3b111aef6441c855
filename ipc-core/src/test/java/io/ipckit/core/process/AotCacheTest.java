package io.ipckit.core.process;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AotCacheTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldTrainOnceThenUseTheCache() throws Exception
    {
        final Path jar = dir.path().resolve("app.jar");
        Files.write(jar, new byte[] {1, 2, 3});
        final String previous = System.setProperty(AotCache.DIR_PROP_NAME, dir.path().resolve("aot").toString());
        try
        {
            final AotCache.Plan training = AotCache.plan(jar.toString(), List.of("-Xmx64m"));
            assertTrue(training.options().getFirst().startsWith("-XX:AOTCacheOutput="), training.toString());
            assertEquals(AotCache.Plan.NONE, AotCache.plan(jar.toString(), List.of("-Xmx64m")), "one trainer at a time");
            Files.write(training.trainingOutput(), new byte[] {42});
            training.publish();
            final AotCache.Plan using = AotCache.plan(jar.toString(), List.of("-Xmx64m"));
            assertEquals("-XX:AOTCache=" + training.cache(), using.options().getFirst());
            assertNull(using.trainingOutput());
            assertTrue(AotCache.plan(jar.toString(), List.of("-Xmx128m")).options().getFirst().startsWith("-XX:AOTCacheOutput="),
                "other options, other cache");
        }
        finally
        {
            restore(previous);
        }
    }

    @Test
    void shouldNotApplyToAClassPathWithDirectories()
    {
        assertEquals(AotCache.Plan.NONE, AotCache.plan(dir.path().toString(), List.of()));
        assertEquals(AotCache.Plan.NONE, AotCache.plan("", List.of()));
    }

    @Test
    void shouldLeaveClassDataSharingOptionsAlone() throws Exception
    {
        final Path jar = dir.path().resolve("app.jar");
        Files.write(jar, new byte[] {1});
        assertEquals(AotCache.Plan.NONE, AotCache.plan(jar.toString(), List.of("-Xshare:auto")),
            "the JDK refuses -XX:AOTCacheOutput together with -Xshare");
        assertEquals(AotCache.Plan.NONE, AotCache.plan(jar.toString(), List.of("-XX:SharedArchiveFile=app.jsa")));
    }

    @Test
    void shouldStartChildrenWithARealCache() throws Exception
    {
        final Path jar = dir.path().resolve("ipckit-core-and-tests.jar");
        jarOf(jar, Paths.get("target/classes"), Paths.get("target/test-classes"));
        final String classPath = jar + java.io.File.pathSeparator + agronaJar();
        final String previous = System.setProperty(AotCache.DIR_PROP_NAME, dir.path().resolve("aot").toString());
        try
        {
            for (int run = 0; run < 2; run++)
            {
                final JvmProcess child = dir.start(JvmProcess.builder(JvmProcessTest.PrintArgs.class).classPath(classPath)
                    .aotCache(true).redirectOutput(dir.path().resolve("out-" + run)).redirectErrorStream(true));
                assertEquals(0, child.join(), Files.readString(dir.path().resolve("out-" + run)));
                child.onExit().get();
            }
            try (Stream<Path> caches = Files.list(dir.path().resolve("aot")))
            {
                assertEquals(1, caches.filter((p) -> p.toString().endsWith(".aot")).count(), "the first child trained a cache");
            }
        }
        finally
        {
            restore(previous);
        }
    }

    private static String agronaJar()
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

    private static void jarOf(final Path jar, final Path... roots) throws IOException
    {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)))
        {
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
