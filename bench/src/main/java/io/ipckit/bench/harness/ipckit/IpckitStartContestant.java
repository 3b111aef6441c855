package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.Contestant;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.VerificationException;
import io.ipckit.bench.harness.Workload;
import io.ipckit.core.ResourceName;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import io.ipckit.pool.PoolOptions;
import io.ipckit.pool.ProcessPool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Start-up with ipckit's defaults, as the Python peer measures {@code spawn}: pool-start is
 * {@code ProcessPool.create(2 workers)} until the first result of a small task is in; process-start is
 * {@code JvmProcess.start} of a class that opens a pipe and sends one message, until that message arrives. The
 * warm-up starts children until it ends (at least three), so the AOT cache is trained and published before the
 * measured starts, as for a user's second run; the figure is the median of the measured starts (at least five).
 * {@code cpuNsPerStart} is the CPU time of this JVM and of the children per start, the children's read from
 * {@code /proc} while they live.
 */
public final class IpckitStartContestant implements Contestant
{
    private static final int MIN_WARMUP_STARTS = 3;
    private static final int MIN_MEASURED_STARTS = 5;

    @Override
    public String id()
    {
        return "ipckit-start";
    }

    @Override
    public String label()
    {
        return "ipckit ProcessPool / JvmProcess, default options";
    }

    @Override
    public Set<Workload> workloads()
    {
        return EnumSet.of(Workload.POOL_START, Workload.PROCESS_START);
    }

    @Override
    public Measurement measure(final Workload workload, final RunContext context)
    {
        try
        {
            final long warmEnd = System.nanoTime() + context.warmup().toNanos();
            for (int i = 0; i < MIN_WARMUP_STARTS || System.nanoTime() < warmEnd && context.maxMessages() == 0; i++)
            {
                once(workload, context);
            }
            final long measureEnd = System.nanoTime() + context.measure().toNanos();
            final int cap = context.maxMessages() > 0 ? (int)Math.min(context.maxMessages(), MIN_MEASURED_STARTS) : 200;
            long[] times = new long[0];
            long cpuNs = 0;
            while (times.length < cap && (times.length < MIN_MEASURED_STARTS || System.nanoTime() < measureEnd))
            {
                final long[] timeAndCpu = once(workload, context);
                times = Arrays.copyOf(times, times.length + 1);
                times[times.length - 1] = timeAndCpu[0];
                cpuNs += timeAndCpu[1];
            }
            Arrays.sort(times);
            final Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("starts", (double)times.length);
            metrics.put("minNs", (double)times[0]);
            metrics.put("maxNs", (double)times[times.length - 1]);
            metrics.put("cpuNsPerStart", (double)cpuNs / times.length);
            return new Measurement(id(), workload, context.repeat(), times[times.length / 2], metrics, null);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring start-up", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new VerificationException("the pool's first task failed: " + ex.getCause());
        }
    }

    /**
     * @return the time from start to first result, and the CPU time it cost (this JVM and the children).
     */
    private static long[] once(final Workload workload, final RunContext context)
        throws InterruptedException, ExecutionException
    {
        return workload == Workload.POOL_START ? poolOnce() : processOnce(context);
    }

    private static long[] poolOnce() throws InterruptedException, ExecutionException
    {
        final long cpuStartNs = IpckitPoolContestant.cpuNs(List.of());
        final long start = System.nanoTime();
        try (ProcessPool pool = ProcessPool.create(2))
        {
            final long pid = pool.submit(() -> ProcessHandle.current().pid()).get();
            final long elapsed = System.nanoTime() - start;
            if (pid == ProcessHandle.current().pid())
            {
                throw new VerificationException("the pool's task ran in the bench's own JVM");
            }
            final long cpuNs = IpckitPoolContestant.cpuNs(pool.workerPids()) - cpuStartNs;
            return new long[] {elapsed, cpuNs};
        }
    }

    private static long[] processOnce(final RunContext context) throws InterruptedException
    {
        final String name = ResourceName.random("bench-start-");
        final long cpuStartNs = IpckitPoolContestant.cpuNs(List.of());
        try (Connection connection = Pipe.create(name))
        {
            final long start = System.nanoTime();
            try (JvmProcess child = JvmProcess.start(StartChild.class, new ProcessOptions().args(name).daemon(true)))
            {
                final byte[] first = connection.recvBytes(context.timeout().toNanos(), TimeUnit.NANOSECONDS);
                final long elapsed = System.nanoTime() - start;
                if (first == null || ByteBuffer.wrap(first).getLong() != child.pid())
                {
                    throw new VerificationException("the started JVM " + child + " sent no message or a wrong pid");
                }
                final byte[] cpu = connection.recvBytes(context.timeout().toNanos(), TimeUnit.NANOSECONDS);
                if (cpu == null || !child.join(context.timeout().toSeconds(), TimeUnit.SECONDS) ||
                    child.exitCode().orElse(-1) != 0)
                {
                    throw new VerificationException("the started JVM " + child + " did not finish cleanly");
                }
                final long cpuNs = IpckitPoolContestant.cpuNs(List.of()) - cpuStartNs + ByteBuffer.wrap(cpu).getLong();
                return new long[] {elapsed, cpuNs};
            }
        }
    }

    /**
     * The started JVM of process-start: opens the pipe named by its argument, sends its pid, then its CPU time so
     * far, and exits.
     */
    public static final class StartChild
    {
        private StartChild()
        {
        }

        /**
         * @param args the pipe's name.
         * @throws InterruptedException never in practice.
         * @throws IOException          when its own CPU time cannot be read.
         */
        public static void main(final String[] args) throws InterruptedException, IOException
        {
            try (Connection connection = Pipe.open(args[0]))
            {
                connection.sendBytes(ByteBuffer.allocate(Long.BYTES).putLong(ProcessHandle.current().pid()).array());
                final String stat = Files.readString(Path.of("/proc/self/stat"));
                final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                final long cpuNs = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
                connection.sendBytes(ByteBuffer.allocate(Long.BYTES).putLong(cpuNs).array());
            }
        }
    }
}
