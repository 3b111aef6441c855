package io.ipckit.durable;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The test JVM's class path with every directory entry (this module's classes and test classes, and a sibling
 * module's when Maven resolves it to its directory) packed into a jar under the build directory, so that child JVMs
 * start with ipckit's AOT cache, which the JDK allows only on a class path of jars: a Chronicle appender child then
 * starts on about half the CPU. The jars are deterministic (sorted entries, fixed times) and rewritten only when
 * their bytes change, so an unchanged build keeps its jars, their times and their AOT cache from one run to the next.
 * Thread-safe.
 */
final class ChildClassPath
{
    private static final long ENTRY_TIME_MS = 315_532_800_000L; // 1980-01-01, the earliest time a zip entry holds
    private static String jars;

    private ChildClassPath()
    {
    }

    /**
     * @return the class path for child JVMs: this JVM's, directories replaced by jars of their contents.
     * @throws UncheckedIOException when a jar cannot be written.
     */
    static synchronized String jars()
    {
        if (jars == null)
        {
            jars = build();
        }
        return jars;
    }

    private static String build()
    {
        final Path out = Path.of(System.getProperty("project.build.directory", "target")).resolve("child-jars");
        final List<String> entries = new ArrayList<>();
        try
        {
            Files.createDirectories(out);
            int packed = 0;
            for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
            {
                final Path path = Path.of(entry);
                if (Files.isDirectory(path))
                {
                    final Path jar = out.resolve(packed++ + "-" + path.getFileName() + ".jar").toAbsolutePath();
                    pack(path, jar);
                    entries.add(jar.toString());
                }
                else if (!entry.isEmpty())
                {
                    entries.add(entry);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot pack the class path's directories into " + out, ex);
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void pack(final Path dir, final Path jar) throws IOException
    {
        final List<Path> files;
        try (Stream<Path> walk = Files.walk(dir))
        {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes))
        {
            for (final Path file : files)
            {
                final ZipEntry entry = new ZipEntry(dir.relativize(file).toString().replace(File.separatorChar, '/'));
                entry.setTime(ENTRY_TIME_MS);
                zip.putNextEntry(entry);
                zip.write(Files.readAllBytes(file));
                zip.closeEntry();
            }
        }
        final byte[] content = bytes.toByteArray();
        if (Files.isRegularFile(jar) && Arrays.equals(Files.readAllBytes(jar), content))
        {
            return;
        }
        final Path temporary = jar.resolveSibling(jar.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.write(temporary, content);
        Files.move(temporary, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
