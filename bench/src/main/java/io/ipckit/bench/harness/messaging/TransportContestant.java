package io.ipckit.bench.harness.messaging;

import io.ipckit.bench.harness.Contestant;
import io.ipckit.bench.harness.Directories;
import io.ipckit.bench.harness.LatencyMetrics;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.VerificationException;
import io.ipckit.bench.harness.WorkerJvmOptions;
import io.ipckit.bench.harness.Workload;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import org.HdrHistogram.Histogram;

import java.io.IOException;
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
 * Measures the messaging workloads on one {@link Transport}, each in fresh worker JVMs ({@link WorkerMain})
 * started with {@link JvmProcess}, and verifies counts and checksums before reporting a figure.
 * <p>
 * Round trip: a ping and a pong worker over channels 0 and 1. 1 to 1: a producer and a consumer on channel 0,
 * one by one or batched. 2 to 2: two producers and two consumers, on one shared channel when the transport is
 * {@link Transport#sharedChannel() shared}, otherwise as two channels side by side.
 * <p>
 * Each measurement also gives {@code cpuNsPerMsg}: the CPU time of every worker process over its measured part, per
 * message (per round trip), summed over the roles (producers and consumers, or ping and pong): what the transport
 * costs the machine beside what it delivers.
 */
public final class TransportContestant implements Contestant
{
    private static final long READY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(90);
    private static final String WORKER_HEAP = "-Xmx256m";

    /** The metric of CPU time per message (per round trip), in nanoseconds. */
    public static final String CPU_NS_PER_MSG = "cpuNsPerMsg";

    private final Transport transport;
    private final CheckMode mode;

    /**
     * Measures with full payload verification ({@link CheckMode#FULL}), as tests do.
     *
     * @param transport the transport to measure.
     */
    public TransportContestant(final Transport transport)
    {
        this(transport, CheckMode.FULL);
    }

    /**
     * @param transport the transport to measure.
     * @param mode      how much of each message the workers write and check.
     */
    public TransportContestant(final Transport transport, final CheckMode mode)
    {
        this.transport = transport;
        this.mode = mode;
    }

    /**
     * @return the transport measured.
     */
    public Transport transport()
    {
        return transport;
    }

    @Override
    public String id()
    {
        return transport.id();
    }

    @Override
    public String label()
    {
        return transport.label();
    }

    @Override
    public Set<Workload> workloads()
    {
        final EnumSet<Workload> workloads = EnumSet.of(Workload.THROUGHPUT_1_TO_1_64B);
        if (transport.roundTrip())
        {
            workloads.add(Workload.ROUND_TRIP_32B);
        }
        if (transport.twoToTwo())
        {
            workloads.add(Workload.THROUGHPUT_2_TO_2_64B);
        }
        if (transport.hasBatchForm())
        {
            workloads.add(Workload.THROUGHPUT_1_TO_1_64B_BATCH);
        }
        return workloads;
    }

    @Override
    public Measurement measure(final Workload workload, final RunContext context)
    {
        final String tag = workload.id() + "-" + id() + "-r" + context.repeat();
        final List<WorkerSpec> workers = workers(workload, context);
        final int channels = workers.stream().mapToInt(WorkerSpec::channel).max().orElse(0) + 1 +
            (workload == Workload.ROUND_TRIP_32B ? 1 : 0);
        final Path scratch = context.scratch().resolve(tag);
        try
        {
            Files.createDirectories(scratch);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot create " + scratch + ": " + ex, ex);
        }
        final String controlName = "bench-" + tag + "-control";
        try (ControlFile control = ControlFile.create(controlName);
            Fixture fixture = transport.create(new ChannelPlan(channels, workload.messageBytes(), scratch, "bench-" + tag)))
        {
            try
            {
                final Map<WorkerSpec, WorkerResult> results =
                    run(workers, workload.messageBytes(), control, fixture, context, tag, controlName);
                return workload == Workload.ROUND_TRIP_32B ?
                    roundTrip(workload, context, results) : throughput(workload, context, results);
            }
            finally
            {
                control.unlink();
            }
        }
    }

    private List<WorkerSpec> workers(final Workload workload, final RunContext context)
    {
        final List<WorkerSpec> workers = new ArrayList<>();
        switch (workload)
        {
            case ROUND_TRIP_32B ->
            {
                workers.add(new WorkerSpec("ping", 0, 0, 1, "0", "0"));
                workers.add(new WorkerSpec("pong", 0, 0, 1, "0", "0"));
            }
            case THROUGHPUT_1_TO_1_64B, THROUGHPUT_1_TO_1_64B_BATCH ->
            {
                final int batch = workload == Workload.THROUGHPUT_1_TO_1_64B_BATCH ? context.batchSize() : 1;
                workers.add(new WorkerSpec("producer", 0, 0, batch, "0", "0"));
                workers.add(new WorkerSpec("consumer", 0, 0, 1, "0", "0"));
            }
            case THROUGHPUT_2_TO_2_64B ->
            {
                for (int i = 0; i < 2; i++)
                {
                    final int channel = transport.sharedChannel() ? 0 : i;
                    final String group = transport.sharedChannel() ? "0,1" : Integer.toString(i);
                    workers.add(new WorkerSpec("producer", i, channel, 1, group, group));
                    workers.add(new WorkerSpec("consumer", i, channel, 1, group, group));
                }
            }
            default -> throw new IllegalArgumentException(id() + " does not run " + workload);
        }
        return workers;
    }

    private Map<WorkerSpec, WorkerResult> run(
        final List<WorkerSpec> workers, final int length, final ControlFile control, final Fixture fixture,
        final RunContext context, final String tag, final String controlName)
    {
        final long producers = workers.stream().filter((w) -> w.role().equals("producer")).count();
        final Map<WorkerSpec, JvmProcess> children = new LinkedHashMap<>();
        final Map<WorkerSpec, Path> logs = new LinkedHashMap<>();
        boolean success = false;
        try
        {
            Files.createDirectories(context.logs());
            for (final WorkerSpec worker : workers)
            {
                final String name = worker.role() + worker.index();
                final WorkerArgs args = new WorkerArgs()
                    .with(WorkerArgs.ROLE, worker.role())
                    .with(WorkerArgs.TRANSPORT, Transports.reference(transport))
                    .with(WorkerArgs.SPEC, fixture.spec())
                    .with(WorkerArgs.CONTROL, controlName)
                    .with(WorkerArgs.RESULT, context.scratch().resolve(tag + "-" + name + ".result"))
                    .with(WorkerArgs.INDEX, worker.index())
                    .with(WorkerArgs.CHANNEL, worker.channel())
                    .with(WorkerArgs.LENGTH, length)
                    .with(WorkerArgs.CHECK, mode.id())
                    .with(WorkerArgs.WARMUP_NS, context.warmup().toNanos())
                    .with(WorkerArgs.MEASURE_NS, context.measure().toNanos())
                    .with(WorkerArgs.MAX_MESSAGES, context.maxMessages())
                    .with(WorkerArgs.BATCH, worker.batch())
                    .with(WorkerArgs.PRODUCERS, Math.max(1, producers))
                    .with(WorkerArgs.GROUP_PRODUCERS, worker.groupProducers())
                    .with(WorkerArgs.GROUP_CONSUMERS, worker.groupConsumers())
                    .with(WorkerArgs.BUDGET_NS, context.budgetNs());
                final Path log = context.logs().resolve(tag + "-" + name + ".log");
                logs.put(worker, log);
                children.put(worker, JvmProcess.start(WorkerMain.class, new ProcessOptions()
                    .launcher(fixture.launcher(worker.role()).toArray(String[]::new))
                    .name(tag + "-" + name).daemon(true)
                    .jvmOptions(WorkerJvmOptions.with(WORKER_HEAP).toArray(String[]::new))
                    .args(args.toArgs()).redirectOutput(log).redirectErrorStream(true)));
            }
            awaitReady(control, children, workers.size(), logs);
            control.go();
            final long deadlineNs = System.nanoTime() + context.budgetNs();
            final Map<WorkerSpec, WorkerResult> results = new LinkedHashMap<>();
            // every worker is joined before a failure is reported: one that failed verification is the cause, and
            // the others then stop with "another worker failed", which must not hide it
            VerificationException verificationFailure = null;
            IpcException otherFailure = null;
            for (final Map.Entry<WorkerSpec, JvmProcess> entry : children.entrySet())
            {
                final JvmProcess child = entry.getValue();
                final long remainingNs = Math.max(0, deadlineNs - System.nanoTime());
                if (!child.join(remainingNs, TimeUnit.NANOSECONDS))
                {
                    otherFailure = otherFailure != null ? otherFailure : new IpcException(child + " did not finish " +
                        "within " + TimeUnit.NANOSECONDS.toSeconds(context.budgetNs()) + " s; log: " +
                        logs.get(entry.getKey()));
                    continue;
                }
                final WorkerResult result;
                try
                {
                    result = WorkerResult.read(context.scratch()
                        .resolve(tag + "-" + entry.getKey().role() + entry.getKey().index() + ".result"));
                }
                catch (final RuntimeException ex)
                {
                    otherFailure = otherFailure != null ? otherFailure : new IpcException(child + " left no " +
                        "result (" + ex.getMessage() + "); log: " + logs.get(entry.getKey()), ex);
                    continue;
                }
                final int exitCode = child.exitCode().orElseThrow();
                if (exitCode != 0)
                {
                    final String why = child + " failed: " + result.get(WorkerResult.ERROR) + "; log: " +
                        logs.get(entry.getKey());
                    if (Boolean.parseBoolean(result.get(WorkerResult.VERIFICATION_FAILED)))
                    {
                        verificationFailure = verificationFailure != null ? verificationFailure :
                            new VerificationException(why);
                    }
                    else
                    {
                        otherFailure = otherFailure != null ? otherFailure : new IpcException(why);
                    }
                    continue;
                }
                results.put(entry.getKey(), result);
            }
            if (verificationFailure != null)
            {
                throw verificationFailure;
            }
            if (otherFailure != null)
            {
                throw otherFailure;
            }
            success = true;
            return results;
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot prepare the workers of " + tag + ": " + ex, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IpcException("interrupted while measuring " + tag, ex);
        }
        finally
        {
            for (final JvmProcess child : children.values())
            {
                child.close();
            }
            if (success)
            {
                logs.values().forEach(Directories::deleteQuietly);
            }
        }
    }

    private static void awaitReady(
        final ControlFile control, final Map<WorkerSpec, JvmProcess> children, final int count,
        final Map<WorkerSpec, Path> logs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + READY_TIMEOUT_NS;
        while (control.readyCount() < count)
        {
            for (final Map.Entry<WorkerSpec, JvmProcess> entry : children.entrySet())
            {
                if (!entry.getValue().isAlive())
                {
                    throw new IpcException(entry.getValue() + " exited before it was ready; log: " +
                        logs.get(entry.getKey()));
                }
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IpcException("only " + control.readyCount() + " of " + count + " workers were ready after " +
                    TimeUnit.NANOSECONDS.toSeconds(READY_TIMEOUT_NS) + " s; logs: " + logs.values());
            }
            Thread.sleep(1);
        }
    }

    private Measurement roundTrip(
        final Workload workload, final RunContext context, final Map<WorkerSpec, WorkerResult> results)
    {
        final WorkerResult ping = find(results, "ping", 0);
        final WorkerResult pong = find(results, "pong", 0);
        final long count = ping.getLong(WorkerResult.COUNT);
        final long expected = mode.expectedChecksum(0, count);
        verify(count > 0, "the ping worker sent no message");
        verify(pong.getLong(WorkerResult.COUNT) == count,
            "the pong worker echoed " + pong.getLong(WorkerResult.COUNT) + " of " + count + " pings");
        verify(pong.getLong(WorkerResult.CHECKSUM) == expected && ping.getLong(WorkerResult.CHECKSUM) == expected,
            "checksums differ: expected " + expected + ", pong " + pong.getLong(WorkerResult.CHECKSUM) + ", ping " +
            ping.getLong(WorkerResult.CHECKSUM));
        final Histogram histogram = ping.histogram();
        if (histogram.getTotalCount() == 0)
        {
            throw new IpcException("all " + count + " round trips happened during the warm-up: lengthen the " +
                "measured time or raise the message cap");
        }
        final Map<String, Double> metrics = LatencyMetrics.of(histogram);
        metrics.put("messages", (double)count);
        putCpu(metrics, results);
        return new Measurement(id(), workload, context.repeat(), metrics.get(LatencyMetrics.P50), metrics, histogram);
    }

    private Measurement throughput(
        final Workload workload, final RunContext context, final Map<WorkerSpec, WorkerResult> results)
    {
        long sent = 0;
        long expectedChecksum = 0;
        long received = 0;
        long checksum = 0;
        long windowCount = 0;
        long windowStartNs = Long.MAX_VALUE;
        long windowEndNs = Long.MIN_VALUE;
        for (final Map.Entry<WorkerSpec, WorkerResult> entry : results.entrySet())
        {
            final WorkerResult result = entry.getValue();
            if (entry.getKey().role().equals("producer"))
            {
                final long count = result.getLong(WorkerResult.COUNT);
                sent += count;
                expectedChecksum += mode.expectedChecksum(entry.getKey().index(), count);
            }
            else
            {
                received += result.getLong(WorkerResult.COUNT);
                checksum += result.getLong(WorkerResult.CHECKSUM);
                windowCount += result.getLong(WorkerResult.WINDOW_COUNT);
                windowStartNs = Math.min(windowStartNs, result.getLong(WorkerResult.WINDOW_START_NS));
                windowEndNs = Math.max(windowEndNs, result.getLong(WorkerResult.WINDOW_END_NS));
            }
        }
        verify(sent > 0, "the producers sent nothing");
        verify(received == sent, "the consumers received " + received + " messages where " + sent + " were sent");
        verify(checksum == expectedChecksum, "checksum " + checksum + " where " + expectedChecksum + " was expected");
        if (windowCount <= 0 || windowEndNs <= windowStartNs)
        {
            throw new IpcException("all " + sent + " messages arrived during the warm-up, none in the measured " +
                "window: lengthen the measured time or raise the message cap");
        }
        final double perSecond = windowCount * 1e9 / (windowEndNs - windowStartNs);
        final Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("messages", (double)sent);
        metrics.put("windowMessages", (double)windowCount);
        metrics.put("windowNs", (double)(windowEndNs - windowStartNs));
        putCpu(metrics, results);
        return new Measurement(id(), workload, context.repeat(), perSecond, metrics, null);
    }

    /**
     * Puts {@link #CPU_NS_PER_MSG}: per role, the CPU its workers used over their measured parts divided by the
     * messages they handled meanwhile, summed over the roles. Absent when a worker never reached its measured part.
     */
    private static void putCpu(final Map<String, Double> metrics, final Map<WorkerSpec, WorkerResult> results)
    {
        final Map<String, double[]> byRole = new LinkedHashMap<>();
        for (final Map.Entry<WorkerSpec, WorkerResult> entry : results.entrySet())
        {
            final String cpu = entry.getValue().get(WorkerResult.CPU_NS);
            if (cpu == null)
            {
                return;
            }
            final double[] sums = byRole.computeIfAbsent(entry.getKey().role(), (role) -> new double[2]);
            sums[0] += Double.parseDouble(cpu);
            sums[1] += Double.parseDouble(entry.getValue().get(WorkerResult.CPU_COUNT));
        }
        double perMessage = 0;
        for (final double[] sums : byRole.values())
        {
            if (sums[1] <= 0)
            {
                return;
            }
            perMessage += sums[0] / sums[1];
        }
        metrics.put(CPU_NS_PER_MSG, perMessage);
    }

    private static WorkerResult find(final Map<WorkerSpec, WorkerResult> results, final String role, final int index)
    {
        return results.entrySet().stream()
            .filter((e) -> e.getKey().role().equals(role) && e.getKey().index() == index)
            .map(Map.Entry::getValue).findFirst()
            .orElseThrow(() -> new IllegalStateException("no result from " + role + index));
    }

    private static void verify(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new VerificationException(what);
        }
    }

    private record WorkerSpec(
        String role, int index, int channel, int batch, String groupProducers, String groupConsumers)
    {
    }
}
