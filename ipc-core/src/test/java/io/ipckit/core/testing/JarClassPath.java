package io.ipckit.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * This JVM's class path with every folder of classes (surefire's {@code target/classes} and
 * {@code target/test-classes}) packed into a jar beside it, for the child JVMs that tests start from an AOT cache: a
 * class path of jars only lets {@link io.ipckit.core.process.JvmProcess} start them from a JDK AOT cache, which halves
 * the start of a durable manager (measured 630 ms to 295 ms), and the JDK refuses folders in an AOT class path.
 * <p>
 * A jar is written only when its content changed (its entries carry a fixed time), so its size and time, which the
 * AOT cache's version depends on, stay the same from one run to the next, and a cache trained once is reused.
 * Thread-safe.
 */
public final class JarClassPath
{
    /** The time of every entry, so that the same classes make the same jar. */
    private static final long ENTRY_TIME_MS = 946_684_800_000L;
    private static String jars;

    private JarClassPath()
    {
    }

    /**
     * @return this JVM's class path, its folders replaced by jars.
     * @throws UncheckedIOException when a jar cannot be written.
     */
    public static synchronized String of()
    {
        if (jars == null)
        {
            final List<String> entries = new ArrayList<>();
            for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
            {
                final Path path = Paths.get(entry);
                entries.add(Files.isDirectory(path) ? pack(path).toString() : entry);
            }
            jars = String.join(File.pathSeparator, entries);
        }
        return jars;
    }

    private static Path pack(final Path folder)
    {
        final Path jar = folder.toAbsolutePath().getParent().resolve("aot-jars").resolve(folder.getFileName() + ".jar");
        try
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
            try (JarOutputStream out = new JarOutputStream(bytes); Stream<Path> files = Files.walk(folder))
            {
                for (final Path file : files.filter(Files::isRegularFile).sorted().toList())
                {
                    final JarEntry entry = new JarEntry(folder.relativize(file).toString().replace(File.separatorChar,
                        '/'));
                    entry.setTime(ENTRY_TIME_MS);
                    out.putNextEntry(entry);
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
            final byte[] content = bytes.toByteArray();
            if (!Files.isRegularFile(jar) || !Arrays.equals(Files.readAllBytes(jar), content))
            {
                Files.createDirectories(jar.getParent());
                final Path written = Files.createTempFile(jar.getParent(), "classes", ".tmp");
                Files.write(written, content);
                Files.move(written, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return jar;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot pack " + folder + " into " + jar, ex);
        }
    }
}
