package io.ipckit.pool;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.tracker.ResourceTracker;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.pipe.Pipe;
import io.ipckit.pipe.PipeOptions;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The channel between a pool and one worker JVM: one end of a duplex {@link Pipe} (the pool creates it and holds
 * end A, the worker opens end B). The pipe gives the pool its guarantees: messages of any length (split and
 * reassembled), a receive that returns every message a dead peer committed and then throws
 * {@link PeerGoneException}, and {@link EndOfStreamException} once a peer closed its end.
 * <p>
 * This is the only class of the pool that touches {@link Connection}: the rest of the pool sees nanosecond timeouts,
 * an {@link InterruptedException} from every wait, and {@link Handler}.
 * <p>
 * Not thread-safe: one thread sends while another receives (as {@link Connection}), and {@link #close()} runs when
 * neither does.
 */
final class WorkerChannel implements AutoCloseable
{
    /** Longest single wait before a sender looks again whether a peer that never opened its end is still alive. */
    static final long FIRST_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long LONGEST_SLICE_NS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Receives one whole message in place; the bytes are valid only during the call.
     */
    @FunctionalInterface
    interface Handler
    {
        /**
         * @param buffer holds the message.
         * @param offset where it starts.
         * @param length its length.
         */
        void onMessage(DirectBuffer buffer, int offset, int length);
    }

    private final Connection connection;
    private final String name;
    private final BufferHandler forward = this::forward;
    private Handler handler;

    private WorkerChannel(final Connection connection)
    {
        this.connection = connection;
        this.name = connection.name();
    }

    /**
     * Creates the pipe of a worker (pool side, end A).
     *
     * @param name              a valid resource name.
     * @param ringCapacityBytes the capacity of each ring, a power of two.
     * @return the pool's end.
     */
    static WorkerChannel create(final String name, final int ringCapacityBytes)
    {
        return new WorkerChannel(Pipe.create(name, new PipeOptions().ringCapacityBytes(ringCapacityBytes)));
    }

    /**
     * Opens a worker's pipe (worker side, end B).
     *
     * @param name the pipe's name.
     * @return the worker's end.
     */
    static WorkerChannel open(final String name)
    {
        return new WorkerChannel(Pipe.open(name));
    }

    String name()
    {
        return name;
    }

    /**
     * @return the longest message {@link #claim} takes; longer ones go through {@link #send}.
     */
    int maxClaimLength()
    {
        return connection.maxClaimLength();
    }

    /**
     * Claims room for a message of at most {@link #maxClaimLength()} bytes, waiting while the ring is full.
     *
     * @param length    the message length.
     * @param peerAlive asked between waits; false fails the claim (for a peer that died before it opened its end).
     * @return the index in {@link #claimBuffer()} to write at; publish with {@link #commit(int)}.
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting.
     */
    int claim(final int length, final BooleanSupplier peerAlive) throws InterruptedException
    {
        int index = connection.tryClaim(length);
        long sliceNs = FIRST_SLICE_NS;
        while (index < 0)
        {
            checkAlive(peerAlive, length);
            index = connection.claim(length, sliceNs, TimeUnit.NANOSECONDS);
            sliceNs = Math.min(2 * sliceNs, LONGEST_SLICE_NS);
        }
        return index;
    }

    /**
     * Claims room for a message of at most {@link #maxClaimLength()} bytes if there is room now.
     *
     * @param length the message length.
     * @return the index in {@link #claimBuffer()} to write at (publish with {@link #commit(int)}), or a negative value
     *         when the ring has no room now.
     * @throws PeerGoneException when the peer closed its end or died.
     */
    int tryClaim(final int length)
    {
        return connection.tryClaim(length);
    }

    MutableDirectBuffer claimBuffer()
    {
        return connection.claimBuffer();
    }

    void commit(final int index)
    {
        connection.commit(index);
    }

    /**
     * Sends a message of any length, waiting while the ring is full. A try that runs out of time is begun again
     * with a longer wait (the receiver discards the part of a message whose sender started it again).
     *
     * @param peerAlive asked between tries; false fails the send (for a peer that died before it opened its end).
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting.
     */
    void send(final DirectBuffer src, final int offset, final int length, final BooleanSupplier peerAlive)
        throws InterruptedException
    {
        long sliceNs = FIRST_SLICE_NS;
        while (true)
        {
            if (connection.sendBytes(src, offset, length, sliceNs, TimeUnit.NANOSECONDS))
            {
                return;
            }
            checkAlive(peerAlive, length);
            sliceNs = Math.min(2 * sliceNs, LONGEST_SLICE_NS);
        }
    }

    /**
     * Sends a message of any length if there is room for it within {@code timeoutNs}: a try that runs out of time
     * leaves nothing the receiver will keep (it discards the part of a longer message already sent).
     *
     * @param timeoutNs the most to wait for room, 0 to try once.
     * @return true when sent, false when the time ran out.
     * @throws PeerGoneException    when the peer closed its end or died.
     * @throws InterruptedException when interrupted while waiting.
     */
    boolean trySend(final DirectBuffer src, final int offset, final int length, final long timeoutNs)
        throws InterruptedException
    {
        return connection.sendBytes(src, offset, length, timeoutNs, TimeUnit.NANOSECONDS);
    }

    /**
     * Hands the next message to {@code handler} in place, waiting up to {@code timeoutNs} for one.
     *
     * @param timeoutNs the most to wait, 0 not to wait.
     * @return true when a message was handed over, false when the time ran out.
     * @throws EndOfStreamException when the peer closed its end and every message it sent was received.
     * @throws PeerGoneException    when the peer died and every message it committed was received.
     * @throws InterruptedException when interrupted while waiting.
     */
    boolean receive(final Handler handler, final long timeoutNs) throws InterruptedException
    {
        this.handler = handler;
        try
        {
            return connection.receive(forward, timeoutNs, TimeUnit.NANOSECONDS);
        }
        finally
        {
            this.handler = null;
        }
    }

    /**
     * Removes the pipe's name, also when the peer never opened its end (then closing would not remove it); the
     * mappings stay valid until closed. Pool side only; safe from any thread. Idempotent.
     */
    void unlink()
    {
        ResourceTracker.unregister(SharedDirectory.resolve(name));
        SharedDirectory.unlinkIfExists(name);
    }

    /**
     * Closes this end; the name is removed once both ends are closed or the other end's process is dead.
     * Idempotent.
     */
    @Override
    public void close()
    {
        connection.close();
    }

    /**
     * @return the pipe's name, for messages.
     */
    @Override
    public String toString()
    {
        return "pool pipe \"" + name + "\"";
    }

    private void forward(final DirectBuffer buffer, final int offset, final int length)
    {
        handler.onMessage(buffer, offset, length);
    }

    private void checkAlive(final BooleanSupplier peerAlive, final int length)
    {
        if (!peerAlive.getAsBoolean())
        {
            throw new PeerGoneException("the worker at the other end of pipe \"" + name + "\" died while a " + length +
                "-byte message waited for room");
        }
    }
}
