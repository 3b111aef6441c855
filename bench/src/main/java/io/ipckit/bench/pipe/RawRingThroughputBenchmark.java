package io.ipckit.bench.pipe;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
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
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The baseline for {@link QueueThroughputBenchmark}: a child JVM writes 64-byte messages endlessly into a raw Agrona
 * {@link OneToOneRingBuffer} of the same size in a mapped file; this JVM reads one message per call, or all available
 * ({@code batch}). Read the {@code messages} counter.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class RawRingThroughputBenchmark
{
    static final int CAPACITY = 1 << 20;
    static final int MESSAGE_LENGTH = 64;

    @Param({"false", "true"})
    public boolean batch;

    private ResourceFile file;
    private JvmProcess child;
    private OneToOneRingBuffer ring;

    static OneToOneRingBuffer ring(final ResourceFile file)
    {
        final AtomicBuffer buffer = file.buffer();
        return new OneToOneRingBuffer(new UnsafeBuffer(buffer.addressOffset() + file.headerLength(),
            CAPACITY + RingBufferDescriptor.TRAILER_LENGTH));
    }

    /**
     * Creates the ring and starts the writer.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final String name = "bench-raw-tp-" + ProcessHandle.current().pid();
        file = ResourceFile.create(name, ResourceKind.TEST, 1, 0, CAPACITY + RingBufferDescriptor.TRAILER_LENGTH,
            false, null);
        ring = ring(file);
        child = JvmProcess.start(Writer.class, new ProcessOptions().args(name).daemon(true));
    }

    /**
     * Kills the writer and removes the file.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException
    {
        child.kill();
        child.join(10, TimeUnit.SECONDS);
        file.unlink();
        file.close();
    }

    /**
     * The reader's state: the checking handler and the message counter.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Reader implements MessageHandler
    {
        /** Messages read, reported by JMH as a rate. */
        public long messages;
        private long lastSeq;

        @Override
        public void onMessage(final int type, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            final long seq = buffer.getLong(offset + 8);
            if (length != MESSAGE_LENGTH || seq <= lastSeq)
            {
                throw new IllegalStateException("message " + seq + " out of order or torn");
            }
            lastSeq = seq;
            messages++;
        }
    }

    /**
     * @return messages read by this call.
     */
    @Benchmark
    public int read(final Reader reader)
    {
        return batch ? ring.read(reader) : ring.read(reader, 1);
    }

    /**
     * The child: writes 64-byte messages {@code [int 1][long seq]...} until killed.
     */
    public static final class Writer
    {
        /**
         * @param args the file name.
         */
        public static void main(final String[] args)
        {
            try (ResourceFile file = ResourceFile.open(args[0], ResourceKind.TEST, 1))
            {
                final OneToOneRingBuffer ring = ring(file);
                final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE_LENGTH));
                message.putInt(0, 1);
                long seq = 0;
                while (true)
                {
                    message.putLong(8, ++seq);
                    while (!ring.write(1, message, 0, MESSAGE_LENGTH))
                    {
                        Thread.onSpinWait();
                    }
                }
            }
        }
    }
}
