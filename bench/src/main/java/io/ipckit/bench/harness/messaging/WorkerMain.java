package io.ipckit.bench.harness.messaging;

import io.ipckit.bench.harness.VerificationException;
import io.ipckit.core.exceptions.PeerGoneException;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker process of a messaging measurement: opens one or two channel ends of a {@link Transport}, reports ready,
 * waits for go, runs its role, checks every message it receives, and writes a {@link WorkerResult}.
 * <ul>
 * <li>{@code ping}: sends a message on channel 0, waits for its echo on channel 1, records the round trip.</li>
 * <li>{@code pong}: echoes what arrives on channel 0 to channel 1.</li>
 * <li>{@code producer}: sends messages (one by one, or in batches) until the time or message cap is reached.</li>
 * <li>{@code consumer}: receives until its group has taken every message its group's producers sent.</li>
 * </ul>
 * Each worker also reports the CPU time its process used over its measured part ({@link WorkerResult#CPU_NS}) and
 * the messages it handled meanwhile, so that every rate and latency comes with its CPU per message.
 * Exit status 0 on success, 2 on a verification failure, 1 on any other failure (the result file says why).
 */
public final class WorkerMain
{
    private static final int POLL_LIMIT = 256;
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);

    private final WorkerArgs args;
    private final Transport transport;
    private final String spec;
    private final ControlFile control;
    private final int length;
    private final CheckMode mode;
    private final long deadlineNs;
    private final WorkerResult result = WorkerResult.empty();

    private WorkerMain(final WorkerArgs args, final ControlFile control)
    {
        this.args = args;
        this.transport = Transports.byId(args.get(WorkerArgs.TRANSPORT));
        this.spec = args.get(WorkerArgs.SPEC);
        this.control = control;
        this.length = args.getInt(WorkerArgs.LENGTH);
        this.mode = CheckMode.parse(args.get(WorkerArgs.CHECK));
        this.deadlineNs = System.nanoTime() + args.getLong(WorkerArgs.BUDGET_NS);
    }

    /**
     * @param args {@code key=value} arguments, see {@link WorkerArgs}.
     */
    public static void main(final String[] args)
    {
        final WorkerArgs parsed = WorkerArgs.parse(args);
        final Path resultPath = Path.of(parsed.get(WorkerArgs.RESULT));
        int status = 0;
        try (ControlFile control = ControlFile.open(parsed.get(WorkerArgs.CONTROL)))
        {
            final WorkerMain worker = new WorkerMain(parsed, control);
            try
            {
                worker.run();
                worker.result.write(resultPath);
            }
            catch (final Throwable ex)
            {
                control.fail();
                status = ex instanceof VerificationException ? 2 : 1;
                ex.printStackTrace();
                worker.result.put(WorkerResult.ERROR, String.valueOf(ex))
                    .put(WorkerResult.VERIFICATION_FAILED, String.valueOf(status == 2)).write(resultPath);
            }
        }
        System.exit(status);
    }

    private void run()
    {
        switch (args.get(WorkerArgs.ROLE))
        {
            case "ping" -> ping();
            case "pong" -> pong();
            case "producer" -> produce();
            case "consumer" -> consume();
            default -> throw new IllegalArgumentException("unknown role " + args.get(WorkerArgs.ROLE));
        }
    }

    private long awaitGo()
    {
        return control.awaitGo(deadlineNs);
    }

    /**
     * @return the CPU time this process has used, in nanoseconds, or 0 where the JVM cannot tell.
     */
    public static long processCpuNs()
    {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ?
            Math.max(0, os.getProcessCpuTime()) : 0;
    }

    private void ping()
    {
        final Duplex ends = transport.openInitiator(spec, 0, 1, deadlineNs);
        try (Sender out = ends.sender(); Receiver in = ends.receiver())
        {
            final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
            final PayloadChecker echoes = new PayloadChecker(length, 1, true, mode);
            final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
            control.markReady();
            final long goNs = awaitGo();
            final long warmEndNs = goNs + args.getLong(WorkerArgs.WARMUP_NS);
            final long endNs = warmEndNs + args.getLong(WorkerArgs.MEASURE_NS);
            final long maxMessages = args.getLong(WorkerArgs.MAX_MESSAGES);
            long sequence = 0;
            long idle = 0;
            long cpuStartNs = -1;
            long cpuStartCount = 0;
            while (maxMessages > 0 ? sequence < maxMessages : System.nanoTime() - endNs < 0)
            {
                encode(message, 0, 0, sequence);
                final long startNs = System.nanoTime();
                out.send(message, 0, length);
                while (echoes.count() == sequence)
                {
                    final int received = in.poll(echoes, 1);
                    if (received < 0)
                    {
                        throw new PeerGoneException("the pong worker closed the channel before echoing " + sequence);
                    }
                    if (received == 0)
                    {
                        checkIdle(++idle, "the echo of ", sequence);
                    }
                }
                final long endRoundTripNs = System.nanoTime();
                if (startNs - warmEndNs >= 0)
                {
                    if (cpuStartNs < 0)
                    {
                        cpuStartNs = processCpuNs();
                        cpuStartCount = sequence;
                    }
                    histogram.recordValue(Math.min(endRoundTripNs - startNs, HIGHEST_TRACKABLE_NS));
                }
                sequence++;
            }
            control.publishFinalCount(0, sequence);
            putCpu(cpuStartNs, sequence - cpuStartCount);
            result.put(WorkerResult.COUNT, sequence).put(WorkerResult.CHECKSUM, echoes.checksum())
                .putHistogram(histogram);
        }
    }

    private void pong()
    {
        final Duplex ends = transport.openResponder(spec, 0, 1, deadlineNs);
        try (Receiver in = ends.receiver(); Sender out = ends.sender())
        {
            final PayloadChecker checker = new PayloadChecker(length, 1, true, mode);
            final Echo echo = new Echo(checker, out);
            control.markReady();
            final long warmEndNs = control.awaitGo(deadlineNs) + args.getLong(WorkerArgs.WARMUP_NS);
            long idle = 0;
            long polls = 0;
            long cpuStartNs = -1;
            long cpuStartCount = 0;
            while (true)
            {
                final int received = in.poll(echo, POLL_LIMIT);
                if (cpuStartNs < 0 && (++polls & 255) == 0 && System.nanoTime() - warmEndNs >= 0)
                {
                    cpuStartNs = processCpuNs();
                    cpuStartCount = checker.count();
                }
                if (received > 0)
                {
                    continue;
                }
                final long finalCount = control.finalCount(0);
                if (finalCount >= 0 && checker.count() == finalCount)
                {
                    break;
                }
                if (received < 0)
                {
                    throw new PeerGoneException("the ping worker closed the channel after " + checker.count() +
                        " messages without publishing its final count");
                }
                checkIdle(++idle, "pings");
            }
            putCpu(cpuStartNs, checker.count() - cpuStartCount);
            result.put(WorkerResult.COUNT, checker.count()).put(WorkerResult.CHECKSUM, checker.checksum());
        }
    }

    private void produce()
    {
        final int producer = args.getInt(WorkerArgs.INDEX);
        final int batch = args.getInt(WorkerArgs.BATCH);
        try (Sender out = transport.openSender(spec, args.getInt(WorkerArgs.CHANNEL), deadlineNs))
        {
            final UnsafeBuffer messages = new UnsafeBuffer(ByteBuffer.allocateDirect(length * batch));
            control.markReady();
            final long goNs = control.awaitGo(deadlineNs);
            final long warmEndNs = goNs + args.getLong(WorkerArgs.WARMUP_NS);
            final long endNs = warmEndNs + args.getLong(WorkerArgs.MEASURE_NS);
            final long maxMessages = args.getLong(WorkerArgs.MAX_MESSAGES);
            long sequence = 0;
            long cpuStartNs = -1;
            long cpuStartCount = 0;
            while (true)
            {
                if (batch > 1 || (sequence & 255) == 0)
                {
                    final long nowNs = System.nanoTime();
                    if (cpuStartNs < 0 && nowNs - warmEndNs >= 0)
                    {
                        cpuStartNs = processCpuNs();
                        cpuStartCount = sequence;
                    }
                    if (maxMessages <= 0 && nowNs - endNs >= 0)
                    {
                        break;
                    }
                }
                if (maxMessages > 0 && sequence >= maxMessages)
                {
                    break;
                }
                if (batch > 1)
                {
                    final int count = maxMessages > 0 ? (int)Math.min(batch, maxMessages - sequence) : batch;
                    for (int i = 0; i < count; i++)
                    {
                        encode(messages, i * length, producer, sequence + i);
                    }
                    out.sendBatch(messages, 0, length, count);
                    sequence += count;
                }
                else
                {
                    encode(messages, 0, producer, sequence);
                    out.send(messages, 0, length);
                    sequence++;
                }
                if ((sequence & 1023) == 0 && control.failed())
                {
                    throw new IllegalStateException("stopped sending: another worker failed");
                }
            }
            control.publishFinalCount(producer, sequence);
            putCpu(cpuStartNs, sequence - cpuStartCount);
            result.put(WorkerResult.COUNT, sequence);
            if (transport.senderAwaitsConsumers())
            {
                awaitConsumed();
            }
        }
    }

    private void consume()
    {
        final int consumer = args.getInt(WorkerArgs.INDEX);
        final int[] groupProducers = args.getInts(WorkerArgs.GROUP_PRODUCERS);
        final int[] groupConsumers = args.getInts(WorkerArgs.GROUP_CONSUMERS);
        try (Receiver in = transport.openReceiver(spec, args.getInt(WorkerArgs.CHANNEL), deadlineNs))
        {
            final PayloadChecker checker = new PayloadChecker(
                length, args.getInt(WorkerArgs.PRODUCERS), groupConsumers.length == 1, mode);
            control.markReady();
            final long goNs = awaitGo();
            final long warmEndNs = goNs + args.getLong(WorkerArgs.WARMUP_NS);
            long windowStartNs = 0;
            long windowStartCount = 0;
            long windowEndNs = 0;
            long windowEndCount = 0;
            boolean started = false;
            long cpuStartNs = -1;
            long idle = 0;
            while (true)
            {
                final int received = in.poll(checker, POLL_LIMIT);
                if (received > 0)
                {
                    final long nowNs = System.nanoTime();
                    if (!started && nowNs - warmEndNs >= 0)
                    {
                        started = true;
                        windowStartNs = nowNs;
                        windowStartCount = checker.count();
                        cpuStartNs = processCpuNs();
                    }
                    windowEndNs = nowNs;
                    windowEndCount = checker.count();
                    continue;
                }
                control.publishConsumed(consumer, checker.count());
                if (groupDone(groupProducers, groupConsumers))
                {
                    break;
                }
                if (received < 0)
                {
                    throw new PeerGoneException("a producer closed channel " + args.get(WorkerArgs.CHANNEL) +
                        " after " + checker.count() + " messages without publishing its final count");
                }
                checkIdle(++idle, "messages");
            }
            if (!started)
            {
                windowStartNs = windowEndNs;
                windowStartCount = windowEndCount;
            }
            putCpu(cpuStartNs, checker.count() - windowStartCount);
            result.put(WorkerResult.COUNT, checker.count()).put(WorkerResult.CHECKSUM, checker.checksum())
                .put(WorkerResult.WINDOW_START_NS, windowStartNs).put(WorkerResult.WINDOW_END_NS, windowEndNs)
                .put(WorkerResult.WINDOW_COUNT, windowEndCount - windowStartCount);
        }
    }

    /**
     * Waits until the consumers of this producer's group have taken everything its producers sent, before the
     * sender closes (see {@link Transport#senderAwaitsConsumers()}).
     */
    private void awaitConsumed()
    {
        final int[] groupProducers = args.getInts(WorkerArgs.GROUP_PRODUCERS);
        final int[] groupConsumers = args.getInts(WorkerArgs.GROUP_CONSUMERS);
        long idle = 0;
        while (!groupDone(groupProducers, groupConsumers))
        {
            checkIdle(idle += Deadline.CHECK_INTERVAL, "the consumers to take every message");
            LockSupport.parkNanos(100_000);
        }
    }

    private void encode(final UnsafeBuffer buffer, final int offset, final int producer, final long sequence)
    {
        if (mode == CheckMode.FULL)
        {
            Payload.encode(buffer, offset, length, producer, sequence);
        }
        else
        {
            Payload.encodeHeader(buffer, offset, length, producer, sequence);
        }
    }

    /**
     * Records the CPU time used since {@code cpuStartNs} (nothing when the measured part never began).
     */
    private void putCpu(final long cpuStartNs, final long messages)
    {
        if (cpuStartNs >= 0)
        {
            result.put(WorkerResult.CPU_NS, processCpuNs() - cpuStartNs).put(WorkerResult.CPU_COUNT, messages);
        }
    }


    private boolean groupDone(final int[] groupProducers, final int[] groupConsumers)
    {
        long sent = 0;
        for (final int producer : groupProducers)
        {
            final long finalCount = control.finalCount(producer);
            if (finalCount < 0)
            {
                return false;
            }
            sent += finalCount;
        }
        long consumed = 0;
        for (final int consumer : groupConsumers)
        {
            consumed += control.consumed(consumer);
        }
        if (consumed > sent)
        {
            throw new VerificationException("the consumers of channel " + args.get(WorkerArgs.CHANNEL) + " took " +
                consumed + " messages where the producers sent " + sent);
        }
        return consumed == sent;
    }

    private void checkIdle(final long idle, final String what)
    {
        if ((idle & (Deadline.CHECK_INTERVAL - 1)) == 0)
        {
            checkNotStopped(idle, what);
        }
    }

    /**
     * {@link #checkIdle(long, String)} for a wait described by a text and a number: the description is built only
     * on the idle iterations that look at the clock, so that the ping's wait for an echo allocates nothing.
     */
    private void checkIdle(final long idle, final String what, final long number)
    {
        if ((idle & (Deadline.CHECK_INTERVAL - 1)) == 0)
        {
            checkNotStopped(idle, what + number);
        }
    }

    private void checkNotStopped(final long idle, final String what)
    {
        if (control.failed())
        {
            throw new IllegalStateException("stopped waiting for " + what + ": another worker failed");
        }
        Deadline.check(idle, deadlineNs, what);
    }

    /**
     * Checks a message, then sends it back.
     */
    private static final class Echo implements MessageHandler
    {
        private final PayloadChecker checker;
        private final Sender out;

        Echo(final PayloadChecker checker, final Sender out)
        {
            this.checker = checker;
            this.out = out;
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            checker.onMessage(buffer, offset, length);
            out.send(buffer, offset, length);
        }
    }
}
