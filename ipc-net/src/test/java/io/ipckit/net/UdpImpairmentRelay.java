package io.ipckit.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A user-space stand-in for {@code tc netem} (this machine's kernel has no {@code sch_netem}): a UDP relay between
 * two Aeron endpoints that delays every datagram, and drops, duplicates and reorders a fraction of them, drawn from
 * a seeded {@link Random} so a failing run can be repeated. A client sends to {@link #port()}; the relay forwards to
 * the target from a socket of its own, and forwards what comes back (Aeron's status messages and NAKs, sent to the
 * address the data came from) to the last client address seen. Both directions are impaired alike.
 * <p>
 * A reordered datagram is held {@code reorderDelayNs} longer than the others, so the ones received after it
 * overtake it. One thread does everything: reading both sockets without blocking, then sending what is due, parking
 * 20 µs when idle.
 * <p>
 * Thread-safety: the counters may be read from any thread; {@link #close()} stops the thread and closes both
 * sockets (idempotent).
 */
final class UdpImpairmentRelay implements AutoCloseable
{
    private static final int MAX_DATAGRAM = 65_536;

    private final DatagramChannel front;
    private final DatagramChannel back;
    private final InetSocketAddress target;
    private final long delayNs;
    private final long reorderDelayNs;
    private final double lossRate;
    private final double duplicateRate;
    private final double reorderRate;
    private final Random random;
    private final PriorityQueue<Pending> pending = new PriorityQueue<>();
    private final Thread thread;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();
    private volatile boolean running = true;
    private SocketAddress client;
    private long sequence;

    /**
     * Starts a relay on an ephemeral loopback port.
     *
     * @param target         where datagrams from clients go.
     * @param delay          how long every datagram is held.
     * @param reorderDelay   how much longer a reordered datagram is held.
     * @param lossRate       the fraction dropped.
     * @param duplicateRate  the fraction sent twice.
     * @param reorderRate    the fraction reordered.
     * @param seed           the seed of the draws.
     * @param unit           the unit of both delays.
     */
    UdpImpairmentRelay(
        final InetSocketAddress target, final long delay, final long reorderDelay, final TimeUnit unit,
        final double lossRate, final double duplicateRate, final double reorderRate, final long seed)
    {
        this.target = target;
        this.delayNs = unit.toNanos(delay);
        this.reorderDelayNs = unit.toNanos(reorderDelay);
        this.lossRate = lossRate;
        this.duplicateRate = duplicateRate;
        this.reorderRate = reorderRate;
        this.random = new Random(seed);
        try
        {
            front = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            back = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            front.configureBlocking(false);
            back.configureBlocking(false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        thread = new Thread(this::run, "udp-impairment-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @return the port clients send to.
     */
    int port()
    {
        try
        {
            return ((InetSocketAddress)front.getLocalAddress()).getPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    long forwarded()
    {
        return forwarded.get();
    }

    long dropped()
    {
        return dropped.get();
    }

    long duplicated()
    {
        return duplicated.get();
    }

    long reordered()
    {
        return reordered.get();
    }

    private void run()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        try
        {
            while (running)
            {
                boolean worked = false;
                SocketAddress from;
                while ((from = receive(front, buffer)) != null)
                {
                    client = from;
                    schedule(buffer, true);
                    worked = true;
                }
                while (receive(back, buffer) != null)
                {
                    if (client != null)
                    {
                        schedule(buffer, false);
                    }
                    worked = true;
                }
                final long now = System.nanoTime();
                Pending next;
                while ((next = pending.peek()) != null && next.dueNs <= now)
                {
                    pending.poll();
                    if (next.toTarget)
                    {
                        back.send(next.data, target);
                    }
                    else
                    {
                        front.send(next.data, client);
                    }
                    worked = true;
                }
                if (!worked)
                {
                    LockSupport.parkNanos(20_000);
                }
            }
        }
        catch (final IOException ex)
        {
            if (running)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    private static SocketAddress receive(final DatagramChannel channel, final ByteBuffer buffer) throws IOException
    {
        buffer.clear();
        final SocketAddress from = channel.receive(buffer);
        buffer.flip();
        return from;
    }

    private void schedule(final ByteBuffer datagram, final boolean toTarget)
    {
        if (random.nextDouble() < lossRate)
        {
            dropped.incrementAndGet();
            return;
        }
        final long now = System.nanoTime();
        final boolean reorder = random.nextDouble() < reorderRate;
        if (reorder)
        {
            reordered.incrementAndGet();
        }
        final int copies = random.nextDouble() < duplicateRate ? 2 : 1;
        if (copies == 2)
        {
            duplicated.incrementAndGet();
        }
        for (int i = 0; i < copies; i++)
        {
            final ByteBuffer copy = ByteBuffer.allocate(datagram.remaining());
            copy.put(datagram.duplicate()).flip();
            pending.add(new Pending(now + delayNs + (reorder ? reorderDelayNs : 0) + i * delayNs / 2, sequence++,
                copy, toTarget));
        }
        forwarded.incrementAndGet();
    }

    /**
     * Stops the relay and closes its sockets. Idempotent.
     */
    @Override
    public void close() throws InterruptedException
    {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(5));
        try
        {
            front.close();
            back.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private record Pending(long dueNs, long sequence, ByteBuffer data, boolean toTarget) implements Comparable<Pending>
    {
        @Override
        public int compareTo(final Pending other)
        {
            final int byDue = Long.compare(dueNs, other.dueNs);
            return byDue != 0 ? byDue : Long.compare(sequence, other.sequence);
        }
    }
}
