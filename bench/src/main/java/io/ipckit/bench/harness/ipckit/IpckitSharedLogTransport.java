package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.Directories;
import io.ipckit.bench.harness.messaging.ChannelPlan;
import io.ipckit.bench.harness.messaging.Fixture;
import io.ipckit.bench.harness.messaging.MessageHandler;
import io.ipckit.bench.harness.messaging.Receiver;
import io.ipckit.bench.harness.messaging.Sender;
import io.ipckit.bench.harness.messaging.Transport;
import io.ipckit.core.codec.Codecs;
import io.ipckit.durable.LogReader;
import io.ipckit.durable.RecordHandler;
import io.ipckit.durable.SharedLog;
import io.ipckit.durable.SharedLogOptions;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * ipckit's {@link SharedLog}, one log per channel in a temporary directory inside the run's shared directory (as the
 * raw Chronicle Queue peer's, deleted afterwards): the sender appends each message as one record (a copy into the
 * mapped file, as the peer does), the receiver drains records in place and, when none has arrived, waits in the
 * reader's blocking receive with a busy-spin idle strategy ({@link SharedLogOptions#idleStrategy}): it polls the log
 * without ever yielding or sleeping, as the peer's tailer does, so the two compare like for like. (With the default
 * wait, which yields the core after a few spins and sleeps on the doorbell after 100 µs, a round trip on a loaded
 * machine pays for the yields and for the wake-ups that put both ends on one core: about 2% of round trips take
 * 6 µs or more.)
 */
public final class IpckitSharedLogTransport implements Transport
{
    private static final long RECEIVE_SLICE_MS = 10;

    @Override
    public String id()
    {
        return "ipckit-sharedlog";
    }

    @Override
    public String label()
    {
        return "ipckit SharedLog (Chronicle Queue, reader spinning)";
    }

    @Override
    public Fixture create(final ChannelPlan plan)
    {
        final Path directory = Directories.create(plan.scratchDirectory().resolve("sharedlog"));
        for (int channel = 0; channel < plan.channels(); channel++)
        {
            SharedLog.create(logDirectory(directory.toString(), channel), Codecs.BYTES, new SharedLogOptions()).close();
        }
        return new Fixture()
        {
            @Override
            public String spec()
            {
                return directory.toString();
            }

            @Override
            public void close()
            {
                Directories.deleteRecursively(directory);
            }
        };
    }

    @Override
    public Sender openSender(final String spec, final int channel, final long deadlineNs)
    {
        return new LogSender(SharedLog.open(logDirectory(spec, channel), Codecs.BYTES, new SharedLogOptions()));
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        return new LogReceiver(SharedLog.open(logDirectory(spec, channel), Codecs.BYTES,
            new SharedLogOptions().idleStrategy(BusySpinIdleStrategy.INSTANCE)));
    }

    private static Path logDirectory(final String spec, final int channel)
    {
        return Path.of(spec).resolve("log" + channel);
    }

    private static final class LogSender implements Sender
    {
        private final SharedLog<byte[]> log;

        LogSender(final SharedLog<byte[]> log)
        {
            this.log = log;
        }

        @Override
        public void send(final DirectBuffer buffer, final int offset, final int length)
        {
            log.append(buffer, offset, length);
        }

        @Override
        public void close()
        {
            log.close();
        }
    }

    private static final class LogReceiver implements Receiver, RecordHandler
    {
        private final SharedLog<byte[]> log;
        private final LogReader<byte[]> reader;
        private MessageHandler handler;

        LogReceiver(final SharedLog<byte[]> log)
        {
            this.log = log;
            this.reader = log.reader();
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            this.handler = handler;
            final int drained = reader.drain(this, limit);
            if (drained > 0)
            {
                return drained;
            }
            try
            {
                return reader.receive(this, RECEIVE_SLICE_MS, TimeUnit.MILLISECONDS) ? 1 : 0;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return 0;
            }
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            handler.onMessage(buffer, offset, length);
        }

        @Override
        public void close()
        {
            reader.close();
            log.close();
        }
    }
}
