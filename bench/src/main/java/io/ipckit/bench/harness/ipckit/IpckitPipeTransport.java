package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.messaging.ChannelPlan;
import io.ipckit.bench.harness.messaging.Deadline;
import io.ipckit.bench.harness.messaging.Fixture;
import io.ipckit.bench.harness.messaging.MessageHandler;
import io.ipckit.bench.harness.messaging.Receiver;
import io.ipckit.bench.harness.messaging.Sender;
import io.ipckit.bench.harness.messaging.Transport;
import io.ipckit.bench.harness.peers.RawRingTransport;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import io.ipckit.pipe.PipeOptions;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * ipckit's {@link Pipe}, one one-way pipe per channel: the sending worker creates it (end A), the receiving worker
 * opens it (end B). {@link Spinning} polls with a busy-spin idle strategy; {@link Blocking} sleeps on the futex.
 * The batch form is {@link Connection#sendBatch}, which wakes the receiver once per batch.
 */
public abstract class IpckitPipeTransport implements Transport
{
    /** Ring capacity in bytes, as the raw ring's (Aeron's producer window). */
    public static final int RING_CAPACITY_BYTES = RawRingTransport.CAPACITY_BYTES;
    private static final long RECEIVE_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long OPEN_RETRY_NS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final int MAX_BATCH = 4096;

    /**
     * @return the idle strategy of both ends, or null to sleep on the futex.
     */
    protected abstract IdleStrategy idleStrategy();

    /**
     * @return how long a blocking wait polls before it sleeps, in nanoseconds (see
     * {@link PipeOptions#spinBeforeSleep(long, TimeUnit)}).
     */
    protected long spinBeforeSleepNs()
    {
        return PipeOptions.SPIN_BEFORE_SLEEP_DEFAULT_NS;
    }

    @Override
    public boolean hasBatchForm()
    {
        return true;
    }

    @Override
    public Fixture create(final ChannelPlan plan)
    {
        return new Fixture()
        {
            @Override
            public String spec()
            {
                return plan.namePrefix();
            }

            @Override
            public void close()
            {
                for (int channel = 0; channel < plan.channels(); channel++)
                {
                    SharedDirectory.unlinkIfExists(pipeName(plan.namePrefix(), channel));
                }
            }
        };
    }

    @Override
    public Sender openSender(final String spec, final int channel, final long deadlineNs)
    {
        return new PipeSender(Pipe.create(pipeName(spec, channel), options()));
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        long attempts = 0;
        while (true)
        {
            try
            {
                return new PipeReceiver(Pipe.open(pipeName(spec, channel), new PipeOptions().idleStrategy(idleStrategy())
                    .spinBeforeSleep(spinBeforeSleepNs(), TimeUnit.NANOSECONDS)));
            }
            catch (final ResourceNotFoundException ex)
            {
                Deadline.check(++attempts * Deadline.CHECK_INTERVAL, deadlineNs,
                    "the sender to create pipe " + pipeName(spec, channel));
                LockSupport.parkNanos(OPEN_RETRY_NS);
            }
        }
    }

    /** The sender creates the pipe, so only its options carry what is fixed at creation. */
    private PipeOptions options()
    {
        return new PipeOptions().ringCapacityBytes(RING_CAPACITY_BYTES).duplex(false).idleStrategy(idleStrategy())
            .spinBeforeSleep(spinBeforeSleepNs(), TimeUnit.NANOSECONDS);
    }

    private static String pipeName(final String prefix, final int channel)
    {
        return prefix + "-pipe" + channel;
    }

    private static final class PipeSender implements Sender
    {
        private final Connection connection;
        private final int[] offsets = new int[MAX_BATCH];
        private final int[] lengths = new int[MAX_BATCH];

        PipeSender(final Connection connection)
        {
            this.connection = connection;
        }

        @Override
        public void send(final DirectBuffer buffer, final int offset, final int length)
        {
            try
            {
                connection.sendBytes(buffer, offset, length);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while sending to " + connection.name(), ex);
            }
        }

        @Override
        public void sendBatch(final DirectBuffer buffer, final int offset, final int messageLength, final int count)
        {
            if (count > MAX_BATCH)
            {
                throw new IllegalArgumentException("a batch of " + count + " exceeds " + MAX_BATCH + " messages");
            }
            for (int i = 0; i < count; i++)
            {
                offsets[i] = offset + i * messageLength;
                lengths[i] = messageLength;
            }
            try
            {
                connection.sendBatch(buffer, offsets, lengths, 0, count);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while sending to " + connection.name(), ex);
            }
        }

        @Override
        public void close()
        {
            connection.close();
        }
    }

    private static final class PipeReceiver implements Receiver, io.ipckit.pipe.BufferHandler
    {
        private final Connection connection;
        private MessageHandler handler;

        PipeReceiver(final Connection connection)
        {
            this.connection = connection;
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            this.handler = handler;
            try
            {
                if (!connection.receive(this, RECEIVE_SLICE_NS, TimeUnit.NANOSECONDS))
                {
                    return 0;
                }
                return 1 + (limit > 1 ? connection.drain(this, limit - 1) : 0);
            }
            catch (final EndOfStreamException ex)
            {
                return END_OF_STREAM;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while receiving from " + connection.name(), ex);
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
            connection.close();
        }
    }

    /**
     * Both ends busy-spin ({@link BusySpinIdleStrategy}).
     */
    public static final class Spinning extends IpckitPipeTransport
    {
        @Override
        public String id()
        {
            return "ipckit-pipe-spin";
        }

        @Override
        public String label()
        {
            return "ipckit Pipe (spinning)";
        }

        @Override
        protected IdleStrategy idleStrategy()
        {
            return BusySpinIdleStrategy.INSTANCE;
        }
    }

    /**
     * Both ends sleep on the futex at once, without polling first: the low-CPU wait
     * ({@link PipeOptions#spinBeforeSleep(long, TimeUnit)} of 0).
     */
    public static final class LowCpu extends IpckitPipeTransport
    {
        @Override
        public String id()
        {
            return "ipckit-pipe-lowcpu";
        }

        @Override
        public String label()
        {
            return "ipckit Pipe (blocking, sleeps at once)";
        }

        @Override
        protected IdleStrategy idleStrategy()
        {
            return null;
        }

        @Override
        protected long spinBeforeSleepNs()
        {
            return 0;
        }
    }

    /**
     * Both ends spin briefly, then sleep on the futex (the default wait).
     */
    public static final class Blocking extends IpckitPipeTransport
    {
        @Override
        public String id()
        {
            return "ipckit-pipe-block";
        }

        @Override
        public String label()
        {
            return "ipckit Pipe (blocking, futex)";
        }

        @Override
        protected IdleStrategy idleStrategy()
        {
            return null;
        }
    }
}
