package io.ipckit.core;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SharedDirectoryPathTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    /**
     * A directory that could not be created was recorded as known, so the second call blamed its removal.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldGiveTheSameReasonEveryTimeTheDirectoryCannotBeCreated() throws Exception
    {
        final Path regularFile = Files.writeString(dir.path().resolve("a-file"), "not a directory");
        final Path dangling = Files.createSymbolicLink(dir.path().resolve("dangling"), dir.path().resolve("gone"));
        final Path underFile = regularFile.resolve("sub");
        final String testDirectory = System.getProperty(SharedDirectory.DIRECTORY_PROP_NAME);
        try
        {
            for (final Path path : List.of(regularFile, dangling, underFile))
            {
                System.setProperty(SharedDirectory.DIRECTORY_PROP_NAME, path.toString());
                for (int call = 1; call <= 2; call++)
                {
                    final IpcException ex = assertThrows(IpcException.class, SharedDirectory::path);
                    assertEquals("cannot create the shared directory " + path, ex.getMessage().substring(0,
                        ex.getMessage().indexOf(':')), "call " + call + ": " + ex.getMessage());
                }
            }
        }
        finally
        {
            System.setProperty(SharedDirectory.DIRECTORY_PROP_NAME, testDirectory);
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseToRecreateADirectoryRemovedWhileInUse() throws Exception
    {
        final Path override = dir.path().resolve("override");
        final String testDirectory = System.getProperty(SharedDirectory.DIRECTORY_PROP_NAME);
        try
        {
            System.setProperty(SharedDirectory.DIRECTORY_PROP_NAME, override.toString());
            assertEquals(override, SharedDirectory.path());
            Files.delete(override);
            final IpcException ex = assertThrows(IpcException.class, SharedDirectory::path);
            assertEquals("the shared directory " + override + " was removed while this process used it; recreate " +
                "it or point -Dipckit.dir / IPCKIT_DIR elsewhere", ex.getMessage());
        }
        finally
        {
            System.setProperty(SharedDirectory.DIRECTORY_PROP_NAME, testDirectory);
        }
    }
}
