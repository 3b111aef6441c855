package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.messaging.ChannelPlan;
import io.ipckit.bench.harness.messaging.Duplex;
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
 * ipckit's {@link NetPipe} over UDP, on loopback or across a veth pair ({@code ipckit-net-veth}), with the driver
 * settings, channel, term and MTU lengths of {@link AeronUdpTransport}, the raw Aeron it is measured against: on
 * loopback both ends attach to the media driver the harness starts, across a veth pair each worker starts one in
 * its namespace ({@link AeronUdpTransport#attach}). Both ends yield when idle, as there.
 * <p>
 * 1 to 1: the receiving worker listens on the channel's endpoint, the sending worker connects. Round trip: a
 * {@link NetConnection} is duplex, so ping connects to pong's endpoint and both directions travel on that one
 * connection, as an application's request and reply would: two Aeron streams, as raw Aeron's two one-way channels.
 * <p>
 * The stream variants ({@code ipckit-net-stream-udp}, {@code ipckit-net-stream-veth}) use one-way ends instead
 * ({@link NetPipe#publish} to the receiver's endpoint, {@link NetPipe#subscribe} there), one Aeron stream per channel
 * exactly as raw Aeron: the 1 to 1 figure without the idle reverse stream a duplex connection keeps.
 */
public final class IpckitNetTransport implements Transport
{
    private final boolean veth;
    private final boolean stream;

    /**
     * Duplex connections over loopback.
     */
    public IpckitNetTransport()
    {
        this(false, false);
    }

    /**
     * @param veth   true to measure across a veth pair between two network namespaces, false over loopback.
     * @param stream true for one-way streams ({@link NetPipe#publish}/{@link NetPipe#subscribe}), false for duplex
     *               connections ({@link NetPipe#connect}/{@link NetPipe#listen}).
     */
    public IpckitNetTransport(final boolean veth, final boolean stream)
    {
        this.veth = veth;
        this.stream = stream;
    }

    @Override
    public String id()
    {
        return "ipckit-net-" + (stream ? "stream-" : "") + (veth ? "veth" : "udp");
    }

    @Override
    public String label()
    {
        return "ipckit " + (stream ? "NetPipe.publish/subscribe" : "NetPipe") + ", Aeron UDP " +
            (veth ? "across a veth pair" : "loopback");
    }

    @Override
    public boolean twoToTwo()
    {
        return !veth;
    }

    @Override
    public Fixture create(final ChannelPlan plan)
    {
        return veth ? AeronUdpTransport.launchVeth(plan, id()) : AeronUdpTransport.launch(plan, id());
    }

    private static NetOptions options(final AeronUdpTransport.DriverLease lease)
    {
        return new NetOptions()
            .embeddedDriver(false)
            .driverDirectory(lease.directory())
            .termLengthBytes(AeronUdpTransport.TERM_LENGTH_BYTES)
            .mtuLengthBytes(AeronUdpTransport.MTU_LENGTH_BYTES)
            .idleStrategy(new YieldingIdleStrategy());
    }

    private static long remainingNs(final long deadlineNs)
    {
        return Math.max(1, deadlineNs - System.nanoTime());
    }

    private NetConnection open(
        final String spec, final int channel, final long deadlineNs, final boolean listen,
        final AeronUdpTransport.DriverLease lease)
    {
        final String endpoint = AeronUdpTransport.endpoint(spec, channel);
        final long timeoutNs = remainingNs(deadlineNs);
        try
        {
            if (stream)
            {
                return listen ? NetPipe.subscribe(endpoint, options(lease), timeoutNs, TimeUnit.NANOSECONDS) :
                    NetPipe.publish(endpoint, options(lease), timeoutNs, TimeUnit.NANOSECONDS);
            }
            return listen ? NetPipe.listen(endpoint, options(lease), timeoutNs, TimeUnit.NANOSECONDS) :
                NetPipe.connect(endpoint, options(lease), timeoutNs, TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            lease.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening " + endpoint, ex);
        }
        catch (final RuntimeException ex)
        {
            lease.close();
            throw ex;
        }
    }

    @Override
    public Sender openSender(final String spec, final int channel, final long deadlineNs)
    {
        final AeronUdpTransport.DriverLease lease = AeronUdpTransport.attach(spec);
        return new NetSender(open(spec, channel, deadlineNs, false, lease), lease, deadlineNs);
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        final AeronUdpTransport.DriverLease lease = AeronUdpTransport.attach(spec);
        return new NetReceiver(open(spec, channel, deadlineNs, true, lease), lease);
    }

    /**
     * Connects to the responder's endpoint (the send channel's); the echoes come back on the same connection (the
     * stream variants open two one-way ends instead). The sender half owns the connection: closing it closes the connection, closing the receiver half does nothing.
     */
    @Override
    public Duplex openInitiator(final String spec, final int sendChannel, final int receiveChannel,
        final long deadlineNs)
    {
        if (stream)
        {
            return Transport.super.openInitiator(spec, sendChannel, receiveChannel, deadlineNs);
        }
        final AeronUdpTransport.DriverLease lease = AeronUdpTransport.attach(spec);
        final NetConnection connection = open(spec, sendChannel, deadlineNs, false, lease);
        return new Duplex(new NetSender(connection, lease, deadlineNs), new NetReceiver(connection, null));
    }

    /**
     * Listens on the receive channel's endpoint and echoes on the same connection; see {@link #openInitiator}.
     */
    @Override
    public Duplex openResponder(final String spec, final int receiveChannel, final int sendChannel,
        final long deadlineNs)
    {
        if (stream)
        {
            return Transport.super.openResponder(spec, receiveChannel, sendChannel, deadlineNs);
        }
        final AeronUdpTransport.DriverLease lease = AeronUdpTransport.attach(spec);
        final NetConnection connection = open(spec, receiveChannel, deadlineNs, true, lease);
        return new Duplex(new NetSender(connection, lease, deadlineNs), new NetReceiver(connection, null));
    }

    private static final class NetSender implements Sender
    {
        private final NetConnection connection;
        private final AeronUdpTransport.DriverLease lease;
        private final long deadlineNs;
        private boolean closed;

        NetSender(final NetConnection connection, final AeronUdpTransport.DriverLease lease, final long deadlineNs)
        {
            this.connection = connection;
            this.lease = lease;
            this.deadlineNs = deadlineNs;
        }

        @Override
        public void send(final DirectBuffer buffer, final int offset, final int length)
        {
            try
            {
                // try once first: as raw Aeron's sender, read the clock only when there is no room
                if (!connection.sendBytes(buffer, offset, length, 0, TimeUnit.NANOSECONDS) &&
                    !connection.sendBytes(buffer, offset, length, remainingNs(deadlineNs), TimeUnit.NANOSECONDS))
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
            if (!closed)
            {
                closed = true;
                connection.close();
                lease.close();
            }
        }
    }

    private static final class NetReceiver implements Receiver, BufferHandler
    {
        private final NetConnection connection;
        private final AeronUdpTransport.DriverLease lease;
        private MessageHandler handler;
        private boolean closed;

        /**
         * @param lease null when the receiver is the half of a duplex connection its sender owns.
         */
        NetReceiver(final NetConnection connection, final AeronUdpTransport.DriverLease lease)
        {
            this.connection = connection;
            this.lease = lease;
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
            if (!closed && lease != null)
            {
                closed = true;
                connection.close();
                lease.close();
            }
        }
    }
}
