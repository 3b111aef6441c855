package io.ipckit.bench.core;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.internal.wait.WakeSignal;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Time from {@link JvmProcess#start(Class, ProcessOptions)} to the child's first message: the child opens a named resource,
 * writes its pid and signals; the parent sleeps on the signal. Python's spawn takes 61 ms on these machines.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, batchSize = 1)
@Measurement(iterations = 20, batchSize = 1)
@Fork(1)
public class ProcessStartBenchmark
{
    /** Extra child JVM options: none, the fastest-start set, or the JDK 25 AOT cache (trained by the first child). */
    @Param({"default", "fast-start", "aot-cache"})
    public String options;

    private ResourceFile file;
    private String name;
    private WakeSignal signal;
    private JvmProcess lastChild;

    /**
     * Creates the resource the children answer through.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        name = "bench-start-" + ProcessHandle.current().pid();
        file = ResourceFile.create(name, ResourceKind.TEST, 1, 0, 64, false, null);
        signal = new WakeSignal(file.buffer(), file.headerLength());
    }

    /**
     * Waits for the iteration's child to exit, outside the measured time.
     *
     * @throws InterruptedException never in practice.
     */
    @TearDown(Level.Iteration)
    public void reapChild() throws InterruptedException
    {
        if (lastChild != null)
        {
            lastChild.join(30, TimeUnit.SECONDS);
            lastChild.close();
            lastChild = null;
        }
    }

    /**
     * Removes the resource.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        file.unlink();
        file.close();
    }

    /**
     * @return the pid the child reported (checked against the started child).
     * @throws InterruptedException never in practice.
     */
    @Benchmark
    public long startToFirstMessage() throws InterruptedException
    {
        final int offset = file.headerLength() + 8;
        file.buffer().putLongRelease(offset, 0);
        final int seq = signal.sequence();
        final ProcessOptions processOptions = new ProcessOptions().args(name).daemon(true)
            .aotCache("aot-cache".equals(options));
        if ("fast-start".equals(options))
        {
            processOptions.jvmOptions("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
        }
        final JvmProcess child = JvmProcess.start(FirstMessage.class, processOptions);
        int observed = seq;
        while (file.buffer().getLongAcquire(offset) == 0)
        {
            if (!signal.awaitChange(observed, TimeUnit.SECONDS.toNanos(30)))
            {
                throw new IllegalStateException("child " + child + " sent nothing within 30 s");
            }
            observed = signal.sequence();
        }
        final long pid = file.buffer().getLongAcquire(offset);
        if (pid != child.pid())
        {
            throw new IllegalStateException("expected pid " + child.pid() + " got " + pid);
        }
        lastChild = child;
        return pid;
    }

    /**
     * The child: opens the resource, writes its pid, signals.
     */
    public static final class FirstMessage
    {
        /**
         * @param args the resource name.
         */
        public static void main(final String[] args)
        {
            try (ResourceFile file = ResourceFile.open(args[0], ResourceKind.TEST, 1))
            {
                file.buffer().putLongRelease(file.headerLength() + 8, ProcessHandle.current().pid());
                new WakeSignal(file.buffer(), file.headerLength()).signalAll();
            }
        }
    }
}
