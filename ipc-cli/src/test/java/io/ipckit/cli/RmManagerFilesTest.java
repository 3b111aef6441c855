package io.ipckit.cli;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.manager.Manager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.ConcurrentMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code ipckit rm} of one file of a running manager (its key, record, lock file) is refused: it would leave the
 * manager running but unreachable, or listed as running with no record.
 */
class RmManagerFilesTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseToRemoveOneFileOfARunningManager()
    {
        try (Manager manager = Manager.start("c1"))
        {
            for (final String file : List.of("manager-c1.key", "manager-c1.info", "manager-c1.lock"))
            {
                assertTrue(Files.exists(SharedDirectory.path().resolve(file)), file + " exists while c1 runs");
                final Cli rm = Cli.run("rm", file);
                assertEquals(Ipckit.EXIT_FAILURE, rm.code(), rm::toString);
                assertTrue(rm.err().contains("not removed " + file + ": it is a file of manager c1 (pid " +
                    manager.process().pid() + "), which is running; stop it, then remove it with 'ipckit rm c1'"),
                    rm::toString);
                assertTrue(Files.exists(SharedDirectory.path().resolve(file)), file + " was removed");
            }
            try (Manager joined = Manager.connect("c1"))
            {
                final ConcurrentMap<String, Integer> dict = joined.dict();
                dict.put("k", 1);
                assertEquals(1, dict.get("k"));
            }
            manager.shutdown();
        }
    }
}
