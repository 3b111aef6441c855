package io.ipckit.bench.pipe;

import io.ipckit.core.codec.Codecs;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.pipe.Pipe;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedQueue;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The send and receive hot paths in one JVM (both pipe ends, one queue handle), to run with {@code -prof gc}: the
 * {@code gc.alloc.rate.norm} of every method must be 0 B/op (to within JMH's noise of a few bytes). Covered: pipe
 * {@code sendBytes} + in-place {@code receive}, pipe zero-copy {@code claim}/{@code commit} + {@code receive}, queue
 * {@code offerBytes} + {@code receive}, the same with exclusive producer lanes + {@code drain}, queue
 * {@code claim}/{@code commit} + {@code drain}, queue {@code offerBatch} + {@code drain}, and the object put of a
 * {@code byte[]} ({@code put(byte[])}, copied once from its array:
 * {@link io.ipckit.core.codec.Codec#encodedArray}) + {@code receive}. The object takes
 * ({@code recv()}, {@code take()}) allocate the decoded object by nature and are not listed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathAllocationBenchmark
{
    static final int MESSAGE_LENGTH = 64;
    /** Messages per {@code offerBatch} in {@link #queueOfferBatchDrain()}. */
    static final int BATCH = 16;

    private Connection a;
    private Connection b;
    private SharedQueue<byte[]> queue;
    private SharedQueue<byte[]> laneQueue;
    private SharedQueue<byte[]> orderedQueue;
    private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE_LENGTH));
    private final byte[] element = new byte[MESSAGE_LENGTH];
    private final UnsafeBuffer elementView = new UnsafeBuffer(element);
    private final Sink sink = new Sink();
    private final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(BATCH * MESSAGE_LENGTH));
    private final int[] batchOffsets = new int[BATCH];
    private final int[] batchLengths = new int[BATCH];

    /**
     * Creates a pipe and a queue.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final String name = "bench-alloc-" + ProcessHandle.current().pid();
        a = Pipe.create(name + "-pipe");
        b = Pipe.open(name + "-pipe");
        queue = SharedQueue.create(name + "-queue", Codecs.BYTES, new QueueOptions());
        laneQueue = SharedQueue.create(name + "-lanes", Codecs.BYTES, new QueueOptions().producerLanes(2));
        orderedQueue = SharedQueue.create(name + "-ordered", Codecs.BYTES,
            new QueueOptions().producerLanes(2).fifoAcrossProducers(true));
        for (int i = 0; i < BATCH; i++)
        {
            batchOffsets[i] = i * MESSAGE_LENGTH;
            batchLengths[i] = MESSAGE_LENGTH;
        }
    }

    /**
     * Closes and removes both.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        b.close();
        a.close();
        queue.unlink();
        queue.close();
        laneQueue.unlink();
        laneQueue.close();
        orderedQueue.unlink();
        orderedQueue.close();
    }

    /**
     * @return the checksum of the received message.
     * @throws InterruptedException never.
     */
    @Benchmark
    public long pipeSendReceive() throws InterruptedException
    {
        message.putLong(0, sink.sum + 1);
        a.sendBytes(message, 0, MESSAGE_LENGTH);
        b.receive(sink, 0, TimeUnit.NANOSECONDS);
        return sink.sum;
    }

    /**
     * @return the checksum of the received message.
     * @throws InterruptedException never.
     */
    @Benchmark
    public long pipeClaimCommitReceive() throws InterruptedException
    {
        final int index = a.claim(MESSAGE_LENGTH, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        a.claimBuffer().putLong(index, sink.sum + 1);
        a.commit(index);
        b.receive(sink, 0, TimeUnit.NANOSECONDS);
        return sink.sum;
    }

    /**
     * @return the checksum of the received message.
     * @throws InterruptedException never.
     */
    @Benchmark
    public long queueOfferReceive() throws InterruptedException
    {
        message.putLong(0, sink.sum + 1);
        queue.putBytes(message, 0, MESSAGE_LENGTH);
        queue.receive(sink, 0, TimeUnit.NANOSECONDS);
        return sink.sum;
    }

    /**
     * @return the checksum of the received message.
     * @throws InterruptedException never.
     */
    @Benchmark
    public long queuePutArrayReceive() throws InterruptedException
    {
        elementView.putLong(0, sink.sum + 1);
        queue.put(element);
        queue.receive(sink, 0, TimeUnit.NANOSECONDS);
        return sink.sum;
    }

    /**
     * @return the checksum of the received message.
     * @throws InterruptedException never.
     */
    @Benchmark
    public long queueLanesOfferDrain() throws InterruptedException
    {
        return offerDrain(laneQueue);
    }

    /**
     * @return the checksum of the received message, through producer lanes ordered by tickets.
     * @throws InterruptedException never.
     */
    @Benchmark
    public long queueOrderedOfferDrain() throws InterruptedException
    {
        return offerDrain(orderedQueue);
    }

    /**
     * @return the checksum of the drained message, claimed in producer lanes ordered by tickets.
     * @throws InterruptedException never.
     */
    @Benchmark
    public long queueOrderedClaimCommitDrain() throws InterruptedException
    {
        return claimCommitDrain(orderedQueue);
    }

    /**
     * @return the checksum of the drained message.
     * @throws InterruptedException never.
     */
    @Benchmark
    public long queueClaimCommitDrain() throws InterruptedException
    {
        return claimCommitDrain(queue);
    }

    /**
     * @return the checksum of the drained messages, sent {@value #BATCH} at a time by {@code offerBatch}.
     * @throws InterruptedException never.
     */
    @Benchmark
    public long queueOfferBatchDrain() throws InterruptedException
    {
        return offerBatchDrain(queue);
    }

    /**
     * @return the checksum of the drained messages, sent {@value #BATCH} at a time by {@code offerBatch} into a queue
     * ordered across its producer lanes (a block of tickets per batch).
     * @throws InterruptedException never.
     */
    @Benchmark
    public long queueOrderedOfferBatchDrain() throws InterruptedException
    {
        return offerBatchDrain(orderedQueue);
    }

    private long offerBatchDrain(final SharedQueue<byte[]> target) throws InterruptedException
    {
        for (int i = 0; i < BATCH; i++)
        {
            batch.putLong(i * MESSAGE_LENGTH, sink.sum + 1 + i);
        }
        target.offerBatch(batch, batchOffsets, batchLengths, 0, BATCH, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        target.drain(sink, BATCH);
        return sink.sum;
    }

    private long offerDrain(final SharedQueue<byte[]> target) throws InterruptedException
    {
        message.putLong(0, sink.sum + 1);
        target.putBytes(message, 0, MESSAGE_LENGTH);
        target.drain(sink, 16);
        return sink.sum;
    }

    private long claimCommitDrain(final SharedQueue<byte[]> target) throws InterruptedException
    {
        final int index = target.claim(MESSAGE_LENGTH, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        target.claimBuffer().putLong(index, sink.sum + 1);
        target.commit(index);
        target.drain(sink, 16);
        return sink.sum;
    }

    static final class Sink implements BufferHandler
    {
        long sum;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            final long value = buffer.getLong(offset);
            if (value != sum + 1)
            {
                throw new IllegalStateException("expected " + (sum + 1) + " got " + value);
            }
            sum = value;
        }
    }
}
