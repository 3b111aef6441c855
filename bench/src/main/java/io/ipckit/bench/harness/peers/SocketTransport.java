package io.ipckit.bench.harness.peers;

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
import io.ipckit.core.exceptions.PeerGoneException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.locks.LockSupport;

/**
 * A stream socket between two processes, one connection per channel, in blocking mode as applications use them:
 * each message is a frame of a 4-byte length and the bytes. Per message, each send is one {@code write}; in the
 * batch form a whole batch of frames is one {@code write}. The receiver reads as much as has arrived (up to
 * {@value #BUFFER_BYTES} bytes) and delivers the complete frames. The receiving end listens (on a socket file in
 * the scratch directory, or on a loopback port it writes to a file there); the sending end connects.
 */
public abstract class SocketTransport implements Transport
{
    /** Size of the send and receive buffers of each end. */
    public static final int BUFFER_BYTES = 256 * 1024;
    private static final int FRAME_HEADER_LENGTH = 4;
    private static final long CONNECT_RETRY_NS = 200_000;

    /**
     * Binds a listening socket for a channel and makes its address findable.
     *
     * @param directory the scratch directory.
     * @param channel   the channel.
     * @return the bound server socket.
     * @throws IOException when binding fails.
     */
    protected abstract ServerSocketChannel bind(Path directory, int channel) throws IOException;

    /**
     * @param directory the scratch directory.
     * @param channel   the channel.
     * @return the address the receiver listens on, or null while it has not bound yet.
     * @throws IOException when reading the address fails.
     */
    protected abstract SocketAddress address(Path directory, int channel) throws IOException;

    /**
     * @param channel a connected channel to configure (TCP_NODELAY for TCP).
     * @throws IOException when an option cannot be set.
     */
    protected abstract void configure(SocketChannel channel) throws IOException;

    @Override
    public boolean hasBatchForm()
    {
        return true;
    }

    @Override
    public Fixture create(final ChannelPlan plan)
    {
        final Path directory = Directories.create(plan.scratchDirectory().resolve(id()));
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
        final Path directory = Path.of(spec);
        long attempts = 0;
        while (true)
        {
            try
            {
                final SocketAddress address = address(directory, channel);
                if (address != null)
                {
                    final SocketChannel socket = SocketChannel.open(address);
                    configure(socket);
                    return new SocketSender(socket);
                }
            }
            catch (final IOException ex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IpcException("cannot connect " + id() + " channel " + channel + " in " + spec + ": " +
                        ex, ex);
                }
            }
            Deadline.check(++attempts * Deadline.CHECK_INTERVAL, deadlineNs, "the " + id() + " receiver of channel " +
                channel + " to listen in " + spec);
            LockSupport.parkNanos(CONNECT_RETRY_NS);
        }
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        try
        {
            return new SocketReceiver(bind(Path.of(spec), channel));
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot listen on " + id() + " channel " + channel + " in " + spec + ": " + ex, ex);
        }
    }

    private static final class SocketSender implements Sender
    {
        private final SocketChannel socket;
        private final ByteBuffer frames = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private final UnsafeBuffer view = new UnsafeBuffer(frames);

        SocketSender(final SocketChannel socket)
        {
            this.socket = socket;
        }

        @Override
        public void send(final DirectBuffer buffer, final int offset, final int length)
        {
            view.putInt(0, length);
            view.putBytes(FRAME_HEADER_LENGTH, buffer, offset, length);
            write(FRAME_HEADER_LENGTH + length);
        }

        @Override
        public void sendBatch(final DirectBuffer buffer, final int offset, final int messageLength, final int count)
        {
            final int frameLength = FRAME_HEADER_LENGTH + messageLength;
            if ((long)frameLength * count > BUFFER_BYTES)
            {
                throw new IllegalArgumentException("a batch of " + count + " messages of " + messageLength +
                    " bytes exceeds the " + BUFFER_BYTES + "-byte socket buffer");
            }
            for (int i = 0; i < count; i++)
            {
                view.putInt(i * frameLength, messageLength);
                view.putBytes(i * frameLength + FRAME_HEADER_LENGTH, buffer, offset + i * messageLength, messageLength);
            }
            write(frameLength * count);
        }

        private void write(final int length)
        {
            frames.clear().limit(length);
            try
            {
                while (frames.hasRemaining())
                {
                    socket.write(frames);
                }
            }
            catch (final IOException ex)
            {
                throw new PeerGoneException("the receiver closed the socket: " + ex, ex);
            }
        }

        @Override
        public void close()
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignore)
            {
                // closing a socket whose peer is gone
            }
        }
    }

    private static final class SocketReceiver implements Receiver
    {
        private final ServerSocketChannel server;
        private final ByteBuffer bytes = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private final UnsafeBuffer view = new UnsafeBuffer(bytes);
        private SocketChannel socket;
        private int readPosition;
        private boolean endOfStream;

        SocketReceiver(final ServerSocketChannel server)
        {
            this.server = server;
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            if (available() < 0 && !fill())
            {
                return END_OF_STREAM;
            }
            int delivered = 0;
            int length;
            while (delivered < limit && (length = available()) >= 0)
            {
                handler.onMessage(view, readPosition + FRAME_HEADER_LENGTH, length);
                readPosition += FRAME_HEADER_LENGTH + length;
                delivered++;
            }
            return delivered;
        }

        /**
         * @return the length of the next complete frame, or -1 when none is complete.
         */
        private int available()
        {
            final int buffered = bytes.position() - readPosition;
            if (buffered < FRAME_HEADER_LENGTH)
            {
                return -1;
            }
            final int length = view.getInt(readPosition);
            return buffered >= FRAME_HEADER_LENGTH + length ? length : -1;
        }

        /**
         * Blocks until more bytes arrive.
         *
         * @return false at end of stream.
         */
        private boolean fill()
        {
            if (endOfStream)
            {
                return false;
            }
            try
            {
                if (socket == null)
                {
                    socket = server.accept();
                }
                if (readPosition > 0)
                {
                    bytes.limit(bytes.position()).position(readPosition);
                    bytes.compact();
                    readPosition = 0;
                }
                if (socket.read(bytes) < 0)
                {
                    endOfStream = true;
                    return false;
                }
                return true;
            }
            catch (final IOException ex)
            {
                throw new PeerGoneException("reading the socket failed: " + ex, ex);
            }
        }

        @Override
        public void close()
        {
            try
            {
                if (socket != null)
                {
                    socket.close();
                }
                server.close();
            }
            catch (final IOException ignore)
            {
                // closing a socket whose peer is gone
            }
        }
    }

    /**
     * A Unix domain socket ({@link UnixDomainSocketAddress}) whose file is {@code channel<N>.sock}.
     */
    public static final class UnixDomain extends SocketTransport
    {
        @Override
        public String id()
        {
            return "uds";
        }

        @Override
        public String label()
        {
            return "Unix domain socket";
        }

        @Override
        protected ServerSocketChannel bind(final Path directory, final int channel) throws IOException
        {
            final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(directory.resolve("channel" + channel + ".sock")));
            return server;
        }

        @Override
        protected SocketAddress address(final Path directory, final int channel)
        {
            final Path path = directory.resolve("channel" + channel + ".sock");
            return Files.exists(path) ? UnixDomainSocketAddress.of(path) : null;
        }

        @Override
        protected void configure(final SocketChannel channel)
        {
        }
    }

    /**
     * TCP with {@code TCP_NODELAY}, over loopback or across a veth pair between two network namespaces
     * ({@code tcp-veth}, see {@link VethPair}); the receiver binds an ephemeral port and writes it to
     * {@code channel<N>.port}.
     */
    public static final class Tcp extends SocketTransport
    {
        private final boolean veth;

        /**
         * Over loopback.
         */
        public Tcp()
        {
            this(false);
        }

        /**
         * @param veth true to measure across a veth pair between two network namespaces, false over loopback.
         */
        public Tcp(final boolean veth)
        {
            this.veth = veth;
        }

        @Override
        public String id()
        {
            return veth ? "tcp-veth" : "tcp";
        }

        @Override
        public String label()
        {
            return veth ? "TCP across a veth pair (TCP_NODELAY)" : "Loopback TCP (TCP_NODELAY)";
        }

        @Override
        public boolean twoToTwo()
        {
            return !veth;
        }

        @Override
        public Fixture create(final ChannelPlan plan)
        {
            if (!veth)
            {
                return super.create(plan);
            }
            final VethPair pair = VethPair.create();
            try
            {
                return pair.around(super.create(plan));
            }
            catch (final RuntimeException ex)
            {
                pair.close();
                throw ex;
            }
        }

        private InetAddress host(final int channel) throws IOException
        {
            return veth ? InetAddress.getByName(VethPair.receiverAddress(channel)) : InetAddress.getLoopbackAddress();
        }

        @Override
        protected ServerSocketChannel bind(final Path directory, final int channel) throws IOException
        {
            final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET);
            server.bind(new InetSocketAddress(host(channel), 0));
            final int port = ((InetSocketAddress)server.getLocalAddress()).getPort();
            final Path file = directory.resolve("channel" + channel + ".port");
            final Path temporary = directory.resolve("channel" + channel + ".port.tmp");
            Files.writeString(temporary, Integer.toString(port), StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
            return server;
        }

        @Override
        protected SocketAddress address(final Path directory, final int channel) throws IOException
        {
            final Path file = directory.resolve("channel" + channel + ".port");
            if (!Files.exists(file))
            {
                return null;
            }
            final int port = Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).trim());
            return new InetSocketAddress(host(channel), port);
        }

        @Override
        protected void configure(final SocketChannel channel) throws IOException
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }
}
