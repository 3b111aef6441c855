package io.ipckit.bench.shm;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.internal.process.JvmFlags;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.dict.SharedDict;
import io.ipckit.shm.value.SharedValue;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The SharedDict workload of issue 16 across processes: one writer and one reader process, then two and two, each
 * doing puts (writers) or gets (readers) of 8-byte keys and 64-byte values on random keys of a map of
 * {@value #KEYS} entries, timing every operation (HdrHistogram). The same run measures Chronicle Map 2026.1 with
 * its allocation-free forms (a query context for puts, {@code getUsing} for gets). Readers check that each value
 * belongs to its key, so a fast but wrong run fails. Prints p50/p99/p99.9 per role and contestant.
 * <p>
 * Usage: {@code java <ipckit JVM flags> <Chronicle flags> -cp benchmarks.jar io.ipckit.bench.shm.SharedDictProcessHarness
 * [seconds]}, the Chronicle flags being
 * {@code --add-opens=java.base/java.lang=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED}
 * (the parent creates the maps; it passes both sets of flags to its children).
 */
public final class SharedDictProcessHarness
{
    static final int KEYS = 1 << 16;
    static final int VALUE_BYTES = 64;
    private static final List<String> CHRONICLE_FLAGS = List.of("--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED", "-Dchronicle.analytics.disable=true");

    private SharedDictProcessHarness()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && "child".equals(args[0]))
        {
            child(args[1], args[2], args[3], args[4], Integer.parseInt(args[5]), Integer.parseInt(args[6]));
            return;
        }
        final int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        final Path dir = Files.createTempDirectory(Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" :
            System.getProperty("java.io.tmpdir")), "dict-harness");
        try
        {
            System.out.printf("%-10s %-5s %-7s %10s %10s %10s %10s %14s%n", "contestant", "procs", "role", "p50 ns",
                "p99 ns", "p99.9 ns", "max ns", "ops/s/proc");
            for (final int perRole : new int[]{1, 2})
            {
                for (final String kind : new String[]{"ipckit", "chronicle"})
                {
                    run(kind, perRole, seconds, dir);
                }
            }
        }
        finally
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach((p) -> p.toFile().delete());
            }
        }
    }

    private static void run(final String kind, final int perRole, final int seconds, final Path dir) throws Exception
    {
        final String name = "dict-harness-" + ProcessHandle.current().pid() + "-" + kind + perRole;
        final String gate = name + "-gate";
        final AutoCloseable map = create(kind, name, dir);
        try (SharedValue go = SharedValue.create(gate, DType.INT64, 2))
        {
            final List<Process> children = new ArrayList<>();
            for (int i = 0; i < 2 * perRole; i++)
            {
                final List<String> command = new ArrayList<>();
                command.add(ProcessHandle.current().info().command().orElse("java"));
                command.addAll(JvmFlags.forChild());
                command.addAll(CHRONICLE_FLAGS);
                command.addAll(List.of("-cp", absoluteClassPath(),
                    SharedDictProcessHarness.class.getName(), "child", kind, i < perRole ? "writer" : "reader", name,
                    gate, Integer.toString(seconds), Integer.toString(i)));
                children.add(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .directory(dir.toFile()).start());
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (go.getLong(1) < 2L * perRole)
            {
                if (System.nanoTime() - deadline > 0 || children.stream().anyMatch((c) -> !c.isAlive()))
                {
                    children.forEach(Process::destroyForcibly);
                    throw new IllegalStateException(kind + " children did not get ready");
                }
                Thread.sleep(1);
            }
            go.setLong(0, 1);
            for (final Process child : children)
            {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8)))
                {
                    String line;
                    while ((line = out.readLine()) != null)
                    {
                        if (line.startsWith("RESULT "))
                        {
                            final String[] f = line.split(" ");
                            System.out.printf("%-10s %-5s %-7s %10s %10s %10s %10s %14s%n", kind, perRole + "+" +
                                perRole, f[1], f[2], f[3], f[4], f[5], f[6]);
                        }
                    }
                }
                if (!child.waitFor(60, TimeUnit.SECONDS) || child.exitValue() != 0)
                {
                    throw new IllegalStateException(kind + " child failed: exit " + child.exitValue());
                }
            }
            go.unlink();
        }
        finally
        {
            if (map instanceof SharedDict<?, ?> dict)
            {
                dict.unlink();
            }
            map.close();
        }
    }

    private static String absoluteClassPath()
    {
        final List<String> entries = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            entries.add(Path.of(entry).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static AutoCloseable create(final String kind, final String name, final Path dir) throws IOException
    {
        final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_BYTES]);
        if ("ipckit".equals(kind))
        {
            final SharedDict<Long, byte[]> dict = SharedDict.create(name, Codecs.LONG, Codecs.BYTES);
            final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
            for (long k = 0; k < KEYS; k++)
            {
                key.putLong(0, k);
                value.putLong(0, k);
                dict.put(key, 0, 8, value, 0, VALUE_BYTES);
            }
            return dict;
        }
        final ChronicleMap<Long, byte[]> map = chronicle(dir.resolve(name).toFile());
        for (long k = 0; k < KEYS; k++)
        {
            value.putLong(0, k);
            map.put(k, value.byteArray().clone());
        }
        return map;
    }

    private static ChronicleMap<Long, byte[]> chronicle(final File file) throws IOException
    {
        return ChronicleMap.of(Long.class, byte[].class).name("harness").entries(KEYS)
            .constantKeySizeBySample(0L).constantValueSizeBySample(new byte[VALUE_BYTES]).createPersistedTo(file);
    }

    private static void child(
        final String kind, final String role, final String name, final String gate, final int seconds, final int id)
        throws IOException
    {
        final boolean writer = "writer".equals(role);
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final SplittableRandom random = new SplittableRandom(id);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_BYTES]);
        final UnsafeBuffer read = new UnsafeBuffer(new byte[VALUE_BYTES]);
        final Long[] boxed = new Long[KEYS];
        for (int i = 0; i < KEYS; i++)
        {
            boxed[i] = (long)i;
        }
        final SharedDict<Long, byte[]> dict = "ipckit".equals(kind) ? SharedDict.open(name, Codecs.LONG, Codecs.BYTES) : null;
        final ChronicleMap<Long, byte[]> map = dict == null ? chronicle(new File(name)) : null;
        long ops = 0;
        long wrong = 0;
        try (SharedValue go = SharedValue.open(gate))
        {
            go.getAndAdd(1, 1);
            while (go.getLong(0) == 0)
            {
                Thread.onSpinWait();
            }
            final long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            final long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
            long stamp = 0;
            while (true)
            {
                final long now = System.nanoTime();
                if (now - end > 0)
                {
                    break;
                }
                final int k = random.nextInt(KEYS);
                final long start = System.nanoTime();
                if (writer)
                {
                    value.putLong(0, k);
                    value.putLong(8, ++stamp);
                    if (dict != null)
                    {
                        key.putLong(0, k);
                        dict.put(key, 0, 8, value, 0, VALUE_BYTES);
                    }
                    else
                    {
                        chroniclePut(map, boxed[k], value.byteArray());
                    }
                }
                else if (dict != null)
                {
                    key.putLong(0, k);
                    dict.get(key, 0, 8, read, 0);
                    wrong += read.getLong(0) == k ? 0 : 1;
                }
                else
                {
                    map.getUsing(boxed[k], read.byteArray());
                    wrong += read.getLong(0) == k ? 0 : 1;
                }
                final long elapsed = System.nanoTime() - start;
                if (start - warmupEnd > 0)
                {
                    histogram.recordValue(elapsed);
                    ops++;
                }
            }
        }
        finally
        {
            if (dict != null)
            {
                dict.close();
            }
            if (map != null)
            {
                map.close();
            }
        }
        if (wrong > 0)
        {
            System.err.println(kind + " " + role + ": " + wrong + " values did not belong to their key");
            System.exit(2);
        }
        System.out.println("RESULT " + role + " " + histogram.getValueAtPercentile(50) + " " +
            histogram.getValueAtPercentile(99) + " " + histogram.getValueAtPercentile(99.9) + " " +
            histogram.getMaxValue() + " " + ops / seconds);
    }

    private static void chroniclePut(final ChronicleMap<Long, byte[]> map, final Long key, final byte[] value)
    {
        try (ExternalMapQueryContext<Long, byte[], ?> context = map.queryContext(key))
        {
            context.updateLock().lock();
            final Data<byte[]> data = context.wrapValueAsData(value);
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
    }
}
