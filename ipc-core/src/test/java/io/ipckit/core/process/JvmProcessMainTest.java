package io.ipckit.core.process;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A child runs the main methods that java 25 launches (JEP 512), and a class without one is refused in the parent.
 */
class JvmProcessMainTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    /**
     * A launcher {@code static void main()} started normally and failed only in the child, with NoSuchMethodException.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRunTheMainMethodsJavaLaunches() throws Exception
    {
        final Path out = dir.path().resolve("main.out");
        assertEquals(0, dir.start(NoArgMain.class, new ProcessOptions().redirectOutput(out)).join());
        assertEquals("static main()", Files.readString(out).strip());
        assertEquals(0, dir.start(InstanceMain.class, new ProcessOptions().args("a", "b").redirectOutput(out)).join());
        assertEquals("instance main [a, b]", Files.readString(out).strip());
        assertEquals(0, dir.start(InstanceNoArgMain.class, new ProcessOptions().redirectOutput(out)).join());
        assertEquals("instance main()", Files.readString(out).strip());
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseAClassWithoutALaunchableMainInTheParent()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> JvmProcess.start(NoMain.class, new ProcessOptions()));
        assertEquals("cannot start " + NoMain.class.getName() + " has no main method java can launch: it needs a " +
            "non-private main(String[]) or main(), static, or an instance method with a non-private no-argument " +
            "constructor", ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JvmProcess.start(PrivateConstructor.class,
            new ProcessOptions()));
    }

    static final class NoArgMain
    {
        static void main()
        {
            System.out.println("static main()");
        }
    }

    static final class InstanceMain
    {
        void main(final String[] args)
        {
            System.out.println("instance main " + Arrays.toString(args));
        }
    }

    static final class InstanceNoArgMain
    {
        void main()
        {
            System.out.println("instance main()");
        }
    }

    static final class NoMain
    {
        void run()
        {
        }
    }

    static final class PrivateConstructor
    {
        private PrivateConstructor()
        {
        }

        void main()
        {
        }
    }
}
