package io.ipckit.net;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.PeerGoneException;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The other JVM of ipc-net's tests. {@code NetPeer <mode> <address> [count] [lossRate]} prints what happens on
 * stdout, one line each, and exits with {@link #EXIT_END_OF_STREAM} after a clean end, {@link #EXIT_PEER_GONE} when
 * the peer went away, {@link #EXIT_FAILED} when a check failed.
 * <ul>
 *     <li>{@code echo-listen}: listens and sends every message back until the peer closes.</li>
 *     <li>{@code send-close}: connects, sends {@code count} messages of growing sizes, closes.</li>
 *     <li>{@code check-connect}: connects, sends {@code count} numbered messages of many sizes and checks that each
 *     comes back once, in order, then closes.</li>
 *     <li>{@code connect-wait}: connects, exchanges one message, prints {@code CONNECTED}, then waits to receive.</li>
 *     <li>{@code publish}: publishes a stream, prints {@code PUBLISHING} once a subscriber joined, waits for a line
 *     {@code GO} on stdin, sends {@code count} numbered messages of many sizes, closes.</li>
 *     <li>{@code subscribe-check}: subscribes, prints {@code SUBSCRIBED}, checks that {@code count} numbered messages
 *     arrive once each, in order, then waits for the end of the stream.</li>
 *     <li>{@code relay <address> <next>}: listens on {@code address}, connects to {@code next}, and forwards every
 *     message each way until the listening side's peer closes; then closes the next one.</li>
 * </ul>
 */
public final class NetPeer
{
    /** Exit status after a clean end of stream. */
    static final int EXIT_END_OF_STREAM = 0;
    /** Exit status when a check failed. */
    static final int EXIT_FAILED = 1;
    /** Exit status when the peer went away. */
    static final int EXIT_PEER_GONE = 3;

    private NetPeer()
    {
    }

    /**
     * @param args mode, address, then count and loss rate where the mode needs them.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final String mode = args[0];
        final String address = args[1];
        final int count = args.length > 2 && !args[0].equals("relay") ? Integer.parseInt(args[2]) : 0;
        final NetOptions options = NetTesting.options();
        if (args.length > 3)
        {
            options.receiveLossRate(Double.parseDouble(args[3]));
        }
        int status;
        try
        {
            status = switch (mode)
            {
                case "echo-listen" -> echo(NetPipe.listen(address, options, 60, TimeUnit.SECONDS));
                case "send-close" -> sendAndClose(NetPipe.connect(address, options, 60, TimeUnit.SECONDS), count);
                case "check-connect" -> check(NetPipe.connect(address, options, 60, TimeUnit.SECONDS), count);
                case "connect-wait" -> connectAndWait(NetPipe.connect(address, options, 60, TimeUnit.SECONDS));
                case "publish" -> publish(NetPipe.publish(address, options, 60, TimeUnit.SECONDS), count);
                case "subscribe-check" -> subscribeAndCheck(
                    NetPipe.subscribe(address, options, 60, TimeUnit.SECONDS), count);
                case "relay" -> relay(NetPipe.listen(address, options, 60, TimeUnit.SECONDS), args[2], options);
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            };
        }
        catch (final PeerGoneException ex)
        {
            System.out.println("PEER_GONE " + ex.getMessage());
            status = EXIT_PEER_GONE;
        }
        catch (final Throwable ex)
        {
            System.out.println("FAILED " + ex);
            ex.printStackTrace(System.out);
            status = EXIT_FAILED;
        }
        System.out.flush();
        // halt: the point is the status, not a tidy shutdown of whatever a failure left behind
        Runtime.getRuntime().halt(status);
    }

    private static int echo(final NetConnection connection) throws InterruptedException
    {
        System.out.println("CONNECTED " + connection.name());
        try (connection)
        {
            while (true)
            {
                final byte[] message;
                try
                {
                    message = connection.recvBytes();
                }
                catch (final EndOfStreamException ex)
                {
                    System.out.println("END_OF_STREAM");
                    return EXIT_END_OF_STREAM;
                }
                connection.sendBytes(message);
            }
        }
    }

    private static int sendAndClose(final NetConnection connection, final int count) throws InterruptedException
    {
        try (connection)
        {
            for (int i = 0; i < count; i++)
            {
                connection.sendBytes(NetTesting.message(size(i), i));
            }
        }
        System.out.println("SENT " + count);
        return EXIT_END_OF_STREAM;
    }

    private static int check(final NetConnection connection, final int count) throws InterruptedException
    {
        System.out.println("CONNECTED " + connection.name());
        try (connection)
        {
            final int window = 16;
            int received = 0;
            for (int sent = 0; sent < count || received < count; )
            {
                if (sent < count && sent - received < window)
                {
                    connection.sendBytes(NetTesting.message(size(sent), sent));
                    sent++;
                    continue;
                }
                final byte[] echoed = connection.recvBytes(30, TimeUnit.SECONDS);
                if (echoed == null || !Arrays.equals(NetTesting.message(size(received), received), echoed))
                {
                    System.out.println("MISMATCH at " + received + ": " +
                        (echoed == null ? "nothing within 30 s" : echoed.length + " bytes"));
                    return EXIT_FAILED;
                }
                received++;
            }
            System.out.println("CHECKED " + count + " NAKS_SENT " +
                connection.systemCounter(io.aeron.driver.status.SystemCounterDescriptor.NAK_MESSAGES_SENT));
        }
        return EXIT_END_OF_STREAM;
    }

    private static int connectAndWait(final NetConnection connection) throws InterruptedException
    {
        try (connection)
        {
            connection.sendBytes(new byte[] {42});
            connection.recvBytes();
            System.out.println("CONNECTED " + connection.name());
            connection.recvBytes();
            System.out.println("FAILED received a message nobody sent");
            return EXIT_FAILED;
        }
    }

    private static int publish(final NetConnection connection, final int count) throws Exception
    {
        try (connection)
        {
            System.out.println("PUBLISHING " + connection.name());
            final String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
            if (!"GO".equals(line))
            {
                System.out.println("FAILED expected GO, read " + line);
                return EXIT_FAILED;
            }
            for (int i = 0; i < count; i++)
            {
                connection.sendBytes(NetTesting.message(size(i), i));
            }
        }
        System.out.println("SENT " + count);
        return EXIT_END_OF_STREAM;
    }

    private static int subscribeAndCheck(final NetConnection connection, final int count) throws InterruptedException
    {
        System.out.println("SUBSCRIBED " + connection.name());
        try (connection)
        {
            for (int i = 0; i < count; i++)
            {
                final byte[] message = connection.recvBytes(30, TimeUnit.SECONDS);
                if (message == null || !Arrays.equals(NetTesting.message(size(i), i), message))
                {
                    System.out.println("MISMATCH at " + i + ": " +
                        (message == null ? "nothing within 30 s" : message.length + " bytes"));
                    return EXIT_FAILED;
                }
            }
            System.out.println("RECEIVED " + count);
            try
            {
                connection.recvBytes(30, TimeUnit.SECONDS);
                System.out.println("FAILED a message after the last one, or no end of stream within 30 s");
                return EXIT_FAILED;
            }
            catch (final EndOfStreamException ex)
            {
                System.out.println("END_OF_STREAM");
                return EXIT_END_OF_STREAM;
            }
        }
    }

    private static int relay(final NetConnection upstream, final String next, final NetOptions options)
        throws InterruptedException
    {
        System.out.println("CONNECTED " + upstream.name());
        try (upstream; NetConnection downstream = NetPipe.connect(next, options, 60, TimeUnit.SECONDS))
        {
            System.out.println("RELAYING to " + downstream.name());
            final org.agrona.concurrent.IdleStrategy idle = new org.agrona.concurrent.BackoffIdleStrategy();
            while (true)
            {
                final int work;
                try
                {
                    work = upstream.drain((buffer, offset, length) -> forward(downstream, buffer, offset, length), 16) +
                        downstream.drain((buffer, offset, length) -> forward(upstream, buffer, offset, length), 16);
                }
                catch (final EndOfStreamException ex)
                {
                    System.out.println("END_OF_STREAM");
                    return EXIT_END_OF_STREAM;
                }
                idle.idle(work);
            }
        }
    }

    private static void forward(
        final NetConnection to, final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            to.sendBytes(buffer, offset, length);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while relaying", ex);
        }
    }

    /**
     * @param i a message's number.
     * @return its size: from a few bytes to several fragments and beyond a term's eighth.
     */
    static int size(final int i)
    {
        return switch (i % 7)
        {
            case 0 -> 8;
            case 1 -> 100;
            case 2 -> 1_360;
            case 3 -> 1_369;
            case 4 -> 5_000;
            case 5 -> 40_000;
            default -> 70_000;
        };
    }
}
