package io.ipckit.core.process;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessOptionsTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldStartWithTheDocumentedDefaults()
    {
        final ProcessOptions options = new ProcessOptions();
        assertEquals(List.of(), options.args());
        assertEquals(List.of(), options.jvmOptions());
        assertEquals(null, options.name());
        assertFalse(options.daemon());
        assertEquals(System.getProperty("java.class.path"), options.classPath());
        assertEquals(Map.of(), options.environment());
        assertEquals(ProcessBuilder.Redirect.INHERIT, options.redirectOutput());
        assertEquals(ProcessBuilder.Redirect.INHERIT, options.redirectError());
        assertFalse(options.redirectErrorStream());
        assertEquals(ProcessOptions.AOT_CACHE_DEFAULT, options.aotCache());
        assertEquals(List.of(), options.launcher());
        assertTrue(ProcessOptions.AOT_CACHE_DEFAULT, "one default everywhere: on");
    }

    @Test
    void shouldReplaceArgumentsAndJvmOptionsRatherThanAppend()
    {
        final ProcessOptions options = new ProcessOptions().args("a", "b").args("c").jvmOptions("-Xmx64m")
            .jvmOptions("-Xss1m", "-Dx=1");
        assertEquals(List.of("c"), options.args());
        assertEquals(List.of("-Xss1m", "-Dx=1"), options.jvmOptions());
    }

    /**
     * {@code --add-opens java.base/java.lang=ALL-UNNAMED}, valid for java, was refused with advice to use args(...).
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldAcceptTheValueWordOfATwoWordJvmOption() throws Exception
    {
        final Path out = dir.path().resolve("opens.out");
        final ProcessOptions options = new ProcessOptions()
            .jvmOptions("--add-opens", "java.base/java.net=ALL-UNNAMED", "-Dx=1").redirectOutput(out);
        assertEquals(List.of("--add-opens", "java.base/java.net=ALL-UNNAMED", "-Dx=1"), options.jvmOptions());
        final JvmProcess child = dir.start(PrintOpens.class, options);
        assertEquals(0, child.join());
        assertEquals("true", Files.readString(out).strip(), "the child got the option and its value");

        assertEquals("jvmOptions: --add-opens needs a value after it, e.g. jvmOptions(\"--add-opens\", \"<value>\") " +
            "or jvmOptions(\"--add-opens=<value>\")",
            assertThrows(IllegalArgumentException.class, () -> options.jvmOptions("-Dx=1", "--add-opens")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> options.jvmOptions("--add-exports", "-Xmx1g"));
        assertEquals("jvmOptions: -cp sets the class path, which ipckit passes itself; set the child's class path " +
            "with classPath(...)",
            assertThrows(IllegalArgumentException.class, () -> options.jvmOptions("-cp", "a.jar")).getMessage());
        assertEquals(List.of("--add-opens", "java.base/java.net=ALL-UNNAMED", "-Dx=1"), options.jvmOptions(),
            "a refused value changes nothing");
    }

    static final class PrintOpens
    {
        public static void main(final String[] args)
        {
            System.out.println(Object.class.getModule().isOpen("java.net", PrintOpens.class.getModule()));
        }
    }

    @Test
    void shouldRefuseInvalidValuesWhenSet()
    {
        final ProcessOptions options = new ProcessOptions();
        assertEquals("jvmOptions: \"Main\" is not a JVM option (those start with '-', and a value follows only one " +
            "of [--add-opens, --add-exports, --add-modules, --add-reads, --enable-native-access, --module-path, -p, " +
            "--upgrade-module-path, --limit-modules, --patch-module]); pass the arguments of the main class with " +
            "args(...)", assertThrows(IllegalArgumentException.class, () -> options.jvmOptions("Main"))
            .getMessage());
        assertThrows(NullPointerException.class, () -> options.args("a", null));
        assertThrows(IllegalArgumentException.class, () -> options.classPath(" "));
        assertThrows(IllegalArgumentException.class, () -> options.environment("A=B", "c"));
        assertThrows(IllegalArgumentException.class, () -> options.environment("", "c"));
        assertThrows(IllegalArgumentException.class,
            () -> options.redirectOutput(ProcessBuilder.Redirect.from(dir.path().resolve("in").toFile())));
        assertThrows(NullPointerException.class, () -> options.redirectError((ProcessBuilder.Redirect)null));
        assertEquals(List.of(), options.args(), "a refused value changes nothing");
        assertEquals(List.of(), options.jvmOptions());
    }

    @Test
    void shouldGiveTheChildItsEnvironmentAndNameAndReuseTheOptions() throws Exception
    {
        final Path first = dir.path().resolve("first.out");
        final Path second = dir.path().resolve("second.out");
        final ProcessOptions options = new ProcessOptions().name("printer").environment("IPCKIT_TEST_VALUE", "forty two")
            .redirectOutput(first);
        final JvmProcess child = dir.start(PrintEnvironment.class, options);
        assertEquals("printer", child.name());
        final JvmProcess again = dir.start(PrintEnvironment.class, options.redirectOutput(second));
        assertEquals(0, child.join());
        assertEquals(0, again.join());
        assertEquals("forty two", Files.readAllLines(first).get(0));
        assertEquals("forty two", Files.readAllLines(second).get(0));
    }

    @Test
    void shouldStartTheChildThroughTheLauncherWhichKeepsItsPid() throws Exception
    {
        final Path out = dir.path().resolve("launched.out");
        final ProcessOptions options = new ProcessOptions().launcher("env", "IPCKIT_TEST_VALUE=through env")
            .redirectOutput(out);
        assertEquals(List.of("env", "IPCKIT_TEST_VALUE=through env"), options.launcher());
        assertThrows(IllegalArgumentException.class, () -> options.launcher("ip", ""));
        final JvmProcess child = dir.start(PrintEnvironment.class, options);
        assertEquals(0, child.join());
        assertEquals(List.of("through env", Long.toString(child.pid())), Files.readAllLines(out));
    }

    /**
     * Prints the environment variable the test sets, then its pid.
     */
    public static final class PrintEnvironment
    {
        public static void main(final String[] args)
        {
            System.out.println(System.getenv("IPCKIT_TEST_VALUE"));
            System.out.println(ProcessHandle.current().pid());
        }
    }
}
