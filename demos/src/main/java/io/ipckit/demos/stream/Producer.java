package io.ipckit.demos.stream;

import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import io.ipckit.pipe.PipeOptions;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends sequence-numbered, checksummed messages into a named one-way pipe, written in place in the shared ring
 * (claim, write, commit: no copy). Prints a progress line every second and a summary. Run {@link Consumer} in
 * another JVM (another terminal) with the same {@code --name}.
 */
@Command(name = "producer", mixinStandardHelpOptions = true,
    description = "Send self-checking messages into a named pipe that a consumer JVM reads.")
public final class Producer implements Callable<Integer>
{
    @Option(names = "--name", description = "Name of the pipe this producer creates (default: ${DEFAULT-VALUE}).")
    String name = "demo-stream";

    @Option(names = "--count", description = "Messages to send (default: ${DEFAULT-VALUE}); see also --seconds.")
    long count = 1_000_000;

    @Option(names = "--seconds", description = "Send for this long instead of --count messages (0: use --count).")
    double seconds;

    @Option(names = "--size", description = "Message size in bytes, at least 24 (default: ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = "--rate", description = "Messages per second, 0 for as fast as possible (default: ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--spin", description = "Busy-spin instead of sleeping on a futex when the ring is full.")
    boolean spin;

    @Option(names = "--ring-bytes", description = "Ring capacity, a power of two (default: ${DEFAULT-VALUE}).")
    int ringBytes = 1 << 20;

    @Option(names = "--quiet", description = "No progress lines, only the summary.")
    boolean quiet;

    /**
     * @param args picocli options, see {@code --help}.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new Producer()).execute(args));
    }

    /**
     * Creates the pipe, sends, then closes its end (the consumer sees end of stream after the last message).
     *
     * @return 0.
     */
    @Override
    public Integer call() throws InterruptedException
    {
        if (size < StreamMessage.HEADER_LENGTH)
        {
            throw new CommandLine.ParameterException(new CommandLine(this),
                "--size must be at least " + StreamMessage.HEADER_LENGTH + " bytes, not " + size);
        }
        final PipeOptions options = new PipeOptions().duplex(false).ringCapacityBytes(ringBytes);
        if (spin)
        {
            options.idleStrategy(new BusySpinIdleStrategy());
        }
        final long start = System.nanoTime();
        final long endNs = seconds > 0 ? start + (long)(seconds * 1e9) : Long.MAX_VALUE;
        final long limit = seconds > 0 ? Long.MAX_VALUE : count;
        final long periodNs = rate > 0 ? TimeUnit.SECONDS.toNanos(1) / rate : 0;
        long sent = 0;
        try (Connection pipe = Pipe.create(name, options))
        {
            final MutableDirectBuffer ring = pipe.claimBuffer();
            final Progress progress = new Progress("producer", quiet);
            while (sent < limit && (seconds <= 0 || System.nanoTime() < endNs))
            {
                if (periodNs > 0)
                {
                    final long due = start + sent * periodNs;
                    while (System.nanoTime() < due)
                    {
                        LockSupport.parkNanos(due - System.nanoTime());
                    }
                }
                final int index = pipe.claim(size, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
                StreamMessage.write(ring, index, size, sent);
                pipe.commit(index);
                sent++;
                progress.update(sent, (long)size * sent);
            }
            final int index = pipe.claim(StreamMessage.HEADER_LENGTH, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
            ring.putLong(index + StreamMessage.SEQUENCE_OFFSET, StreamMessage.END_OF_STREAM);
            ring.putLong(index + StreamMessage.SEND_TIME_OFFSET, sent);
            pipe.commit(index);
            final double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("producer: sent %,d messages of %d B in %.2f s: %,.0f msg/s, %.1f MB/s%n",
                sent, size, elapsed, sent / elapsed, sent * (double)size / elapsed / 1e6);
        }
        return 0;
    }
}
