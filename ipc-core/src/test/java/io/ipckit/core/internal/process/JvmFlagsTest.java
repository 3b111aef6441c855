package io.ipckit.core.internal.process;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.MissingJvmFlagException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmFlagsTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldNameTheMissingAgronaFlagAtTheFirstMapping() throws Exception
    {
        final Path out = dir.path().resolve("no-flags.out");
        final Process child = new ProcessBuilder(
            Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "--enable-native-access=ALL-UNNAMED",
            "-D" + SharedDirectory.DIRECTORY_PROP_NAME + "=" + dir.path(),
            "-cp", System.getProperty("java.class.path"),
            MapWithoutFlags.class.getName())
            .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try
        {
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child without the flag exits");
        }
        finally
        {
            child.destroyForcibly();
        }
        final String output = Files.readString(out);
        assertEquals(0, child.exitValue(), output);
        assertEquals("flag " + JvmFlags.AGRONA_EXPORTS + "\n" +
            "message this JVM was started without " + JvmFlags.AGRONA_EXPORTS + ", which ipckit needs: Agrona's " +
            "buffers over the shared files use jdk.internal.misc.Unsafe; add it to the java command line (before " +
            "-cp), or to surefire's argLine, exec's arguments or the JDK_JAVA_OPTIONS environment variable (child " +
            "JVMs started by JvmProcess get it automatically)\n" +
            "left [no-flags.out]\n", output);
    }

    @Test
    void shouldPassTheRequiredAndTheParentsModuleFlagsToAChild() throws Exception
    {
        final Path out = dir.path().resolve("child-flags.out");
        final JvmProcess child = dir.start(PrintChildFlags.class, new ProcessOptions()
            .jvmOptions("--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dchronicle.analytics.disable=true",
                "-Dunrelated.property=1", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
            .redirectOutput(out));
        assertEquals(0, child.join());
        final List<String> grandchildFlags = Files.readAllLines(out);
        assertEquals(List.of(
            JvmFlags.AGRONA_EXPORTS,
            JvmFlags.NATIVE_ACCESS,
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true",
            "-D" + SharedDirectory.DIRECTORY_PROP_NAME + "=" + dir.path()),
            grandchildFlags.stream().filter((f) -> !f.startsWith("-Dipckit.") || f.startsWith("-Dipckit.dir=")).toList(),
            "the required flags once, the parent's module flags and Chronicle options, not its other properties");
    }

    @Test
    void shouldRequireOnlyAgronaExportsAndNativeAccess()
    {
        assertEquals(List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED"), JvmFlags.required());
        JvmFlags.requireAgronaAccess();
        assertTrue(JvmFlags.forChild().containsAll(JvmFlags.required()));
    }

    /**
     * Maps a file in a JVM started without {@link JvmFlags#AGRONA_EXPORTS} and prints what it was told.
     */
    public static final class MapWithoutFlags
    {
        public static void main(final String[] args) throws Exception
        {
            try (ResourceFile file = ResourceFile.create("unflagged", ResourceKind.TEST, 1, 0, 64, false, null))
            {
                System.out.println("mapped without the flag");
                System.exit(3);
            }
            catch (final MissingJvmFlagException ex)
            {
                System.out.println("flag " + ex.flag());
                System.out.println("message " + ex.getMessage());
            }
            try (var files = Files.list(SharedDirectory.path()))
            {
                System.out.println("left " + files.map((p) -> p.getFileName().toString()).sorted().toList());
            }
        }
    }

    /**
     * Prints, one a line, the flags a child of this JVM would get.
     */
    public static final class PrintChildFlags
    {
        public static void main(final String[] args)
        {
            JvmFlags.forChild().forEach(System.out::println);
        }
    }
}
