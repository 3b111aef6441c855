package io.ipckit.demos.stream;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.pipe.Pipe;
import io.ipckit.pipe.PipeOptions;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Receives the {@link Producer}'s messages in place from the shared ring, verifies each one's sequence and
 * checksum, records its latency (send to receive, both on this machine's monotonic clock) in an HdrHistogram,
 * prints a progress line every second and a summary with percentiles.
 */
@Command(name = "consumer", mixinStandardHelpOptions = true,
    description = "Receive and verify the messages a producer JVM sends into a named pipe.")
public final class Consumer implements Callable<Integer>, BufferHandler
{
    @Option(names = "--name", description = "Name of the pipe the producer creates (default: ${DEFAULT-VALUE}).")
    String name = "demo-stream";

    @Option(names = "--spin", description = "Busy-spin instead of sleeping on a futex while the ring is empty.")
    boolean spin;

    @Option(names = "--timeout-s", description = "Give up when no producer appears or nothing arrives for this long (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = 60;

    @Option(names = "--quiet", description = "No progress lines, only the summary.")
    boolean quiet;

    private final Histogram latencyNs = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private Progress progress;
    private long expected;
    private long received;
    private long bytes;
    private long corrupt;
    private long outOfOrder;
    private long announced = -1;

    /**
     * @param args picocli options, see {@code --help}.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new Consumer()).execute(args));
    }

    /**
     * Receives until the producer's end-of-stream message.
     *
     * @return 0 when every message arrived intact and in order, 1 otherwise, 2 on a timeout.
     */
    @Override
    public Integer call() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!SharedDirectory.exists(name))
        {
            if (System.nanoTime() > deadline)
            {
                System.out.println("consumer: no producer created \"" + name + "\" within " + timeoutSeconds + " s");
                return 2;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        final PipeOptions options = new PipeOptions();
        if (spin)
        {
            options.idleStrategy(new BusySpinIdleStrategy());
        }
        progress = new Progress("consumer", quiet);
        final long start;
        try (Connection pipe = Pipe.open(name, options))
        {
            start = System.nanoTime();
            try
            {
                while (announced < 0)
                {
                    if (pipe.drain(this, 1024) == 0 && !pipe.receive(this, timeoutSeconds, TimeUnit.SECONDS))
                    {
                        System.out.println("consumer: nothing arrived for " + timeoutSeconds + " s after " + received + " messages");
                        return 2;
                    }
                }
            }
            catch (final EndOfStreamException ex)
            {
                System.out.println("consumer: the producer closed before its end-of-stream message");
            }
            pipe.close();
            SharedDirectory.unlinkIfExists(name);
        }
        final double elapsed = (System.nanoTime() - start) / 1e9;
        final boolean ok = corrupt == 0 && outOfOrder == 0 && announced == received;
        System.out.printf("consumer: received %,d of %,d messages (%.1f MB) in %.2f s: %,.0f msg/s; corrupt %d, out of order %d%n",
            received, announced, bytes / 1e6, elapsed, received / elapsed, corrupt, outOfOrder);
        System.out.printf("consumer: latency send->receive (us): p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
            latencyNs.getValueAtPercentile(50) / 1e3, latencyNs.getValueAtPercentile(90) / 1e3,
            latencyNs.getValueAtPercentile(99) / 1e3, latencyNs.getValueAtPercentile(99.9) / 1e3,
            latencyNs.getMaxValue() / 1e3);
        System.out.println(ok ? "consumer: VERIFIED " + received + " messages" : "consumer: FAILED verification");
        return ok ? 0 : 1;
    }

    /**
     * Verifies one message in place.
     */
    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        final long now = System.nanoTime();
        final long sequence = buffer.getLong(offset + StreamMessage.SEQUENCE_OFFSET);
        if (sequence == StreamMessage.END_OF_STREAM)
        {
            announced = buffer.getLong(offset + StreamMessage.SEND_TIME_OFFSET);
            return;
        }
        latencyNs.recordValue(Math.max(0, Math.min(now - buffer.getLong(offset + StreamMessage.SEND_TIME_OFFSET),
            latencyNs.getHighestTrackableValue())));
        if (!StreamMessage.verify(buffer, offset, length))
        {
            corrupt++;
        }
        if (sequence != expected)
        {
            outOfOrder++;
        }
        expected = sequence + 1;
        received++;
        bytes += length;
        progress.update(received, bytes);
    }
}
