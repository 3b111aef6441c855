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
import io.ipckit.bench.harness.messaging.VethPair;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.internal.net.FreePort;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.file.Path;
import java.util.StringJoiner;

/**
 * Raw Aeron over UDP on loopback: an exclusive publication and a subscription on
 * {@code aeron:udp?endpoint=127.0.0.1:<port>}, one port per channel, through one embedded media driver that the
 * harness starts for the measurement (shared threading mode, yielding when idle: the run has two cores for two
 * spinning workers and the driver, and a parking driver adds its park period to every hop). Across a veth pair
 * ({@code aeron-udp-veth}): the workers run in two network namespaces ({@link VethPair}), each with its own media
 * driver of the same settings, started in the worker's process ({@link #attach}). The yardstick of
 * {@link io.ipckit.bench.harness.ipckit.IpckitNetTransport}, which uses the same driver settings, channel, term and
 * MTU lengths. Both ends yield when they find nothing to do (rather than spin): a spinning worker holds a core the
 * driver thread needs for every hop, which put milliseconds on each round trip.
 * <p>
 * The duplex variants ({@code aeron-udp-duplex}, {@code aeron-udp-duplex-veth}) measure 1 to 1 only, with the
 * channel layout of a duplex connection: beside each channel, an idle reverse stream from the receiver back to the
 * sender (the receiver publishes to a subscription of the sender's), as ipckit's duplex {@code NetConnection}
 * keeps for its replies. Its data path is raw Aeron's; what it adds over the one-way channel is the media drivers'
 * work for a second, idle stream.
 */
public final class AeronUdpTransport implements Transport
{
    private static final String VETH_PREFIX = "veth:";
    private static final int VETH_FIRST_PORT = 40_200;
    private static DriverLease workerDriver;
    private static int workerDriverUsers;

    /** Term length in bytes of every publication, shared with the ipckit-over-UDP contestant. */
    public static final int TERM_LENGTH_BYTES = 4 << 20;
    /** MTU in bytes of every publication (Aeron's default), shared with the ipckit-over-UDP contestant. */
    public static final int MTU_LENGTH_BYTES = 1408;
    /** The stream id of every channel. */
    public static final int STREAM_ID = 1002;

    private final boolean veth;
    private final boolean duplex;

    /**
     * Over loopback.
     */
    public AeronUdpTransport()
    {
        this(false);
    }

    /**
     * @param veth true to measure across a veth pair between two network namespaces, false over loopback.
     */
    public AeronUdpTransport(final boolean veth)
    {
        this(veth, false);
    }

    /**
     * @param veth   true to measure across a veth pair between two network namespaces, false over loopback.
     * @param duplex true to keep an idle reverse stream beside each channel (1 to 1 only), as a duplex connection.
     */
    public AeronUdpTransport(final boolean veth, final boolean duplex)
    {
        this.veth = veth;
        this.duplex = duplex;
    }

    @Override
    public String id()
    {
        return "aeron-udp" + (duplex ? "-duplex" : "") + (veth ? "-veth" : "");
    }

    @Override
    public String label()
    {
        return (veth ? "Aeron UDP across a veth pair (a driver per namespace)" :
            "Aeron UDP loopback (embedded driver)") + (duplex ? ", an idle reverse stream per channel" : "");
    }

    @Override
    public boolean twoToTwo()
    {
        return !veth && !duplex;
    }

    /**
     * @return false for the duplex variants: a round trip already runs on two one-way channels, as the plain one's.
     */
    @Override
    public boolean roundTrip()
    {
        return !duplex;
    }

    /**
     * @return true across a veth pair: a producer's process runs the media driver that sends its messages, and
     *         closing the publication does not wait until they are sent.
     */
    @Override
    public boolean senderAwaitsConsumers()
    {
        return veth;
    }

    @Override
    public Fixture create(final ChannelPlan plan)
    {
        return veth ? launchVeth(plan, id()) : launch(plan, id());
    }

    /**
     * Makes the two namespaces of a measurement across a veth pair; each worker starts its own media driver there.
     *
     * @param plan the plan.
     * @param name the directory within the plan's scratch directory that holds the workers' driver directories.
     * @return the fixture; its spec is {@code veth:directory,port0,port1,...}.
     */
    public static Fixture launchVeth(final ChannelPlan plan, final String name)
    {
        final Path directory = Directories.create(plan.scratchDirectory().resolve(name));
        final StringJoiner spec = new StringJoiner(",").add(VETH_PREFIX + directory);
        for (int port = 0; port < 2 * plan.channels(); port++) // each channel's, then each reverse stream's
        {
            spec.add(Integer.toString(VETH_FIRST_PORT + port));
        }
        final VethPair pair;
        try
        {
            pair = VethPair.create();
        }
        catch (final RuntimeException ex)
        {
            Directories.deleteRecursively(directory);
            throw ex;
        }
        return pair.around(new Fixture()
        {
            @Override
            public String spec()
            {
                return spec.toString();
            }

            @Override
            public void close()
            {
                Directories.deleteRecursively(directory);
            }
        });
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
        final MediaDriver driver = startDriver(directory.toString());
        final StringJoiner spec = new StringJoiner(",").add(directory.toString());
        for (int port = 0; port < 2 * plan.channels(); port++) // each channel's, then each reverse stream's
        {
            spec.add(Integer.toString(FreePort.udp())); // below the ephemeral range: see FreePort
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
        return (spec.startsWith(VETH_PREFIX) ? VethPair.receiverAddress(channel) : "127.0.0.1") + ":" +
            spec.split(",")[1 + channel];
    }

    /**
     * @param spec    a spec of {@link #launch} or {@link #launchVeth}.
     * @param channel a channel number.
     * @return the endpoint of the channel's reverse stream, on the sender's side: its address across a veth pair
     *         (the other namespace's), {@code 127.0.0.1} over loopback.
     */
    static String reverseEndpoint(final String spec, final int channel)
    {
        final String[] parts = spec.split(",");
        final int channels = (parts.length - 1) / 2;
        return (spec.startsWith(VETH_PREFIX) ? VethPair.receiverAddress(1 - channel) : "127.0.0.1") + ":" +
            parts[1 + channels + channel];
    }

    /**
     * The media driver a worker's channel end uses: the harness's (over loopback), or one this process starts in
     * its namespace with the harness's settings and shares between its channel ends (across a veth pair); the last
     * lease closed stops it.
     *
     * @param spec a spec of {@link #launch} or {@link #launchVeth}.
     * @return the lease; close it when the channel end closes.
     */
    public static synchronized DriverLease attach(final String spec)
    {
        final String first = spec.split(",")[0];
        if (!first.startsWith(VETH_PREFIX))
        {
            return new DriverLease(first, null);
        }
        if (workerDriverUsers++ == 0)
        {
            final String directory = Path.of(first.substring(VETH_PREFIX.length()))
                .resolve("driver-" + ProcessHandle.current().pid()).toString();
            workerDriver = new DriverLease(directory, startDriver(directory));
        }
        return workerDriver;
    }

    private static synchronized void release(final DriverLease lease)
    {
        if (lease.driver != null && --workerDriverUsers == 0)
        {
            lease.driver.close();
            workerDriver = null;
        }
    }

    private static MediaDriver startDriver(final String directory)
    {
        return MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new YieldingIdleStrategy())
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
    }

    private static String channel(final String spec, final int channel)
    {
        return channel(endpoint(spec, channel));
    }

    private static String channel(final String endpoint)
    {
        return "aeron:udp?endpoint=" + endpoint + "|term-length=" + TERM_LENGTH_BYTES + "|mtu=" + MTU_LENGTH_BYTES;
    }

    @Override
    public Sender openSender(final String spec, final int channel, final long deadlineNs)
    {
        final DriverLease lease = attach(spec);
        Aeron aeron = null;
        try
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(lease.directory()));
            final Subscription reverse = duplex ?
                aeron.addSubscription(channel(reverseEndpoint(spec, channel)), STREAM_ID) : null;
            return new UdpSender(lease, aeron, aeron.addExclusivePublication(channel(spec, channel), STREAM_ID),
                reverse, deadlineNs);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            lease.close();
            throw ex;
        }
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        final DriverLease lease = attach(spec);
        Aeron aeron = null;
        try
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(lease.directory()));
            final Publication reverse = duplex ?
                aeron.addExclusivePublication(channel(reverseEndpoint(spec, channel)), STREAM_ID) : null;
            return new UdpReceiver(lease, aeron, aeron.addSubscription(channel(spec, channel), STREAM_ID), reverse);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            lease.close();
            throw ex;
        }
    }

    /**
     * A channel end's use of a media driver, see {@link #attach}.
     */
    public static final class DriverLease implements AutoCloseable
    {
        private final String directory;
        private final MediaDriver driver;

        private DriverLease(final String directory, final MediaDriver driver)
        {
            this.directory = directory;
            this.driver = driver;
        }

        /**
         * @return the driver's directory.
         */
        public String directory()
        {
            return directory;
        }

        /**
         * Lets go of the driver: the last lease of a worker's own driver stops it. Call once per lease.
         */
        @Override
        public void close()
        {
            release(this);
        }
    }

    private static final class UdpSender implements Sender
    {
        private final DriverLease lease;
        private final Aeron aeron;
        private final ExclusivePublication publication;
        private final Subscription reverse;
        private final long deadlineNs;
        private boolean closed;

        UdpSender(
            final DriverLease lease, final Aeron aeron, final ExclusivePublication publication,
            final Subscription reverse, final long deadlineNs)
        {
            this.lease = lease;
            this.aeron = aeron;
            this.publication = publication;
            this.reverse = reverse;
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
            if (!closed)
            {
                closed = true;
                CloseHelper.closeAll(publication, reverse);
                aeron.close();
                lease.close();
            }
        }
    }

    private static final class UdpReceiver implements Receiver
    {
        private final DriverLease lease;
        private final Aeron aeron;
        private final Subscription subscription;
        private final Publication reverse;
        private final FragmentAssembler assembler = new FragmentAssembler(this::onMessage);
        private MessageHandler handler;
        private boolean closed;

        UdpReceiver(final DriverLease lease, final Aeron aeron, final Subscription subscription,
            final Publication reverse)
        {
            this.lease = lease;
            this.aeron = aeron;
            this.subscription = subscription;
            this.reverse = reverse;
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
            if (!closed)
            {
                closed = true;
                CloseHelper.closeAll(subscription, reverse);
                aeron.close();
                lease.close();
            }
        }
    }
}
