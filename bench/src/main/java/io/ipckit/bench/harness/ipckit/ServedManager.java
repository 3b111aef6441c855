package io.ipckit.bench.harness.ipckit;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.internal.net.FreePort;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.manager.Manager;
import io.ipckit.manager.ManagerOptions;
import io.ipckit.manager.ManagerServer;
import io.ipckit.net.NetOptions;
import io.ipckit.net.manager.AeronAddress;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * A manager JVM serving on a loopback address for the served variants of {@link IpckitManagerContestant}: over TCP or
 * Aeron UDP ({@link #AERON}: yielding driver and connections, as the net bench runs Aeron; {@link #AERON_DEFAULT}:
 * the default {@code NetOptions}). Its target, {@code transport:127.0.0.1:port:hexkey}, names the transport, the
 * address and the authkey,
 * so a client JVM connects from its arguments alone. The JVM serves until a client calls {@code shutdown()}.
 * <p>
 * Thread-safety: a handle is used by the thread that measures.
 */
public final class ServedManager implements AutoCloseable
{
    /** The transport name of TCP. */
    public static final String TCP = "tcp";
    /** The transport name of Aeron UDP with yielding driver and connections, as the net bench runs it. */
    public static final String AERON = "aeron";
    /** The transport name of Aeron UDP with default {@code NetOptions} (parking driver and connections). */
    public static final String AERON_DEFAULT = "aeron-default";
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private final String target;
    private final JvmProcess process;

    private ServedManager(final String target, final JvmProcess process)
    {
        this.target = target;
        this.process = process;
    }

    /**
     * Starts a manager JVM serving on a free loopback port.
     *
     * @param transport {@link #TCP} or {@link #AERON}.
     * @param log       where its output goes.
     * @return the handle.
     */
    static ServedManager start(final String transport, final Path log)
    {
        final byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        final String target = transport + ":127.0.0.1:" + freePort(transport) + ":" + HexFormat.of().formatHex(key);
        final JvmProcess process = JvmProcess.start(ServedManager.class, new ProcessOptions().args(target)
            .daemon(true).redirectOutput(log).redirectErrorStream(true));
        return new ServedManager(target, process);
    }

    /**
     * @return the target clients connect to.
     */
    String target()
    {
        return target;
    }

    /**
     * @return the manager JVM's pid.
     */
    long pid()
    {
        return process.pid();
    }

    /**
     * Connects, waiting (at most 60 s) for the manager JVM to listen.
     *
     * @return the handle.
     * @throws IpcException when it never answered.
     */
    Manager connect()
    {
        final long start = System.nanoTime();
        while (true)
        {
            try
            {
                return connect(target);
            }
            catch (final IpcException ex)
            {
                if (!process.isAlive() || System.nanoTime() - start > CONNECT_TIMEOUT_NS)
                {
                    throw ex;
                }
                try
                {
                    TimeUnit.MILLISECONDS.sleep(20); // the manager JVM is starting: try again
                }
                catch (final InterruptedException ie)
                {
                    Thread.currentThread().interrupt();
                    throw ex;
                }
            }
        }
    }

    /**
     * Waits (at most 30 s) for the manager JVM to exit after a client's {@code shutdown()}.
     *
     * @throws InterruptedException when interrupted.
     */
    void awaitExit() throws InterruptedException
    {
        process.join(30, TimeUnit.SECONDS);
    }

    /**
     * Stops the manager JVM if it still runs.
     */
    @Override
    public void close()
    {
        process.close();
    }

    /**
     * @param target a program argument.
     * @return true when it is a served manager's target rather than a manager's name.
     */
    static boolean isTarget(final String target)
    {
        return target.startsWith(TCP + ":") || target.startsWith(AERON + ":") ||
            target.startsWith(AERON_DEFAULT + ":");
    }

    /**
     * @param target a served manager's target.
     * @return a handle to it.
     */
    static Manager connect(final String target)
    {
        return Manager.connect(address(target), key(target));
    }

    private static SocketAddress address(final String target)
    {
        final String[] parts = target.split(":");
        if (TCP.equals(parts[0]))
        {
            return new InetSocketAddress(parts[1], Integer.parseInt(parts[2]));
        }
        // AERON as the net bench runs Aeron: yielding driver and connections (a parking driver adds up to 1 ms a hop)
        return AeronAddress.of(parts[1] + ":" + parts[2], AERON_DEFAULT.equals(parts[0]) ? new NetOptions() :
            new NetOptions().idleStrategy(YieldingIdleStrategy.INSTANCE)
                .driverIdleStrategy(YieldingIdleStrategy.INSTANCE));
    }

    private static byte[] key(final String target)
    {
        return HexFormat.of().parseHex(target.substring(target.lastIndexOf(':') + 1));
    }

    private static int freePort(final String transport)
    {
        // below the ephemeral range: no bind to port 0 (a client's socket, a media driver's) can take it meanwhile
        return TCP.equals(transport) ? FreePort.tcp() : FreePort.udp();
    }

    /**
     * The manager JVM: serves on the target's address until a client shuts it down.
     *
     * @param args the target.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final ManagerServer server = Manager.serve(address(args[0]), key(args[0]), new ManagerOptions());
        server.awaitShutdown(1, TimeUnit.HOURS);
        System.exit(0);
    }
}
