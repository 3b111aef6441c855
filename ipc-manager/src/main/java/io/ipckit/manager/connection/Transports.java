package io.ipckit.manager.connection;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ServiceLoader;

/**
 * Picks the transport of an address: sockets for {@link InetSocketAddress} and {@link UnixDomainSocketAddress}, else
 * the first {@link TransportProvider} on the class path that accepts it. Thread-safe.
 */
final class Transports
{
    private Transports()
    {
    }

    /**
     * @param address an address.
     * @return true when it is a socket address (carried by {@link SocketConnection}).
     */
    static boolean isSocket(final SocketAddress address)
    {
        return address instanceof InetSocketAddress || address instanceof UnixDomainSocketAddress;
    }

    /**
     * @param address an address that is not a socket address.
     * @return the provider that carries it.
     * @throws IllegalArgumentException when no provider accepts it.
     */
    static TransportProvider provider(final SocketAddress address)
    {
        if (address == null)
        {
            throw new IllegalArgumentException("the address is null");
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null)
        {
            loader = Transports.class.getClassLoader();
        }
        for (final TransportProvider provider : ServiceLoader.load(TransportProvider.class, loader))
        {
            if (provider.accepts(address))
            {
                return provider;
            }
        }
        throw new IllegalArgumentException("no transport for the address " + address + " (a " +
            address.getClass().getName() + "): give a TCP (InetSocketAddress) or Unix socket address, or put the " +
            "module that carries it (ipc-net for io.ipckit.net.manager.AeronAddress) on the class path");
    }
}
