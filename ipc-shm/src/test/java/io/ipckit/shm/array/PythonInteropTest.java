package io.ipckit.shm.array;

import io.ipckit.core.ResourceName;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.SharedMemory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Java and CPython + numpy share the same elements, both ways, through {@code demos/python/ipckit_shm.py}. The
 * tests that go through {@code multiprocessing.shared_memory} use {@code /dev/shm} itself (Python's shm_open takes
 * no directories) with fresh random names, removed in {@code finally}. Not skipped when numpy is missing: CI
 * installs Debian's python3-numpy, and a missing interpreter is a failure with instructions.
 */
@Timeout(60)
class PythonInteropTest
{
    private static final String PYTHON_PROP_NAME = "ipckit.python";

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private static String python;
    private static Path script;

    @BeforeAll
    static void findPython() throws IOException, InterruptedException
    {
        final List<String> candidates = new ArrayList<>();
        if (System.getProperty(PYTHON_PROP_NAME) != null)
        {
            candidates.add(System.getProperty(PYTHON_PROP_NAME));
        }
        candidates.add("/usr/bin/python3");
        candidates.add("python3");
        for (final String candidate : candidates)
        {
            try
            {
                final Process process = new ProcessBuilder(candidate, "-c", "import numpy")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0)
                {
                    python = candidate;
                    break;
                }
            }
            catch (final IOException ex)
            {
                // not installed under this name: try the next one
            }
        }
        if (python == null)
        {
            fail("no Python 3 interpreter with numpy found (tried " + candidates + "): install Debian's numpy " +
                "with `apt-get install -y python3-numpy`, or pass -D" + PYTHON_PROP_NAME + "=/path/to/python3");
        }
        Path root = Paths.get("").toAbsolutePath();
        while (root != null && !Files.isDirectory(root.resolve("demos/python")))
        {
            root = root.getParent();
        }
        assertTrue(root != null, "demos/python not found above " + Paths.get("").toAbsolutePath());
        script = root.resolve("demos/python/interop_check.py");
    }

    @Test
    void shouldLetNumpyReadAndWriteJavaArraysInPosixSharedMemory() throws Exception
    {
        System.setProperty(SharedDirectory.DIRECTORY_PROP_NAME, "/dev/shm");
        final String name = ResourceName.random("ipckit-pytest-");
        try
        {
            checkJavaArrays(name, "/dev/shm");
            assertTrue(Files.exists(Paths.get("/dev/shm", name)),
                "Python's resource tracker must not unlink a segment that Java owns");
        }
        finally
        {
            SharedDirectory.unlinkIfExists(name);
            SharedDirectory.unlinkIfExists(name + "-ints");
        }
    }

    @Test
    void shouldLetNumpyReadAndWriteJavaArraysInAnIpckitDirectory() throws Exception
    {
        checkJavaArrays("grid", dir.path().toString());
    }

    private void checkJavaArrays(final String name, final String directory) throws Exception
    {
        try (SharedArray floats = SharedArray.create(name, DType.FLOAT64, 3, 4);
            SharedArray ints = SharedArray.create(name + "-ints", DType.INT32, 2, 3, 4))
        {
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 4; j++)
                {
                    floats.setDouble(i, j, 10 * i + j);
                }
            }
            final int[] values = new int[24];
            for (int k = 0; k < 24; k++)
            {
                values[k] = k;
            }
            ints.copyFrom(values);

            runPython("check-java-array", directory, name);

            assertEquals(2 * (10 * 2 + 3), floats.getDouble(2, 3), "numpy doubled the array in place");
            assertEquals(2 * 138, floats.sum());
            assertEquals(276, ints.getLong(new long[]{1, 2, 3}), "numpy wrote the sum it saw");
            assertEquals((4 + 5 + 6 + 7) + (16 + 17 + 18 + 19), ints.getLong(new long[]{0, 0, 0}));
        }
    }

    @Test
    void shouldWrapSegmentThatPythonCreated() throws Exception
    {
        System.setProperty(SharedDirectory.DIRECTORY_PROP_NAME, "/dev/shm");
        final String name = ResourceName.random("ipckit-pytest-");
        try
        {
            runPython("create-raw", "/dev/shm", name, "1000");
            try (SharedMemory memory = SharedMemory.open(name))
            {
                assertEquals(8000, memory.size());
                final SharedArray array = SharedArray.wrap(memory, DType.FLOAT64, 1000);
                assertEquals(1.5 * 999, array.getDouble(999));
                assertEquals(1.5 * 999 * 1000 / 2, array.sum());
                assertEquals(1.5 * 999, array.max());
                memory.unlink();
            }
        }
        finally
        {
            SharedDirectory.unlinkIfExists(name);
        }
    }

    private static void runPython(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(List.of(args));
        final Path log = Files.createTempFile("ipckit-python-", ".log");
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                fail("python did not finish within 30 s: " + command + "\n" + Files.readString(log));
            }
            final String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), () -> command + " failed:\n" + output);
        }
        finally
        {
            Files.deleteIfExists(log);
        }
    }
}
