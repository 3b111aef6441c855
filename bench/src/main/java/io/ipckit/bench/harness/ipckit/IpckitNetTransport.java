package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.messaging.ChannelPlan;
import io.ipckit.bench.harness.messaging.Fixture;
import io.ipckit.bench.harness.messaging.MessageHandler;
import io.ipckit.bench.harness.messaging.Receiver;
import io.ipckit.bench.harness.messaging.Sender;
import io.ipckit.bench.harness.messaging.Transport;
import io.ipckit.bench.harness.peers.AeronUdpTransport;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.net.NetConnection;
import io.ipckit.net.NetOptions;
import io.ipckit.net.NetPipe;
import io.ipckit.pipe.BufferHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * ipckit's {@link NetPipe} over UDP on loopback, one connection per channel: the receiving worker listens on the
 * channel's port, the sending worker connects. Both attach to the media driver the harness starts, with the
 * driver settings, channel, term and MTU lengths of {@link AeronUdpTransport}, the raw Aeron it is measured
 * against; both ends yield when idle, as there.
 */
public final class IpckitNetTransport implements Transport
{
    @Override
    public String id()
    {
        return "ipckit-net-udp";
    }

    @Override
    public String label()
    {
        return "ipckit NetPipe, Aeron UDP loopback";
    }

    @Override
    public Fixture create(final ChannelPlan plan)
    {
        return AeronUdpTransport.launch(plan, "ipckit-net");
    }

    private static NetOptions options(final String spec)
    {
        return new NetOptions()
            .embeddedDriver(false)
            .driverDirectory(AeronUdpTransport.directory(spec))
            .termLengthBytes(AeronUdpTransport.TERM_LENGTH_BYTES)
            .mtuLengthBytes(AeronUdpTransport.MTU_LENGTH_BYTES)
            .idleStrategy(new YieldingIdleStrategy());
    }

    private static long remainingNs(final long deadlineNs)
    {
        return Math.max(1, deadlineNs - System.nanoTime());
    }

    @Override
    public Sender openSender(final String spec, final int channel, final long deadlineNs)
    {
        try
        {
            return new NetSender(NetPipe.connect(AeronUdpTransport.endpoint(spec, channel), options(spec),
                remainingNs(deadlineNs), TimeUnit.NANOSECONDS), deadlineNs);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting", ex);
        }
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        try
        {
            return new NetReceiver(NetPipe.listen(AeronUdpTransport.endpoint(spec, channel), options(spec),
                remainingNs(deadlineNs), TimeUnit.NANOSECONDS));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listening", ex);
        }
    }

    private static final class NetSender implements Sender
    {
        private final NetConnection connection;
        private final long deadlineNs;

        NetSender(final NetConnection connection, final long deadlineNs)
        {
            this.connection = connection;
            this.deadlineNs = deadlineNs;
        }

        @Override
        public void send(final DirectBuffer buffer, final int offset, final int length)
        {
            try
            {
                if (!connection.sendBytes(buffer, offset, length, remainingNs(deadlineNs), TimeUnit.NANOSECONDS))
                {
                    throw new IpcTimeoutException("gave up waiting for " + connection.name() +
                        " to accept a message: the measurement's deadline passed");
                }
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

    private static final class NetReceiver implements Receiver, BufferHandler
    {
        private final NetConnection connection;
        private MessageHandler handler;

        NetReceiver(final NetConnection connection)
        {
            this.connection = connection;
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            this.handler = handler;
            try
            {
                final int messages = connection.drain(this, limit);
                if (messages == 0)
                {
                    Thread.yield();
                }
                return messages;
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
            connection.close();
        }
    }
}
