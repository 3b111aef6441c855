package io.ipckit.net.bridge;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.internal.net.FreePort;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.durable.LogReader;
import io.ipckit.durable.SharedLog;
import io.ipckit.durable.SharedLogOptions;
import io.ipckit.net.NetOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A replica resumed after a death between its write-ahead state and its append: the prepared record comes again
 * and is appended once.
 */
@Timeout(60)
class LogReplicaResumeTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldAppendThePreparedRecordOnceWhenTheReplicaDiedBeforeAppendingIt() throws Exception
    {
        final NetOptions options = new NetOptions()
            .livenessTimeout(1, TimeUnit.SECONDS)
            .closeLingerTimeout(2, TimeUnit.SECONDS)
            .termLengthBytes(256 * 1024);
        final String address = "127.0.0.1:" + FreePort.udp();
        try (SharedLog<Long> source = SharedLog.openOrCreate(dir.path().resolve("source"), Codecs.LONG,
                new SharedLogOptions());
             SharedLog<Long> replica = SharedLog.openOrCreate(dir.path().resolve("replica"), Codecs.LONG,
                new SharedLogOptions()))
        {
            final long first = source.append(0L);
            final long second = source.append(1L);
            source.append(2L);
            // what a replica leaves when killed after appending record 0 and preparing record 1
            try (ReplicaState state = ReplicaState.openOrCreate(replica.directory()))
            {
                state.prepare(replica.lastIndex(), first);
                replica.append(0L);
                state.prepare(replica.lastIndex(), second);
            }
            try (LogReplicator replicator = LogReplicator.serve(source, address, options);
                 LogReplica resumed = LogReplica.connect(address, replica, options, 20, TimeUnit.SECONDS))
            {
                assertEquals(first, resumed.lastSourceIndex(), "record 1 was prepared, never appended");
                for (int n = 0; n < 2; )
                {
                    n += resumed.replicate(2, 10, TimeUnit.SECONDS);
                }
                assertEquals(source.lastIndex(), resumed.lastSourceIndex());
                assertNull(replicator.failure());
            }
            try (LogReader<Long> reader = replica.reader())
            {
                for (long i = 0; i < 3; i++)
                {
                    assertEquals(i, reader.poll(), "record #" + i);
                }
                assertNull(reader.poll(), "a record after the last one");
            }
        }
    }
}
