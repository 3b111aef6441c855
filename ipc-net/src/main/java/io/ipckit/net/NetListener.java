package io.ipckit.net;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.net.internal.AeronEndpoint;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import static io.ipckit.net.internal.FrameDescriptor.HELLO;
import static io.ipckit.net.internal.FrameDescriptor.WELCOME;
import static io.ipckit.net.internal.FrameDescriptor.tag;

/**
 * Accepts many {@link NetPipe#connect connectors} on one UDP endpoint, Python's
 * {@code multiprocessing.connection.Listener} serving client after client: each {@link #accept()} returns the
 * {@link NetConnection} of the next peer, while the connections already accepted stay open. {@link NetPipe#listen}
 * serves one peer per address; a server of many (ipckit's manager over Aeron) uses this.
 * <p>
 * One embedded driver (or client of an external one), one subscription on the endpoint: every connector's
 * publication is one image of it, told apart by its Aeron session id. The handshake is {@link NetPipe}'s: a HELLO
 * naming the connector's reply endpoint, a publication back to it, a WELCOME naming the connector's session id.
 * Handshakes in progress do not hold up each other: a peer whose reply endpoint does not answer is dropped after
 * {@link #HANDSHAKE_TIMEOUT_MS} (or when its image goes), and the next peer's HELLO is answered meanwhile. Each
 * accepted connection reads only its own image and has the liveness of any {@link NetConnection}: a peer that dies
 * is {@link io.ipckit.core.exceptions.PeerGoneException} there within {@link NetOptions#livenessTimeout}, and its
 * close closes only its publication back.
 * <p>
 * An idle strategy set in the options is shared by every accepted connection and both directions, so it must be
 * stateless; leave it null to give each its own.
 * <p>
 * Thread-safety: {@link #accept} is called by one thread at a time (others wait for it); the accepted connections
 * are independent, each with {@link NetConnection}'s own contract. {@link #close()} may be called from any thread:
 * a thread in {@link #accept} leaves with {@link ResourceClosedException}. Process-safety: one process owns it.
 */
public final class NetListener implements AutoCloseable
{
    /** How long a peer that said HELLO has to subscribe to the publication back to it, in milliseconds. */
    public static final long HANDSHAKE_TIMEOUT_MS = 10_000;
    private static final long CLOSE_WAIT_MS = 5_000;

    private final String address;
    private final NetOptions options;
    private final AeronEndpoint endpoint;
    private final Subscription subscription;
    private final NetPipe.HandshakeReader reader = new NetPipe.HandshakeReader();
    private final UnsafeBuffer emptyFrame = new UnsafeBuffer(new byte[0]);
    private final Map<Integer, Image> claimed = new ConcurrentHashMap<>();
    private final List<Handshake> handshakes = new ArrayList<>();
    private final Set<NetConnection> accepted = ConcurrentHashMap.newKeySet();
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean resourcesReleased = new AtomicBoolean();

    private NetListener(final String address, final NetOptions options, final AeronEndpoint endpoint,
        final Subscription subscription)
    {
        this.address = address;
        this.options = options;
        this.endpoint = endpoint;
        this.subscription = subscription;
    }

    /**
     * Binds a listener on {@code address}.
     *
     * @param address the local UDP endpoint: {@code host:port} ({@code [v6addr]:port} for IPv6; port 0 picks a free
     *                port, see {@link #address()}) or an {@code aeron:udp} channel.
     * @param options the options of the driver and of every accepted connection.
     * @return the listener.
     * @throws IllegalArgumentException when the address is neither form, or the options set
     *                                  {@link NetOptions#replyHost}, which only a connect uses.
     * @throws IpcException             when Aeron cannot start or the endpoint cannot be bound.
     * @throws InterruptedException     when interrupted while waiting for the endpoint to be bound.
     */
    public static NetListener open(final String address, final NetOptions options) throws InterruptedException
    {
        if (options.replyHost() != null)
        {
            throw new IllegalArgumentException("replyHost applies to connect only, not to a listener: " + options);
        }
        final String channel = NetPipe.channel(address, options, false);
        final AeronEndpoint endpoint = AeronEndpoint.start(options);
        Subscription subscription = null;
        boolean handedOff = false;
        try
        {
            subscription = endpoint.addSubscription(channel, options.streamId(), "binding " + address);
            final NetPipe.Deadline deadline = new NetPipe.Deadline(
                TimeUnit.MILLISECONDS.toNanos(HANDSHAKE_TIMEOUT_MS), "binding " + address);
            deadline.watch(endpoint);
            String resolved;
            while ((resolved = subscription.tryResolveChannelEndpointPort()) == null)
            {
                deadline.idle("the endpoint to be bound");
            }
            final String bound = ChannelUri.parse(resolved).get(CommonContext.ENDPOINT_PARAM_NAME);
            final NetListener listener = new NetListener(bound, options, endpoint, subscription);
            handedOff = true;
            return listener;
        }
        finally
        {
            if (!handedOff)
            {
                CloseHelper.quietClose(subscription);
                endpoint.close(); // also when the subscription was never added
            }
        }
    }

    /**
     * @return the bound endpoint, {@code host:port}, with the actual port when 0 was asked: what connectors pass to
     * {@link NetPipe#connect}.
     */
    public String address()
    {
        return address;
    }

    /**
     * @return the options this listener was opened with.
     */
    public NetOptions options()
    {
        return options;
    }

    /**
     * @return the number of accepted connections not yet closed.
     */
    public int connectionCount()
    {
        return accepted.size();
    }

    /**
     * Waits without limit for the next peer.
     *
     * @return its connection.
     * @throws ResourceClosedException  when the listener is closed (or closes while waiting).
     * @throws MediaDriverGoneException when the media driver under the listener is gone: close it and open another.
     * @throws InterruptedException     when interrupted while waiting.
     */
    public NetConnection accept() throws InterruptedException
    {
        return acceptNs(Long.MAX_VALUE);
    }

    /**
     * Waits at most {@code timeout} for the next peer. One thread accepts at a time: the wait for another thread's
     * accept to end counts against the timeout.
     *
     * @param timeout the most to wait; zero or less to look once.
     * @param unit    the unit of {@code timeout}.
     * @return its connection.
     * @throws IpcTimeoutException      when no peer completed the handshake in time.
     * @throws ResourceClosedException  when the listener is closed (or closes while waiting).
     * @throws MediaDriverGoneException when the media driver under the listener is gone: close it and open another.
     * @throws InterruptedException     when interrupted while waiting.
     */
    public NetConnection accept(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return acceptNs(timeout <= 0 ? 0 : unit.toNanos(timeout));
    }

    private NetConnection acceptNs(final long timeoutNs) throws InterruptedException
    {
        final NetPipe.Deadline deadline = new NetPipe.Deadline(timeoutNs, "accepting on " + address);
        // another thread's accept holds the lock as long as it waits: a timed accept waits for it within its time
        if (timeoutNs == Long.MAX_VALUE)
        {
            acceptLock.lockInterruptibly();
        }
        else if (!acceptLock.tryLock(timeoutNs, TimeUnit.NANOSECONDS))
        {
            throw new IpcTimeoutException("accepting on " + address + ": timed out after " +
                TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms waiting for another thread's accept to end");
        }
        try
        {
            while (true)
            {
                checkOpen();
                // a subscription closed under an open listener: Aeron's client ended, and no peer can come
                endpoint.checkAlive("accepting on " + address, subscription.isClosed());
                final NetConnection connection = step();
                if (connection != null)
                {
                    return connection;
                }
                deadline.idle("a peer to connect");
            }
        }
        finally
        {
            acceptLock.unlock();
        }
    }

    /**
     * Advances every handshake once and looks once for new HELLOs.
     *
     * @return a connection whose handshake completed, or null.
     */
    private NetConnection step()
    {
        final long nowNs = System.nanoTime();
        claimed.values().removeIf(Image::isClosed);
        for (final Iterator<Handshake> it = handshakes.iterator(); it.hasNext(); )
        {
            final Handshake handshake = it.next();
            if (handshake.image.isClosed() || nowNs - handshake.startNs >= TimeUnit.MILLISECONDS.toNanos(
                HANDSHAKE_TIMEOUT_MS))
            {
                it.remove();
                CloseHelper.quietClose(handshake.publication);
                continue;
            }
            if (!handshake.publication.isConnected())
            {
                continue;
            }
            final long welcome = tag(WELCOME, handshake.image.sessionId());
            final long result = handshake.publication.offer(emptyFrame, 0, 0, (buffer, offset, length) -> welcome);
            if (result > 0)
            {
                it.remove();
                final NetConnection connection = new NetConnection(
                    "net listener " + address + " <- " + handshake.peer, endpoint, handshake.publication, null,
                    handshake.image, options, this);
                accepted.add(connection);
                return connection;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                it.remove();
                CloseHelper.quietClose(handshake.publication);
            }
        }
        for (final Image image : subscription.images())
        {
            if (claimed.containsKey(image.sessionId()))
            {
                continue;
            }
            reader.type = 0;
            image.controlledPoll(reader, 1);
            if (reader.type != HELLO)
            {
                continue; // frames of a peer that said no HELLO yet are dropped, as NetPipe.listen drops them
            }
            claimed.put(image.sessionId(), image);
            final String replyChannel;
            try
            {
                replyChannel = NetPipe.channel(reader.text, options, true);
            }
            catch (final IllegalArgumentException ex)
            {
                continue; // not a reply endpoint: the image stays claimed, so ignored, until it goes
            }
            final Publication reply;
            try
            {
                reply = endpoint.addPublication(replyChannel, options.streamId(), "answering " + reader.text);
            }
            catch (final IpcException ex)
            {
                continue; // a reply endpoint Aeron refuses: ignored as a malformed one is
            }
            handshakes.add(new Handshake(image, reply, reader.text, System.nanoTime()));
        }
        return null;
    }

    /**
     * Called by an accepted connection's close.
     */
    void released(final NetConnection connection)
    {
        accepted.remove(connection);
        if (closed.get() && accepted.isEmpty())
        {
            releaseResources(); // a connection whose call outlived this listener's close was the last
        }
    }

    /**
     * Closes the subscription and the endpoint once, when the listener is closed and no accepted connection holds
     * their images mapped any more.
     */
    private void releaseResources()
    {
        if (resourcesReleased.compareAndSet(false, true))
        {
            CloseHelper.quietClose(subscription);
            endpoint.close();
        }
    }

    private void checkOpen()
    {
        if (closed.get())
        {
            throw new ResourceClosedException("the net listener on " + address + " is closed");
        }
    }

    /**
     * Stops accepting: waits (at most 5 s) for a thread in {@link #accept} to leave, closes every accepted
     * connection still open, side by side (each sends its CLOSE and lingers as {@link NetConnection#close()} does,
     * so this takes at most about one {@link NetOptions#closeLingerTimeout}), then the subscription, the Aeron client
     * and the embedded driver. A connection whose call outlived its close (see {@link NetConnection#close()}) keeps
     * them open until that call leaves. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        boolean locked = false;
        try
        {
            locked = acceptLock.tryLock(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        try
        {
            // side by side: each close lingers until its peer has read the CLOSE, at most the linger timeout
            final List<Thread> closing = new ArrayList<>();
            for (final NetConnection connection : List.copyOf(accepted))
            {
                closing.add(Thread.ofVirtual().name("ipckit-net-listener-close").start(connection::close));
            }
            for (final Thread thread : closing)
            {
                joinUninterruptibly(thread);
            }
            for (final Handshake handshake : handshakes)
            {
                CloseHelper.quietClose(handshake.publication);
            }
            handshakes.clear();
            if (accepted.isEmpty()) // else the last connection whose call outlived its close releases them
            {
                releaseResources();
            }
        }
        finally
        {
            if (locked)
            {
                acceptLock.unlock();
            }
        }
    }

    private static void joinUninterruptibly(final Thread thread)
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                thread.join();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return true once {@link #close()} ran.
     */
    public boolean isClosed()
    {
        return closed.get();
    }

    @Override
    public String toString()
    {
        return "NetListener{" + address + ", " + accepted.size() + " connections" + (closed.get() ? ", closed" : "") +
            "}";
    }

    /**
     * A peer that said HELLO, waiting to be connected to the publication back to it.
     */
    private record Handshake(Image image, Publication publication, String peer, long startNs)
    {
    }
}
