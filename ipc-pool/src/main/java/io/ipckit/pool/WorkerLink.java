package io.ipckit.pool;

import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.wait.WakeSignal;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.util.function.BooleanSupplier;

import static io.ipckit.pool.WorkerLinkDescriptor.*;

/**
 * The channel between a pool and one worker JVM: a task ring (pool to worker) and a result ring (worker to pool),
 * Agrona {@link OneToOneRingBuffer}s in one shared file, with futex wake signals so that an idle side sleeps, and
 * the worker's current-task slot, from which the pool learns which task a dead worker was running.
 * <p>
 * Messages of any size: one longer than the ring's maximum message is sent as fragments and reassembled. Each
 * direction has exactly one sender thread and one receiver thread at a time (the pool serialises its senders).
 */
final class WorkerLink implements AutoCloseable
{
    static final int LAYOUT_VERSION = 1;
    private static final int WHOLE = 1;
    private static final int BEGIN = 2;
    private static final int MIDDLE = 3;
    private static final int END = 4;
    private static final long LIVENESS_CHECK_NS = 50_000_000L;
    private static final long RECHECK_NS = 50_000_000L;

    private final ResourceFile file;
    private final OneToOneRingBuffer outbound;
    private final OneToOneRingBuffer inbound;
    private final WakeSignal outboundReady;
    private final WakeSignal outboundSpace;
    private final WakeSignal inboundReady;
    private final WakeSignal inboundSpace;
    private final AtomicBuffer buffer;
    private final int currentTaskOffset;
    private final ExpandableArrayBuffer reassembly = new ExpandableArrayBuffer(4096);
    private final Reassembler reassembler = new Reassembler();
    private final int maxFragmentLength;

    private WorkerLink(final ResourceFile file, final boolean pool)
    {
        this.file = file;
        this.buffer = file.buffer();
        final int data = file.headerLength();
        final int dataLength = (int)file.dataLengthBytes();
        final int ringCapacity = (dataLength - TASK_RING_OFFSET) / 2 - org.agrona.concurrent.ringbuffer.RingBufferDescriptor.TRAILER_LENGTH;
        final OneToOneRingBuffer taskRing = new OneToOneRingBuffer(
            new UnsafeBuffer(buffer, data + TASK_RING_OFFSET, ringLength(ringCapacity)));
        final OneToOneRingBuffer resultRing = new OneToOneRingBuffer(
            new UnsafeBuffer(buffer, data + resultRingOffset(ringCapacity), ringLength(ringCapacity)));
        final WakeSignal taskReady = new WakeSignal(buffer, data + TASK_READY_OFFSET);
        final WakeSignal taskSpace = new WakeSignal(buffer, data + TASK_SPACE_OFFSET);
        final WakeSignal resultReady = new WakeSignal(buffer, data + RESULT_READY_OFFSET);
        final WakeSignal resultSpace = new WakeSignal(buffer, data + RESULT_SPACE_OFFSET);
        this.outbound = pool ? taskRing : resultRing;
        this.inbound = pool ? resultRing : taskRing;
        this.outboundReady = pool ? taskReady : resultReady;
        this.outboundSpace = pool ? taskSpace : resultSpace;
        this.inboundReady = pool ? resultReady : taskReady;
        this.inboundSpace = pool ? resultSpace : taskSpace;
        this.currentTaskOffset = data + CURRENT_TASK_OFFSET;
        this.maxFragmentLength = outbound.maxMsgLength();
    }

    /**
     * Creates the link file for a worker (pool side).
     */
    static WorkerLink create(final String name, final int ringCapacityBytes)
    {
        if (Integer.bitCount(ringCapacityBytes) != 1 || ringCapacityBytes < 1024)
        {
            throw new IllegalArgumentException("ring capacity must be a power of two of at least 1024 bytes: " +
                ringCapacityBytes);
        }
        return new WorkerLink(ResourceFile.create(name, ResourceKind.POOL, LAYOUT_VERSION, 0,
            dataLength(ringCapacityBytes), false, null), true);
    }

    /**
     * Opens a worker's link file (worker side).
     */
    static WorkerLink open(final String name)
    {
        return new WorkerLink(ResourceFile.open(name, ResourceKind.POOL, LAYOUT_VERSION), false);
    }

    String name()
    {
        return file.name();
    }

    /**
     * Sends one message, waiting while the ring is full.
     *
     * @param peerAlive checked while waiting for space; when it turns false the send fails.
     * @throws PeerGoneException    when the peer died while the ring was full.
     * @throws InterruptedException when interrupted while waiting for space.
     */
    void send(final DirectBuffer src, final int offset, final int length, final BooleanSupplier peerAlive)
        throws InterruptedException
    {
        if (length <= maxFragmentLength)
        {
            write(WHOLE, src, offset, length, peerAlive);
        }
        else
        {
            int sent = 0;
            while (sent < length)
            {
                final int chunk = Math.min(maxFragmentLength, length - sent);
                final int type = sent == 0 ? BEGIN : sent + chunk == length ? END : MIDDLE;
                write(type, src, offset + sent, chunk, peerAlive);
                sent += chunk;
            }
        }
        outboundReady.signal(1);
    }

    private void write(
        final int type, final DirectBuffer src, final int offset, final int length, final BooleanSupplier peerAlive)
        throws InterruptedException
    {
        while (!outbound.write(type, src, offset, length))
        {
            outboundReady.signal(1);
            final int seq = outboundSpace.sequence();
            if (outbound.write(type, src, offset, length))
            {
                return;
            }
            if (!outboundSpace.awaitChange(seq, LIVENESS_CHECK_NS) && !peerAlive.getAsBoolean())
            {
                throw new PeerGoneException("the other end of pool link \"" + file.name() + "\" died while a " +
                    length + "-byte message waited for room");
            }
        }
    }

    /**
     * Delivers waiting messages to {@code handler}, sleeping up to {@code timeoutNs} until one arrives.
     *
     * @return the number of whole messages delivered; 0 on timeout.
     * @throws InterruptedException when interrupted while waiting.
     */
    int receive(final MessageHandler handler, final long timeoutNs) throws InterruptedException
    {
        reassembler.delegate = handler;
        reassembler.delivered = 0;
        int read = readMessages();
        if (read == 0 && timeoutNs != 0)
        {
            final long start = System.nanoTime();
            while (read == 0)
            {
                final int seq = inboundReady.sequence();
                read = readMessages();
                if (read > 0)
                {
                    break;
                }
                final long remainingNs = timeoutNs < 0 ? -1 : timeoutNs - (System.nanoTime() - start);
                if (timeoutNs > 0 && remainingNs <= 0)
                {
                    break;
                }
                // bounded sleeps as a second line of defence: progress never depends on a wake-up alone
                inboundReady.awaitChange(seq, remainingNs < 0 ? RECHECK_NS : Math.min(remainingNs, RECHECK_NS));
            }
        }
        if (read > 0)
        {
            inboundSpace.signal(1);
        }
        return reassembler.delivered;
    }

    /**
     * Reads what is in the ring. Agrona's read stops at the end of the buffer: at the wrap it may consume only the
     * padding record and return 0 while whole messages wait at index 0, so a 0 after the head moved means "read
     * again", not "empty" (treating it as empty once put a worker to sleep with 8 tasks in its ring).
     */
    private int readMessages()
    {
        final long headBefore = inbound.consumerPosition();
        int read = inbound.read(reassembler);
        if (read == 0 && inbound.consumerPosition() != headBefore)
        {
            read = inbound.read(reassembler);
        }
        return read;
    }

    /**
     * @return the id of the task the worker runs now, 0 when idle (read by the pool).
     */
    long currentTask()
    {
        return buffer.getLongAcquire(currentTaskOffset);
    }

    /**
     * Records the task the worker is about to run (or 0 when done); written by the worker.
     */
    void currentTask(final long taskId)
    {
        // release store -> the pool reads it after the worker's death to blame the right task
        buffer.putLongRelease(currentTaskOffset, taskId);
    }

    /**
     * Removes the link file; mappings stay valid until closed.
     */
    void unlink()
    {
        file.unlink();
    }

    @Override
    public void close()
    {
        file.close();
    }

    private final class Reassembler implements MessageHandler
    {
        MessageHandler delegate;
        int delivered;
        private int length;

        public void onMessage(final int msgTypeId, final org.agrona.MutableDirectBuffer src, final int index, final int size)
        {
            switch (msgTypeId)
            {
                case WHOLE ->
                {
                    delivered++;
                    delegate.onMessage(WHOLE, src, index, size);
                }
                case BEGIN ->
                {
                    reassembly.putBytes(0, src, index, size);
                    length = size;
                }
                case MIDDLE ->
                {
                    reassembly.putBytes(length, src, index, size);
                    length += size;
                }
                default ->
                {
                    reassembly.putBytes(length, src, index, size);
                    length += size;
                    delivered++;
                    delegate.onMessage(WHOLE, reassembly, 0, length);
                }
            }
        }
    }
}
