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
 * The baseline for {@link PipeRoundTripBenchmark}: the same 32-byte round trip through two raw Agrona
 * {@link OneToOneRingBuffer}s in a mapped file of the same kind, both sides busy-spinning, no liveness checks, no
 * wake-ups.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class RawRingRoundTripBenchmark
{
    static final int CAPACITY = 64 * 1024;
    static final int RING_LENGTH = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    static final int MESSAGE_LENGTH = 32;
    static final int STOP = 2;

    private ResourceFile file;
    private JvmProcess child;
    private OneToOneRingBuffer out;
    private OneToOneRingBuffer in;
    private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE_LENGTH));
    private long counter;
    private long echoed;
    private final MessageHandler reader = (type, buffer, offset, length) -> echoed = buffer.getLong(offset);

    static OneToOneRingBuffer ring(final ResourceFile file, final int index)
    {
        final AtomicBuffer buffer = file.buffer();
        return new OneToOneRingBuffer(
            new UnsafeBuffer(buffer.addressOffset() + file.headerLength() + (long)index * RING_LENGTH, RING_LENGTH));
    }

    /**
     * Creates the rings and starts the echo child.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final String name = "bench-raw-rt-" + ProcessHandle.current().pid();
        file = ResourceFile.create(name, ResourceKind.TEST, 1, 0, 2L * RING_LENGTH, false, null);
        out = ring(file, 0);
        in = ring(file, 1);
        child = JvmProcess.start(Echo.class, new ProcessOptions().args(name).daemon(true));
    }

    /**
     * Stops the child and removes the file.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException
    {
        while (!out.write(STOP, message, 0, MESSAGE_LENGTH))
        {
            Thread.onSpinWait();
        }
        child.join(10, TimeUnit.SECONDS);
        child.close();
        file.unlink();
        file.close();
    }

    /**
     * @return the echoed counter (checked).
     */
    @Benchmark
    public long roundTrip()
    {
        final long value = ++counter;
        message.putLong(0, value);
        while (!out.write(1, message, 0, MESSAGE_LENGTH))
        {
            Thread.onSpinWait();
        }
        while (in.read(reader, 1) == 0)
        {
            Thread.onSpinWait();
        }
        if (echoed != value)
        {
            throw new IllegalStateException("echo of " + value + " wrong: " + echoed);
        }
        return value;
    }

    /**
     * The child: reads ring 0, writes every message back to ring 1, until the STOP type.
     */
    public static final class Echo
    {
        /**
         * @param args the file name.
         */
        public static void main(final String[] args)
        {
            try (ResourceFile file = ResourceFile.open(args[0], ResourceKind.TEST, 1))
            {
                final OneToOneRingBuffer in = ring(file, 0);
                final OneToOneRingBuffer out = ring(file, 1);
                final boolean[] stop = new boolean[1];
                while (!stop[0])
                {
                    in.read((type, buffer, offset, length) ->
                    {
                        if (type == STOP)
                        {
                            stop[0] = true;
                            return;
                        }
                        while (!out.write(type, (MutableDirectBuffer)buffer, offset, length))
                        {
                            Thread.onSpinWait();
                        }
                    });
                }
            }
        }
    }
}
