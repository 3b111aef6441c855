package io.ipckit.bench.shm;

import io.ipckit.core.codec.Codecs;
import io.ipckit.shm.dict.SharedDict;
import io.ipckit.shm.dict.ValueHandler;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
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

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * SharedDict against Chronicle Map 2026.1 in the same run, in ns per operation: get and put of 8-byte keys and
 * 64-byte values over {@value #KEYS} keys, both maps in files under {@code /dev/shm} (or the temp directory). Each
 * side uses its allocation-free form: SharedDict's buffer forms (a copy, and a read in place through a
 * {@link ValueHandler}); Chronicle Map's {@code getUsing} with a reused array and a query context for puts. Run with
 * {@code -prof gc}: SharedDict's operations must allocate 0 bytes. The teardown checks every value, so a fast but
 * wrong run fails.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true"})
public class SharedDictBenchmark
{
    static final int KEYS = 1 << 16;
    private static final int MASK = KEYS - 1;
    private static final int VALUE_BYTES = 64;

    private SharedDict<Long, byte[]> dict;
    private ChronicleMap<Long, byte[]> chronicle;
    private Path chronicleDir;
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_BYTES]);
    private final UnsafeBuffer read = new UnsafeBuffer(new byte[VALUE_BYTES]);
    private final byte[] chronicleValue = new byte[VALUE_BYTES];
    private final UnsafeBuffer chronicleValueBuffer = new UnsafeBuffer(chronicleValue);
    private final byte[] chronicleRead = new byte[VALUE_BYTES];
    private final Long[] boxedKeys = new Long[KEYS];
    private final InPlace inPlace = new InPlace();
    private int index;

    /**
     * Reads the first long of a value in place.
     */
    static final class InPlace implements ValueHandler
    {
        long first;

        public void onValue(final DirectBuffer buffer, final int offset, final int length)
        {
            first = buffer.getLong(offset);
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        final String name = "bench-dict-" + ProcessHandle.current().pid();
        dict = SharedDict.create(name, Codecs.LONG, Codecs.BYTES);
        final Path shm = Path.of("/dev/shm");
        chronicleDir = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
            "bench-chronicle-map");
        final File file = chronicleDir.resolve("map.dat").toFile();
        try
        {
            chronicle = ChronicleMap.of(Long.class, byte[].class)
                .name("bench")
                .entries(KEYS)
                .constantKeySizeBySample(0L)
                .constantValueSizeBySample(new byte[VALUE_BYTES])
                .createPersistedTo(file);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            dict.unlink();
            dict.close();
            file.delete();
            chronicleDir.toFile().delete();
            throw ex;
        }
        for (int i = 0; i < KEYS; i++)
        {
            boxedKeys[i] = (long)i;
            key.putLong(0, i);
            value.putLong(0, i);
            dict.put(key, 0, 8, value, 0, VALUE_BYTES);
            value.getBytes(0, chronicleValue);
            chronicle.put(boxedKeys[i], chronicleValue.clone());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        for (int i = 0; i < KEYS; i++)
        {
            key.putLong(0, i);
            if (dict.get(key, 0, 8, read, 0) != VALUE_BYTES || read.getLong(0) != i)
            {
                throw new IllegalStateException("SharedDict lost key " + i);
            }
            final byte[] v = chronicle.get(boxedKeys[i]);
            if (v == null || new UnsafeBuffer(v).getLong(0) != i)
            {
                throw new IllegalStateException("Chronicle Map lost key " + i);
            }
        }
        dict.unlink();
        dict.close();
        chronicle.close();
        try (var files = Files.walk(chronicleDir))
        {
            files.sorted(java.util.Comparator.reverseOrder()).forEach((p) -> p.toFile().delete());
        }
    }

    @Benchmark
    public long dictGet()
    {
        index = (index + 1) & MASK;
        key.putLong(0, index);
        dict.get(key, 0, 8, read, 0);
        return read.getLong(0);
    }

    @Benchmark
    public long dictReadInPlace()
    {
        index = (index + 1) & MASK;
        key.putLong(0, index);
        dict.read(key, 0, 8, inPlace);
        return inPlace.first;
    }

    @Benchmark
    public boolean dictPut()
    {
        index = (index + 1) & MASK;
        key.putLong(0, index);
        value.putLong(0, index);
        return dict.put(key, 0, 8, value, 0, VALUE_BYTES);
    }

    @Benchmark
    public long chronicleGet()
    {
        index = (index + 1) & MASK;
        final byte[] v = chronicle.getUsing(boxedKeys[index], chronicleRead);
        return v[0];
    }

    @Benchmark
    public byte chroniclePut()
    {
        index = (index + 1) & MASK;
        chronicleValueBuffer.putLong(0, index);
        try (ExternalMapQueryContext<Long, byte[], ?> context = chronicle.queryContext(boxedKeys[index]))
        {
            context.updateLock().lock();
            final Data<byte[]> data = context.wrapValueAsData(chronicleValue);
            final MapEntry<Long, byte[]> entry = context.entry();
            if (entry != null)
            {
                context.replaceValue(entry, data);
            }
            else
            {
                context.insert(context.absentEntry(), data);
            }
        }
        return chronicleValue[0];
    }
}
