package io.ipckit.bench.core;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Single-process cost of the built-in codecs. Encoding a primitive into a buffer allocates nothing (run with
 * {@code -prof gc}); decoding returns a new object by the {@link Codec} contract (a boxed value, a String, a byte[]),
 * which is the allocation the zero-copy APIs exist to avoid. The object codec (Java serialization behind the
 * allow-list) is measured for scale.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final Codec<Object> objects = Codecs.serializable();
    private final Long boxedLong = 123456789L;
    private final String text = "price update AAPL 187.25";
    private final java.util.List<Integer> list = java.util.List.of(1, 2, 3, 4, 5, 6, 7, 8);
    private int textLength;
    private int objectLength;

    /**
     * Encodes the values that the decode benchmarks read.
     */
    @Setup
    public void setUp()
    {
        textLength = Codecs.STRING.encode(text, buffer, 1024);
        objectLength = objects.encode(list, buffer, 2048);
    }

    /**
     * @return bytes written (checked by JMH's blackhole).
     */
    @Benchmark
    public int encodeLong()
    {
        return Codecs.LONG.encode(boxedLong, buffer, 0);
    }

    /**
     * @return the decoded value.
     */
    @Benchmark
    public long decodeLong()
    {
        return Codecs.LONG.decode(buffer, 0, 8);
    }

    /**
     * @return bytes written.
     */
    @Benchmark
    public int encodeString()
    {
        return Codecs.STRING.encode(text, buffer, 512);
    }

    /**
     * @return the decoded string.
     */
    @Benchmark
    public String decodeString()
    {
        return Codecs.STRING.decode(buffer, 1024, textLength);
    }

    /**
     * @return bytes written.
     */
    @Benchmark
    public int encodeSerializableList()
    {
        return objects.encode(list, buffer, 3072);
    }

    /**
     * @return the decoded list.
     */
    @Benchmark
    public Object decodeSerializableList()
    {
        return objects.decode(buffer, 2048, objectLength);
    }
}
