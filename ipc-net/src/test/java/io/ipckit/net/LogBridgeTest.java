package io.ipckit.net;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.durable.LogReader;
import io.ipckit.durable.SharedLog;
import io.ipckit.durable.SharedLogOptions;
import io.ipckit.net.bridge.LogReplica;
import io.ipckit.net.bridge.LogReplicator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetTesting.LIVENESS_MS;
import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A {@link SharedLog} replicated to another JVM over loopback ({@link LogReplicator}, {@link LogReplica}): every
 * record once, in order, across the replica's and the source's deaths.
 */
@Timeout(90)
class LogBridgeTest
{
    private static final long SLACK_MS = 2_500;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final String address = "127.0.0.1:" + NetTesting.freePort();

    private static SharedLog<Long> log(final Path directory)
    {
        return SharedLog.openOrCreate(directory, Codecs.LONG, new SharedLogOptions());
    }

    private static long count(final SharedLog<?> log)
    {
        return log.firstIndex() < 0 ? 0 : log.recordsFrom(log.firstIndex());
    }

    /**
     * @return whether the replica holds {@code records}; fails at once when the replica process or the replicator
     *         stopped before that, so that a failure names its cause instead of timing out.
     */
    private static boolean holds(
        final SharedLog<?> replica, final long records, final JvmProcess child, final LogReplicator replicator)
    {
        if (count(replica) >= records)
        {
            return true;
        }
        assertNull(replicator.failure(), "the replicator failed");
        assertTrue(child.isAlive() || count(replica) >= records, "the replica exited with " + child.exitCode() +
            " after " + count(replica) + " records, " + replicator.connections() + " connections served");
        return false;
    }

    private static void assertNumberedFromZero(final SharedLog<Long> log, final long count)
    {
        try (LogReader<Long> reader = log.reader())
        {
            for (long i = 0; i < count; i++)
            {
                assertEquals(i, reader.poll(), "record #" + i);
            }
            assertNull(reader.poll(), "a record after the last one");
        }
    }

    @Test
    void shouldReplicateEveryRecordOnceInOrderWhileTheReplicaIsKilledAndRestarted() throws Exception
    {
        final long count = 3_000;
        final Path replicaDirectory = dir.path().resolve("replica");
        try (SharedLog<Long> source = log(dir.path().resolve("source"));
             SharedLog<Long> replica = log(replicaDirectory);
             LogReplicator replicator = LogReplicator.serve(source, address, options()))
        {
            for (long i = 0; i < count; i++)
            {
                source.append(i);
            }
            final ProcessOptions slowReplica = new ProcessOptions()
                .args("replica", address, replicaDirectory.toString(), "100").inheritIO();
            for (final long killAfter : new long[] {700, 1_900})
            {
                final JvmProcess child = dir.start(LogBridgePeer.class, slowReplica);
                Eventually.await("the replica to hold " + killAfter + " records", Duration.ofSeconds(60),
                    () -> holds(replica, killAfter, child, replicator));
                child.kill();
                assertTrue(child.join(10, TimeUnit.SECONDS));
                assertTrue(count(replica) < count, "the replica finished before it was killed");
            }
            final JvmProcess last = dir.start(LogBridgePeer.class, slowReplica);
            Eventually.await("the replica to hold every record", Duration.ofSeconds(60),
                () -> holds(replica, count, last, replicator));
            replicator.close();
            assertTrue(last.join(20, TimeUnit.SECONDS));
            assertEquals(NetPeer.EXIT_END_OF_STREAM, last.exitCode().orElseThrow());
            assertNull(replicator.failure());
            assertEquals(3, replicator.connections());
            assertNumberedFromZero(replica, count);
        }
    }

    @Test
    void shouldServeSeveralReplicasAtOnceWithoutOneHoldingBackAnother() throws Exception
    {
        final long count = 1_000;
        final Path otherDirectory = dir.path().resolve("other");
        try (SharedLog<Long> source = log(dir.path().resolve("source"));
             SharedLog<Long> first = log(dir.path().resolve("first"));
             SharedLog<Long> other = log(otherDirectory);
             LogReplicator replicator = LogReplicator.serve(source, address, options()))
        {
            for (long i = 0; i < count; i++)
            {
                source.append(i);
            }
            final JvmProcess child;
            try (LogReplica idle = LogReplica.connect(address, first, options(), 60, TimeUnit.SECONDS))
            {
                // the first replica takes nothing yet; the other is served meanwhile
                child = dir.start(LogBridgePeer.class,
                    new ProcessOptions().args("replica", address, otherDirectory.toString(), "0").inheritIO());
                Eventually.await("the other replica to hold every record", Duration.ofSeconds(60),
                    () -> holds(other, count, child, replicator));
                assertEquals(2, replicator.activeConnections());
                for (long n = 0; n < count; )
                {
                    n += idle.replicate(256, 10, TimeUnit.SECONDS);
                }
            }
            replicator.close();
            assertTrue(child.join(20, TimeUnit.SECONDS));
            assertEquals(NetPeer.EXIT_END_OF_STREAM, child.exitCode().orElseThrow());
            assertNull(replicator.failure());
            assertEquals(2, replicator.connections());
            assertNumberedFromZero(first, count);
            assertNumberedFromZero(other, count);
        }
    }

    @Test
    void shouldThrowPeerGoneWithinTheBoundWhenTheSourceIsKilledThenResume() throws Exception
    {
        final Path sourceDirectory = dir.path().resolve("source");
        final ProcessOptions source = new ProcessOptions()
            .args("source", address, sourceDirectory.toString(), "100").inheritIO();
        try (SharedLog<Long> replicaLog = log(dir.path().resolve("replica")))
        {
            final JvmProcess first = dir.start(LogBridgePeer.class, source);
            try (LogReplica replica = LogReplica.connect(address, replicaLog, options(), 60, TimeUnit.SECONDS))
            {
                for (int n = 0; n < 100; )
                {
                    n += replica.replicate(100, 10, TimeUnit.SECONDS);
                }
                first.kill();
                final long killed = System.nanoTime();
                assertThrows(PeerGoneException.class, () -> replica.replicate(1, 10, TimeUnit.SECONDS));
                final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                assertTrue(tookMs < LIVENESS_MS + SLACK_MS, "PeerGoneException after " + tookMs + " ms");
            }
            dir.start(LogBridgePeer.class, source); // appends 100 more and serves again
            try (LogReplica replica = LogReplica.connect(address, replicaLog, options(), 60, TimeUnit.SECONDS))
            {
                for (int n = 0; n < 100; )
                {
                    n += replica.replicate(100, 10, TimeUnit.SECONDS);
                }
                assertEquals(0, replica.replicate(1, 100, TimeUnit.MILLISECONDS));
            }
            assertNumberedFromZero(replicaLog, 200);
        }
    }

    @Test
    void shouldRefuseAReplicaLogWrittenBySomethingElseAndAnIndexTheSourceDoesNotHold() throws Exception
    {
        try (SharedLog<Long> foreign = log(dir.path().resolve("foreign")))
        {
            foreign.append(1L);
            final IpcException refused = assertThrows(IpcException.class,
                () -> LogReplica.connect(address, foreign, options(), 1, TimeUnit.SECONDS));
            assertTrue(refused.getMessage().contains("holds records but its state names none"), refused.getMessage());
        }
        try (SharedLog<Long> source = log(dir.path().resolve("source"));
             SharedLog<Long> other = log(dir.path().resolve("other"));
             SharedLog<Long> replicaLog = log(dir.path().resolve("replica")))
        {
            source.append(7L);
            try (LogReplicator replicator = LogReplicator.serve(source, address, options());
                 LogReplica replica = LogReplica.connect(address, replicaLog, options(), 20, TimeUnit.SECONDS))
            {
                assertEquals(1, replica.replicate(1, 10, TimeUnit.SECONDS));
                assertEquals(source.lastIndex(), replica.lastSourceIndex());
            }
            try (LogReplicator replicator = LogReplicator.serve(other, address, options());
                 LogReplica replica = LogReplica.connect(address, replicaLog, options(), 20, TimeUnit.SECONDS))
            {
                final IpcException refused = assertThrows(IpcException.class,
                    () -> replica.replicate(1, 10, TimeUnit.SECONDS));
                assertTrue(refused.getMessage().contains("holds no record at index " + source.lastIndex()),
                    refused.getMessage());
            }
        }
    }
}
