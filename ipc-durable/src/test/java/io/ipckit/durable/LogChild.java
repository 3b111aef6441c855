package io.ipckit.durable;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.file.MappedFile;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The child JVMs of the multi-process tests. Records are self-checking: producer id, sequence number, a length
 * that varies with the sequence, filler derived from both and a CRC32C of everything before it.
 * <pre>
 * append &lt;log dir&gt; &lt;report&gt; &lt;slot&gt; &lt;producer&gt; &lt;count, -1 forever&gt;
 * read   &lt;log dir&gt; &lt;report&gt; &lt;slot&gt; &lt;reader name or -&gt; &lt;records to read&gt;
 * track  &lt;log dir&gt; &lt;report&gt; &lt;slot&gt; &lt;reader name&gt;       (reads forever, reporting inside the handler)
 * idle   &lt;log dir&gt; &lt;report&gt;
 * hold   &lt;log dir&gt; &lt;report&gt;                   (claims a record and waits to be killed holding the lock)
 * race   &lt;logs dir&gt; &lt;report&gt; &lt;slot&gt; &lt;append|read&gt; &lt;rounds&gt; &lt;appenders&gt; &lt;children&gt;
 *                                 (per round: opens the round's log, meets the others, appends one record or opens
 *                                 named readers until the appenders are done)
 * </pre>
 * The report is a {@link MappedFile} in the shared directory; each child owns the 64-byte slot it is given.
 */
final class LogChild
{
    static final int REPORT_LENGTH = 64 * 256;
    static final int SLOT_LENGTH = 64;
    /** Append: records committed (append returned). Read: records read. Track: sequence seen by the handler + 1. */
    static final int COUNT_OFFSET = 0;
    /** Read: sum of (producer * 1_000_003 + sequence) over the records read. */
    static final int SUM_OFFSET = 8;
    /** 1 when the child finished its work, 2 when it failed a check. */
    static final int STATE_OFFSET = 16;
    /** Idle: window request from the parent (1 start, 2 end). */
    static final int WINDOW_REQUEST_OFFSET = 24;
    /** Idle: window acknowledgement. */
    static final int WINDOW_ACK_OFFSET = 32;
    /** Idle: CPU nanoseconds of the waiting thread over the window. */
    static final int CPU_NS_OFFSET = 40;
    /** Idle: wall nanoseconds of the window. */
    static final int WALL_NS_OFFSET = 48;
    /** Race: failed opens, appends and reader opens. */
    static final int FAILURES_OFFSET = 56;
    /** Race: the words every race child shares (the last slot): children met, appenders done. */
    static final int RACE_MET_OFFSET = REPORT_LENGTH - SLOT_LENGTH;
    static final int RACE_APPENDED_OFFSET = RACE_MET_OFFSET + 8;
    /** Race: the most named readers a reader child opens in one round. */
    static final int RACE_READERS_PER_ROUND = 64;
    /** Read: the producer whose record ends the read (a sentinel) is this id. */
    static final long STOP_PRODUCER = Long.MAX_VALUE;
    static final int MIN_RECORD_LENGTH = 32;
    static final int MAX_RECORD_LENGTH = 200;

    private LogChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path logDir = Path.of(args[1]);
        // Chronicle's scratch directory (OS.TARGET), read when Chronicle loads: the test's own, never /tmp/target
        System.setProperty("project.build.directory", logDir.getParent().toString());
        try (MappedFile report = MappedFile.open(args[2]))
        {
            final AtomicBuffer out = report.buffer();
            switch (args[0])
            {
                case "append" -> append(logDir, out, Integer.parseInt(args[3]) * SLOT_LENGTH,
                    Long.parseLong(args[4]), Long.parseLong(args[5]));
                case "read" -> read(logDir, out, Integer.parseInt(args[3]) * SLOT_LENGTH, args[4],
                    Long.parseLong(args[5]));
                case "track" -> track(logDir, out, Integer.parseInt(args[3]) * SLOT_LENGTH, args[4]);
                case "idle" -> idle(logDir, out);
                case "hold" -> hold(logDir, out);
                case "race" -> race(logDir, out, Integer.parseInt(args[3]), args[4], Integer.parseInt(args[5]),
                    Integer.parseInt(args[6]), Integer.parseInt(args[7]));
                default -> throw new IllegalArgumentException(args[0]);
            }
        }
    }

    static int encode(final UnsafeBuffer buffer, final long producer, final long sequence)
    {
        final int length = MIN_RECORD_LENGTH + (int)((sequence * 37 + producer) % (MAX_RECORD_LENGTH - MIN_RECORD_LENGTH));
        buffer.putLong(0, producer);
        buffer.putLong(8, sequence);
        for (int i = 16; i < length - 8; i++)
        {
            buffer.putByte(i, (byte)(producer * 7 + sequence * 13 + i));
        }
        buffer.putLong(length - 8, crc(buffer, 0, length - 8));
        return length;
    }

    /** @return true when the record is intact. */
    static boolean check(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MIN_RECORD_LENGTH || length > MAX_RECORD_LENGTH)
        {
            return false;
        }
        final long producer = buffer.getLong(offset);
        final long sequence = buffer.getLong(offset + 8);
        if (producer != STOP_PRODUCER && length != MIN_RECORD_LENGTH +
            (int)((sequence * 37 + producer) % (MAX_RECORD_LENGTH - MIN_RECORD_LENGTH)))
        {
            return false;
        }
        return buffer.getLong(offset + length - 8) == crc(buffer, offset, length - 8);
    }

    private static long crc(final DirectBuffer buffer, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        for (int i = 0; i < length; i++)
        {
            crc.update(buffer.getByte(offset + i));
        }
        return crc.getValue();
    }

    private static void append(
        final Path logDir, final AtomicBuffer out, final int slot, final long producer, final long count)
    {
        final UnsafeBuffer record = new UnsafeBuffer(new byte[MAX_RECORD_LENGTH]);
        try (SharedLog<byte[]> log = SharedLog.open(logDir, Codecs.BYTES, new SharedLogOptions()))
        {
            for (long sequence = 0; count < 0 || sequence < count; sequence++)
            {
                final int length = encode(record, producer, sequence);
                if ((sequence & 1) == 0)
                {
                    log.append(record, 0, length);
                }
                else
                {
                    final int offset = log.tryClaim(length);
                    log.claimBuffer().putBytes(offset, record, 0, length);
                    log.commit(offset);
                }
                // committed: the record is in the log whatever happens next
                out.putLongVolatile(slot + COUNT_OFFSET, sequence + 1);
            }
        }
        out.putLongVolatile(slot + STATE_OFFSET, 1);
    }

    private static void read(
        final Path logDir, final AtomicBuffer out, final int slot, final String name, final long limit)
        throws InterruptedException
    {
        // a named reader resuming after a restart meets each producer mid-sequence: its first record may be any
        final OrderCheck order = new OrderCheck(out.getLongVolatile(slot + COUNT_OFFSET) > 0);
        try (SharedLog<byte[]> log = SharedLog.open(logDir, Codecs.BYTES, new SharedLogOptions());
             LogReader<byte[]> reader = "-".equals(name) ? log.reader() : log.reader(name))
        {
            long count = out.getLongVolatile(slot + COUNT_OFFSET);
            long sum = out.getLongVolatile(slot + SUM_OFFSET);
            while (count < limit)
            {
                if (!reader.receive(order, 30, TimeUnit.SECONDS))
                {
                    throw new IllegalStateException("no record for 30 s after " + count);
                }
                if (order.failure != null)
                {
                    out.putLongVolatile(slot + STATE_OFFSET, 2);
                    throw new IllegalStateException(order.failure);
                }
                if (order.producer == STOP_PRODUCER)
                {
                    break;
                }
                count++;
                sum += order.producer * 1_000_003 + order.sequence;
                out.putLongVolatile(slot + SUM_OFFSET, sum);
                out.putLongVolatile(slot + COUNT_OFFSET, count);
            }
        }
        out.putLongVolatile(slot + STATE_OFFSET, 1);
    }

    private static void track(final Path logDir, final AtomicBuffer out, final int slot, final String name)
        throws InterruptedException
    {
        try (SharedLog<byte[]> log = SharedLog.open(logDir, Codecs.BYTES, new SharedLogOptions());
             LogReader<byte[]> reader = log.reader(name))
        {
            final RecordHandler handler = (buffer, offset, length) ->
                // inside the handler, before the read completes: the parent kills us anywhere around this
                out.putLongVolatile(slot + COUNT_OFFSET, buffer.getLong(offset + 8) + 1);
            while (true)
            {
                reader.receive(handler, 30, TimeUnit.SECONDS);
            }
        }
    }

    private static void idle(final Path logDir, final AtomicBuffer out) throws Exception
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final long waiterId = Thread.currentThread().threadId();
        final Thread monitor = new Thread(() ->
        {
            awaitRequest(out, 1);
            final long cpuStartNs = threads.getThreadCpuTime(waiterId);
            final long wallStartNs = System.nanoTime();
            out.putLongVolatile(WINDOW_ACK_OFFSET, 1);
            awaitRequest(out, 2);
            out.putLong(CPU_NS_OFFSET, threads.getThreadCpuTime(waiterId) - cpuStartNs);
            out.putLong(WALL_NS_OFFSET, System.nanoTime() - wallStartNs);
            out.putLongVolatile(WINDOW_ACK_OFFSET, 2);
        }, "cpu-monitor");
        monitor.setDaemon(true);
        monitor.start();
        try (SharedLog<Long> log = SharedLog.open(logDir, Codecs.LONG, new SharedLogOptions());
             LogReader<Long> reader = log.reader())
        {
            // first waits link the futex call and load the wait path's classes: not what an idle reader costs
            if (reader.poll(120, TimeUnit.MILLISECONDS) != null)
            {
                throw new IllegalStateException("the log should be empty");
            }
            // the futex call is bound in the background a while after the first wait; until then waits poll
            final long boundByNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!io.ipckit.core.internal.wait.NativeBinding.instance().isBound() &&
                System.nanoTime() - boundByNs < 0)
            {
                Thread.sleep(5);
            }
            out.putLongVolatile(STATE_OFFSET, 3); // warmed up
            final Long value = reader.take();
            out.putLongVolatile(COUNT_OFFSET, value);
        }
        out.putLongVolatile(STATE_OFFSET, 1);
    }

    /** Claims a record (taking the log's write lock), writes half of it, reports, and waits to be killed. */
    private static void hold(final Path logDir, final AtomicBuffer out) throws InterruptedException
    {
        final SharedLog<byte[]> log = SharedLog.open(logDir, Codecs.BYTES, new SharedLogOptions());
        final int offset = log.tryClaim(MAX_RECORD_LENGTH);
        log.claimBuffer().setMemory(offset, MAX_RECORD_LENGTH / 2, (byte)0x5A);
        out.putLongVolatile(STATE_OFFSET, 4);
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void awaitRequest(final AtomicBuffer out, final long request)
    {
        while (out.getLongVolatile(WINDOW_REQUEST_OFFSET) != request)
        {
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    /** Checks each record and the order of each producer's sequence numbers (the records' producers are few). */
    static final class OrderCheck implements RecordHandler
    {
        private final java.util.Map<Long, Long> nextByProducer = new java.util.HashMap<>();
        private final boolean resumed;
        long producer;
        long sequence;
        String failure;

        OrderCheck(final boolean resumed)
        {
            this.resumed = resumed;
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (!check(buffer, offset, length))
            {
                failure = "torn or corrupt record of " + length + " bytes: producer " + buffer.getLong(offset) +
                    ", sequence " + buffer.getLong(offset + 8);
                return;
            }
            producer = buffer.getLong(offset);
            sequence = buffer.getLong(offset + 8);
            if (producer == STOP_PRODUCER)
            {
                return;
            }
            final Long next = nextByProducer.get(producer);
            final long expected = next != null ? next : resumed ? sequence : 0L;
            if (sequence != expected)
            {
                failure = "producer " + producer + ": sequence " + sequence + " where " + expected + " was expected";
                return;
            }
            nextByProducer.put(producer, sequence + 1);
        }

        java.util.Map<Long, Long> counts()
        {
            return nextByProducer;
        }
    }

    private static void race(
        final Path logsDir, final AtomicBuffer out, final int slotIndex, final String role, final int rounds,
        final int appenders, final int children)
    {
        final int slot = slotIndex * SLOT_LENGTH;
        final boolean appender = "append".equals(role);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[MAX_RECORD_LENGTH]);
        for (int round = 0; round < rounds; round++)
        {
            SharedLog<byte[]> log = null;
            try
            {
                log = SharedLog.open(logsDir.resolve("r" + round), Codecs.BYTES, new SharedLogOptions());
            }
            catch (final RuntimeException ex)
            {
                raceFailure(out, slot, "open", ex);
            }
            // every child of the round opened its log (or failed): start together, so the opens' and the first
            // appends' metadata writes overlap
            out.getAndAddLong(RACE_MET_OFFSET, 1);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.getLongVolatile(RACE_MET_OFFSET) < (long)(round + 1) * children)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("round " + round + ": the other children did not come");
                }
                Thread.onSpinWait();
            }
            if (log == null)
            {
                if (appender)
                {
                    out.getAndAddLong(RACE_APPENDED_OFFSET, 1);
                }
                continue;
            }
            try (SharedLog<byte[]> roundLog = log)
            {
                if (appender)
                {
                    try
                    {
                        roundLog.append(record, 0, encode(record, slotIndex, round));
                    }
                    finally
                    {
                        out.getAndAddLong(RACE_APPENDED_OFFSET, 1);
                    }
                }
                else
                {
                    for (int r = 0; r < RACE_READERS_PER_ROUND &&
                        (r < 2 || out.getLongVolatile(RACE_APPENDED_OFFSET) < (long)(round + 1) * appenders); r++)
                    {
                        // one name every reader child opens, the others its own
                        roundLog.reader(r == 0 ? "shared" : "s" + slotIndex + "-" + r).close();
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                raceFailure(out, slot, appender ? "append" : "open a named reader", ex);
            }
            out.putLongVolatile(slot + COUNT_OFFSET, round + 1);
        }
        out.putLongVolatile(slot + STATE_OFFSET, 1);
    }

    private static void raceFailure(final AtomicBuffer out, final int slot, final String what, final Exception ex)
    {
        if (out.getAndAddLong(slot + FAILURES_OFFSET, 1) == 0)
        {
            System.err.println("race child failed to " + what + ":");
            ex.printStackTrace();
        }
    }
}
