package io.ipckit.manager.internal;

import io.ipckit.core.tracker.ResourceTracker;
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
        final ManagerOptions options;
        try
        {
            options = ManagerOptionsCodec.decode(args[3]);
        }
        catch (final RuntimeException ex)
        {
            writeError(args[2], ex); // Manager.start reports it
            throw ex;
        }
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
        // this JVM answers for the key its starter wrote, its record and its socket: when it dies, even by SIGKILL,
        // the JVM that started it (or the next sweep of the directory) removes all three
        try
        {
            ResourceTracker.register(Paths.get(keyPath));
            ResourceTracker.register(lockBeside(socket));
            ManagerInfoFile.writeCurrent(info);
        }
        catch (final IOException ex)
        {
            final UncheckedIOException failure = new UncheckedIOException("cannot write the manager's record " +
                info, ex);
            writeError(errorPath, failure); // Manager.start reports it
            throw failure;
        }
        catch (final RuntimeException ex)
        {
            writeError(errorPath, ex); // a full directory, say: Manager.start reports it
            throw ex;
        }
        final Listener listener = new Listener(UnixDomainSocketAddress.of(socket), authkey, options.maxFrameBytes());
        try
        {
            ResourceTracker.register(socket);
        }
        catch (final RuntimeException ex)
        {
            listener.close();
            deleteQuietly(socket);
            writeError(errorPath, ex);
            throw ex;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> removeFilesIfOurs(socket, info, Paths.get(keyPath)),
            "ipckit-manager-files"));
        final ServerCore core;
        try
        {
            core = new ServerCore(listener, options.registry(), options, null);
        }
        catch (final RuntimeException | Error ex)
        {
            writeError(errorPath, ex);
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
            // the key and the record first, while the socket still answers: a start of the same name meanwhile is
            // refused rather than given files that this manager would then remove
            removeFilesIfOurs(null, info, Paths.get(keyPath));
            core.close(); // removes the socket
            StartClaim.deleteUnlessHeld(lockBeside(socket)); // last: a start of the same name under way keeps it
        }
    }

    /**
     * Writes why this manager could not start where {@code Manager.start} looks for it.
     */
    private static void writeError(final String errorPath, final Throwable failure)
    {
        try
        {
            Files.writeString(Paths.get(errorPath), failure.toString());
        }
        catch (final IOException io)
        {
            System.err.println("[ipckit-manager] cannot write " + errorPath + ": " + io);
        }
    }

    /**
     * Removes the manager's authkey, socket (unless null) and record, only while the record still names this process,
     * so that a manager of the same name started meanwhile keeps its own: at a shutdown, and at the JVM's exit, as a
     * manager whose JVM is terminated (SIGTERM: its parent's exit ends a daemon manager so) runs no {@code finally}
     * of {@link #run}, and left the three files in the shared directory. The key goes first, while the socket still
     * answers and refuses a start of the same name; the record last.
     */
    static void removeFilesIfOurs(final Path socket, final Path info, final Path key)
    {
        final ManagerInfoFile.Info record = ManagerInfoFile.read(info);
        if (record == null || !record.process().equals(io.ipckit.core.process.ProcessIdentity.current()))
        {
            return;
        }
        try
        {
            Files.deleteIfExists(key);
            if (socket != null)
            {
                Files.deleteIfExists(socket);
            }
            if (socket != null)
            {
                StartClaim.deleteUnlessHeld(lockBeside(socket)); // a start under way keeps it
            }
            Files.deleteIfExists(info);
        }
        catch (final IOException ex)
        {
            System.err.println("[ipckit-manager] cannot remove the files beside " + info + ": " + ex);
        }
    }

    /**
     * @param socket a manager's socket path, {@code manager-<name>.sock}.
     * @return the lock file of its starts, {@code manager-<name>.lock} ({@link StartClaim}).
     */
    static Path lockBeside(final Path socket)
    {
        final String file = socket.getFileName().toString();
        return socket.resolveSibling((file.endsWith(".sock") ? file.substring(0, file.length() - 5) : file) +
            ".lock");
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ex)
        {
            // best effort: the start fails anyway, and its starter removes what it can
        }
    }
}
