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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The instructions of one put and its share of a drain, in one thread, with no other core touching the lines: a
 * steadier view of the per-message cost than the two-process harness, whose figures this machine's noise blurs.
 * Each invocation puts {@link #BURST} 64-byte messages, one call each, then drains them: raw Agrona
 * {@link OneToOneRingBuffer} {@code write}/{@code read} against ipckit's queue {@code offerBytes}/{@code drain}, in
 * its default first-in first-out form and with exclusive producer lanes, and against a one-way {@link Pipe}'s
 * {@code sendBytes}/{@code drain}. The figure is nanoseconds per message.
 * <p>
 * The {@code empty*} benchmarks time one look at the empty ring or queue (every invocation of the others leaves them
 * empty), the loop a spinning receiver runs while it waits: half of a look is added, on average, to every hop of a
 * round trip. Their figure is nanoseconds per look.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PutPathBenchmark
{
    static final int MESSAGE_LENGTH = 64;
    static final int BURST = 64;
    static final int CAPACITY_BYTES = 1 << 20;

    private MappedFile ringFile;
    private OneToOneRingBuffer ring;
    private SharedQueue<byte[]> queue;
    private SharedQueue<byte[]> laneQueue;
    private String pipeName;
    private Connection pipeSender;
    private Connection pipeReceiver;
    private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE_LENGTH));
    private final Sink sink = new Sink();
    private final byte[] element = new byte[MESSAGE_LENGTH];

    /**
     * Creates the ring (over a mapped file, as the harness's floor) and the two queues.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final String name = "bench-put-" + ProcessHandle.current().pid();
        ringFile = MappedFile.create(name + "-ring", CAPACITY_BYTES + RingBufferDescriptor.TRAILER_LENGTH);
        ring = new OneToOneRingBuffer(ringFile.buffer());
        queue = SharedQueue.create(name + "-queue", Codecs.BYTES, new QueueOptions().capacityBytes(CAPACITY_BYTES));
        laneQueue = SharedQueue.create(name + "-lanes", Codecs.BYTES,
            new QueueOptions().capacityBytes(CAPACITY_BYTES).producerLanes(1));
        pipeName = name + "-pipe";
        pipeSender = Pipe.create(pipeName, new PipeOptions().ringCapacityBytes(CAPACITY_BYTES).duplex(false));
        pipeReceiver = Pipe.open(pipeName);
    }

    /**
     * Removes the ring and the queues.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        ringFile.unlink();
        ringFile.close();
        queue.unlink();
        queue.close();
        laneQueue.unlink();
        laneQueue.close();
        pipeReceiver.close();
        pipeSender.close();
        SharedDirectory.unlinkIfExists(pipeName);
    }

    /**
     * Raw Agrona ring: {@link #BURST} writes, then reads (more than one where the ring wraps).
     *
     * @return the checksum of what was read.
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public long rawRing()
    {
        for (int i = 0; i < BURST; i++)
        {
            message.putLong(0, i);
            if (!ring.write(1, message, 0, MESSAGE_LENGTH))
            {
                throw new IllegalStateException("ring full");
            }
        }
        int read = 0;
        for (int reads = 0; read < BURST; reads++) // a read stops at the ring's end, maybe after a padding record only
        {
            if (reads == 3)
            {
                throw new IllegalStateException("ring short");
            }
            read += ring.read(sink, BURST - read);
        }
        return sink.sum;
    }

    /**
     * ipckit's default queue: {@link #BURST} {@code offerBytes} calls, then one {@code drain}.
     *
     * @return the checksum of what was drained.
     * @throws InterruptedException never (no call waits).
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public long queue() throws InterruptedException
    {
        return putAndDrain(queue);
    }

    /**
     * ipckit's queue with an exclusive producer lane.
     *
     * @return the checksum of what was drained.
     * @throws InterruptedException never (no call waits).
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public long queueLanes() throws InterruptedException
    {
        return putAndDrain(laneQueue);
    }

    /**
     * ipckit's one-way pipe: {@link #BURST} {@code sendBytes} calls, then drains (more than one where the ring
     * wraps), as the raw ring's benchmark reads.
     *
     * @return the checksum of what was drained.
     * @throws InterruptedException never (the ring has room).
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public long pipe() throws InterruptedException
    {
        for (int i = 0; i < BURST; i++)
        {
            message.putLong(0, i);
            pipeSender.sendBytes(message, 0, MESSAGE_LENGTH);
        }
        int read = 0;
        for (int reads = 0; read < BURST; reads++)
        {
            if (reads == 3)
            {
                throw new IllegalStateException("pipe short");
            }
            read += pipeReceiver.drain(sink, BURST - read);
        }
        return sink.sum;
    }

    /**
     * ipckit's default queue, zero-copy: {@link #BURST} {@code tryClaim}, copy, {@code commit}, then one
     * {@code drain}.
     *
     * @return the checksum of what was drained.
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public long queueClaimCommit()
    {
        final MutableDirectBuffer claims = queue.claimBuffer();
        for (int i = 0; i < BURST; i++)
        {
            message.putLong(0, i);
            final int index = queue.tryClaim(MESSAGE_LENGTH);
            if (index < 0)
            {
                throw new IllegalStateException("queue full");
            }
            claims.putBytes(index, message, 0, MESSAGE_LENGTH);
            queue.commit(index);
        }
        if (queue.drain(sink, BURST) != BURST)
        {
            throw new IllegalStateException("queue short");
        }
        return sink.sum;
    }

    /**
     * ipckit's default queue, the object API: {@link #BURST} {@code offer(byte[])}, then as many {@code poll()}s (each
     * returns a new array, as {@code take} does).
     *
     * @return the checksum of what was taken.
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public long queueObjects()
    {
        for (int i = 0; i < BURST; i++)
        {
            element[0] = (byte)i;
            if (!queue.offer(element))
            {
                throw new IllegalStateException("queue full");
            }
        }
        long sum = 0;
        for (int i = 0; i < BURST; i++)
        {
            sum += queue.poll()[0];
        }
        return sum;
    }

    /**
     * @return what the raw ring's read of the empty ring found (0).
     */
    @Benchmark
    public int emptyRawRing()
    {
        return ring.read(sink, 1);
    }

    /**
     * @return what the queue's object poll that does not wait returned (null).
     * @throws InterruptedException never: the thread is not interrupted.
     */
    @Benchmark
    public byte[] emptyQueuePoll() throws InterruptedException
    {
        return queue.poll(0, TimeUnit.NANOSECONDS);
    }

    /**
     * @return how many elements the queue's zero-copy drain handed over (0).
     */
    @Benchmark
    public int emptyQueueDrain()
    {
        return queue.drain(sink, 1);
    }

    /**
     * @return how many messages the pipe's drain handed over (0).
     */
    @Benchmark
    public int emptyPipeDrain()
    {
        return pipeReceiver.drain(sink, 1);
    }

    private long putAndDrain(final SharedQueue<byte[]> target) throws InterruptedException
    {
        for (int i = 0; i < BURST; i++)
        {
            message.putLong(0, i);
            if (!target.offerBytes(message, 0, MESSAGE_LENGTH, 0, TimeUnit.NANOSECONDS))
            {
                throw new IllegalStateException("queue full");
            }
        }
        if (target.drain(sink, BURST) != BURST)
        {
            throw new IllegalStateException("queue short");
        }
        return sink.sum;
    }

    static final class Sink implements BufferHandler, org.agrona.concurrent.MessageHandler
    {
        long sum;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            sum += buffer.getLong(offset);
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index,
            final int length)
        {
            sum += buffer.getLong(index);
        }
    }
}
