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
 * The journaled variant ({@code ipckit-manager-journaled}) runs the same with a durable manager
 * ({@code ManagerOptions.durable}): every set is appended to its journal before it is answered (gets are not
 * journaled). On {@code manager-replay} it fills a durable manager's journal with sets from
 * {@value #REPLAY_THREADS} client threads, kills the manager with SIGKILL, and opens the journal in a manager in
 * this JVM, twice (the second with a warm JIT, the headline): entries replayed per second, checked against the
 * number of sets acknowledged.
 */
public final class IpckitManagerContestant implements Contestant
{
    static final int KEYS = 1024;
    static final int REPLAY_THREADS = 4;

    private final boolean durable;

    /**
     * @param durable true for the journaled variant.
     */
    public IpckitManagerContestant(final boolean durable)
    {
        this.durable = durable;
    }

    @Override
    public String id()
    {
        return durable ? "ipckit-manager-journaled" : "ipckit-manager";
    }

    @Override
    public String label()
    {
        return durable ? "ipckit durable Manager dict (journaled sets), set + get from another JVM" :
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
        try (Manager manager = Manager.start(name, options))
        {
            Files.createDirectories(context.logs());
            final ConcurrentMap<Integer, Long> shared = manager.dict();
            final Namespace results = manager.namespace();
            manager.bind("shared", shared);
            manager.bind("results", results);
            final long measureNs = context.maxMessages() > 0 ? 0 : context.measure().toNanos();
            final long warmupNs = context.maxMessages() > 0 ? 0 : context.warmup().toNanos();
            try (JvmProcess client = JvmProcess.start(ManagerWorker.class, new ProcessOptions()
                .args(name, Long.toString(warmupNs), Long.toString(measureNs), Long.toString(context.maxMessages()))
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
            manager.shutdown();
            ReplayMeasure.deleteRecursively(journal);
            final double perOp = windowOps > 0 ? (double)spanNs / windowOps : 0;
            final double pairs = Math.max(1, windowOps / 2);
            return new Measurement(id(), workload, context.repeat(), perOp,
                Map.of("operations", (double)ops, "keys", (double)keys, "putNs", putNs / pairs, "getNs",
                    getNs / pairs), null);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the manager", ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the log directory " + context.logs(), ex);
        }
    }

    /**
     * The client JVM: joins the manager, sets and gets until done, writes its counts into the results namespace.
     */
    public static final class ManagerWorker
    {
        private ManagerWorker()
        {
        }

        /**
         * @param args manager name, warm-up ns, measured ns (0: use the count), count.
         */
        public static void main(final String[] args)
        {
            final long warmupNs = Long.parseLong(args[1]);
            final long measureNs = Long.parseLong(args[2]);
            final long max = Long.parseLong(args[3]);
            try (Manager manager = Manager.connect(args[0]))
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
                        }
                        else
                        {
                            windowOps += 2;
                            putNs += t1 - t0;
                            getNs += t - t1;
                        }
                        windowEnd = t;
                    }
                }
                results.set("putNs", putNs);
                results.set("getNs", getNs);
                results.set("ops", ops);
                results.set("errors", errors);
                results.set("windowOps", windowOps);
                results.set("spanNs", windowEnd - windowStart);
            }
        }
    }
}
