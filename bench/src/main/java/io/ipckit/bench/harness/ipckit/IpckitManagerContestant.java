package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.Contestant;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.VerificationException;
import io.ipckit.bench.harness.Workload;
import io.ipckit.core.ResourceName;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.manager.Manager;
import io.ipckit.manager.ManagerOptions;
import io.ipckit.manager.Namespace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * ipckit's {@link Manager} on the manager workload, as the Python peer runs {@code Manager().dict()}: a manager JVM
 * holds a dict; a client JVM sets a key and reads it back, over and over, until its time or count is up. The
 * figure is the mean time per operation (a set or a get) in the measured window, as Python's. Every get must return
 * the value just set, and the dict must hold the keys written, or the run fails. The metrics {@code putNs} and
 * {@code getNs} are the mean times of the sets and of the gets alone.
 * <p>
 * Further figures, as {@code mp_bench.py} reports them for Python: p50 and p99 of a get and of a put (each operation
 * timed alone), the p50 of creating a dict (its proxy included) after the loop, the client's CPU time per operation
 * over the window ({@code cpu_per_op_ns}) and the manager's ({@code server_cpu_per_op_ns}). Two contestants: the
 * client on the pipe in shared memory (the default for a client of the same host) and on the Unix socket
 * ({@code -Dipckit.manager.pipe=false}), for the two paths in one run.
 * <p>
 * The journaled variant ({@code ipckit-manager-journaled}, on the pipe) runs the same with a durable manager
 * ({@code ManagerOptions.durable}): every set is appended to its journal before it is answered (gets are not
 * journaled). On {@code manager-replay} it fills a durable manager's journal with sets from
 * {@value #REPLAY_THREADS} client threads, kills the manager with SIGKILL, and opens the journal in a manager in
 * this JVM, twice (the second with a warm JIT, the headline): entries replayed per second, checked against the
 * number of sets acknowledged.
 * <p>
 * The served variants ({@code ipckit-manager-tcp}, {@code ipckit-manager-aeron}, {@code ipckit-manager-aeron-default})
 * run the same loop against a manager JVM serving on an address ({@code Manager.serve}) on loopback, over TCP or over
 * Aeron UDP ({@code io.ipckit.net.manager.AeronAddress}, an embedded driver in each JVM; yielding driver and
 * connections as the net bench runs Aeron, or the default parking ones), so the remote transports compare in one
 * run; the client connects with {@code Manager.connect(address, authkey)}.
 */
public final class IpckitManagerContestant implements Contestant
{
    static final int KEYS = 1024;
    static final int REPLAY_THREADS = 4;
    /** Dicts created for the creation figure. */
    static final int CREATIONS = 500;

    private final boolean pipe;
    private final boolean durable;
    private final String transport;

    /**
     * The client on the pipe, the default.
     */
    public IpckitManagerContestant()
    {
        this(true);
    }

    /**
     * @param pipe true for the pipe in shared memory, false to keep the client on the Unix socket.
     */
    public IpckitManagerContestant(final boolean pipe)
    {
        this(pipe, false);
    }

    /**
     * @param pipe    true for the pipe in shared memory, false to keep the client on the Unix socket.
     * @param durable true for the journaled variant.
     */
    public IpckitManagerContestant(final boolean pipe, final boolean durable)
    {
        this.pipe = pipe;
        this.durable = durable;
        this.transport = null;
    }

    /**
     * A manager served on a loopback address, the client connecting to it by address.
     *
     * @param transport {@value ServedManager#TCP}, {@value ServedManager#AERON} or
     *                  {@value ServedManager#AERON_DEFAULT}.
     */
    public IpckitManagerContestant(final String transport)
    {
        if (!ServedManager.TCP.equals(transport) && !ServedManager.AERON.equals(transport) &&
            !ServedManager.AERON_DEFAULT.equals(transport))
        {
            throw new IllegalArgumentException("transport must be tcp, aeron or aeron-default: " + transport);
        }
        this.pipe = false;
        this.durable = false;
        this.transport = transport;
    }

    @Override
    public String id()
    {
        if (transport != null)
        {
            return "ipckit-manager-" + transport;
        }
        return durable ? (pipe ? "ipckit-manager-journaled" : "ipckit-manager-journaled-socket") :
            pipe ? "ipckit-manager" : "ipckit-manager-socket";
    }

    @Override
    public String label()
    {
        if (transport != null)
        {
            return "ipckit Manager dict served over " + (ServedManager.TCP.equals(transport) ? "TCP" :
                ServedManager.AERON.equals(transport) ? "Aeron UDP (yielding)" : "Aeron UDP (default options)") +
                " on loopback, set + get from another JVM";
        }
        return durable ? "ipckit durable Manager dict (journaled sets), set + get from another JVM" :
            pipe ? "ipckit Manager dict (pipe in shared memory), set + get from another JVM" :
            "ipckit Manager dict (Unix socket), set + get from another JVM";
    }

    @Override
    public Set<Workload> workloads()
    {
        return durable ? EnumSet.of(Workload.MANAGER_DICT_OPERATION, Workload.MANAGER_REPLAY) :
            EnumSet.of(Workload.MANAGER_DICT_OPERATION);
    }

    @Override
    public Measurement measure(final Workload workload, final RunContext context)
    {
        try
        {
            return measureOnce(workload, context);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the log directory " + context.logs(), ex);
        }
    }

    private Measurement measureOnce(final Workload workload, final RunContext context) throws IOException
    {
        final String name = ResourceName.random("bench-mgr-");
        if (workload == Workload.MANAGER_REPLAY)
        {
            return ReplayMeasure.measure(this, name, context);
        }
        final ManagerOptions options = new ManagerOptions();
        final Path journal = context.scratch().resolve(name + "-journal");
        if (durable)
        {
            options.durable(journal);
        }
        Files.createDirectories(context.logs());
        try (ServedManager served = transport == null ? null : ServedManager.start(transport,
                context.logs().resolve(name + "-server.log"));
            Manager manager = served == null ? Manager.start(name, options) : served.connect())
        {
            final String target = served == null ? name : served.target();
            final long serverPid = served == null ? manager.process().pid() : served.pid();
            final ConcurrentMap<Integer, Long> shared = manager.dict();
            final Namespace results = manager.namespace();
            manager.bind("shared", shared);
            manager.bind("results", results);
            final long measureNs = context.maxMessages() > 0 ? 0 : context.measure().toNanos();
            final long warmupNs = context.maxMessages() > 0 ? 0 : context.warmup().toNanos();
            try (JvmProcess client = JvmProcess.start(ManagerWorker.class, new ProcessOptions()
                .args(target, Long.toString(warmupNs), Long.toString(measureNs), Long.toString(context.maxMessages()),
                    Long.toString(serverPid))
                .jvmOptions("-Dipckit.manager.pipe=" + pipe)
                .daemon(true).redirectOutput(context.logs().resolve(name + ".log")).redirectErrorStream(true)))
            {
                if (!client.join(context.budgetNs(), TimeUnit.NANOSECONDS) || client.exitCode().orElse(-1) != 0)
                {
                    throw new VerificationException("the manager client failed: " + client);
                }
            }
            final long ops = (Long)results.get("ops");
            final long errors = (Long)results.get("errors");
            final long windowOps = (Long)results.get("windowOps");
            final long spanNs = (Long)results.get("spanNs");
            final long putNs = (Long)results.get("putNs");
            final long getNs = (Long)results.get("getNs");
            final int keys = shared.size();
            final int expectedKeys = (int)Math.min(KEYS, ops / 2);
            if (errors != 0 || keys != expectedKeys || ops == 0)
            {
                throw new VerificationException("manager dict: " + errors + " gets returned another value, " + keys +
                    " keys stored where " + expectedKeys + " were written");
            }
            final Map<String, Double> metrics = new java.util.LinkedHashMap<>();
            metrics.put("operations", (double)ops);
            metrics.put("keys", (double)keys);
            for (final String figure : FIGURES)
            {
                metrics.put(figure, ((Number)results.get(figure)).doubleValue());
            }
            manager.shutdown();
            if (served != null)
            {
                served.awaitExit();
            }
            ReplayMeasure.deleteRecursively(journal);
            final double perOp = windowOps > 0 ? (double)spanNs / windowOps : 0;
            final double pairs = Math.max(1, windowOps / 2);
            metrics.put("putNs", putNs / pairs);
            metrics.put("getNs", getNs / pairs);
            return new Measurement(id(), workload, context.repeat(), perOp, metrics, null);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the manager", ex);
        }
    }

    private static final java.util.List<String> FIGURES = java.util.List.of("get_p50_ns", "get_p99_ns",
        "put_p50_ns", "put_p99_ns", "create_p50_ns", "cpu_per_op_ns", "server_cpu_per_op_ns");

    /**
     * The client JVM: joins the manager, sets and gets until done, writes its counts into the results namespace.
     */
    public static final class ManagerWorker
    {
        private ManagerWorker()
        {
        }

        /**
         * @param args manager name (or a served manager's target, {@link ServedManager#target()}), warm-up ns,
         *             measured ns (0: use the count), count, the manager's pid.
         */
        public static void main(final String[] args)
        {
            final long warmupNs = Long.parseLong(args[1]);
            final long measureNs = Long.parseLong(args[2]);
            final long max = Long.parseLong(args[3]);
            final ProcessHandle server = ProcessHandle.of(Long.parseLong(args[4])).orElseThrow();
            final org.HdrHistogram.Histogram gets = new org.HdrHistogram.Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            final org.HdrHistogram.Histogram puts = new org.HdrHistogram.Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            long cpuStart = 0;
            long serverCpuStart = 0;
            try (Manager manager = ServedManager.isTarget(args[0]) ? ServedManager.connect(args[0]) :
                Manager.connect(args[0]))
            {
                @SuppressWarnings("unchecked")
                final ConcurrentMap<Integer, Long> shared = manager.lookup("shared", ConcurrentMap.class);
                final Namespace results = manager.lookup("results", Namespace.class);
                final long warmEnd = System.nanoTime() + warmupNs;
                final long end = warmEnd + measureNs;
                long ops = 0;
                long errors = 0;
                long windowOps = 0;
                long windowStart = 0;
                long windowEnd = 0;
                long putNs = 0;
                long getNs = 0;
                while (max > 0 ? ops < max : System.nanoTime() < end)
                {
                    final Integer key = (int)((ops >> 1) & (KEYS - 1));
                    final Long value = ops;
                    final long t0 = System.nanoTime();
                    shared.put(key, value);
                    final long t1 = System.nanoTime();
                    if (!value.equals(shared.get(key)))
                    {
                        errors++;
                    }
                    ops += 2;
                    final long t = System.nanoTime();
                    if (t >= warmEnd)
                    {
                        if (windowStart == 0)
                        {
                            windowStart = t;
                            cpuStart = cpuNs();
                            serverCpuStart = cpuNs(server);
                        }
                        else
                        {
                            windowOps += 2;
                            putNs += t1 - t0;
                            getNs += t - t1;
                            puts.recordValue(t1 - t0);
                            gets.recordValue(t - t1);
                        }
                        windowEnd = t;
                    }
                }
                results.set("putNs", putNs);
                results.set("getNs", getNs);
                final double cpuPerOp = windowOps > 0 ? (double)(cpuNs() - cpuStart) / windowOps : 0;
                final double serverCpuPerOp = windowOps > 0 ? (double)(cpuNs(server) - serverCpuStart) / windowOps : 0;
                final org.HdrHistogram.Histogram creations =
                    new org.HdrHistogram.Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                for (int i = 0; i < 2 * CREATIONS; i++)
                {
                    final long t0 = System.nanoTime();
                    final ConcurrentMap<Object, Object> made = manager.dict();
                    final long t1 = System.nanoTime();
                    if (made == null)
                    {
                        errors++;
                    }
                    if (i >= CREATIONS)
                    {
                        creations.recordValue(t1 - t0);
                    }
                }
                results.set("get_p50_ns", gets.getValueAtPercentile(50));
                results.set("get_p99_ns", gets.getValueAtPercentile(99));
                results.set("put_p50_ns", puts.getValueAtPercentile(50));
                results.set("put_p99_ns", puts.getValueAtPercentile(99));
                results.set("create_p50_ns", creations.getValueAtPercentile(50));
                results.set("cpu_per_op_ns", cpuPerOp);
                results.set("server_cpu_per_op_ns", serverCpuPerOp);

                results.set("ops", ops);
                results.set("errors", errors);
                results.set("windowOps", windowOps);
                results.set("spanNs", windowEnd - windowStart);
            }
        }

        private static long cpuNs()
        {
            return ((com.sun.management.OperatingSystemMXBean)java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
        }

        private static long cpuNs(final ProcessHandle process)
        {
            return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
        }
    }
}
