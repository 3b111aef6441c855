package io.ipckit.net.bridge;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.durable.LogReader;
import io.ipckit.durable.RecordHandler;
import io.ipckit.durable.SharedLog;
import io.ipckit.net.NetConnection;
import io.ipckit.net.NetOptions;
import io.ipckit.pipe.BufferHandler;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.bridge.BridgeMessageDescriptor.*;

/**
 * The source side of a log's replication: serves a local {@link SharedLog} to a {@link LogReplica} on another host,
 * from where the replica asks to start, then each record as it is appended, in order.
 * <pre>{@code
 * // host A: the source                                 // host B: the replica
 * SharedLog<Order> orders = SharedLog.openOrCreate(...);  SharedLog<Order> copy = SharedLog.openOrCreate(...);
 * LogReplicator replicator =                             LogReplica replica = LogReplica.connect(
 *     LogReplicator.serve(orders, "0.0.0.0:40200", o);       "hostA:40200", copy, o, 10, SECONDS);
 *                                                        while (running) replica.replicate(256, 1, SECONDS);
 * }</pre>
 * One replicator serves a set of replicas on one address, any number at once (on other hosts, or several on one),
 * each from its own reader of the log (readers are independent), so a slow or dead replica holds back no other.
 * When a replica closes its end or is gone (killed, or unreachable for the liveness timeout), its session ends,
 * and its next incarnation connects again and tells the replicator where to resume.
 * <p>
 * A thread accepts replicas ({@link io.ipckit.net.NetListener}), and a thread per replica does the work: it waits
 * for records on the log's doorbell, and sends each as one message (its index, then its bytes:
 * {@link BridgeMessageDescriptor}), blocking while Aeron's flow control holds that replica back.
 * <p>
 * Thread-safe; {@link #close()} is idempotent. It does not close the log.
 */
public final class LogReplicator implements AutoCloseable
{
    private static final long WAIT_SLICE_MS = 20;
    private static final BufferHandler DISCARD = (buffer, offset, length) -> { };

    private final SharedLog<?> log;
    private final ServeLoop loop;

    private LogReplicator(final SharedLog<?> log, final String address, final NetOptions options)
    {
        this.log = log;
        this.loop = new ServeLoop("log replicator", address, options, this::serve);
    }

    /**
     * Starts serving {@code log} to a replica that connects to {@code address}.
     *
     * @param log     the source log; it stays open while served, and its owner closes it after this.
     * @param address the local UDP endpoint, {@code host:port} or an {@code aeron:udp} channel.
     * @param options the options of the connection.
     * @return the replicator, already listening in its own thread.
     * @throws NullPointerException     when an argument is null.
     * @throws IllegalArgumentException when the address is not {@code host:port} or an {@code aeron:udp} channel.
     * @throws io.ipckit.core.exceptions.IpcException when Aeron cannot start or the address cannot be bound (the
     *                                  port is taken, or no interface has the host), or when interrupted while
     *                                  binding (the interrupt is kept).
     */
    public static LogReplicator serve(final SharedLog<?> log, final String address, final NetOptions options)
    {
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(options, "options");
        ServeLoop.checkAddress(address);
        return new LogReplicator(log, address, options);
    }

    private void serve(final NetConnection connection) throws InterruptedException
    {
        final byte[] request = connection.recvBytes();
        try (LogReader<?> reader = log.reader())
        {
            final String refusal = position(reader, request);
            if (refusal != null)
            {
                final byte[] text = refusal.getBytes(StandardCharsets.US_ASCII);
                final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(PAYLOAD_OFFSET + text.length);
                message.putLong(INDEX_OFFSET, REFUSED);
                message.putBytes(PAYLOAD_OFFSET, text);
                connection.sendBytes(message, 0, PAYLOAD_OFFSET + text.length);
                return;
            }
            final Stager stager = new Stager(reader);
            while (true)
            {
                if (reader.drain(stager, 1) == 1 || reader.receive(stager, WAIT_SLICE_MS, TimeUnit.MILLISECONDS))
                {
                    connection.sendBytes(stager.message, 0, stager.length);
                }
                else
                {
                    connection.drain(DISCARD, 1); // throws when the replica closed or is gone
                }
            }
        }
    }

    /**
     * Moves {@code reader} to where the request asks.
     *
     * @return null when there, or why not.
     */
    private static String position(final LogReader<?> reader, final byte[] request)
    {
        if (request.length != REQUEST_LENGTH)
        {
            return "a request of " + request.length + " bytes, not " + REQUEST_LENGTH + ": not a LogReplica";
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(request);
        final long index = buffer.getLong(INDEX_OFFSET);
        final int mode = buffer.getInt(MODE_OFFSET);
        if (mode == FROM_START)
        {
            reader.toStart();
            return null;
        }
        if (mode != FROM_INDEX && mode != AFTER_INDEX)
        {
            return "an unknown request mode " + mode;
        }
        if (!reader.seek(index))
        {
            return "the source log holds no record at index " + index + " (deleted by retention, or the replica " +
                "was made from another log)";
        }
        if (mode == AFTER_INDEX && reader.drain((b, o, l) -> { }, 1) != 1)
        {
            throw new IpcException("the record at index " + index + " vanished while positioning on it");
        }
        return null;
    }

    /**
     * @return the number of replica connections accepted so far (those being served included).
     */
    public int connections()
    {
        return loop.sessions();
    }

    /**
     * @return the number of replicas being served now.
     */
    public int activeConnections()
    {
        return loop.activeSessions();
    }

    /**
     * @return the first failure of a replica's session (of the log, or of Aeron) or of the listener, or null when
     *         there was none; a failed session ends alone, the others go on.
     */
    public Throwable failure()
    {
        return loop.failure();
    }

    /**
     * Stops serving: each replica gets {@link io.ipckit.core.exceptions.EndOfStreamException} after the records
     * sent to it. Waits for the replicator's threads. Idempotent; the log stays open.
     */
    @Override
    public void close()
    {
        loop.close();
    }

    /**
     * Copies the record a reader hands over into a RECORD message.
     */
    private static final class Stager implements RecordHandler
    {
        private final LogReader<?> reader;
        private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(1024);
        private int length;

        Stager(final LogReader<?> reader)
        {
            this.reader = reader;
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            message.putLong(INDEX_OFFSET, reader.lastReadIndex());
            message.putBytes(PAYLOAD_OFFSET, buffer, offset, length);
            this.length = PAYLOAD_OFFSET + length;
        }
    }
}
