package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.Contestant;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.VerificationException;
import io.ipckit.bench.harness.Workload;
import io.ipckit.core.ResourceName;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import io.ipckit.shm.ShmOptions;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.array.SharedArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * ipckit's {@link SharedArray} on the 64 MiB hand-off, exactly as the Python peer runs it: this JVM fills a 64 MiB
 * float64 array (the values 0, 1, 2...: every partial sum is an integer below 2^53, so any order of adding is
 * exact and the sums can be checked for equality); a long-lived child JVM is sent its name (through a {@link Pipe}), opens it (attach: a mapping,
 * O(1)), sums it, and answers with the time it finished summing (before it unmaps, as the Python peer takes its
 * time before {@code shm.close()}). The figure is the median of send-to-summed; the median
 * in-process sum of the same array is reported beside it ({@code in_process_ns}), and the attaching JVM's CPU time
 * per round, all its threads, its waits between rounds included ({@code cpu_ns}: the process's CPU clock ticks in
 * 10 ms, so it is taken over all rounds). Every sum is checked.
 * <p>
 * Two contestants: the default handle (its reductions on the calling thread and the common pool's threads, two
 * threads on a two-core machine, where Python uses one) and a handle opened with
 * {@code ShmOptions.reductionThreads(1)} (the calling thread alone, like Python).
 */
public final class IpckitArrayContestant implements Contestant
{
    static final long ELEMENTS = (64L << 20) / Double.BYTES;
    static final long EXPECTED = ELEMENTS * (ELEMENTS - 1) / 2;
    static final String STOP = "";

    private final int threads;

    /**
     * The default handle.
     */
    public IpckitArrayContestant()
    {
        this(ShmOptions.REDUCTION_THREADS_DEFAULT);
    }

    /**
     * @param threads the reduction threads of the handles that sum ({@link ShmOptions#REDUCTION_THREADS_DEFAULT}:
     *                the default handle's).
     */
    public IpckitArrayContestant(final int threads)
    {
        this.threads = threads;
    }

    @Override
    public String id()
    {
        return threads == ShmOptions.REDUCTION_THREADS_DEFAULT ? "ipckit-shared-array" :
            "ipckit-shared-array-" + threads + "t";
    }

    @Override
    public String label()
    {
        return threads == ShmOptions.REDUCTION_THREADS_DEFAULT ? "ipckit SharedArray, open + sum in another JVM" :
            "ipckit SharedArray, open + sum in another JVM on " + threads + " threads";
    }

    @Override
    public Set<Workload> workloads()
    {
        return EnumSet.of(Workload.ARRAY_HANDOFF_64MIB);
    }

    @Override
    public Measurement measure(final Workload workload, final RunContext context)
    {
        final String pipeName = ResourceName.random("bench-array-");
        final List<Long> times = new ArrayList<>();
        final List<Long> local = new ArrayList<>();
        final List<Long> cpu = new ArrayList<>();
        try (SharedArray array = SharedArray.create(ResourceName.random(null), DType.FLOAT64,
            new ShmOptions().reductionThreads(threads), ELEMENTS);
             Connection pipe = Pipe.create(pipeName))
        {
            java.nio.file.Files.createDirectories(context.logs()); // the first measurement of a run may come first
            for (long i = 0; i < ELEMENTS; i++)
            {
                array.setDouble(i, i);
            }
            try (JvmProcess child = JvmProcess.start(AttachWorker.class, new ProcessOptions()
                .args(pipeName, Integer.toString(threads))
                .daemon(true)
                .redirectOutput(context.logs().resolve("array-r" + context.repeat() + ".log"))
                .redirectErrorStream(true)))
            {
                final long end = System.nanoTime() + context.warmup().toNanos() + context.measure().toNanos();
                final long timeoutNs = context.timeout().toNanos();
                int rounds = 0;
                while (context.maxMessages() > 0 ? rounds < Math.min(context.maxMessages(), 5) : rounds < 3 || System.nanoTime() < end)
                {
                    final long start = System.nanoTime();
                    pipe.send(array.name(), Codecs.STRING);
                    final String reply = pipe.recv(Codecs.STRING, timeoutNs, TimeUnit.NANOSECONDS);
                    if (reply == null)
                    {
                        throw new VerificationException("the attaching JVM did not answer within " +
                            context.timeout().toSeconds() + " s");
                    }
                    final String[] words = reply.split(" ");
                    final long sum = Long.parseLong(words[1]);
                    if (sum != EXPECTED)
                    {
                        throw new VerificationException("the attaching JVM summed " + sum + ", expected " + EXPECTED);
                    }
                    times.add(Long.parseLong(words[0]) - start);
                    cpu.add(Long.parseLong(words[2]));
                    local.add(localSum(array));
                    rounds++;
                }
                pipe.send(STOP, Codecs.STRING);
                child.join(30, TimeUnit.SECONDS);
            }
            pipe.close();
            array.unlink();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the array hand-off", ex);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot create the log directory " + context.logs(), ex);
        }
        finally
        {
            io.ipckit.core.SharedDirectory.unlinkIfExists(pipeName);
        }
        Collections.sort(local);
        return new Measurement(id(), workload, context.repeat(), median(times),
            Map.of("in_process_ns", (double)local.get(local.size() / 2), "rounds", (double)times.size(),
                "cpu_ns", cpu.size() < 2 ? 0 : (cpu.get(cpu.size() - 1) - cpu.get(0)) / (double)(cpu.size() - 1)),
            null);
    }

    private static long localSum(final SharedArray array)
    {
        final long start = System.nanoTime();
        final long sum = (long)array.sum();
        final long took = System.nanoTime() - start;
        if (sum != EXPECTED)
        {
            throw new VerificationException("in-process sum " + sum + ", expected " + EXPECTED);
        }
        return took;
    }

    private static double median(final List<Long> values)
    {
        final List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /**
     * The child: for each name received, opens the array, sums it, answers "finished-at-ns sum cpu-ns" (the
     * process's CPU time so far, every thread's).
     */
    public static final class AttachWorker
    {
        private AttachWorker()
        {
        }

        /**
         * @param args the pipe's name, and the reduction threads of the handles it opens.
         * @throws InterruptedException when interrupted while waiting on the pipe.
         */
        public static void main(final String[] args) throws InterruptedException
        {
            final ShmOptions options = new ShmOptions().reductionThreads(Integer.parseInt(args[1]));
            final com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            try (Connection pipe = Pipe.open(args[0]))
            {
                while (true)
                {
                    final String name = pipe.recv(Codecs.STRING);
                    if (name.isEmpty())
                    {
                        return;
                    }
                    final long sum;
                    final long done;
                    final long cpuNs;
                    try (SharedArray array = SharedArray.open(name, options))
                    {
                        sum = (long)array.sum();
                        done = System.nanoTime(); // before the unmap, as the Python peer takes its time before close
                        cpuNs = os.getProcessCpuTime();
                    }
                    pipe.send(done + " " + sum + " " + cpuNs, Codecs.STRING);
                }
            }
        }
    }
}
