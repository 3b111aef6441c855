package io.ipckit.net;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.durable.SharedLog;
import io.ipckit.durable.SharedLogOptions;
import io.ipckit.net.bridge.LogReplica;
import io.ipckit.net.bridge.LogReplicator;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The other JVM of the log bridge's tests. {@code LogBridgePeer <mode> <address> <log directory> [n]}:
 * <ul>
 *     <li>{@code replica}: replicates into the log (which must exist) one record at a time, parking {@code n} µs
 *     after each, until the replicator closes (exit {@link NetPeer#EXIT_END_OF_STREAM}) or is gone
 *     ({@link NetPeer#EXIT_PEER_GONE}).</li>
 *     <li>{@code source}: opens or creates the log of Long records, appends {@code n} more numbered on from its
 *     record count, serves it, and waits to be killed.</li>
 * </ul>
 */
public final class LogBridgePeer
{
    private LogBridgePeer()
    {
    }

    /**
     * @param args mode, address, log directory, n.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final String address = args[1];
        final Path directory = Path.of(args[2]);
        final long n = Long.parseLong(args[3]);
        int status;
        try (SharedLog<Long> log = SharedLog.openOrCreate(directory, Codecs.LONG, new SharedLogOptions()))
        {
            if ("source".equals(args[0]))
            {
                final long first = log.firstIndex() < 0 ? 0 : log.recordsFrom(log.firstIndex());
                for (long i = first; i < first + n; i++)
                {
                    log.append(i);
                }
                LogReplicator.serve(log, address, NetTesting.options());
                System.out.println("SERVING " + (first + n));
                Thread.sleep(Long.MAX_VALUE);
            }
            try (LogReplica replica = LogReplica.connect(address, log, NetTesting.options(), 60, TimeUnit.SECONDS))
            {
                while (true)
                {
                    replica.replicate(1, 30, TimeUnit.SECONDS);
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(n));
                }
            }
            catch (final EndOfStreamException ex)
            {
                status = NetPeer.EXIT_END_OF_STREAM;
            }
            catch (final PeerGoneException ex)
            {
                status = NetPeer.EXIT_PEER_GONE;
            }
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace(System.out);
            status = NetPeer.EXIT_FAILED;
        }
        System.out.flush();
        Runtime.getRuntime().halt(status);
    }
}
