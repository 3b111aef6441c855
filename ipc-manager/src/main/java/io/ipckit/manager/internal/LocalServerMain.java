package io.ipckit.manager.internal;

import io.ipckit.manager.ManagerOptions;
import io.ipckit.manager.connection.Listener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * What the manager's JVM started by {@code Manager.start} runs: reads the authkey its parent wrote, writes its
 * {@link ManagerInfoFile record}, listens on the Unix socket, serves until shut down, then removes its files.
 */
public final class LocalServerMain
{
    private LocalServerMain()
    {
    }

    /**
     * Serves until a client shuts the manager down.
     *
     * @param socketPath the Unix socket's path.
     * @param keyPath    the authkey file's path.
     * @param options    the manager's options.
     * @throws UncheckedIOException when the key cannot be read.
     */
    public static void run(final String socketPath, final String keyPath, final ManagerOptions options)
    {
        final byte[] authkey;
        try
        {
            authkey = Files.readAllBytes(Paths.get(keyPath));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the manager's authkey " + keyPath, ex);
        }
        final Path socket = Paths.get(socketPath);
        final Path info = ManagerInfoFile.beside(socket);
        try
        {
            ManagerInfoFile.writeCurrent(info);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the manager's record " + info, ex);
        }
        final Listener listener = new Listener(UnixDomainSocketAddress.of(socket), authkey, options.maxFrameBytes());
        final ServerCore core = new ServerCore(listener, options.registry(), options, null);
        try
        {
            while (!core.awaitTermination(1, TimeUnit.HOURS))
            {
                // serve until shut down
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            core.close();
            try
            {
                Files.deleteIfExists(Paths.get(keyPath));
                Files.deleteIfExists(info);
            }
            catch (final IOException ex)
            {
                System.err.println("[ipckit-manager] cannot remove " + keyPath + ": " + ex);
            }
        }
    }
}
