package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.messaging.ChannelPlan;
import io.ipckit.bench.harness.messaging.Deadline;
import io.ipckit.bench.harness.messaging.Fixture;
import io.ipckit.bench.harness.messaging.MessageHandler;
import io.ipckit.bench.harness.messaging.Receiver;
import io.ipckit.bench.harness.messaging.Sender;
import io.ipckit.bench.harness.messaging.Transport;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import io.ipckit.pipe.PipeOptions;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * ipckit's {@link Pipe}, one one-way pipe per channel, with the same 1 MiB ring as the raw-ring floor. The sending
 * worker creates its pipe (the creator holds the sending end), the receiving worker opens it. Two variants:
 * spinning (a busy-spin idle strategy on both ends, zero-copy claim/commit) and blocking (futex sleeps, woken by
 * the other side only when it sleeps).
 */
public class IpckitPipeTransport implements Transport
{
    /** Ring capacity in bytes, as the floor's. */
    public static final int CAPACITY_BYTES = 1 << 20;
    private static final int MAX_BATCH = 4096;
    private static final long OPEN_POLL_NS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final long RECEIVE_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final boolean spin;

    /**
     * The spinning variant.
     */
    public IpckitPipeTransport()
    {
        this(true);
    }

    IpckitPipeTransport(final boolean spin)
    {
        this.spin = spin;
    }

    @Override
    public String id()
    {
        return spin ? "ipckit-pipe-spin" : "ipckit-pipe-block";
    }

    @Override
    public String label()
    {
        return spin ? "ipckit Pipe (spinning)" : "ipckit Pipe (blocking, futex)";
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
        return new PipeSender(Pipe.create(pipeName(spec, channel), options().duplex(false)
            .ringCapacityBytes(CAPACITY_BYTES)), deadlineNs);
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        final String name = pipeName(spec, channel);
        long idle = 0;
        while (!SharedDirectory.exists(name))
        {
            Deadline.check(++idle, deadlineNs, "pipe " + name + " to be created by its sender");
            LockSupport.parkNanos(OPEN_POLL_NS);
        }
        return new PipeReceiver(Pipe.open(name, options()), spin, deadlineNs);
    }

    private PipeOptions options()
    {
        final PipeOptions options = new PipeOptions();
        if (spin)
        {
            options.idleStrategy(new BusySpinIdleStrategy());
        }
        return options;
    }

    private static String pipeName(final String prefix, final int channel)
    {
        return prefix + "-pipe" + channel;
    }

    /**
     * The blocking variant, registered as its own transport.
     */
    public static final class Blocking extends IpckitPipeTransport
    {
        /**
         * Creates the blocking variant.
         */
        public Blocking()
        {
            super(false);
        }
    }

    private static final class PipeSender implements Sender
    {
        private final Connection pipe;
        private final long deadlineNs;
        private final int[] offsets = new int[MAX_BATCH];
        private final int[] lengths = new int[MAX_BATCH];

        PipeSender(final Connection pipe, final long deadlineNs)
        {
            this.pipe = pipe;
            this.deadlineNs = deadlineNs;
        }

        @Override
        public void send(final DirectBuffer buffer, final int offset, final int length)
        {
            final int index = pipe.claim(length, Math.max(0, deadlineNs - System.nanoTime()));
            if (index < 0)
            {
                Deadline.check(Long.MAX_VALUE, System.nanoTime() - 1, "room in " + pipe.name());
            }
            final MutableDirectBuffer ring = pipe.claimBuffer();
            ring.putBytes(index, buffer, offset, length);
            pipe.commit(index);
        }

        @Override
        public void sendBatch(final DirectBuffer buffer, final int offset, final int messageLength, final int count)
        {
            for (int sent = 0; sent < count; sent += MAX_BATCH)
            {
                final int n = Math.min(MAX_BATCH, count - sent);
                for (int i = 0; i < n; i++)
                {
                    offsets[i] = offset + (sent + i) * messageLength;
                    lengths[i] = messageLength;
                }
                pipe.sendBatch(buffer, offsets, lengths, n);
            }
        }

        @Override
        public void close()
        {
            pipe.close();
        }
    }

    private static final class PipeReceiver implements Receiver, io.ipckit.pipe.MessageHandler
    {
        private final Connection pipe;
        private final boolean spin;
        private MessageHandler handler;

        PipeReceiver(final Connection pipe, final boolean spin, final long deadlineNs)
        {
            this.pipe = pipe;
            this.spin = spin;
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            this.handler = handler;
            try
            {
                final int read = pipe.drain(this, limit);
                if (read > 0)
                {
                    return read;
                }
                if (spin)
                {
                    Thread.onSpinWait();
                    return 0;
                }
                return pipe.receive(this, RECEIVE_SLICE_NS) ? 1 : 0;
            }
            catch (final EndOfStreamException ex)
            {
                return END_OF_STREAM;
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
            pipe.close();
        }
    }
}
