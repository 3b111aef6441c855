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
     * @return the JVM flags Chronicle Queue needs (the parent pom's {@code ipckit.chronicle.jvm.flags}), for the JVM
     * of a durable manager.
     * @throws IllegalStateException when the build did not fill them in.
     */
    public static java.util.List<String> chronicleFlags()
    {
        final java.util.Properties properties = new java.util.Properties();
        try (java.io.InputStream in = LocalServerMain.class.getResourceAsStream("chronicle-jvm-flags.properties"))
        {
            if (in == null)
            {
                throw new IllegalStateException("chronicle-jvm-flags.properties is missing from ipc-manager's jar");
            }
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final String flags = properties.getProperty("flags", "").trim();
        if (flags.isEmpty() || flags.startsWith("${"))
        {
            throw new IllegalStateException("ipc-manager was built without ipckit.chronicle.jvm.flags: " + flags);
        }
        return java.util.List.of(flags.split("\\s+"));
    }

    /**
     * The manager JVM's entry: {@link #run} with the options that {@link ManagerOptionsCodec} encoded. A main class
     * rather than a serialized lambda: a JVM that deserializes a lambda spins its class at run time, initialises the
     * class that wrote it ({@code Manager}, whose random source reads the kernel's) and reads its first
     * {@code ObjectInputStream}, 60-100 ms of a manager's start here.
     *
     * @param args the socket's path, the authkey file's path, the error file's path, the encoded options.
     * @throws IllegalArgumentException when the arguments are not those four, or the options do not decode.
     */
    public static void main(final String[] args)
    {
        if (args.length != 4)
        {
            throw new IllegalArgumentException("expected <socket> <key file> <error file> <options>, got " +
                args.length + " arguments");
        }
        final ManagerOptions options = ManagerOptionsCodec.decode(args[3]);
        run(args[0], args[1], args[2], options);
    }

    /**
     * Serves until a client shuts the manager down.
     *
     * @param socketPath the Unix socket's path.
     * @param keyPath    the authkey file's path.
     * @param errorPath  where to write why it could not start (Manager.start reports it).
     * @param options    the manager's options.
     * @throws UncheckedIOException when the key cannot be read.
     */
    public static void run(final String socketPath, final String keyPath, final String errorPath,
        final ManagerOptions options)
    {
        // the first client's attach needs the futex calls bound: bind them while this JVM starts to listen
        io.ipckit.core.internal.wait.NativeBinding.instance().bindInBackground();
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
        final ServerCore core;
        try
        {
            core = new ServerCore(listener, options.registry(), options, null);
        }
        catch (final RuntimeException | Error ex)
        {
            try
            {
                Files.writeString(Paths.get(errorPath), ex.toString());
            }
            catch (final IOException io)
            {
                System.err.println("[ipckit-manager] cannot write " + errorPath + ": " + io);
            }
            throw ex;
        }
        if (core.replayedEntries() > 0)
        {
            core.log("replayed " + core.replayedEntries() + " journal entries in " +
                TimeUnit.NANOSECONDS.toMillis(core.replayNs()) + " ms from " + options.journalDirectory());
        }
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
