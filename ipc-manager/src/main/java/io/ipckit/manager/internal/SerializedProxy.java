package io.ipckit.manager.internal;

import io.ipckit.core.ResourceName;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.manager.ManagerOptions;
import io.ipckit.manager.connection.Client;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The serialized form of a proxy's handler when a proxy travels to another JVM outside the manager protocol
 * (Python passes proxies to {@code Process(args=...)} the same way): the object's ref and the local manager's socket
 * and key files. Deserializing it joins the manager (one connection per manager per JVM, shared) and takes a counted
 * reference for that JVM.
 * <p>
 * Note to maintainers: a stream is not trusted. Only the files of a manager started by name in this JVM's shared
 * directory ({@code manager-<name>.sock} and {@code manager-<name>.key}, the same name, the key a regular file) are
 * ever opened, and the connection's allow-list, frame limit and call timeout are this JVM's defaults
 * ({@link ManagerOptions}, with {@link ManagerOptions#ALLOW_CLASSES_PROP_NAME}), never the sender's. Inside the
 * manager protocol proxies travel as {@link ProxyRef}: the {@link WireCodec} refuses this class, so a manager never
 * resolves one.
 *
 * @param ref    the object's ref.
 * @param socket the manager's Unix socket.
 * @param key    its authkey file (readable by the same user only).
 */
record SerializedProxy(ProxyRef ref, String socket, String key) implements Serializable
{
    private static final Map<String, ClientConnection> CONNECTIONS = new ConcurrentHashMap<>();
    private static final String PREFIX = "manager-";
    private static final String SOCKET_SUFFIX = ".sock";
    private static final String KEY_SUFFIX = ".key";

    private Object readResolve() throws ObjectStreamException
    {
        final Path socketPath = checkedSocket();
        try
        {
            return connection(socketPath).attach(ref);
        }
        catch (final Throwable ex)
        {
            final InvalidObjectException failure = new InvalidObjectException(
                "cannot re-attach a proxy of " + ref.typeid() + " to the manager at " + socket + ": " + ex);
            failure.initCause(ex);
            throw failure;
        }
    }

    /**
     * @return the socket, once it and the key are known to be the files of one manager in the shared directory.
     * @throws InvalidObjectException otherwise, naming both.
     */
    private Path checkedSocket() throws InvalidObjectException
    {
        final Path dir = SharedDirectory.path().toAbsolutePath().normalize();
        try
        {
            final Path socketPath = Path.of(socket).toAbsolutePath().normalize();
            final Path keyPath = Path.of(key).toAbsolutePath().normalize();
            final String file = socketPath.getFileName() == null ? "" : socketPath.getFileName().toString();
            if (ref != null && dir.equals(socketPath.getParent()) && file.startsWith(PREFIX) &&
                file.endsWith(SOCKET_SUFFIX))
            {
                final String name = file.substring(PREFIX.length(), file.length() - SOCKET_SUFFIX.length());
                if (ResourceName.isValid(name) && keyPath.equals(dir.resolve(PREFIX + name + KEY_SUFFIX)) &&
                    !Files.isSymbolicLink(keyPath) && Files.isRegularFile(keyPath, LinkOption.NOFOLLOW_LINKS))
                {
                    return socketPath;
                }
            }
        }
        catch (final InvalidPathException ex)
        {
            // refused below
        }
        throw new InvalidObjectException("refused a serialized proxy naming socket " + socket + " and key " + key +
            ": a proxy can only be re-attached to a manager started by name in this JVM's shared directory " + dir +
            " (manager-<name>.sock and manager-<name>.key); start both JVMs with the same " +
            SharedDirectory.DIRECTORY_PROP_NAME);
    }

    private ClientConnection connection(final Path socketPath)
    {
        return CONNECTIONS.compute(socketPath.toString(), (path, existing) ->
        {
            if (existing != null && !existing.isGone())
            {
                return existing;
            }
            // this JVM's options: the sender's limits and allow-list are not to be trusted
            final ManagerOptions options = new ManagerOptions();
            final int maxFrameBytes = options.maxFrameBytes();
            final long callTimeoutNs = options.callTimeout(TimeUnit.NANOSECONDS);
            // the key checked beside the socket (normalized), not the path the stream spelt
            final String socketFile = socketPath.getFileName().toString();
            final Path keyPath = socketPath.resolveSibling(
                socketFile.substring(0, socketFile.length() - SOCKET_SUFFIX.length()) + KEY_SUFFIX);
            final ClientConnection.Reconnector reconnector = timeoutNs -> Client.connect(
                UnixDomainSocketAddress.of(socketPath), readKey(keyPath), maxFrameBytes, timeoutNs,
                TimeUnit.NANOSECONDS);
            return new ClientConnection(Client.connect(UnixDomainSocketAddress.of(socketPath), readKey(keyPath),
                maxFrameBytes, callTimeoutNs, TimeUnit.NANOSECONDS), options.allowedClasses(), maxFrameBytes,
                callTimeoutNs, new ClientConnection.LocalAddress(socketPath.toString(), keyPath.toString()),
                "manager at " + socketPath, reconnector, options.reconnectTimeout(TimeUnit.NANOSECONDS));
        });
    }

    private static byte[] readKey(final Path keyPath)
    {
        try
        {
            return Files.readAllBytes(keyPath);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot read the manager's authkey " + keyPath, ex);
        }
    }
}
