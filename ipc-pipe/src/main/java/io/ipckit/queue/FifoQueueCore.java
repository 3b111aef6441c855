package io.ipckit.queue;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.pipe.internal.FileFaults;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ipckit.queue.QueueDescriptor.*;

/**
 * A multi-producer multi-consumer FIFO queue over byte rings called lanes ({@link LaneDescriptor}). By default there
 * is one lane, shared by all producers under its producer lock, and the queue is first-in first-out across all
 * processes. With {@link QueueOptions#producerLanes(int) exclusive lanes}, a producing handle claims one and writes it
 * as a single-producer ring, with no lock and no fence per element; handles that find no free lane, and all producers
 * of a queue with an element bound, share lane 0. Consumers take from any lane holding that lane's consumer lock for
 * one call, so with exclusive lanes each handle's elements come out in the order it put them (Python's guarantee for
 * one process) while elements of different handles interleave in no defined order; with
 * {@link QueueOptions#fifoAcrossProducers(boolean) tickets} ({@link QueueDescriptor#FLAG_ORDERED}) every element takes
 * a ticket from one shared counter as it is published and consumers take them in order under lane 0's consumer lock,
 * so the queue is first-in first-out across processes again. Locks and lanes are taken over from dead holders.
 * <p>
 * This class is the coordinator of one handle: it maps the file, wires the pieces and hands each call to one of them.
 * <ul>
 * <li>{@link LaneWords}: the tail and head words (count and position), the lane table, exclusive lane claims.</li>
 * <li>{@link FifoProducer} over {@link ProducerClaims}, {@link ProducerHold} and {@link ProducerLane}: the producer
 * side (puts and batches, claims, holding the lane, writing records).</li>
 * <li>{@link FifoConsumer} over {@link FastTakeLane}, {@link TicketOrderLane}, {@link ConsumerLane} and
 * {@link LaneLooks}: the consumer side (polls and drains, the lock-free take, ticket order, locks and takes, looks).
 * </li>
 * <li>{@link QueueWalker}: peek, forEach and remove, which read without taking.</li>
 * <li>{@link JoinCounter}: the unfinished-task count of a joinable queue.</li>
 * </ul>
 * Each keeps its crash-safety invariants in its own note to maintainers; together they make a kill at any
 * instruction leave a consistent queue with nothing to repair but what the next lock holder finishes. Threads of one
 * handle are serialised by its two {@link HandleGate}s, see {@link QueueCore}.
 */
final class FifoQueueCore implements QueueCore
{
    private final ResourceFile file;
    private final AtomicBuffer meta;
    private final String description;
    private final int maxElements;
    private final int maxMessageBytes;
    private final int laneCount;
    private final int lanesOffset;
    private final Doorbell producerBell = new Doorbell();
    private final Doorbell consumerBell = new Doorbell();
    private final Doorbell joinBell = new Doorbell();
    private final HandleGate producerGate = new HandleGate();
    private final HandleGate consumerGate = new HandleGate();
    private final CloseGuard guard;
    private final HandleCloser closer;
    private final FileFaults faults;
    private final FifoProducer producer;
    private final FifoConsumer consumer;
    private final QueueWalker walker;
    private final JoinCounter joinCounter;

    FifoQueueCore(final ResourceFile file, final QueueOptions options)
    {
        final IdleStrategy idleStrategy = options.idleStrategy();
        final long spinNs = options.spinBeforeSleep(java.util.concurrent.TimeUnit.NANOSECONDS);
        this.file = file;
        this.meta = file.buffer();
        final int metadata = file.metadataOffset();
        final int capacity = meta.getInt(metadata + CAPACITY_OFFSET);
        this.maxElements = meta.getInt(metadata + MAX_ELEMENTS_OFFSET);
        this.maxMessageBytes = meta.getInt(metadata + MAX_MESSAGE_BYTES_OFFSET);
        final int flags = meta.getInt(metadata + FLAGS_OFFSET);
        final boolean joinable = (flags & FLAG_JOINABLE) != 0;
        final boolean ordered = (flags & FLAG_ORDERED) != 0;
        this.laneCount = meta.getInt(metadata + LANE_COUNT_OFFSET);
        // the rings are built from these values, whatever the open checked before another process could change them
        QueueFiles.checkLayout(file, VARIANT_FIFO, capacity, maxElements, 0, laneCount, flags, maxMessageBytes);
        this.lanesOffset = metadata + lanesOffset();
        final UnsafeBuffer data = new UnsafeBuffer(meta.addressOffset() + file.headerLength(), laneCount * capacity);
        this.description = "queue \"" + file.name() + "\"";
        this.guard = new CloseGuard(description);
        producerBell.wrap(meta, metadata + PRODUCER_DOORBELL_OFFSET);
        consumerBell.wrap(meta, metadata + CONSUMER_DOORBELL_OFFSET);
        joinBell.wrap(meta, metadata + JOIN_DOORBELL_OFFSET);
        this.faults = new FileFaults(file, description);
        this.joinCounter = new JoinCounter(meta, lanesOffset, laneCount, metadata + DONE_COUNT_OFFSET, joinable,
            joinBell, idleStrategy, guard, description, faults);
        this.producer = new FifoProducer(meta, data, description, capacity, maxElements, laneCount, lanesOffset,
            producerBell, consumerBell, new Waiter(producerBell, idleStrategy, guard).spinBeforeSleep(spinNs), faults,
            ordered ? metadata + TICKET_OFFSET : -1);
        if (joinable)
        {
            producer.countPuts(); // the unfinished-task count needs the lanes' exact put counts
        }
        this.consumer = new FifoConsumer(meta, data, description, capacity, laneCount, lanesOffset, producerBell,
            consumerBell, new Waiter(consumerBell, idleStrategy, guard).spinBeforeSleep(spinNs),
            new Waiter(consumerBell, idleStrategy, guard).spinBeforeSleep(spinNs),
            joinCounter, faults, ordered ? metadata + TICKET_OFFSET : -1, maxElements,
            new GateFreeSleep(consumerGate, guard,
                () -> new Waiter(consumerBell, idleStrategy, guard).spinBeforeSleep(spinNs)));
        this.walker = new QueueWalker(consumer, joinCounter);
        this.closer = new HandleCloser(file, guard, producerGate, consumerGate, producer::releaseProducerSide,
            consumer::releaseConsumerSide, faults);
    }

    @Override
    public String name()
    {
        return file.name();
    }

    @Override
    public HandleGate producerGate()
    {
        return producerGate;
    }

    @Override
    public HandleGate consumerGate()
    {
        return consumerGate;
    }

    @Override
    public int maxMessageBytes()
    {
        return maxMessageBytes;
    }

    // ------------------------------------------------------------------------------------------------ producer

    @Override
    public boolean offer(
        final DirectBuffer src, final int offset, final int length, final long key, final long timeoutNs)
        throws InterruptedException
    {
        return producer.offer(src, offset, length, key, timeoutNs);
    }

    @Override
    public boolean offerFast(final byte[] encoded)
    {
        return producer.offerFast(encoded);
    }

    int offerBatch(final DirectBuffer src, final int[] offsets, final int[] lengths, final int start,
        final int count, final long timeoutNs) throws InterruptedException
    {
        return producer.offerBatch(src, offsets, lengths, start, count, timeoutNs);
    }

    int claim(final int length, final long timeoutNs) throws InterruptedException
    {
        return producer.claim(length, timeoutNs);
    }

    int claimLean(final int length)
    {
        return length > maxMessageBytes ? FifoProducer.NOT_LEAN : producer.claimLean(length);
    }

    boolean commitLean(final int index)
    {
        return producer.commitLean(index);
    }

    int claimFast(final int length)
    {
        return producer.claimFast(length);
    }

    boolean commitFast(final int index)
    {
        return producer.commitFast(index);
    }

    /**
     * @return true when the claim held now was made by the producer's fast path. For tests.
     */
    boolean fastClaimHeld()
    {
        return producer.fastClaimHeld();
    }

    /**
     * @return true when the claim held now was made by the producer's leanest path and is not yet adopted by the
     *         general one. For tests.
     */
    boolean leanClaimHeld()
    {
        return producer.leanClaimHeld();
    }

    void commitClaim(final int index)
    {
        producer.commitClaim(index);
    }

    void abortClaim(final int index)
    {
        producer.abortClaim(index);
    }

    int maxClaimLength()
    {
        return producer.maxClaimLength();
    }

    AtomicBuffer dataBuffer()
    {
        return producer.data;
    }

    // ------------------------------------------------------------------------------------------------ consumer

    @Override
    public Object takeDecoded(final Codec<?> codec)
    {
        return consumer.takeFastDecoded(codec);
    }

    @Override
    public boolean poll(final BufferHandler handler, final long timeoutNs) throws InterruptedException
    {
        return consumer.poll(handler, timeoutNs);
    }

    @Override
    public int drain(final BufferHandler handler, final int limit) throws InterruptedException
    {
        return consumer.drain(handler, limit);
    }

    @Override
    public boolean peek(final BufferHandler handler) throws InterruptedException
    {
        return walker.peek(handler);
    }

    @Override
    public void forEach(final BufferHandler handler) throws InterruptedException
    {
        walker.forEach(handler);
    }

    @Override
    public boolean remove(final ElementFilter filter) throws InterruptedException
    {
        return walker.remove(filter);
    }

    // --------------------------------------------------------------------------------------------------- sizes

    @Override
    public int size()
    {
        return LaneWords.size(meta, lanesOffset, laneCount) + (consumer.stashLength >= 0 ? 1 : 0);
    }

    @Override
    public int remainingCapacity()
    {
        return maxElements == 0 ? Integer.MAX_VALUE : Math.max(0, maxElements - size());
    }

    // ------------------------------------------------------------------------------------------------ joinable

    int unfinishedTasks()
    {
        return joinCounter.unfinishedTasks();
    }

    void taskDone()
    {
        joinCounter.taskDone();
    }

    boolean join(final long timeoutNs) throws InterruptedException
    {
        return joinCounter.join(timeoutNs);
    }

    // ------------------------------------------------------------------------------------------- for the tests

    /**
     * @return true when this handle keeps the shared lane's producer lock between calls. For tests.
     */
    boolean producerLockBiased()
    {
        return producer.producerLockBiased();
    }

    /**
     * @return true when this handle holds the shared lane's producer lock word while waiting for its biased holder.
     *         For tests.
     */
    boolean producerTakingPending()
    {
        return producer.producerTakingPending();
    }

    /**
     * @return true when a producing call of this handle is registered as a waiter. For tests.
     */
    boolean producerWaiting()
    {
        return producer.producerWaiting();
    }

    /**
     * @param lane a lane.
     * @return true when this handle holds the lane's consumer lock word while waiting for its biased holder. For
     * tests.
     */
    boolean consumerTakingPending(final int lane)
    {
        return consumer.consumerTakingPending(lane);
    }

    /**
     * @return true when this handle keeps lane 0's consumer lock between calls. For tests.
     */
    boolean consumerLockBiased()
    {
        return consumer.consumerLockBiased();
    }

    /**
     * @return the lane this handle puts into: 0 when shared, -1 before its first put. For tests and diagnostics.
     */
    int producerLane()
    {
        return producer.producerLane();
    }

    // --------------------------------------------------------------------------------------------------- files

    @Override
    public CloseGuard guard()
    {
        return guard;
    }

    @Override
    public void close()
    {
        // a truncated file's doorbells may be gone: its sleepers notice the close within a sleep slice instead
        final boolean truncated = faults.isTruncated();
        if (!truncated && consumerGate.isHeldByCurrentThread() && !guard.isClosed())
        {
            consumer.endWaits(); // closed from a handler: its call waits no more, and the close must not wait for it
        }
        if (truncated ? guard.closeAndAwait() : guard.closeAndAwait(producerBell, consumerBell, joinBell))
        {
            closer.closeWhenIdle();
        }
    }

    @Override
    public FileFaults faults()
    {
        return faults;
    }

    @Override
    public void closeIfPending()
    {
        closer.closeIfPending();
    }

    @Override
    public boolean unlink()
    {
        return file.unlink();
    }

    @Override
    public String toString()
    {
        return description;
    }
}
