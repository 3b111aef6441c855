package io.ipckit.bench.harness.messaging;

import io.ipckit.bench.harness.ipckit.IpckitNetTransport;
import io.ipckit.bench.harness.ipckit.IpckitPipeTransport;
import io.ipckit.bench.harness.ipckit.IpckitQueueSpinTransport;
import io.ipckit.bench.harness.ipckit.IpckitQueueTransport;
import io.ipckit.bench.harness.ipckit.IpckitSharedLogTransport;
import io.ipckit.bench.harness.peers.AeronTransport;
import io.ipckit.bench.harness.peers.AeronUdpTransport;
import io.ipckit.bench.harness.peers.ChronicleQueueTransport;
import io.ipckit.bench.harness.peers.RawRingTransport;
import io.ipckit.bench.harness.peers.SocketTransport;

import java.lang.reflect.InvocationTargetException;
import java.util.List;

/**
 * The registry of messaging transports the harness measures. To add one, write the class (see
 * {@link Transport}) and add one line to {@link #all()}.
 */
public final class Transports
{
    private Transports()
    {
    }

    /**
     * @return a new instance of every registered transport, the floor (raw ring) first.
     */
    public static List<Transport> all()
    {
        return List.of(
            new RawRingTransport(),
            new AeronTransport(),
            new ChronicleQueueTransport(),
            new SocketTransport.UnixDomain(),
            new SocketTransport.Tcp(),
            new IpckitPipeTransport.Spinning(),
            new IpckitPipeTransport.Blocking(),
            new IpckitPipeTransport.LowCpu(),
            new IpckitQueueTransport(),
            new IpckitQueueTransport.Lanes(),
            new IpckitQueueTransport.OrderedLanes(),
            new IpckitQueueTransport.LowCpu(),
            new IpckitQueueSpinTransport.ZeroCopy(),
            new IpckitQueueSpinTransport.Objects(),
            new IpckitSharedLogTransport(), new AeronUdpTransport(), new IpckitNetTransport(),
            new IpckitNetTransport(false, true), new SocketTransport.Tcp(true), new AeronUdpTransport(true),
            new IpckitNetTransport(true, false), new IpckitNetTransport(true, true), new AeronUdpTransport(false, true),
            new AeronUdpTransport(true, true));
    }

    /**
     * Finds a transport by id, or instantiates a class by name (so tests can run their own transports in workers).
     *
     * @param idOrClassName a registered id or a class name with a public no-argument constructor.
     * @return the transport.
     * @throws IllegalArgumentException when neither matches.
     */
    public static Transport byId(final String idOrClassName)
    {
        for (final Transport transport : all())
        {
            if (transport.id().equals(idOrClassName))
            {
                return transport;
            }
        }
        try
        {
            return (Transport)Class.forName(idOrClassName).getDeclaredConstructor().newInstance();
        }
        catch (final ClassNotFoundException | NoSuchMethodException | InstantiationException |
            IllegalAccessException | InvocationTargetException | ClassCastException ex)
        {
            throw new IllegalArgumentException("no transport \"" + idOrClassName + "\"; registered: " +
                all().stream().map(Transport::id).toList() + " (or name a Transport class)", ex);
        }
    }

    /**
     * @param transport a transport.
     * @return what workers pass to {@link #byId}: the id when registered, the class name otherwise.
     */
    public static String reference(final Transport transport)
    {
        for (final Transport registered : all())
        {
            if (registered.id().equals(transport.id()) && registered.getClass() == transport.getClass())
            {
                return transport.id();
            }
        }
        return transport.getClass().getName();
    }
}
