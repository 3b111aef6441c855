package io.ipckit.core.internal.net;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port to bind later (a test's endpoint, a benchmark's peer), chosen below the kernel's ephemeral range.
 * <p>
 * A port found by binding port 0 and closing the socket is an ephemeral one: until it is bound again, any socket
 * bound to port 0 in the meantime (a client's reply endpoint, a media driver's control socket, another process) may be
 * given it, and the later bind then fails or, worse, two endpoints meet on one port. No bind to port 0 takes a port
 * below {@code /proc/sys/net/ipv4/ip_local_port_range}, so a port from there stays free until someone asks for it by
 * number.
 * <p>
 * Thread-safe.
 */
public final class FreePort
{
    /** The lowest port handed out: above the ports services are usually configured on. */
    public static final int LOWEST = 20_000;
    /** Where the kernel's ephemeral range starts when its setting cannot be read (Linux's default). */
    public static final int DEFAULT_EPHEMERAL_LOW = 32_768;
    private static final Path PORT_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int ATTEMPTS = 1_000;

    private FreePort()
    {
    }

    /**
     * @return a UDP port below the ephemeral range that no socket holds now (on any address), picked at random so that
     * JVMs running side by side seldom try the same one.
     * @throws IllegalStateException when no port was free after many attempts.
     */
    public static int udp()
    {
        return pick(false);
    }

    /**
     * @return a TCP port below the ephemeral range that no socket listens on now (on any address), picked at random.
     * @throws IllegalStateException when no port was free after many attempts.
     */
    public static int tcp()
    {
        return pick(true);
    }

    private static int pick(final boolean tcp)
    {
        final int highest = ephemeralLow() - 1;
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++)
        {
            final int port = random.nextInt(LOWEST, highest + 1);
            if (tcp ? bindsTcp(port) : bindsUdp(port))
            {
                return port;
            }
        }
        throw new IllegalStateException("no free " + (tcp ? "TCP" : "UDP") + " port in " + LOWEST + ".." + highest +
            " after " + ATTEMPTS + " attempts");
    }

    private static boolean bindsUdp(final int port)
    {
        try (DatagramSocket socket = new DatagramSocket(port))
        {
            return socket.getLocalPort() == port;
        }
        catch (final IOException ex)
        {
            return false; // taken
        }
    }

    private static boolean bindsTcp(final int port)
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress((InetAddress)null, port), 1);
            return true;
        }
        catch (final IOException ex)
        {
            return false; // taken
        }
    }

    /**
     * @return the first port of the kernel's ephemeral range, or {@link #DEFAULT_EPHEMERAL_LOW} when it cannot be read
     * or leaves too few ports below it.
     */
    public static int ephemeralLow()
    {
        try
        {
            final String[] range = Files.readString(PORT_RANGE).trim().split("\\s+");
            final int low = Integer.parseInt(range[0]);
            return low > LOWEST + 1_000 ? low : DEFAULT_EPHEMERAL_LOW;
        }
        catch (final IOException | RuntimeException ex)
        {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}
