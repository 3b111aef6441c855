package io.ipckit.bench.pipe;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.file.MappedFile;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import io.ipckit.pipe.PipeOptions;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedQueue;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
 * One sender thread and one receiver thread, on two cores, of one JVM: 64-byte messages through the raw Agrona
 * {@link OneToOneRingBuffer} ({@code write}, and {@code tryClaim}/{@code commit}) and through ipckit's default
 * queue ({@code offerBytes}, and {@code tryClaim}/{@code commit}), each drained by the receiver. The cache lines move
 * between the cores as they do between two processes, while {@code -prof perfasm} can see both threads' instructions
 * in one JVM. The figure to read is the {@code received} counter (messages/s) of each group; a send that finds the
 * ring full returns at once (counted in {@code full}), so neither thread blocks at the end of an iteration. The
 * {@code pipe} group sends through ipckit's one-way {@link Pipe} ({@code sendBytes}, {@code drain}), whose ring is
 * Agrona's: what it adds to {@code ringWrite} is the pipe's own work.
 * <p>
 * The rates are bimodal: a receiver that keeps up polls the cache line the sender writes next, and may fall into
 * step with the sender, one message per pass and the line moving between the cores for each store to it. A claim
 * whose copy is made between two of the sender's stores to that line falls into that mode most often (the queue's
 * claim ran at 4-5 M msg/s in some forks and 21-25 M in others). Compare groups over several forks.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CrossCoreSendBenchmark
{
    /** The single-thread {@link PutPathBenchmark}'s message and ring sizes, so the two compare. */
    static final int MESSAGE_LENGTH = PutPathBenchmark.MESSAGE_LENGTH;
    static final int CAPACITY_BYTES = PutPathBenchmark.CAPACITY_BYTES;

    private MappedFile ringFile;
    private OneToOneRingBuffer ring;
    private SharedQueue<byte[]> queue;
    private String pipeName;
    private Connection pipeSender;
    private Connection pipeReceiver;
    private MutableDirectBuffer claims;
    private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE_LENGTH));
    private long sequence;

    /**
     * Creates the ring (over a mapped file, as the harness's floor), the queue and the pipe.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final String name = "bench-cross-" + ProcessHandle.current().pid() + "-" + System.identityHashCode(this);
        ringFile = MappedFile.create(name + "-ring", CAPACITY_BYTES + RingBufferDescriptor.TRAILER_LENGTH);
        ring = new OneToOneRingBuffer(ringFile.buffer());
        queue = SharedQueue.create(name + "-queue", Codecs.BYTES, new QueueOptions().capacityBytes(CAPACITY_BYTES));
        pipeName = name + "-pipe";
        pipeSender = Pipe.create(pipeName, new PipeOptions().ringCapacityBytes(CAPACITY_BYTES).duplex(false));
        pipeReceiver = Pipe.open(pipeName);
    }

    /**
     * Removes the ring, the queue and the pipe.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        ringFile.unlink();
        ringFile.close();
        queue.unlink();
        queue.close();
        pipeReceiver.close();
        pipeSender.close();
        SharedDirectory.unlinkIfExists(pipeName);
    }

    /**
     * The receiver's counters, reported by JMH as rates.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Received implements BufferHandler, org.agrona.concurrent.MessageHandler
    {
        /** Messages received. */
        public long received;
        private long last;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            check(buffer.getLong(offset));
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index,
            final int length)
        {
            check(buffer.getLong(index));
        }

        private void check(final long value)
        {
            if (value <= last)
            {
                throw new IllegalStateException("message " + value + " after " + last);
            }
            last = value;
            received++;
        }
    }

    /**
     * The sender's counter of sends that found no room.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Full
    {
        /** Sends that found the ring full. */
        public long full;
    }

    /**
     * Raw ring, {@code write}.
     *
     * @param full the full-ring counter.
     */
    @Benchmark
    @Group("ringWrite")
    @GroupThreads(1)
    public void ringWriteSend(final Full full)
    {
        message.putLong(0, sequence + 1);
        count(ring.write(1, message, 0, MESSAGE_LENGTH), full);
    }

    /**
     * Raw ring's receiver.
     *
     * @param received the counter.
     * @return messages read.
     */
    @Benchmark
    @Group("ringWrite")
    @GroupThreads(1)
    public int ringWriteReceive(final Received received)
    {
        return ring.read(received, 256);
    }

    /**
     * Raw ring, {@code tryClaim}, copy, {@code commit}.
     *
     * @param full the full-ring counter.
     */
    @Benchmark
    @Group("ringClaim")
    @GroupThreads(1)
    public void ringClaimSend(final Full full)
    {
        message.putLong(0, sequence + 1);
        final int index = ring.tryClaim(1, MESSAGE_LENGTH);
        if (index > 0)
        {
            ring.buffer().putBytes(index, message, 0, MESSAGE_LENGTH);
            ring.commit(index);
        }
        count(index > 0, full);
    }

    /**
     * Raw ring's receiver.
     *
     * @param received the counter.
     * @return messages read.
     */
    @Benchmark
    @Group("ringClaim")
    @GroupThreads(1)
    public int ringClaimReceive(final Received received)
    {
        return ring.read(received, 256);
    }

    /**
     * ipckit's queue, {@code offerBytes} without waiting.
     *
     * @param full the full-queue counter.
     * @throws InterruptedException never (no call waits).
     */
    @Benchmark
    @Group("queueOffer")
    @GroupThreads(1)
    public void queueOfferSend(final Full full) throws InterruptedException
    {
        message.putLong(0, sequence + 1);
        count(queue.offerBytes(message, 0, MESSAGE_LENGTH, 0, TimeUnit.NANOSECONDS), full);
    }

    /**
     * ipckit's queue's receiver.
     *
     * @param received the counter.
     * @return messages drained.
     */
    @Benchmark
    @Group("queueOffer")
    @GroupThreads(1)
    public int queueOfferReceive(final Received received)
    {
        return queue.drain(received, 256);
    }

    /**
     * ipckit's queue, {@code tryClaim}, copy, {@code commit}.
     *
     * @param full the full-queue counter.
     */
    @Benchmark
    @Group("queueClaim")
    @GroupThreads(1)
    public void queueClaimSend(final Full full)
    {
        if (claims == null)
        {
            claims = queue.claimBuffer();
        }
        message.putLong(0, sequence + 1);
        final int index = queue.tryClaim(MESSAGE_LENGTH);
        if (index >= 0)
        {
            claims.putBytes(index, message, 0, MESSAGE_LENGTH);
            queue.commit(index);
        }
        count(index >= 0, full);
    }

    /**
     * ipckit's queue's receiver.
     *
     * @param received the counter.
     * @return messages drained.
     */
    @Benchmark
    @Group("queueClaim")
    @GroupThreads(1)
    public int queueClaimReceive(final Received received)
    {
        return queue.drain(received, 256);
    }

    /**
     * ipckit's one-way pipe, {@code sendBytes} without waiting.
     *
     * @param full the full-ring counter.
     * @throws InterruptedException never (no call waits).
     */
    @Benchmark
    @Group("pipe")
    @GroupThreads(1)
    public void pipeSend(final Full full) throws InterruptedException
    {
        message.putLong(0, sequence + 1);
        count(pipeSender.sendBytes(message, 0, MESSAGE_LENGTH, 0, TimeUnit.NANOSECONDS), full);
    }

    /**
     * ipckit's pipe's receiver.
     *
     * @param received the counter.
     * @return messages drained.
     */
    @Benchmark
    @Group("pipe")
    @GroupThreads(1)
    public int pipeReceive(final Received received)
    {
        return pipeReceiver.drain(received, 256);
    }

    private void count(final boolean sent, final Full full)
    {
        if (sent)
        {
            sequence++;
        }
        else
        {
            full.full++;
        }
    }
}
