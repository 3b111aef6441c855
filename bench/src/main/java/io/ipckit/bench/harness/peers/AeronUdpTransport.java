package io.ipckit.bench.harness.peers;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.ipckit.bench.harness.Directories;
import io.ipckit.bench.harness.messaging.ChannelPlan;
import io.ipckit.bench.harness.messaging.Deadline;
import io.ipckit.bench.harness.messaging.Fixture;
import io.ipckit.bench.harness.messaging.MessageHandler;
import io.ipckit.bench.harness.messaging.Receiver;
import io.ipckit.bench.harness.messaging.Sender;
import io.ipckit.bench.harness.messaging.Transport;
import io.ipckit.core.exceptions.IpcException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.StringJoiner;

/**
 * Raw Aeron over UDP on loopback: an exclusive publication and a subscription on
 * {@code aeron:udp?endpoint=127.0.0.1:<port>}, one port per channel, through one embedded media driver that the
 * harness starts for the measurement (shared threading mode, yielding when idle: the run has two cores for two
 * spinning workers and the driver, and a parking driver adds its park period to every hop). The yardstick of
 * {@link io.ipckit.bench.harness.ipckit.IpckitNetTransport}, which uses the same driver settings, channel, term and
 * MTU lengths. Both ends yield when they find nothing to do (rather than spin): a spinning worker holds a core the
 * driver thread needs for every hop, which put milliseconds on each round trip.
 */
public final class AeronUdpTransport implements Transport
{
    /** Term length in bytes of every publication, shared with the ipckit-over-UDP contestant. */
    public static final int TERM_LENGTH_BYTES = 4 << 20;
    /** MTU in bytes of every publication (Aeron's default), shared with the ipckit-over-UDP contestant. */
    public static final int MTU_LENGTH_BYTES = 1408;
    /** The stream id of every channel. */
    public static final int STREAM_ID = 1002;

    @Override
    public String id()
    {
        return "aeron-udp";
    }

    @Override
    public String label()
    {
        return "Aeron UDP loopback (embedded driver)";
    }

    @Override
    public Fixture create(final ChannelPlan plan)
    {
        return launch(plan, "aeron-udp");
    }

    /**
     * Starts the measurement's media driver and picks one free UDP port per channel.
     *
     * @param plan the plan.
     * @param name the driver directory's name within the plan's scratch directory.
     * @return the fixture; its spec is {@code directory,port0,port1,...}.
     */
    public static Fixture launch(final ChannelPlan plan, final String name)
    {
        final Path directory = plan.scratchDirectory().resolve(name);
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(directory.toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new YieldingIdleStrategy())
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final StringJoiner spec = new StringJoiner(",").add(directory.toString());
        for (int channel = 0; channel < plan.channels(); channel++)
        {
            spec.add(Integer.toString(freePort()));
        }
        return new Fixture()
        {
            @Override
            public String spec()
            {
                return spec.toString();
            }

            @Override
            public void close()
            {
                driver.close();
                Directories.deleteRecursively(directory);
            }
        };
    }

    /**
     * @param spec    a spec of {@link #launch}.
     * @param channel a channel number.
     * @return the channel's loopback endpoint, {@code 127.0.0.1:port}.
     */
    public static String endpoint(final String spec, final int channel)
    {
        return "127.0.0.1:" + spec.split(",")[1 + channel];
    }

    /**
     * @param spec a spec of {@link #launch}.
     * @return the media driver's directory.
     */
    public static String directory(final String spec)
    {
        return spec.split(",")[0];
    }

    private static String channel(final String spec, final int channel)
    {
        return "aeron:udp?endpoint=" + endpoint(spec, channel) + "|term-length=" + TERM_LENGTH_BYTES +
            "|mtu=" + MTU_LENGTH_BYTES;
    }

    private static int freePort()
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("no free UDP port", ex);
        }
    }

    @Override
    public Sender openSender(final String spec, final int channel, final long deadlineNs)
    {
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory(spec)));
        try
        {
            return new UdpSender(aeron, aeron.addExclusivePublication(channel(spec, channel), STREAM_ID), deadlineNs);
        }
        catch (final RuntimeException ex)
        {
            aeron.close();
            throw ex;
        }
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory(spec)));
        try
        {
            return new UdpReceiver(aeron, aeron.addSubscription(channel(spec, channel), STREAM_ID));
        }
        catch (final RuntimeException ex)
        {
            aeron.close();
            throw ex;
        }
    }

    private static final class UdpSender implements Sender
    {
        private final Aeron aeron;
        private final ExclusivePublication publication;
        private final long deadlineNs;

        UdpSender(final Aeron aeron, final ExclusivePublication publication, final long deadlineNs)
        {
            this.aeron = aeron;
            this.publication = publication;
            this.deadlineNs = deadlineNs;
        }

        @Override
        public void send(final DirectBuffer buffer, final int offset, final int length)
        {
            long result;
            long idle = 0;
            while ((result = publication.offer(buffer, offset, length)) < 0)
            {
                if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
                {
                    throw new IpcException("Aeron UDP publication refused a message: " +
                        Publication.errorString(result));
                }
                Deadline.check(++idle, deadlineNs, "Aeron UDP stream to accept a message");
                Thread.yield();
            }
        }

        @Override
        public void close()
        {
            publication.close();
            aeron.close();
        }
    }

    private static final class UdpReceiver implements Receiver
    {
        private final Aeron aeron;
        private final Subscription subscription;
        private final FragmentAssembler assembler = new FragmentAssembler(this::onMessage);
        private MessageHandler handler;

        UdpReceiver(final Aeron aeron, final Subscription subscription)
        {
            this.aeron = aeron;
            this.subscription = subscription;
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            this.handler = handler;
            final int fragments = subscription.poll(assembler, limit);
            if (fragments == 0)
            {
                Thread.yield();
            }
            return fragments;
        }

        private void onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            handler.onMessage(buffer, offset, length);
        }

        @Override
        public void close()
        {
            subscription.close();
            aeron.close();
        }
    }
}
