package io.ipckit.manager;

import io.ipckit.core.ResourceName;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.manager.connection.Client;
import io.ipckit.manager.connection.Listener;
import io.ipckit.manager.connection.FrameConnection;
import io.ipckit.manager.internal.Builtins;
import io.ipckit.manager.internal.ClientConnection;
import io.ipckit.manager.internal.LocalServerMain;
import io.ipckit.manager.internal.ManagerOptionsCodec;
import io.ipckit.manager.internal.StartClaim;
import io.ipckit.manager.internal.Wire;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;

/**
 * A handle to a manager: a server process that owns objects and hands out proxies to them, Python's
 * {@code multiprocessing.Manager()}. {@link #start(String)} starts one in a new JVM; {@link #connect(String)} joins
 * it from any process on the host; {@link #serve} and {@link #connect(SocketAddress, byte[])} do the same over TCP
 * or a Unix socket of the caller's choosing, authenticated by an authkey.
 * <pre>{@code
 * try (Manager manager = Manager.start("results"))
 * {
 *     ConcurrentMap<Integer, Integer> res = manager.dict();
 *     // hand res to other JVMs (a proxy is serializable), they call res.put(a, 1) ...
 *     manager.shutdown();
 * }
 * }</pre>
 * Every factory method makes a new object in the manager and returns a proxy implementing its interface; every
 * proxy method is one call to the manager, atomic there, with the caller's arguments and result copied by Java
 * serialization through an allow-list ({@link ManagerOptions#allowClasses}). A proxy is itself serializable into
 * any managed container or to another JVM connected to the same manager, where it is a proxy again.
 * <p>
 * Better than Python's: calls time out ({@link ManagerOptions#callTimeout}); when the manager dies, calls in flight
 * and later calls fail at once with {@link ManagerGoneException}; a client that dies (even by SIGKILL) has its
 * references dropped and its locks released within the lease check interval; exceptions raised in the manager come
 * back with their manager-side stack trace as their cause ({@link RemoteManagerException}).
 * <p>
 * Thread safety: a handle and its proxies may be used by any number of threads at once; calls from different
 * threads are in flight together over the handle's one connection. Process safety: each process opens its own
 * handle with {@link #connect(String)}.
 * <p>
 * Length: past 600 lines because it is the one entry point of the module, like Python's {@code SyncManager}: the
 * starting, joining and serving factories and one documented factory method per managed type; the work is in
 * {@code io.ipckit.manager.internal}.
 */
public final class Manager implements AutoCloseable
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int AUTHKEY_BYTES = 32;
    /** How long a failed start waits for the manager JVM it killed to be gone before removing its files. */
    private static final long KILL_WAIT_NS = TimeUnit.SECONDS.toNanos(5);

    private final ClientConnection connection;
    private final JvmProcess process;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Manager(final ClientConnection connection, final JvmProcess process)
    {
        this.connection = connection;
        this.process = process;
    }

    /**
     * Starts a manager with default options in a new JVM (daemon: killed when this JVM exits) and connects to it.
     *
     * @param name the manager's name in the shared directory.
     * @return a handle to it.
     * @throws ResourceExistsException when a manager of that name is running, or being started.
     * @throws IpcException            when its JVM did not start listening within the start timeout.
     */
    public static Manager start(final String name)
    {
        return start(name, new ManagerOptions());
    }

    /**
     * Starts a manager in a new JVM and connects to it. The manager listens on a Unix domain socket
     * {@code manager-<name>.sock} in the shared directory and accepts clients that prove they know the random
     * authkey stored beside it in {@code manager-<name>.key}, readable by this user only.
     *
     * Two starts of one name, in any processes, are told apart by a lock on {@code manager-<name>.lock} (held for
     * the start only; the file stays while the manager runs): one starts, the other is refused and touches nothing.
     *
     * @param name    the manager's name.
     * @param options its options (registry, allow-list, timeouts, threads, daemon flag).
     * @return a handle to it; {@link #shutdown()} stops it.
     * @throws ResourceExistsException when a manager of that name is running (its pid named when its record says
     *                                 it), or another start of that name is under way.
     * @throws IpcException            when its JVM did not start listening within the start timeout.
     * @throws IllegalArgumentException when the options do not serialize (a registered factory that is not
     *                                  serializable) or are too large for the manager JVM's command line.
     */
    public static Manager start(final String name, final ManagerOptions options)
    {
        ResourceName.validate(name);
        final String optionsText = ManagerOptionsCodec.encode(options); // refused before anything is written
        // this JVM's client binds its futex calls as it attaches: bind them while the manager's JVM boots instead
        io.ipckit.core.internal.wait.NativeBinding.instance().bindInBackground();
        try (StartClaim claim = StartClaim.acquire(lockPath(name), "manager " + name))
        {
            return startClaimed(name, options, optionsText, claim);
        }
    }

    /**
     * Starts a manager while holding the claim of its name: no other start of that name runs, so the files found are
     * a running manager's (refused) or a dead one's (removed), and the files written are this start's.
     */
    private static Manager startClaimed(final String name, final ManagerOptions options, final String optionsText,
        final StartClaim claim)
    {
        final Path socket = socketPath(name);
        final Path keyFile = keyPath(name);
        final Path infoFile = io.ipckit.manager.internal.ManagerInfoFile.beside(socket);
        final io.ipckit.manager.internal.ManagerInfoFile.Info record = io.ipckit.manager.internal.ManagerInfoFile
            .read(infoFile);
        if (record != null && record.process().isAlive())
        {
            throw new ResourceExistsException("a manager named " + name + " is already running (pid " +
                record.process().pid() + ", record " + infoFile + "); connect to it, or stop it first");
        }
        if (Files.exists(socket) && answers(socket))
        {
            throw new ResourceExistsException("a manager named " + name + " is already running at " + socket +
                "; connect to it, or stop it first");
        }
        // a dead manager's files: no other start runs, so they are nobody's
        deleteQuietly(socket);
        deleteQuietly(infoFile);
        deleteQuietly(keyFile);
        final byte[] authkey = new byte[AUTHKEY_BYTES];
        RANDOM.nextBytes(authkey);
        try
        {
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(keyFile, authkey);
        }
        catch (final IOException ex)
        {
            deleteQuietly(keyFile);
            claim.delete();
            throw new IpcException("cannot write the manager's authkey " + keyFile, ex);
        }
        final String socketText = socket.toString();
        final String keyText = keyFile.toString();
        final Path errorFile = errorPath(name);
        deleteQuietly(errorFile);
        final String errorText = errorFile.toString();
        final List<String> jvmOptions = new java.util.ArrayList<>();
        jvmOptions.add("-Djdk.virtualThreadScheduler.parallelism=" + options.serverThreads());
        jvmOptions.addAll(options.jvmOptions());
        if (options.journalDirectory() != null)
        {
            // only the JVM of a durable manager loads Chronicle Queue
            jvmOptions.addAll(LocalServerMain.chronicleFlags());
        }
        JvmProcess process = null;
        Manager started = null;
        try
        {
            process = JvmProcess.start(LocalServerMain.class, new ProcessOptions()
                .args(socketText, keyText, errorText, optionsText)
                .name("manager-" + name)
                .daemon(options.daemon())
                .classPath(options.classPath())
                .jvmOptions(jvmOptions.toArray(new String[0])));
            started = awaitListening(name, process, authkey, options);
            final io.ipckit.manager.internal.ManagerInfoFile.Info written = io.ipckit.manager.internal.ManagerInfoFile
                .read(infoFile);
            if (written == null || written.process().pid() != process.pid())
            {
                throw new IpcException("manager " + name + " started as pid " + process.pid() + " but its record " +
                    infoFile + " names " + (written == null ? "no process" : "pid " + written.process().pid()) +
                    ": another process changed the shared directory " + SharedDirectory.path() + " meanwhile");
            }
            return started;
        }
        catch (final RuntimeException | Error ex)
        {
            // what this start made, and only that: the claim kept every other start away
            if (started != null)
            {
                started.close();
            }
            if (process != null)
            {
                killAndWait(process);
                final io.ipckit.manager.internal.ManagerInfoFile.Info left =
                    io.ipckit.manager.internal.ManagerInfoFile.read(infoFile);
                if (left == null || left.process().pid() == process.pid())
                {
                    deleteQuietly(socket);
                    deleteQuietly(infoFile);
                }
            }
            deleteQuietly(keyFile);
            claim.delete();
            throw ex;
        }
    }

    /**
     * Waits for the manager JVM of {@link #start(String, ManagerOptions)} to listen, then joins it.
     *
     * @throws IpcException when it exits first, does not listen in time or the wait is interrupted; the caller kills
     *                      it and removes its files.
     */
    private static Manager awaitListening(
        final String name, final JvmProcess process, final byte[] authkey, final ManagerOptions options)
    {
        final Path socket = socketPath(name);
        final Path errorFile = errorPath(name);
        final long startNs = System.nanoTime();
        final long timeoutNs = options.startTimeout(TimeUnit.NANOSECONDS);
        while (true)
        {
            if (Files.exists(socket))
            {
                try
                {
                    return new Manager(open(UnixDomainSocketAddress.of(socket), authkey, options,
                        localAddress(name), "manager " + name), process);
                }
                catch (final IpcException ex)
                {
                    if (System.nanoTime() - startNs > timeoutNs || isKeyRefused(ex))
                    {
                        throw ex; // a wrong key does not become right by trying again
                    }
                }
            }
            if (!process.isAlive())
            {
                String reason = "see its standard error";
                try
                {
                    if (Files.exists(errorFile))
                    {
                        reason = Files.readString(errorFile);
                    }
                }
                catch (final IOException ex)
                {
                    // keep pointing at its standard error
                }
                deleteQuietly(errorFile);
                final java.util.OptionalInt exit = process.exitCode();
                throw new IpcException("the JVM of manager " + name + " exited" +
                    (exit.isPresent() ? " with code " + exit.getAsInt() : "") + " before listening: " + reason);
            }
            if (System.nanoTime() - startNs > timeoutNs)
            {
                throw new IpcException("manager " + name + " did not listen within " +
                    options.startTimeout(TimeUnit.MILLISECONDS) + " ms (ManagerOptions.startTimeout)");
            }
            try
            {
                TimeUnit.MILLISECONDS.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IpcException("interrupted while starting manager " + name, ex);
            }
        }
    }

    /**
     * @return true when a digest was refused (an {@link io.ipckit.manager.connection.AuthenticationException} of
     *         the handshake itself, which has no cause), not when the transport failed during the handshake (a
     *         manager JVM still starting may reset a connection).
     */
    private static boolean isKeyRefused(final Throwable error)
    {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause())
        {
            if (cause instanceof io.ipckit.manager.connection.AuthenticationException)
            {
                return cause.getCause() == null;
            }
        }
        return false;
    }

    /**
     * Kills a manager JVM whose start failed and waits a little for it to be gone, so that it creates no file after
     * the caller removed them. Does not throw, and keeps the thread's interrupt status.
     */
    private static void killAndWait(final JvmProcess process)
    {
        process.kill();
        final long deadline = System.nanoTime() + KILL_WAIT_NS;
        while (process.isAlive() && System.nanoTime() - deadline < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // returns at once when interrupted: a short spin
        }
    }

    /**
     * Joins a running manager of this host with default options.
     *
     * @param name the manager's name.
     * @return a handle to it.
     * @throws ResourceNotFoundException when no manager of that name is listening.
     */
    public static Manager connect(final String name)
    {
        return connect(name, new ManagerOptions());
    }

    /**
     * Joins a running manager of this host.
     *
     * @param name    the manager's name.
     * @param options the call timeout, allow-list and frame limit (the same as the manager's).
     * @return a handle to it.
     * @throws ResourceNotFoundException when no manager of that name is listening.
     * @throws ManagerGoneException      when it stopped while being joined.
     * @throws io.ipckit.core.exceptions.IpcTimeoutException when it did not complete the handshake within the call
     *                                   timeout (a stopped manager, or a socket that accepts nothing).
     */
    public static Manager connect(final String name, final ManagerOptions options)
    {
        ResourceName.validate(name);
        // the client binds its futex calls as it attaches: bind them during the socket's handshake instead
        io.ipckit.core.internal.wait.NativeBinding.instance().bindInBackground();
        final Path socket = socketPath(name);
        final byte[] authkey;
        try
        {
            authkey = Files.readAllBytes(keyPath(name));
        }
        catch (final IOException ex)
        {
            throw new ResourceNotFoundException("no manager named " + name + " in " + SharedDirectory.path(), ex);
        }
        try
        {
            return new Manager(open(UnixDomainSocketAddress.of(socket), authkey, options, localAddress(name),
                "manager " + name), null);
        }
        catch (final ManagerGoneException | io.ipckit.core.exceptions.IpcTimeoutException ex)
        {
            throw ex;
        }
        catch (final IpcException ex)
        {
            throw new ResourceNotFoundException("no manager named " + name + " is listening at " + socket, ex);
        }
    }

    /**
     * Serves a manager in this process on an address of the caller's choosing, Python's
     * {@code BaseManager(address, authkey).get_server()}, with default options.
     *
     * @param address  a TCP ({@link java.net.InetSocketAddress}) or Unix socket address, or one a
     *                 {@link io.ipckit.manager.connection.TransportProvider} on the class path accepts (ipc-net's
     *                 {@code io.ipckit.net.manager.AeronAddress}: Aeron UDP).
     * @param authkey  the secret clients must prove they know.
     * @param registry the types it creates.
     * @return the running server.
     * @throws IllegalArgumentException when no transport accepts the address.
     * @throws IpcException             when the address cannot be bound.
     */
    public static ManagerServer serve(final SocketAddress address, final byte[] authkey, final ManagerRegistry registry)
    {
        return serve(address, authkey, new ManagerOptions().registry(registry));
    }

    /**
     * Serves a manager in this process.
     *
     * @param address a TCP or Unix socket address, or one a {@link io.ipckit.manager.connection.TransportProvider}
     *                accepts (Aeron UDP with ipc-net): the same authentication runs on every transport.
     * @param authkey the secret clients must prove they know (not null: a remote manager is never open).
     * @param options its registry, allow-list, frame limit and lease interval.
     * @return the running server.
     * @throws IllegalArgumentException when the authkey is empty or no transport accepts the address.
     * @throws IpcException             when the address cannot be bound.
     */
    public static ManagerServer serve(final SocketAddress address, final byte[] authkey, final ManagerOptions options)
    {
        if (authkey == null || authkey.length == 0)
        {
            throw new IllegalArgumentException("a served manager needs an authkey");
        }
        return new ManagerServer(new Listener(address, authkey, options.maxFrameBytes()), options, null);
    }

    /**
     * Connects to a manager served at an address, with default options.
     *
     * @param address its address: TCP, Unix socket, or one a {@link io.ipckit.manager.connection.TransportProvider}
     *                accepts.
     * @param authkey the shared secret.
     * @return a handle to it.
     * @throws io.ipckit.manager.connection.AuthenticationException when the keys differ.
     * @throws IllegalArgumentException                             when no transport accepts the address.
     * @throws IpcException                                         when nothing listens there.
     */
    public static Manager connect(final SocketAddress address, final byte[] authkey)
    {
        return connect(address, authkey, new ManagerOptions());
    }

    /**
     * Connects to a manager served at an address.
     *
     * @param address its address: TCP, Unix socket, or one a {@link io.ipckit.manager.connection.TransportProvider}
     *                accepts.
     * @param authkey the shared secret.
     * @param options the call timeout, allow-list and frame limit.
     * @return a handle to it.
     * @throws io.ipckit.manager.connection.AuthenticationException when the keys differ.
     * @throws IllegalArgumentException                             when no transport accepts the address.
     * @throws IpcException                                         when nothing listens there.
     */
    public static Manager connect(final SocketAddress address, final byte[] authkey, final ManagerOptions options)
    {
        return new Manager(open(address, authkey, options, null, "manager at " + address), null);
    }

    private static ClientConnection open(final SocketAddress address, final byte[] authkey,
        final ManagerOptions options, final ClientConnection.LocalAddress local, final String describe)
    {
        // the handshake is bounded too: a listener that accepts nothing, or a stopped manager, fails the join in time
        final FrameConnection socket = Client.connect(address, authkey, options.maxFrameBytes(),
            options.callTimeout(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
        final int maxFrameBytes = options.maxFrameBytes();
        // a restarted local manager has a new authkey: read it again from its key file
        final ClientConnection.Reconnector reconnector = local == null ?
            timeoutNs -> Client.connect(address, authkey, maxFrameBytes, timeoutNs, TimeUnit.NANOSECONDS) :
            timeoutNs -> Client.connect(address, readKey(Path.of(local.key())), maxFrameBytes, timeoutNs,
                TimeUnit.NANOSECONDS);
        return new ClientConnection(socket, options.allowedClasses(), maxFrameBytes,
            options.callTimeout(TimeUnit.NANOSECONDS), local, describe, reconnector,
            options.reconnectTimeout(TimeUnit.NANOSECONDS));
    }

    private static byte[] readKey(final Path keyFile)
    {
        try
        {
            return Files.readAllBytes(keyFile);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot read the manager's authkey " + keyFile, ex);
        }
    }

    private static ClientConnection.LocalAddress localAddress(final String name)
    {
        return new ClientConnection.LocalAddress(socketPath(name).toString(), keyPath(name).toString());
    }

    private static boolean answers(final Path socket)
    {
        try (java.nio.channels.SocketChannel channel =
            java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX))
        {
            return channel.connect(UnixDomainSocketAddress.of(socket));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ex)
        {
            // left for the next start to replace
        }
    }

    static Path socketPath(final String name)
    {
        return SharedDirectory.resolve("manager-" + name + ".sock");
    }

    static Path errorPath(final String name)
    {
        return SharedDirectory.resolve("manager-" + name + ".error");
    }

    static Path keyPath(final String name)
    {
        return SharedDirectory.resolve("manager-" + name + ".key");
    }

    static Path lockPath(final String name)
    {
        return SharedDirectory.resolve("manager-" + name + ".lock");
    }

    /**
     * Creates a managed object of a registered type.
     *
     * @param typeid its type id.
     * @param type   the interface the proxy implements (the registered one or a super-interface).
     * @param args   the arguments of its factory.
     * @param <T>    the interface.
     * @return a proxy to it.
     * @throws IllegalArgumentException when the manager has no such type.
     * @throws ManagerGoneException     when the manager is gone.
     */
    public <T> T create(final String typeid, final Class<T> type, final Object... args)
    {
        return type.cast(callManager("create", typeid, args));
    }

    /**
     * Gives a managed object a name under which any client of this manager can {@link #lookup} it. A named object
     * lives until the manager stops.
     *
     * @param name  the name.
     * @param proxy a proxy from this manager.
     * @throws IllegalStateException    when the name is taken.
     * @throws NullPointerException     when the name is null.
     * @throws IllegalArgumentException when {@code proxy} is not a proxy, or is a proxy of another manager.
     */
    public void bind(final String name, final Object proxy)
    {
        java.util.Objects.requireNonNull(name, () -> "bind in " + connection.describe() + ": the name is null");
        final io.ipckit.manager.internal.ProxyRef ref = ClientConnection.refOf(proxy);
        if (ref == null)
        {
            throw new IllegalArgumentException("not a manager proxy: " + proxy);
        }
        if (!ref.managerId().equals(connection.managerId()))
        {
            throw new IllegalArgumentException("cannot bind \"" + name + "\" in " + connection.describe() + " (id " +
                connection.managerId() + ") to a proxy of another manager (id " + ref.managerId() + ", a " +
                ref.typeid() + "): bind it in the manager that owns it");
        }
        callManager("bind", name, proxy);
    }

    /**
     * Finds an object another client {@link #bind bound} to a name.
     *
     * @param name the name.
     * @param type the interface expected.
     * @param <T>  the interface.
     * @return a proxy to it.
     * @throws IpcException          when nothing is bound to the name.
     * @throws NullPointerException  when the name or type is null.
     * @throws ClassCastException    when its proxy does not implement {@code type}.
     */
    public <T> T lookup(final String name, final Class<T> type)
    {
        java.util.Objects.requireNonNull(name, () -> "lookup in " + connection.describe() + ": the name is null");
        java.util.Objects.requireNonNull(type, () -> "lookup of \"" + name + "\" in " + connection.describe() +
            ": the type is null");
        return type.cast(callManager("lookup", name));
    }

    /**
     * @return the number of objects the manager holds now (every client's), for tests and monitoring.
     */
    public int objectCount()
    {
        return (Integer)callManager("objectCount");
    }

    /**
     * Reads what the manager holds and does: its clients (what each holds), its objects (references, bound names),
     * threads and calls served. What {@code bin/ipckit stat} shows for a manager.
     *
     * @return a snapshot taken in the manager; this handle's connection is the client marked
     * {@link ManagerStats.Client#caller()}.
     * @throws ManagerGoneException when the manager is gone.
     */
    public ManagerStats stats()
    {
        return (ManagerStats)callManager("stats");
    }

    private Object callManager(final String operation, final Object... args)
    {
        try
        {
            return connection.call(Wire.MANAGER_OBJECT_ID, operation, args);
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new IpcException(operation + " failed in " + connection.describe() + ": " + ex, ex);
        }
    }

    /**
     * @param <K> key type.
     * @param <V> value type.
     * @return a new managed map (Python's {@code manager.dict()}); null keys and values are refused.
     */
    @SuppressWarnings("unchecked")
    public <K, V> ConcurrentMap<K, V> dict()
    {
        return create(Builtins.DICT, ConcurrentMap.class);
    }

    /**
     * @param initial its first entries.
     * @param <K>     key type.
     * @param <V>     value type.
     * @return a new managed map holding a copy of {@code initial}.
     */
    @SuppressWarnings("unchecked")
    public <K, V> ConcurrentMap<K, V> dict(final Map<K, V> initial)
    {
        return create(Builtins.DICT, ConcurrentMap.class, initial);
    }

    /**
     * @param <E> element type.
     * @return a new managed list (Python's {@code manager.list()}).
     */
    @SuppressWarnings("unchecked")
    public <E> List<E> list()
    {
        return create(Builtins.LIST, List.class);
    }

    /**
     * @param initial its first elements.
     * @param <E>     element type.
     * @return a new managed list holding a copy of {@code initial}.
     */
    @SuppressWarnings("unchecked")
    public <E> List<E> list(final Collection<? extends E> initial)
    {
        return create(Builtins.LIST, List.class, initial);
    }

    /**
     * @param <E> element type.
     * @return a new managed set; null elements are refused.
     */
    @SuppressWarnings("unchecked")
    public <E> Set<E> set()
    {
        return create(Builtins.SET, Set.class);
    }

    /**
     * @return a new namespace (Python's {@code manager.Namespace()}).
     */
    public Namespace namespace()
    {
        return create(Builtins.NAMESPACE, Namespace.class);
    }

    /**
     * @param initial the first value.
     * @param <T>     value type.
     * @return a new managed value (Python's {@code manager.Value(typecode, value)}).
     */
    @SuppressWarnings("unchecked")
    public <T> ManagedValue<T> value(final T initial)
    {
        return create(Builtins.VALUE, ManagedValue.class, initial);
    }

    /**
     * @param initial the elements; the array's length is fixed to theirs.
     * @param <T>     element type.
     * @return a new managed array (Python's {@code manager.Array(typecode, sequence)}).
     */
    @SuppressWarnings("unchecked")
    public <T> ManagedArray<T> array(final T[] initial)
    {
        return create(Builtins.ARRAY, ManagedArray.class, (Object)initial.clone());
    }

    /**
     * @return a new managed lock (Python's {@code manager.Lock()}), owned by the calling thread of the calling
     * process; not reentrant (acquiring it again fails instead of deadlocking); released by the manager if its
     * owner's process dies. {@link Lock#newCondition()} returns a managed condition of it.
     */
    public Lock lock()
    {
        return create(Builtins.LOCK, Lock.class);
    }

    /**
     * @return a new managed reentrant lock (Python's {@code manager.RLock()}), as {@link #lock()} otherwise.
     */
    public Lock rlock()
    {
        return create(Builtins.RLOCK, Lock.class);
    }

    /**
     * @param permits the initial count, 0 or more.
     * @return a new managed semaphore (Python's {@code manager.Semaphore(n)}).
     * @throws IllegalArgumentException when {@code permits} is negative, as Python's {@code ValueError}.
     */
    public ManagedSemaphore semaphore(final int permits)
    {
        return create(Builtins.SEMAPHORE, ManagedSemaphore.class, permits);
    }

    /**
     * @param permits the initial and largest count, 0 or more.
     * @return a new managed bounded semaphore (Python's {@code manager.BoundedSemaphore(n)}).
     * @throws IllegalArgumentException when {@code permits} is negative, as Python's {@code ValueError}.
     */
    public ManagedSemaphore boundedSemaphore(final int permits)
    {
        return create(Builtins.BOUNDED_SEMAPHORE, ManagedSemaphore.class, permits);
    }

    /**
     * @return a new managed condition with its own reentrant lock (Python's {@code manager.Condition()}).
     */
    public ManagedCondition condition()
    {
        return create(Builtins.CONDITION, ManagedCondition.class);
    }

    /**
     * @return a new managed event (Python's {@code manager.Event()}).
     */
    public ManagedEvent event()
    {
        return create(Builtins.EVENT, ManagedEvent.class);
    }

    /**
     * @param parties how many must arrive, at least 1.
     * @return a new managed barrier (Python's {@code manager.Barrier(parties)}).
     * @throws IllegalArgumentException when {@code parties} is below 1.
     */
    public ManagedBarrier barrier(final int parties)
    {
        return create(Builtins.BARRIER, ManagedBarrier.class, parties);
    }

    /**
     * @param <E> element type.
     * @return a new unbounded managed queue (Python's {@code manager.Queue()}); null elements are refused.
     */
    @SuppressWarnings("unchecked")
    public <E> BlockingQueue<E> queue()
    {
        return create(Builtins.QUEUE, BlockingQueue.class);
    }

    /**
     * @param capacity the most elements it holds ({@code put} blocks beyond); 0 or less for no bound, as Python's
     *                 {@code maxsize}.
     * @param <E>      element type.
     * @return a new bounded managed queue (Python's {@code manager.Queue(maxsize)}).
     */
    @SuppressWarnings("unchecked")
    public <E> BlockingQueue<E> queue(final int capacity)
    {
        // mapped here, not by the manager: a durable manager's journal replays the create as it was sent
        return capacity <= 0 ? queue() : create(Builtins.QUEUE, BlockingQueue.class, capacity);
    }

    /**
     * @param <E> element type.
     * @return a new unbounded managed joinable queue (Python's {@code manager.JoinableQueue()}).
     */
    @SuppressWarnings("unchecked")
    public <E> ManagedJoinableQueue<E> joinableQueue()
    {
        return create(Builtins.JOINABLE_QUEUE, ManagedJoinableQueue.class);
    }

    /**
     * @param workers the number of worker JVMs, at least 1.
     * @return a new process pool in the manager (Python's {@code manager.Pool(n)}), shared by every client it is
     * handed to.
     * @throws IllegalArgumentException when {@code workers} is below 1.
     */
    public ManagedPool pool(final int workers)
    {
        return create(Builtins.POOL, ManagedPool.class, workers);
    }

    /**
     * @return the manager's JVM when this handle started it, else null.
     */
    public JvmProcess process()
    {
        return process;
    }

    /**
     * @return true when this handle's calls travel through a pipe in shared memory (a manager of this host),
     * false when through the socket.
     */
    boolean usesPipe()
    {
        return connection.usesPipe();
    }

    /**
     * @return true once this handle's connection ended (closed, or the manager is gone).
     */
    public boolean isGone()
    {
        return connection.isGone();
    }

    /**
     * Stops the manager (for every client: their calls then fail with {@link ManagerGoneException}) and waits up to
     * 10 s for its JVM to exit when this handle started it (then kills it). Python's {@code manager.shutdown()}.
     *
     * @throws ManagerGoneException when it was gone already.
     */
    public void shutdown()
    {
        callManager("shutdown");
        close();
        if (process != null)
        {
            try
            {
                if (!process.join(10, TimeUnit.SECONDS))
                {
                    process.kill();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                process.kill();
            }
        }
    }

    /**
     * Disconnects this handle: its proxies stop working (calls fail with {@link ManagerGoneException}), the
     * manager drops this handle's references and releases its locks. The manager keeps running. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            connection.close();
        }
    }

    @Override
    public String toString()
    {
        return "Manager{" + connection.describe() + (process != null ? ", pid " + process.pid() : "") + "}";
    }

}
