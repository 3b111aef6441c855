package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.messaging.ChannelPlan;
import io.ipckit.bench.harness.messaging.Deadline;
import io.ipckit.bench.harness.messaging.Fixture;
import io.ipckit.bench.harness.messaging.MessageHandler;
import io.ipckit.bench.harness.messaging.Receiver;
import io.ipckit.bench.harness.messaging.Sender;
import io.ipckit.bench.harness.messaging.Transport;
import io.ipckit.core.codec.Codecs;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedQueue;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * ipckit's FIFO {@link SharedQueue} used as a user who wants the lowest latency uses it, spinning as the floor does:
 * {@link ZeroCopy} sends with {@link SharedQueue#tryClaim}/{@link SharedQueue#commit} and receives with
 * {@link SharedQueue#drain}; {@link Objects} puts and takes {@code byte[]} elements ({@link Codecs#BYTES}), the
 * object API. Both handles poll with {@link BusySpinIdleStrategy} and spin on full and empty as the raw ring's
 * sender and receiver do, so the ratio to the floor is the queue's own cost. One queue serves 2 &rarr; 2.
 */
public abstract class IpckitQueueSpinTransport implements Transport
{
    /** Ring capacity in bytes, as the floor's. */
    public static final int CAPACITY_BYTES = IpckitQueueTransport.CAPACITY_BYTES;

    @Override
    public boolean hasBatchForm()
    {
        return false;
    }

    @Override
    public boolean sharedChannel()
    {
        return true;
    }

    @Override
    public Fixture create(final ChannelPlan plan)
    {
        return Fixture.of(plan.namePrefix(), plan.channels(),
            (channel) -> SharedQueue.create(queueName(plan.namePrefix(), channel), Codecs.BYTES,
                new QueueOptions().capacityBytes(CAPACITY_BYTES)),
            IpckitQueueSpinTransport::remove);
    }

    static SharedQueue<byte[]> open(final String spec, final int channel)
    {
        return SharedQueue.open(queueName(spec, channel), Codecs.BYTES,
            new QueueOptions().idleStrategy(BusySpinIdleStrategy.INSTANCE));
    }

    private static String queueName(final String prefix, final int channel)
    {
        return prefix + "-queue" + channel;
    }

    private static void remove(final SharedQueue<byte[]> queue)
    {
        queue.unlink();
        queue.close();
    }

    static void interrupted(final SharedQueue<?> queue, final InterruptedException ex)
    {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while using " + queue.name(), ex);
    }

    /**
     * Zero-copy: {@code tryClaim}, a copy of the message into the claim, {@code commit}; {@code drain} in place.
     */
    public static final class ZeroCopy extends IpckitQueueSpinTransport
    {
        @Override
        public String id()
        {
            return "ipckit-queue-zc";
        }

        @Override
        public String label()
        {
            return "ipckit SharedQueue zero-copy claim/commit + drain (spinning)";
        }

        @Override
        public Sender openSender(final String spec, final int channel, final long deadlineNs)
        {
            final SharedQueue<byte[]> queue = open(spec, channel);
            final MutableDirectBuffer claims = queue.claimBuffer();
            final String room = "room in " + queue.name(); // built once: the full queue's spin allocates nothing
            return new Sender()
            {
                @Override
                public void send(final DirectBuffer buffer, final int offset, final int length)
                {
                    int index;
                    long idle = 0;
                    while ((index = queue.tryClaim(length)) < 0)
                    {
                        Deadline.check(++idle, deadlineNs, room);
                        Thread.onSpinWait();
                    }
                    claims.putBytes(index, buffer, offset, length);
                    queue.commit(index);
                }

                @Override
                public void close()
                {
                    queue.close();
                }
            };
        }

        @Override
        public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
        {
            return new DrainReceiver(open(spec, channel));
        }
    }

    private static final class DrainReceiver implements Receiver, io.ipckit.pipe.BufferHandler
    {
        private final SharedQueue<byte[]> queue;
        private MessageHandler handler;

        DrainReceiver(final SharedQueue<byte[]> queue)
        {
            this.queue = queue;
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            this.handler = handler;
            final int read = queue.drain(this, limit);
            if (read == 0)
            {
                Thread.onSpinWait();
            }
            return read;
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            handler.onMessage(buffer, offset, length);
        }

        @Override
        public void close()
        {
            queue.close();
        }
    }

    /**
     * The object API: the sender copies the message into a {@code byte[]} it reuses and puts it (the queue encodes
     * it); the receiver takes {@code byte[]} elements, each a new array, as {@code take} returns them.
     */
    public static final class Objects extends IpckitQueueSpinTransport
    {
        @Override
        public String id()
        {
            return "ipckit-queue-obj";
        }

        @Override
        public String label()
        {
            return "ipckit SharedQueue<byte[]> put/take (spinning)";
        }

        @Override
        public Sender openSender(final String spec, final int channel, final long deadlineNs)
        {
            final SharedQueue<byte[]> queue = open(spec, channel);
            return new Sender()
            {
                private byte[] element = new byte[0];

                @Override
                public void send(final DirectBuffer buffer, final int offset, final int length)
                {
                    if (element.length != length)
                    {
                        element = new byte[length];
                    }
                    buffer.getBytes(offset, element);
                    try
                    {
                        // the clock is read only when the queue is full, as the peers' senders do
                        if (!queue.offer(element, 0, TimeUnit.NANOSECONDS) &&
                            !queue.offer(element, deadlineNs - System.nanoTime(), TimeUnit.NANOSECONDS))
                        {
                            Deadline.check(Long.MAX_VALUE, System.nanoTime() - 1, "room in " + queue.name());
                        }
                    }
                    catch (final InterruptedException ex)
                    {
                        interrupted(queue, ex);
                    }
                }

                @Override
                public void close()
                {
                    queue.close();
                }
            };
        }

        @Override
        public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
        {
            final SharedQueue<byte[]> queue = open(spec, channel);
            return new Receiver()
            {
                @Override
                public int poll(final MessageHandler handler, final int limit)
                {
                    int read = 0;
                    try
                    {
                        while (read < limit)
                        {
                            final byte[] element = queue.poll(0, TimeUnit.NANOSECONDS);
                            if (element == null)
                            {
                                break;
                            }
                            // a view per element, as a user's own: wrapping the new array in a long-lived view
                            // is a reference store into an old object, which G1's write barrier fences
                            handler.onMessage(new UnsafeBuffer(element), 0, element.length);
                            read++;
                        }
                    }
                    catch (final InterruptedException ex)
                    {
                        interrupted(queue, ex);
                    }
                    if (read == 0)
                    {
                        Thread.onSpinWait();
                    }
                    return read;
                }

                @Override
                public void close()
                {
                    queue.close();
                }
            };
        }
    }
}
