package io.ipckit.bench.core;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.internal.wait.WakeSignal;
import org.agrona.concurrent.AtomicBuffer;
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

import java.util.concurrent.TimeUnit;

/**
 * Futex wake-up latency across two processes: this JVM and a child ping-pong a counter, each side sleeping in the
 * kernel on its own {@link WakeSignal} (no spinning: {@code spinTries} 0) until the other signals. One operation
 * is a round trip, i.e. two cross-process futex wake-ups; the one-way wake-up latency is half of it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FutexWakeBenchmark
{
    static final int PING = 0;
    static final int PONG = 64;
    static final int PING_VALUE = 128;
    static final int PONG_VALUE = 192;

    private ResourceFile file;
    private JvmProcess child;
    private AtomicBuffer buffer;
    private int base;
    private WakeSignal ping;
    private WakeSignal pong;
    private int counter;

    /**
     * Creates the shared file and starts the echoing child.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final String name = "bench-futex-" + ProcessHandle.current().pid();
        file = ResourceFile.create(name, ResourceKind.TEST, 1, 0, 256, false, null);
        buffer = file.buffer();
        base = file.headerLength();
        ping = new WakeSignal(buffer, base + PING);
        pong = new WakeSignal(buffer, base + PONG);
        child = JvmProcess.start(Echo.class, new ProcessOptions().args(name).daemon(true));
    }

    /**
     * Stops the child and removes the file.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException
    {
        buffer.putIntRelease(base + PING_VALUE, -1);
        ping.signalAll();
        child.join(5, TimeUnit.SECONDS);
        child.close();
        file.unlink();
        file.close();
    }

    /**
     * @return the counter the child echoed (checked, so a wrong run fails).
     * @throws InterruptedException never in practice.
     */
    @Benchmark
    public int roundTrip() throws InterruptedException
    {
        final int value = ++counter;
        final int seq = pong.sequence();
        buffer.putIntRelease(base + PING_VALUE, value);
        ping.signalAll();
        int observed = seq;
        while (buffer.getIntAcquire(base + PONG_VALUE) != value)
        {
            if (!pong.awaitChange(observed, TimeUnit.SECONDS.toNanos(10), 0))
            {
                throw new IllegalStateException("the echo child did not answer " + value + " within 10 s");
            }
            observed = pong.sequence();
        }
        return value;
    }

    /**
     * The child: sleeps on PING until a new value arrives, echoes it to PONG.
     */
    public static final class Echo
    {
        /**
         * @param args the resource name.
         * @throws InterruptedException when interrupted.
         */
        public static void main(final String[] args) throws InterruptedException
        {
            try (ResourceFile file = ResourceFile.open(args[0], ResourceKind.TEST, 1))
            {
                final AtomicBuffer buffer = file.buffer();
                final int base = file.headerLength();
                final WakeSignal ping = new WakeSignal(buffer, base + PING);
                final WakeSignal pong = new WakeSignal(buffer, base + PONG);
                int last = 0;
                while (true)
                {
                    final int seq = ping.sequence();
                    final int value = buffer.getIntAcquire(base + PING_VALUE);
                    if (value == -1)
                    {
                        return;
                    }
                    if (value != last)
                    {
                        last = value;
                        buffer.putIntRelease(base + PONG_VALUE, value);
                        pong.signalAll();
                        continue;
                    }
                    ping.awaitChange(seq, TimeUnit.SECONDS.toNanos(1), 0);
                }
            }
        }
    }
}
