package io.ipckit.net.bridge;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.durable.SharedLog;
import io.ipckit.net.NetConnection;
import io.ipckit.net.NetOptions;
import io.ipckit.net.NetPipe;
import io.ipckit.pipe.BufferHandler;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.bridge.BridgeMessageDescriptor.*;

/**
 * The remote side of a log's replication: appends the records of a {@link LogReplicator}'s log, in order, to a local
 * {@link SharedLog}, the replica, which local readers then read as any log (named readers, blocking reads, replay).
 * <p>
 * <b>Resuming.</b> A replica that restarts (after its process was killed, or the source went away) resumes after
 * the last record it appended, without losing or repeating one: a small state file beside the replica log
 * ({@link ReplicaStateDescriptor}) says which source record was appended last, and is written before each append
 * so that a death between the two is told apart from a death before or after them (see {@code ReplicaState}). The
 * replica's first message asks the source for the records from there. Replay needs no Aeron Archive: the source
 * log is itself durable and indexed, so the replicator reads it again from the asked index with a reader of its
 * own; an archive would record a second copy of the same records. The replica log must have no other appender.
 * <p>
 * <b>The end of the source.</b> When the replicator is closed, {@link #replicate} and {@link #poll} throw
 * {@link EndOfStreamException} after the records sent; when its process dies or the network is cut, they throw
 * {@link PeerGoneException} within the connection's liveness timeout ({@link NetOptions#livenessTimeout}). Either
 * way, close this replica and connect again to resume. A source that cannot serve from where the replica stands
 * (the record was deleted by its retention) is refused with {@link IpcException} naming the index.
 * <p>
 * Not thread-safe: one thread replicates. The replica's records carry the source's bytes but their own indices (a
 * log numbers its records itself); {@link #lastSourceIndex()} maps the last one back.
 */
public final class LogReplica implements AutoCloseable
{
    private final SharedLog<?> replica;
    private final ReplicaState state;
    private final NetConnection connection;
    private final Appender appender = new Appender();
    private long replicaLastIndex;
    private long lastSourceIndex;
    private boolean closed;

    private LogReplica(final SharedLog<?> replica, final ReplicaState state, final NetConnection connection)
    {
        this.replica = replica;
        this.state = state;
        this.connection = connection;
        this.replicaLastIndex = replica.lastIndex();
        // not the current slot's index when that record was prepared but never appended: it comes again first
        this.lastSourceIndex = state.appendedSourceIndex(replicaLastIndex);
    }

    /**
     * Connects to the replicator at {@code address} and asks for the records after the last one {@code replica}
     * holds (every record still in the source log, for a new replica).
     *
     * @param address the replicator's UDP endpoint, {@code host:port} or an {@code aeron:udp} channel.
     * @param replica the local log the records are appended to, empty or made by an earlier {@code LogReplica} of
     *                the same source; this replica does not close it.
     * @param options the options of the connection.
     * @param timeout the most to wait for the replicator to answer; zero or less to try once.
     * @param unit    the unit of {@code timeout}.
     * @return the replica, connected.
     * @throws IpcTimeoutException  when no replicator answered in time.
     * @throws IpcException         when the replica log does not match its state file (it was written by something
     *                              else), or Aeron cannot start.
     * @throws InterruptedException when interrupted while waiting.
     */
    public static LogReplica connect(
        final String address, final SharedLog<?> replica, final NetOptions options, final long timeout,
        final TimeUnit unit) throws InterruptedException
    {
        Objects.requireNonNull(replica, "replica");
        final ReplicaState state = ReplicaState.openOrCreate(replica.directory());
        NetConnection connection = null;
        try
        {
            final int mode = state.resumeMode(replica.lastIndex());
            connection = NetPipe.connect(address, options, timeout, unit);
            final UnsafeBuffer request = new UnsafeBuffer(new byte[REQUEST_LENGTH]);
            request.putLong(INDEX_OFFSET, state.sourceIndex());
            request.putInt(MODE_OFFSET, mode);
            connection.sendBytes(request, 0, REQUEST_LENGTH);
            return new LogReplica(replica, state, connection);
        }
        catch (final Throwable ex)
        {
            CloseHelper.quietClose(connection);
            state.close();
            throw ex;
        }
    }

    /**
     * Appends the records that have arrived, at most {@code limit}, without waiting.
     *
     * @param limit the most records to append.
     * @return how many were appended.
     * @throws EndOfStreamException    when the replicator closed and every record it sent is appended.
     * @throws PeerGoneException       when the replicator died or became unreachable.
     * @throws IpcException            when the replicator refused to serve from where this replica stands.
     * @throws ResourceClosedException when this replica is closed.
     */
    public int poll(final int limit)
    {
        checkOpen();
        return connection.drain(appender, limit);
    }

    /**
     * Waits at most {@code timeout} for a record, then appends it and those that have arrived after it, at most
     * {@code limit} in all.
     *
     * @param limit   the most records to append.
     * @param timeout the most to wait for the first; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @return how many were appended, 0 when the time ran out.
     * @throws EndOfStreamException    when the replicator closed and every record it sent is appended.
     * @throws PeerGoneException       when the replicator died or became unreachable.
     * @throws IpcException            when the replicator refused to serve from where this replica stands.
     * @throws ResourceClosedException when this replica is closed.
     * @throws InterruptedException    when interrupted while waiting.
     */
    public int replicate(final int limit, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        checkOpen();
        if (limit <= 0 || !connection.receive(appender, timeout, unit))
        {
            return 0;
        }
        if (limit == 1)
        {
            return 1;
        }
        try
        {
            return 1 + connection.drain(appender, limit - 1);
        }
        catch (final EndOfStreamException | PeerGoneException ex)
        {
            return 1; // the next call throws it
        }
    }

    /**
     * @return the source log's index of the last record appended to the replica (before or since this connection),
     *         or -1 when none was.
     */
    public long lastSourceIndex()
    {
        return lastSourceIndex;
    }

    /**
     * @return the replica log.
     */
    public SharedLog<?> replica()
    {
        return replica;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new ResourceClosedException("the replica of " + connection.name() + " is closed");
        }
    }

    /**
     * Closes the connection (the replicator listens again) and the state file; the replica log stays open.
     * Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                connection.close();
            }
            finally
            {
                state.close();
            }
        }
    }

    /**
     * Appends each RECORD to the replica, recording it in the state first.
     */
    private final class Appender implements BufferHandler
    {
        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            final long index = buffer.getLong(offset + INDEX_OFFSET);
            if (index == REFUSED)
            {
                throw new IpcException("the replicator at " + connection.name() + " refused: " +
                    buffer.getStringWithoutLengthAscii(offset + PAYLOAD_OFFSET, length - PAYLOAD_OFFSET));
            }
            if (index < 0 || lastSourceIndex >= 0 && index <= lastSourceIndex)
            {
                throw new IpcException("the replicator at " + connection.name() + " sent index " + index +
                    " after " + lastSourceIndex + ": not in the source log's order");
            }
            state.prepare(replicaLastIndex, index);
            replicaLastIndex = replica.append(buffer, offset + PAYLOAD_OFFSET, length - PAYLOAD_OFFSET);
            lastSourceIndex = index;
        }
    }
}
