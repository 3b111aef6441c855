package io.ipckit.net;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.ReservedValueSupplier;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.net.internal.AeronEndpoint;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.internal.FrameDescriptor.*;

/**
 * Python's {@code multiprocessing.connection.Listener}/{@code Client} across hosts, on Aeron UDP: one end
 * {@link #listen}s on a UDP endpoint, the other {@link #connect}s to it, and each gets a {@link NetConnection}.
 * <pre>{@code
 * // host A                                            // host B
 * try (NetConnection c = NetPipe.listen("0.0.0.0:40123")) {    try (NetConnection c = NetPipe.connect("hostA:40123")) {
 *     Object request = c.recv();                                 c.send("hello");
 *     c.send("world");                                           Object reply = c.recv();
 * }                                                          }
 * }</pre>
 * The handshake: the listener subscribes to its endpoint. The connector subscribes to a reply endpoint of its own
 * (an ephemeral port on the interface that routes to the listener, or {@link NetOptions#replyHost}), publishes to
 * the listener's endpoint, and once connected sends a HELLO frame naming its reply endpoint, again every 100 ms until
 * welcomed (a listener closing after its previous peer died may have taken one, and a new listener's image of the
 * publication starts after it; the paired listener ignores the repeats). The listener takes the first image whose
 * next frame is a HELLO, publishes to the reply endpoint and sends a WELCOME naming the connector's Aeron session id;
 * the connector takes the image that carries it. From then each end reads only the
 * paired image: the pair is identified by Aeron session ids. A listener serves one connection; listen again (after
 * closing it) for the next, or open a {@link NetListener} to accept many peers on one address.
 * <p>
 * An address is {@code host:port} ({@code [v6addr]:port} for IPv6), or a whole Aeron UDP channel
 * ({@code aeron:udp?endpoint=host:port|...}) for other channel parameters.
 * <p>
 * Thread-safe: the factories share no state.
 */
public final class NetPipe
{
    /** How long a connector waits for a WELCOME before it sends its HELLO again. */
    private static final long HELLO_RESEND_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final ReservedValueSupplier HELLO_TAG = (buffer, offset, length) -> tag(HELLO, 0);

    private NetPipe()
    {
    }

    /**
     * Listens on {@code address} with default options, waiting without limit for a peer to connect.
     *
     * @param address the local UDP endpoint, {@code host:port}.
     * @return the connection to the peer.
     * @throws IpcException         when Aeron cannot start or the endpoint cannot be bound.
     * @throws InterruptedException when interrupted while waiting.
     */
    public static NetConnection listen(final String address) throws InterruptedException
    {
        return listen(address, new NetOptions());
    }

    /**
     * Listens on {@code address}, waiting without limit for a peer to connect.
     *
     * @param address the local UDP endpoint, {@code host:port}.
     * @param options the options.
     * @return the connection to the peer.
     * @throws IllegalArgumentException when the options set {@link NetOptions#replyHost}, which only a connect uses.
     * @throws IpcException             when Aeron cannot start or the endpoint cannot be bound.
     * @throws InterruptedException     when interrupted while waiting.
     */
    public static NetConnection listen(final String address, final NetOptions options) throws InterruptedException
    {
        return listenNs(address, options, Long.MAX_VALUE);
    }

    /**
     * Listens on {@code address}, waiting at most {@code timeout} for a peer to connect.
     *
     * @param address the local UDP endpoint, {@code host:port}.
     * @param options the options.
     * @param timeout the most to wait; zero or less to look once.
     * @param unit    the unit of {@code timeout}.
     * @return the connection to the peer.
     * @throws IllegalArgumentException when the options set {@link NetOptions#replyHost}, which only a connect uses.
     * @throws IpcTimeoutException      when no peer connected in time.
     * @throws IpcException             when Aeron cannot start or the endpoint cannot be bound.
     * @throws InterruptedException     when interrupted while waiting.
     */
    public static NetConnection listen(
        final String address, final NetOptions options, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        return listenNs(address, options, timeout <= 0 ? 0 : unit.toNanos(timeout));
    }

    /**
     * Connects to a listener at {@code address} with default options, waiting without limit for it to answer.
     *
     * @param address the listener's UDP endpoint, {@code host:port}.
     * @return the connection to the listener.
     * @throws IpcException         when Aeron cannot start.
     * @throws InterruptedException when interrupted while waiting.
     */
    public static NetConnection connect(final String address) throws InterruptedException
    {
        return connect(address, new NetOptions());
    }

    /**
     * Connects to a listener at {@code address}, waiting without limit for it to answer.
     *
     * @param address the listener's UDP endpoint, {@code host:port}.
     * @param options the options.
     * @return the connection to the listener.
     * @throws IpcException         when Aeron cannot start.
     * @throws InterruptedException when interrupted while waiting.
     */
    public static NetConnection connect(final String address, final NetOptions options) throws InterruptedException
    {
        return connectNs(address, options, Long.MAX_VALUE);
    }

    /**
     * Connects to a listener at {@code address}, waiting at most {@code timeout} for it to answer.
     *
     * @param address the listener's UDP endpoint, {@code host:port}.
     * @param options the options.
     * @param timeout the most to wait; zero or less to try once.
     * @param unit    the unit of {@code timeout}.
     * @return the connection to the listener.
     * @throws IpcTimeoutException  when no listener answered in time.
     * @throws IpcException         when Aeron cannot start.
     * @throws InterruptedException when interrupted while waiting.
     */
    public static NetConnection connect(
        final String address, final NetOptions options, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        return connectNs(address, options, timeout <= 0 ? 0 : unit.toNanos(timeout));
    }

    /**
     * Publishes a one-way stream to every subscriber of {@code address} (market-data style), waiting at most
     * {@code timeout} for a first subscriber. With a multicast group as the address
     * ({@code aeron:udp?endpoint=239.255.0.1:40456|interface=10.0.0.1} names the interface to send from), each
     * datagram reaches every subscribing host once; with a unicast address, the one subscriber there. Processes of
     * one host may share a group on plain loopback by naming it as the interface ({@code |interface=127.0.0.1}):
     * the kernel loops the datagrams back to every member without a multicast route or flag on {@code lo}.
     * <p>
     * The returned end only sends ({@link NetConnection#canReceive()} is false). A subscriber that joins later
     * receives from the point it joined. Aeron's flow control for multicast is its default: the publication keeps pace
     * with the fastest subscriber, and one that falls a whole term behind loses its image
     * ({@link io.ipckit.core.exceptions.PeerGoneException} there); add {@code |fc=min} to the channel to keep pace
     * with the slowest instead. A send throws {@link io.ipckit.core.exceptions.PeerGoneException} once no subscriber
     * is left (within the liveness timeout). {@link NetConnection#close()} sends an end of stream and waits (at most
     * the close linger timeout) until it has been sent; subscribers that read it get
     * {@link io.ipckit.core.exceptions.EndOfStreamException}.
     *
     * @param address the stream's UDP endpoint, {@code host:port} or an {@code aeron:udp} channel.
     * @param options the options.
     * @param timeout the most to wait for a first subscriber; zero or less to look once.
     * @param unit    the unit of {@code timeout}.
     * @return the publishing end.
     * @throws IllegalArgumentException when the options set {@link NetOptions#replyHost}, which only a connect uses.
     * @throws IpcTimeoutException      when no subscriber joined in time.
     * @throws IpcException             when Aeron cannot start.
     * @throws InterruptedException     when interrupted while waiting.
     */
    public static NetConnection publish(
        final String address, final NetOptions options, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        checkNoReplyHost(options, "publish");
        final String channel = channel(address, options, true);
        final Deadline deadline = new Deadline(timeout <= 0 ? 0 : unit.toNanos(timeout), "publishing to " + address);
        final AeronEndpoint endpoint = deadline.watch(AeronEndpoint.start(options));
        Publication publication = null;
        boolean handedOff = false;
        try
        {
            // exclusive: nothing but the sending thread (and close, after it left) writes to a one-way stream
            publication = endpoint.addExclusivePublication(channel, options.streamId(), "publishing to " + address);
            while (!publication.isConnected())
            {
                deadline.idle("a subscriber to join");
            }
            final NetConnection connection = new NetConnection(
                "net publication " + address, endpoint, publication, null, null, options);
            handedOff = true;
            return connection;
        }
        finally
        {
            if (!handedOff)
            {
                CloseHelper.quietClose(publication);
                endpoint.close(); // also when the publication was never added
            }
        }
    }

    /**
     * Subscribes to the stream a {@link #publish publisher} sends to {@code address}, waiting at most
     * {@code timeout} for it. The returned end only receives ({@link NetConnection#canSend()} is false): messages
     * from the point it joined, in order, once each; {@link io.ipckit.core.exceptions.EndOfStreamException} after
     * the publisher closed, {@link io.ipckit.core.exceptions.PeerGoneException} when it died or became unreachable
     * (within the liveness timeout). When several publishers send to the address, the first one found is read.
     *
     * @param address the stream's UDP endpoint: {@code host:port} (a multicast group, or a local address to receive
     *                unicast on) or an {@code aeron:udp} channel ({@code |interface=} names the interface to join
     *                a multicast group on).
     * @param options the options.
     * @param timeout the most to wait for the publisher; zero or less to look once.
     * @param unit    the unit of {@code timeout}.
     * @return the subscribing end.
     * @throws IllegalArgumentException when the options set {@link NetOptions#replyHost}, which only a connect uses.
     * @throws IpcTimeoutException      when no publisher was found in time.
     * @throws IpcException             when Aeron cannot start or the endpoint cannot be bound.
     * @throws InterruptedException     when interrupted while waiting.
     */
    public static NetConnection subscribe(
        final String address, final NetOptions options, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        checkNoReplyHost(options, "subscribe");
        final String channel = channel(address, options, false);
        final Deadline deadline = new Deadline(timeout <= 0 ? 0 : unit.toNanos(timeout), "subscribing to " + address);
        final AeronEndpoint endpoint = deadline.watch(AeronEndpoint.start(options));
        Subscription subscription = null;
        boolean handedOff = false;
        try
        {
            subscription = endpoint.addSubscription(channel, options.streamId(), "subscribing to " + address);
            while (subscription.imageCount() == 0)
            {
                deadline.idle("a publisher");
            }
            final NetConnection connection = new NetConnection(
                "net subscription " + address, endpoint, null, subscription, subscription.imageAtIndex(0), options);
            handedOff = true;
            return connection;
        }
        finally
        {
            if (!handedOff)
            {
                CloseHelper.quietClose(subscription);
                endpoint.close();
            }
        }
    }

    private static void checkNoReplyHost(final NetOptions options, final String what)
    {
        if (options.replyHost() != null)
        {
            throw new IllegalArgumentException("replyHost applies to connect only, not to " + what + ": " + options);
        }
    }

    // ---------------------------------------------------------------------------------------------- handshake

    private static NetConnection listenNs(final String address, final NetOptions options, final long timeoutNs)
        throws InterruptedException
    {
        checkNoReplyHost(options, "listen");
        final String channel = channel(address, options, false);
        final Deadline deadline = new Deadline(timeoutNs, "listening on " + address);
        final AeronEndpoint endpoint = deadline.watch(AeronEndpoint.start(options));
        Subscription subscription = null;
        Publication publication = null;
        boolean handedOff = false;
        try
        {
            subscription = endpoint.addSubscription(channel, options.streamId(), "listening on " + address);
            final HandshakeReader reader = new HandshakeReader();
            while (true)
            {
                final Image hello = awaitFrame(subscription, reader, HELLO, 0, deadline);
                final String replyChannel = channel(reader.text, options, true);
                publication = endpoint.addPublication(replyChannel, options.streamId(),
                    "answering the peer at " + reader.text);
                while (!publication.isConnected() && !hello.isClosed())
                {
                    deadline.idle("the peer at " + reader.text + " to subscribe");
                }
                final long welcome = tag(WELCOME, hello.sessionId());
                if (!hello.isClosed() &&
                    offer(publication, new UnsafeBuffer(new byte[0]), (buffer, offset, length) -> welcome, deadline))
                {
                    final NetConnection connection = new NetConnection(
                        "net pipe " + address + " <- " + reader.text, endpoint, publication, subscription, hello,
                        options);
                    handedOff = true;
                    return connection;
                }
                CloseHelper.quietClose(publication);
                publication = null;
            }
        }
        finally
        {
            if (!handedOff)
            {
                CloseHelper.quietCloseAll(publication, subscription);
                endpoint.close(); // also when the subscription was never added
            }
        }
    }

    private static NetConnection connectNs(final String address, final NetOptions options, final long timeoutNs)
        throws InterruptedException
    {
        final String channel = channel(address, options, true);
        final Deadline deadline = new Deadline(timeoutNs, "connecting to " + address);
        final String replyHost = options.replyHost() != null ? options.replyHost() : routeTo(channel);
        final AeronEndpoint endpoint = deadline.watch(AeronEndpoint.start(options));
        Subscription subscription = null;
        Publication publication = null;
        boolean handedOff = false;
        try
        {
            subscription = endpoint.addSubscription("aeron:udp?endpoint=" + hostForEndpoint(replyHost) + ":0",
                options.streamId(), "connecting to " + address + " (its reply endpoint)");
            String resolved;
            while ((resolved = subscription.tryResolveChannelEndpointPort()) == null)
            {
                deadline.idle("the reply endpoint's port to be bound");
            }
            final String replyEndpoint = ChannelUri.parse(resolved).get(CommonContext.ENDPOINT_PARAM_NAME);
            publication = endpoint.addPublication(channel, options.streamId(), "connecting to " + address);
            while (!publication.isConnected())
            {
                deadline.idle("a listener at " + address + " to answer");
            }
            final UnsafeBuffer hello = new UnsafeBuffer(replyEndpoint.getBytes(StandardCharsets.US_ASCII));
            final HandshakeReader reader = new HandshakeReader();
            Image image = null;
            long helloSentNs = 0;
            while (image == null)
            {
                // HELLO again until welcomed: a listener's earlier incarnation (closing after its peer died) may
                // have taken the last one, and its successor's image of this publication starts after it
                if (helloSentNs == 0 || System.nanoTime() - helloSentNs >= HELLO_RESEND_NS)
                {
                    // not connected meanwhile (that listener closed): the next one's status messages reconnect it
                    final long result = publication.offer(hello, 0, hello.capacity(), HELLO_TAG);
                    if (result > 0)
                    {
                        helloSentNs = System.nanoTime();
                    }
                    else if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
                    {
                        throw new IpcException("the handshake with " + address + " failed: " +
                            Publication.errorString(result));
                    }
                }
                image = findFrame(subscription, reader, WELCOME, publication.sessionId());
                if (image == null)
                {
                    deadline.idle("the listener's welcome");
                }
            }
            final NetConnection connection = new NetConnection(
                "net pipe " + replyEndpoint + " -> " + address, endpoint, publication, subscription, image, options);
            handedOff = true;
            return connection;
        }
        finally
        {
            if (!handedOff)
            {
                CloseHelper.quietCloseAll(publication, subscription);
                endpoint.close(); // also when the subscription was never added
            }
        }
    }

    /**
     * Waits for an image whose first frame is {@code type} (and, for WELCOME, names {@code sessionId}); frames of
     * other images before it are dropped.
     */
    private static Image awaitFrame(
        final Subscription subscription, final HandshakeReader reader, final int type, final int sessionId,
        final Deadline deadline) throws InterruptedException
    {
        Image image;
        while ((image = findFrame(subscription, reader, type, sessionId)) == null)
        {
            deadline.idle(type == HELLO ? "a peer to connect" : "the listener's welcome");
        }
        return image;
    }

    /**
     * Looks once at each image's next frame for one of {@code type} (and, for WELCOME, naming {@code sessionId});
     * frames of other types are dropped.
     *
     * @return the image, or null when none has one now.
     */
    private static Image findFrame(
        final Subscription subscription, final HandshakeReader reader, final int type, final int sessionId)
    {
        for (int i = 0, n = subscription.imageCount(); i < n; i++)
        {
            final Image image = subscription.imageAtIndex(i);
            reader.type = 0;
            image.controlledPoll(reader, 1);
            if (reader.type == type && (type != WELCOME || reader.word == sessionId))
            {
                return image;
            }
        }
        return null;
    }

    static boolean offer(
        final Publication publication, final UnsafeBuffer frame, final ReservedValueSupplier tag,
        final Deadline deadline) throws InterruptedException
    {
        while (true)
        {
            final long result = publication.offer(frame, 0, frame.capacity(), tag);
            if (result > 0)
            {
                return true;
            }
            if (result == Publication.NOT_CONNECTED || result == Publication.CLOSED)
            {
                return false;
            }
            deadline.idle("room to send the handshake");
        }
    }

    /**
     * Builds the Aeron channel of {@code address}; a publication's channel gets the options' term and MTU lengths
     * unless the address sets them.
     */
    static String channel(final String address, final NetOptions options, final boolean publication)
    {
        final ChannelUri uri;
        if (address.startsWith(ChannelUri.AERON_SCHEME + ":"))
        {
            uri = ChannelUri.parse(address);
            if (!CommonContext.UDP_MEDIA.equals(uri.media()))
            {
                throw new IllegalArgumentException("only aeron:udp channels are supported: " + address);
            }
        }
        else
        {
            final int colon = address.lastIndexOf(':');
            if (colon <= 0 || colon == address.length() - 1)
            {
                throw new IllegalArgumentException("address must be host:port or an aeron:udp channel: " + address);
            }
            uri = ChannelUri.parse("aeron:udp?endpoint=" + address);
        }
        if (publication)
        {
            if (uri.get(CommonContext.TERM_LENGTH_PARAM_NAME) == null)
            {
                uri.put(CommonContext.TERM_LENGTH_PARAM_NAME, Integer.toString(options.termLengthBytes()));
            }
            if (uri.get(CommonContext.MTU_LENGTH_PARAM_NAME) == null)
            {
                uri.put(CommonContext.MTU_LENGTH_PARAM_NAME, Integer.toString(options.mtuLengthBytes()));
            }
        }
        return uri.toString();
    }

    /**
     * @return the local address of the interface that routes to the channel's endpoint.
     */
    private static String routeTo(final String channel)
    {
        final String endpoint = ChannelUri.parse(channel).get(CommonContext.ENDPOINT_PARAM_NAME);
        final int colon = endpoint.lastIndexOf(':');
        String host = endpoint.substring(0, colon);
        if (host.startsWith("["))
        {
            host = host.substring(1, host.length() - 1);
        }
        try (DatagramSocket socket = new DatagramSocket())
        {
            socket.connect(new InetSocketAddress(host, Integer.parseInt(endpoint.substring(colon + 1))));
            final InetAddress local = socket.getLocalAddress();
            if (local.isAnyLocalAddress())
            {
                throw new IpcException("no local interface routes to " + endpoint + "; set NetOptions.replyHost");
            }
            return local.getHostAddress();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot find the route to " + endpoint, ex);
        }
    }

    private static String hostForEndpoint(final String host)
    {
        try
        {
            return InetAddress.getByName(host) instanceof Inet6Address && !host.startsWith("[") ?
                "[" + host + "]" : host;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot resolve reply host " + host, ex);
        }
    }

    /**
     * Reads the first frame of an image during the handshake.
     */
    static final class HandshakeReader implements ControlledFragmentHandler
    {
        int type;
        int word;
        String text;

        @Override
        public Action onFragment(
            final org.agrona.DirectBuffer buffer, final int offset, final int length,
            final io.aeron.logbuffer.Header header)
        {
            type = type(header);
            word = word(header);
            text = type == HELLO ? buffer.getStringWithoutLengthAscii(offset, length) : null;
            return Action.COMMIT;
        }
    }

    /**
     * A handshake's deadline: idles between looks, throws when the time is up, the thread is interrupted or the
     * watched endpoint's driver is gone.
     */
    static final class Deadline
    {
        private final long start = System.nanoTime();
        private final long timeoutNs;
        private final String what;
        private AeronEndpoint endpoint;
        private final IdleStrategy idle = new BackoffIdleStrategy(
            10, 20, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));

        Deadline(final long timeoutNs, final String what)
        {
            this.timeoutNs = timeoutNs;
            this.what = what;
        }

        /**
         * @return {@code endpoint}, whose driver each idle now checks: a driver gone never answers.
         */
        AeronEndpoint watch(final AeronEndpoint endpoint)
        {
            this.endpoint = endpoint;
            return endpoint;
        }

        void idle(final String awaited) throws InterruptedException
        {
            if (endpoint != null)
            {
                endpoint.checkAlive(what, false);
            }
            if (timeoutNs != Long.MAX_VALUE && System.nanoTime() - start >= timeoutNs)
            {
                throw new IpcTimeoutException(what + ": timed out after " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms waiting for " + awaited);
            }
            if (Thread.interrupted())
            {
                throw new InterruptedException(what + ": interrupted while waiting for " + awaited);
            }
            idle.idle();
        }
    }
}
