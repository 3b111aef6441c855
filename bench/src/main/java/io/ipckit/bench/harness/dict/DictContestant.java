package io.ipckit.bench.harness.dict;

import io.ipckit.bench.harness.Contestant;
import io.ipckit.bench.harness.Directories;
import io.ipckit.bench.harness.LatencyMetrics;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.VerificationException;
import io.ipckit.bench.harness.WorkerJvmOptions;
import io.ipckit.bench.harness.Workload;
import io.ipckit.core.ResourceName;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.value.SharedValue;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A map shared by processes, ipckit's {@code SharedDict} ({@code ipckit-dict}) or Chronicle Map 2026.1
 * ({@code chronicle-map}), on two kinds of workload:
 * <ul>
 * <li>{@code manager-dict}, measured as {@code mp_bench.py} measures Python's {@code Manager().dict()}: this process
 * creates the map (SharedDict needs no server: the map is the file), one worker JVM sets key {@code ops & 1023} to
 * {@code ops} through the {@code ConcurrentMap} API ({@code Long} keys and values), gets it back and checks it, two
 * operations per pair; the figure is the measured window over its operations. Afterwards this process checks every
 * key's final value against the formula. {@code cpuNsPerOp}: the worker process's CPU time per operation.</li>
 * <li>the dict workloads of issue 16: the map pre-filled with {@value DictStore#KEYS} 8-byte keys and 64-byte values,
 * then writers put and readers get random keys through the maps' allocation-free forms, every operation timed; the
 * figure is the p50 of the role the workload names (gets or puts, histograms of its processes merged), with the
 * percentiles. Readers check that every value belongs to its key.</li>
 * </ul>
 * The harness measures one contestant at a time; the class is not thread-safe.
 */
public final class DictContestant implements Contestant
{
    private static final String WORKER_HEAP = "-Xmx256m";
    private static final List<String> CHRONICLE_FLAGS = List.of("--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED", "-Dchronicle.analytics.disable=true");

    private final boolean chronicle;

    private DictContestant(final boolean chronicle)
    {
        this.chronicle = chronicle;
    }

    /**
     * @return ipckit's SharedDict and Chronicle Map.
     */
    public static List<Contestant> all()
    {
        return List.of(new DictContestant(false), new DictContestant(true));
    }

    @Override
    public String id()
    {
        return chronicle ? "chronicle-map" : "ipckit-dict";
    }

    @Override
    public String label()
    {
        return chronicle ? "Chronicle Map 2026.1" : "ipckit SharedDict";
    }

    @Override
    public Set<Workload> workloads()
    {
        return EnumSet.of(Workload.MANAGER_DICT_OPERATION, Workload.DICT_GET_1W1R, Workload.DICT_PUT_1W1R,
            Workload.DICT_GET_2W2R, Workload.DICT_PUT_2W2R);
    }

    @Override
    public Measurement measure(final Workload workload, final RunContext context)
    {
        final boolean manager = workload == Workload.MANAGER_DICT_OPERATION;
        final int perRole = workload == Workload.DICT_GET_2W2R || workload == Workload.DICT_PUT_2W2R ? 2 : 1;
        final int workers = manager ? 1 : 2 * perRole;
        final String prefix = ResourceName.random("bench-dict-");
        final String spec = chronicle ? context.scratch().resolve(prefix + ".cmap").toString() : prefix + ".dict";
        final String tag = workload.id() + "-" + id() + "-r" + context.repeat();
        Directories.create(context.logs());
        final List<Path> histograms = new ArrayList<>();
        for (int i = 0; i < workers; i++)
        {
            histograms.add(context.scratch().resolve(prefix + "-" + i + ".hist"));
        }
        try (DictStore store = DictStore.create(chronicle, manager, spec);
             SharedValue control = SharedValue.create(prefix + ".control", DType.INT64,
                 DictWorker.RESULTS + DictWorker.SLOTS * workers))
        {
            try
            {
                final List<JvmProcess> children = new ArrayList<>();
                try
                {
                    for (int i = 0; i < workers; i++)
                    {
                        final String role = manager ? DictWorker.CLIENT : i < perRole ? DictWorker.WRITER :
                            DictWorker.READER;
                        children.add(start(spec, control.name(), i, role, context, tag, histograms.get(i)));
                    }
                    run(control, children, workers, context);
                }
                finally
                {
                    for (final JvmProcess child : children)
                    {
                        if (child.isAlive())
                        {
                            child.kill();
                        }
                    }
                }
                return manager ? managerResult(workload, context, control, store) :
                    dictResult(workload, context, control, perRole, histograms);
            }
            finally
            {
                control.unlink();
                store.unlink();
                histograms.forEach(Directories::deleteQuietly);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IpcException("interrupted while measuring " + tag, ex);
        }
    }

    private JvmProcess start(
        final String spec, final String control, final int index, final String role, final RunContext context,
        final String tag, final Path histogram)
    {
        final List<String> jvm = WorkerJvmOptions.with(WORKER_HEAP);
        if (chronicle)
        {
            jvm.addAll(CHRONICLE_FLAGS);
        }
        return JvmProcess.start(DictWorker.class, new ProcessOptions().name(tag + "-" + role + index).daemon(true)
            .jvmOptions(jvm.toArray(String[]::new))
            .args(Boolean.toString(chronicle), role, spec, control, Integer.toString(index),
                Long.toString(context.warmup().toNanos()), Long.toString(context.measure().toNanos()),
                Long.toString(context.maxMessages()), Long.toString(context.budgetNs()), histogram.toString())
            .redirectOutput(context.logs().resolve(tag + "-" + role + index + ".log")).redirectErrorStream(true));
    }

    private static void run(
        final SharedValue control, final List<JvmProcess> children, final int workers, final RunContext context)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + context.budgetNs();
        while (control.getLong(DictWorker.READY) < workers)
        {
            if (System.nanoTime() - deadline > 0 || children.stream().anyMatch((c) -> !c.isAlive()))
            {
                throw new IpcException("the dict workers did not get ready: " + children);
            }
            Thread.onSpinWait();
        }
        control.setLong(DictWorker.GO, 1);
        for (final JvmProcess child : children)
        {
            final long leftNs = Math.max(1, deadline - System.nanoTime());
            if (!child.join(leftNs, TimeUnit.NANOSECONDS))
            {
                throw new IpcException("a dict worker did not finish in time: " + child);
            }
            final int exit = child.exitCode().orElse(-1);
            if (exit == 2)
            {
                throw new VerificationException("a dict worker read a value that did not belong to its key: " + child);
            }
            if (exit != 0)
            {
                throw new IpcException("a dict worker failed with status " + exit + ": " + child);
            }
        }
    }

    private Measurement managerResult(
        final Workload workload, final RunContext context, final SharedValue control, final DictStore store)
    {
        final int base = DictWorker.RESULTS;
        final long ops = control.getLong(base + DictWorker.OPS);
        final long windowOps = control.getLong(base + DictWorker.WINDOW_OPS);
        final long span = control.getLong(base + DictWorker.WINDOW_END) - control.getLong(base + DictWorker.WINDOW_START);
        verify(control.getLong(base + DictWorker.DONE) == 1 && ops > 0, "the dict client did nothing");
        verify(control.getLong(base + DictWorker.ERRORS) == 0, "the dict client read back wrong values");
        // the client wrote ops = 0, 2, ..., n - 2 to key ops & 1023: each even key holds its last such value
        final Map<Long, Long> map = store.longs();
        final long last = ops - 2;
        int present = 0;
        for (long key = 0; key < DictStore.MANAGER_KEYS; key++)
        {
            final Long expected = (key & 1) == 0 && last >= key ? last - Math.floorMod(last - key, DictStore.MANAGER_KEYS) :
                null;
            final Long actual = map.get(key);
            verify(java.util.Objects.equals(expected, actual),
                "key " + key + " holds " + actual + " where " + expected + " was expected after " + ops + " operations");
            present += expected != null ? 1 : 0;
        }
        verify(map.size() == present, "the map holds " + map.size() + " keys where " + present + " were expected");
        if (windowOps <= 0 || span <= 0)
        {
            throw new IpcException(id() + " measured nothing after the warm-up: lengthen the measured time or raise " +
                "the operation cap");
        }
        final Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("messages", (double)ops);
        metrics.put("cpuNsPerOp", (double)control.getLong(base + DictWorker.CPU_NS) / windowOps);
        return new Measurement(id(), workload, context.repeat(), (double)span / windowOps, metrics, null);
    }

    private Measurement dictResult(
        final Workload workload, final RunContext context, final SharedValue control, final int perRole,
        final List<Path> histogramFiles)
    {
        final boolean gets = workload == Workload.DICT_GET_1W1R || workload == Workload.DICT_GET_2W2R;
        final Histogram measured = new Histogram(DictWorker.HIGHEST_TRACKABLE_NS, 3);
        final Histogram other = new Histogram(DictWorker.HIGHEST_TRACKABLE_NS, 3);
        long ops = 0;
        long cpuNs = 0;
        long windowOps = 0;
        for (int i = 0; i < histogramFiles.size(); i++)
        {
            final int base = DictWorker.RESULTS + DictWorker.SLOTS * i;
            verify(control.getLong(base + DictWorker.DONE) == 1 && control.getLong(base + DictWorker.OPS) > 0,
                "dict worker " + i + " did nothing");
            verify(control.getLong(base + DictWorker.ERRORS) == 0, "dict worker " + i + " read wrong values");
            final boolean reader = i >= perRole;
            final Histogram histogram = read(histogramFiles.get(i));
            (reader == gets ? measured : other).add(histogram);
            if (reader == gets)
            {
                ops += control.getLong(base + DictWorker.OPS);
                cpuNs += control.getLong(base + DictWorker.CPU_NS);
                windowOps += control.getLong(base + DictWorker.WINDOW_OPS);
            }
        }
        if (measured.getTotalCount() == 0)
        {
            throw new IpcException(id() + " measured nothing after the warm-up: lengthen the measured time or raise " +
                "the operation cap");
        }
        final Map<String, Double> metrics = new LinkedHashMap<>(LatencyMetrics.of(measured));
        metrics.put("messages", (double)ops);
        metrics.put("cpuNsPerOp", windowOps > 0 ? (double)cpuNs / windowOps : 0);
        if (other.getTotalCount() > 0)
        {
            metrics.put((gets ? "put_" : "get_") + LatencyMetrics.P50, (double)other.getValueAtPercentile(50));
            metrics.put((gets ? "put_" : "get_") + LatencyMetrics.P99, (double)other.getValueAtPercentile(99));
        }
        return new Measurement(id(), workload, context.repeat(), metrics.get(LatencyMetrics.P50), metrics, measured);
    }

    private static Histogram read(final Path file)
    {
        try
        {
            return Histogram.decodeFromByteBuffer(ByteBuffer.wrap(Files.readAllBytes(file)), 0);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot read the dict worker's histogram " + file + ": " + ex, ex);
        }
    }

    private static void verify(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new VerificationException(what);
        }
    }
}
