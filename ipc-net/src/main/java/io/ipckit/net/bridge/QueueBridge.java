package io.ipckit.net.bridge;

import io.ipckit.net.NetConnection;
import io.ipckit.net.NetOptions;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.queue.AbstractSharedQueue;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A remote producer feeding a local queue: every message a producer on another host sends on a
 * {@link io.ipckit.net.NetPipe#connect connection} to this bridge's address is put into the local queue, as one
 * element with the message's bytes (what the queue's codec decodes: send with the same codec), in order, once each.
 * Local consumers take from the queue as usual.
 * <pre>{@code
 * // host A: the queue's host                            // host B: the producer
 * SharedQueue<String> jobs = SharedQueue.create("jobs");   try (NetConnection c = NetPipe.connect("hostA:40300")) {
 * QueueBridge bridge = QueueBridge.serve(                     c.send("job 1", Codecs.STRING);
 *     "0.0.0.0:40300", jobs, new NetOptions());            }
 * }</pre>
 * Any number of producers at once, each on its own connection and served by a thread of its own: one producer's
 * messages are put in its order, and different producers' interleave as local producers' do. When a producer closes
 * its end or is gone, only its session ends. Flow control reaches each producer: while the queue is full the bridge waits to put, stops reading, Aeron's window fills, and
 * the producer's sends wait (or time out) as on a full local queue. What a producer sent before it was killed is put
 * when it arrived; a message Aeron had not delivered when the producer died is lost with it (Aeron's liveness
 * gives {@link io.ipckit.core.exceptions.PeerGoneException} to a producer whose bridge is gone instead).
 * <p>
 * A producer's thread receives each message into a buffer and puts it. Closing the bridge while the queue is full
 * drops the one message each such thread holds (it was received but not put). Thread-safe; {@link #close()} is idempotent and
 * does not close the queue.
 */
public final class QueueBridge implements AutoCloseable
{
    private final AbstractSharedQueue<?> queue;
    private final ServeLoop loop;
    private final AtomicLong messages = new AtomicLong();

    private QueueBridge(final String address, final AbstractSharedQueue<?> queue, final NetOptions options)
    {
        this.queue = queue;
        this.loop = new ServeLoop("queue bridge", address, options, this::serve);
    }

    /**
     * Starts putting into {@code queue} what a producer sends to {@code address}.
     *
     * @param address the local UDP endpoint, {@code host:port} or an {@code aeron:udp} channel.
     * @param queue   the local queue (any of the queue family); it stays open while fed, and its owner closes it
     *                after this.
     * @param options the options of the connection.
     * @return the bridge, already listening in its own thread.
     * @throws NullPointerException     when an argument is null.
     * @throws IllegalArgumentException when the address is not {@code host:port} or an {@code aeron:udp} channel.
     * @throws io.ipckit.core.exceptions.IpcException when Aeron cannot start or the address cannot be bound (the
     *                                  port is taken, or no interface has the host), or when interrupted while
     *                                  binding (the interrupt is kept).
     */
    public static QueueBridge serve(final String address, final AbstractSharedQueue<?> queue, final NetOptions options)
    {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(options, "options");
        ServeLoop.checkAddress(address);
        return new QueueBridge(address, queue, options);
    }

    private void serve(final NetConnection connection) throws InterruptedException
    {
        final Stager stager = new Stager();
        while (true)
        {
            connection.receive(stager);
            queue.putBytes(stager.message, 0, stager.length);
            messages.incrementAndGet();
        }
    }

    /**
     * @return the number of messages put into the queue so far.
     */
    public long messages()
    {
        return messages.get();
    }

    /**
     * @return the number of producer connections accepted so far (those being served included).
     */
    public int connections()
    {
        return loop.sessions();
    }

    /**
     * @return the number of producers being served now.
     */
    public int activeConnections()
    {
        return loop.activeSessions();
    }

    /**
     * @return the first failure of a producer's session (of the queue, or of Aeron) or of the listener, or null when
     *         there was none; a failed session ends alone, the others go on.
     */
    public Throwable failure()
    {
        return loop.failure();
    }

    /**
     * Stops the bridge: every producer's connection ends (its receives get
     * {@link io.ipckit.core.exceptions.EndOfStreamException}, its sends {@link io.ipckit.core.exceptions.PeerGoneException}).
     * Waits for the bridge's threads. Idempotent; the queue stays open.
     */
    @Override
    public void close()
    {
        loop.close();
    }

    /**
     * Copies a received message.
     */
    private static final class Stager implements BufferHandler
    {
        private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(1024);
        private int length;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            message.putBytes(0, buffer, offset, length);
            this.length = length;
        }
    }
}
