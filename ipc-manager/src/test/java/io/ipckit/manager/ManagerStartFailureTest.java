package io.ipckit.manager;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A manager's start, serve or options that fail leave nothing behind: no socket held open, no file in the shared
 * directory, and a bad allow-list pattern refused by the option itself rather than after a listener opened.
 */
@Timeout(60)
class ManagerStartFailureTest
{
    private static final byte[] KEY = "key".getBytes(StandardCharsets.UTF_8);
    private static final Path FDS = Path.of("/proc/self/fd");

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldCloseItsSocketWhenServeFindsThePortTaken() throws Exception
    {
        assumeTrue(Files.isDirectory(FDS), "needs /proc/self/fd to count this JVM's open files");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                taken.getLocalPort());
            assertThrows(IpcException.class, () -> Manager.serve(address, KEY, new ManagerOptions())); // loads what the first call loads
            final long before = openFiles();
            final int attempts = 5;
            for (int i = 0; i < attempts; i++)
            {
                final IpcException refused = assertThrows(IpcException.class, () -> Manager.serve(address, KEY, new ManagerOptions()));
                assertTrue(refused.getMessage().contains("cannot listen on"), refused.getMessage());
            }
            assertTrue(openFiles() - before < attempts,
                "each refused serve left a socket open: " + before + " open files before, " + openFiles() + " after");
        }
    }

    @Test
    void shouldRefuseAPatternTheFilterCannotParseWhenTheOptionIsSet()
    {
        for (final String bad : List.of("x=1", "maxdepth=abc", "/com.acme.Thing"))
        {
            final ManagerOptions options = new ManagerOptions();
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> options.allowClasses("com.acme.ok.*", bad));
            assertTrue(refused.getMessage().contains(bad), refused.getMessage());
            assertEquals(List.of(), options.allowedClasses(), "no pattern of a refused call is added");
        }
        assertEquals(List.of("com.acme.*", "!com.acme.secret.*", "com.acme.model.Thing"),
            new ManagerOptions().allowClasses("com.acme.*", "!com.acme.secret.*", "com.acme.model.Thing")
                .allowedClasses());
    }

    /**
     * Options the manager's JVM cannot take (here a bad default among its own JVM options) fail the start with the
     * manager JVM's reason, and leave no file.
     */
    @Test
    void shouldReportWhyTheManagersJvmRefusedItsOptionsAndLeaveNoFile()
    {
        final ManagerOptions options = new ManagerOptions()
            .jvmOptions("-D" + ManagerOptions.CALL_TIMEOUT_MS_PROP_NAME + "=soon");
        final IpcException refused = assertThrows(IpcException.class, () -> Manager.start("refused", options));
        assertTrue(refused.getMessage().contains(ManagerOptions.CALL_TIMEOUT_MS_PROP_NAME), refused.getMessage());
        assertTrue(refused.getMessage().matches("(?s)the JVM of manager refused exited with code \\d+ before listening: .*"),
            refused.getMessage());
        assertEquals(List.of(), dir.list().stream().filter((file) -> file.startsWith("manager-")).toList());
    }

    @Test
    void shouldRemoveItsFilesWhenTheStartIsInterrupted() throws Exception
    {
        Thread.currentThread().interrupt();
        final IpcException interrupted;
        try
        {
            interrupted = assertThrows(IpcException.class, () -> Manager.start("interrupted", new ManagerOptions()));
        }
        finally
        {
            assertTrue(Thread.interrupted(), "the start kept the interrupt status");
        }
        assertTrue(interrupted.getMessage().contains("interrupted"), interrupted.getMessage());
        assertEquals(List.of(), managerFiles("interrupted"), "the interrupted start left files");
    }

    private static long openFiles() throws IOException
    {
        try (Stream<Path> fds = Files.list(FDS))
        {
            return fds.count();
        }
    }

    private static List<String> managerFiles(final String name) throws IOException
    {
        try (Stream<Path> entries = Files.list(SharedDirectory.path()))
        {
            return entries.map((entry) -> entry.getFileName().toString())
                .filter((file) -> file.startsWith("manager-" + name + ".")).toList();
        }
    }
}
