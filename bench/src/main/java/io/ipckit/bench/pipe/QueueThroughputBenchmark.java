package io.ipckit.bench.pipe;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedQueue;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of 64-byte messages through a {@link SharedQueue}: {@code producers} child JVMs put endlessly (one
 * element per call, or 64 per {@link SharedQueue#offerBatch} when {@code batch}), and 1 or 2 JMH threads of this
 * JVM take (one per {@link SharedQueue#receive}, or up to 256 per {@link SharedQueue#drain} when {@code batch}).
 * The score to read is the {@code messages} counter (messages/s). Targets: 1 producer x 1 consumer at least 0.8x
 * {@link RawRingThroughputBenchmark}; 2 x 2 at least 5 M msg/s in total. Every message carries its producer and
 * a sequence number, checked to increase per producer, so a wrong run fails.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class QueueThroughputBenchmark
{
    static final int MESSAGE_LENGTH = 64;
    static final int BATCH = 64;

    @Param({"1", "2"})
    public int producers;

    @Param({"false", "true"})
    public boolean batch;

    SharedQueue<byte[]> queue;
    private final List<JvmProcess> children = new ArrayList<>();

    /**
     * Creates the queue and starts the producers.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final String name = "bench-queue-" + ProcessHandle.current().pid();
        queue = SharedQueue.create(name, Codecs.BYTES, new QueueOptions().capacityBytes(1 << 20));
        for (int p = 1; p <= producers; p++)
        {
            children.add(JvmProcess.start(Producer.class, new ProcessOptions()
                .args(name, Integer.toString(p), Boolean.toString(batch)).daemon(true)));
        }
    }

    /**
     * Kills the producers and removes the queue.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException
    {
        for (final JvmProcess child : children)
        {
            child.kill();
            child.join(10, TimeUnit.SECONDS);
        }
        queue.unlink();
        queue.close();
    }

    /**
     * Per-thread consumer state: the checking handler and the message counter.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Consumer implements BufferHandler
    {
        /** Messages taken, reported by JMH as a rate. */
        public long messages;
        private final long[] lastSeq = new long[8];

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            final int producer = buffer.getInt(offset);
            final long seq = buffer.getLong(offset + 8);
            if (length != MESSAGE_LENGTH || seq <= lastSeq[producer])
            {
                throw new IllegalStateException("message " + producer + "/" + seq + " out of order or torn");
            }
            lastSeq[producer] = seq;
            messages++;
        }
    }

    /**
     * One consumer thread (1 x 1, 2 x 1).
     */
    @Benchmark
    @Threads(1)
    public int oneConsumer(final Consumer consumer) throws InterruptedException
    {
        return take(consumer);
    }

    /**
     * Two consumer threads (1 x 2, 2 x 2). The consumer lock is per process: run the 2 x 2 figure also with the
     * two consumers in two JVMs when comparing with peers.
     */
    @Benchmark
    @Threads(2)
    public int twoConsumers(final Consumer consumer) throws InterruptedException
    {
        return take(consumer);
    }

    private int take(final Consumer consumer) throws InterruptedException
    {
        if (batch)
        {
            return queue.drain(consumer, 256);
        }
        return queue.receive(consumer, 100, TimeUnit.MILLISECONDS) ? 1 : 0;
    }

    /**
     * The child: puts 64-byte messages {@code [int producer][long seq]...} until killed.
     */
    public static final class Producer
    {
        /**
         * @param args queue name, producer id (1..7), batch flag.
         * @throws InterruptedException when interrupted.
         */
        public static void main(final String[] args) throws InterruptedException
        {
            final int producer = Integer.parseInt(args[1]);
            final boolean batch = Boolean.parseBoolean(args[2]);
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE_LENGTH * BATCH));
            final int[] offsets = new int[BATCH];
            final int[] lengths = new int[BATCH];
            for (int i = 0; i < BATCH; i++)
            {
                offsets[i] = i * MESSAGE_LENGTH;
                lengths[i] = MESSAGE_LENGTH;
                buffer.putInt(offsets[i], producer);
            }
            try (SharedQueue<byte[]> queue = SharedQueue.open(args[0], Codecs.BYTES))
            {
                long seq = 0;
                while (true)
                {
                    if (batch)
                    {
                        for (int i = 0; i < BATCH; i++)
                        {
                            buffer.putLong(offsets[i] + 8, ++seq);
                        }
                        final int sent = queue.offerBatch(buffer, offsets, lengths, 0, BATCH, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
                        if (sent != BATCH)
                        {
                            throw new IllegalStateException("batch cut short: " + sent);
                        }
                    }
                    else
                    {
                        buffer.putLong(8, ++seq);
                        queue.putBytes(buffer, 0, MESSAGE_LENGTH);
                    }
                }
            }
        }
    }
}
