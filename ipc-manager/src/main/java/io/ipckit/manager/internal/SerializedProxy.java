package io.ipckit.manager.internal;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.manager.connection.Client;

import java.io.IOException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The serialized form of a proxy's handler when a proxy travels to another JVM outside the manager protocol
 * (Python passes proxies to {@code Process(args=...)} the same way): the object's ref and the local manager's socket
 * and key files. Deserializing it joins the manager (one connection per manager per JVM, shared) and takes a counted
 * reference for that JVM.
 *
 * @param ref           the object's ref.
 * @param socket        the manager's Unix socket.
 * @param key           its authkey file (readable by the same user only).
 * @param allowed       the allow-list patterns of the sending handle.
 * @param maxFrameBytes its frame limit.
 * @param callTimeoutNs its call timeout.
 */
record SerializedProxy(ProxyRef ref, String socket, String key, List<String> allowed, int maxFrameBytes,
    long callTimeoutNs) implements Serializable
{
    private static final Map<String, ClientConnection> CONNECTIONS = new ConcurrentHashMap<>();

    private Object readResolve() throws ObjectStreamException
    {
        try
        {
            return connection().attach(ref);
        }
        catch (final Throwable ex)
        {
            final java.io.InvalidObjectException failure = new java.io.InvalidObjectException(
                "cannot re-attach a proxy of " + ref.typeid() + " to the manager at " + socket + ": " + ex);
            failure.initCause(ex);
            throw failure;
        }
    }

    private ClientConnection connection()
    {
        return CONNECTIONS.compute(socket, (path, existing) ->
        {
            if (existing != null && !existing.isGone())
            {
                return existing;
            }
            final byte[] authkey;
            try
            {
                authkey = Files.readAllBytes(Paths.get(key));
            }
            catch (final IOException ex)
            {
                throw new IpcException("cannot read the manager's authkey " + key, ex);
            }
            final ClientConnection.Reconnector reconnector = timeoutNs ->
            {
                try
                {
                    return Client.connect(UnixDomainSocketAddress.of(socket), Files.readAllBytes(Paths.get(key)),
                        maxFrameBytes, timeoutNs, java.util.concurrent.TimeUnit.NANOSECONDS);
                }
                catch (final IOException ex)
                {
                    throw new IpcException("cannot read the manager's authkey " + key, ex);
                }
            };
            return new ClientConnection(Client.connect(UnixDomainSocketAddress.of(socket), authkey, maxFrameBytes),
                allowed, maxFrameBytes, callTimeoutNs, new ClientConnection.LocalAddress(socket, key),
                "manager at " + socket, reconnector,
                // read when a connection is made, not when the class loads: a bad -D default then fails this proxy
                // with the options' message instead of every later proxy of the JVM with NoClassDefFoundError
                new io.ipckit.manager.ManagerOptions().reconnectTimeout(java.util.concurrent.TimeUnit.NANOSECONDS));
        });
    }
}
