package io.ipckit.durable;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A fresh directory for a test's logs on the disk (under the module's {@code target}), set as
 * {@value SharedLogOptions#DIRECTORY_PROP_NAME} for the test and the children it starts (every {@code ipckit.*}
 * property is passed on), and deleted with everything in it afterwards.
 */
final class LogDirectory implements BeforeEachCallback, AfterEachCallback
{
    private Path path;
    private String previous;

    @Override
    public void beforeEach(final ExtensionContext context) throws IOException
    {
        final Path root = Path.of(System.getProperty("project.build.directory", "target"), "durable-tests");
        Files.createDirectories(root);
        path = Files.createDirectory(root.resolve("logs-" + UUID.randomUUID().toString().substring(0, 8)))
            .toAbsolutePath();
        previous = System.getProperty(SharedLogOptions.DIRECTORY_PROP_NAME);
        System.setProperty(SharedLogOptions.DIRECTORY_PROP_NAME, path.toString());
    }

    @Override
    public void afterEach(final ExtensionContext context) throws IOException
    {
        if (previous == null)
        {
            System.clearProperty(SharedLogOptions.DIRECTORY_PROP_NAME);
        }
        else
        {
            System.setProperty(SharedLogOptions.DIRECTORY_PROP_NAME, previous);
        }
        try (Stream<Path> walk = Files.walk(path))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * @return this test's directory of logs.
     */
    Path path()
    {
        return path;
    }

    /**
     * @param name a log's name.
     * @return its directory.
     */
    Path resolve(final String name)
    {
        return path.resolve(name);
    }
}
