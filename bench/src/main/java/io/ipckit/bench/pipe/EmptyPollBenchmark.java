package io.ipckit.bench.pipe;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.file.MappedFile;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedQueue;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
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

import java.util.concurrent.TimeUnit;

/**
 * The cost of one look at an empty queue, the loop a spinning receiver runs while it waits: half of it is added, on
 * average, to every hop of a round trip, since a message that arrives during a look is seen only by the next one.
 * Raw Agrona {@link OneToOneRingBuffer#read} against ipckit's queue {@code poll} without waiting (the object API) and
 * {@code drain} (zero-copy). The figure is nanoseconds per look.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EmptyPollBenchmark
{
    static final int CAPACITY_BYTES = 1 << 16;

    private MappedFile ringFile;
    private OneToOneRingBuffer ring;
    private SharedQueue<byte[]> queue;
    private final PutPathBenchmark.Sink sink = new PutPathBenchmark.Sink();

    /**
     * Creates the ring (over a mapped file, as the harness's floor) and the queue, both empty.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final String name = "bench-empty-" + ProcessHandle.current().pid();
        ringFile = MappedFile.create(name + "-ring", CAPACITY_BYTES + RingBufferDescriptor.TRAILER_LENGTH);
        ring = new OneToOneRingBuffer(ringFile.buffer());
        queue = SharedQueue.create(name + "-queue", Codecs.BYTES, new QueueOptions().capacityBytes(CAPACITY_BYTES));
    }

    /**
     * Removes the ring and the queue.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        ringFile.unlink();
        ringFile.close();
        queue.unlink();
        queue.close();
    }

    /**
     * @return what the raw ring's read of an empty ring found (0).
     */
    @Benchmark
    public int rawRing()
    {
        return ring.read(sink, 1);
    }

    /**
     * @return what the queue's object poll that does not wait returned (null).
     * @throws InterruptedException never: the thread is not interrupted.
     */
    @Benchmark
    public byte[] queuePollNoWait() throws InterruptedException
    {
        return queue.poll(0, TimeUnit.NANOSECONDS);
    }

    /**
     * @return how many elements the queue's zero-copy drain handed over (0).
     */
    @Benchmark
    public int queueDrain()
    {
        return queue.drain(sink, 1);
    }
}
