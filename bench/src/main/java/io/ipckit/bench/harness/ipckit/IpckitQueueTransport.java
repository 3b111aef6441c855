package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.messaging.ChannelPlan;
import io.ipckit.bench.harness.messaging.Deadline;
import io.ipckit.bench.harness.messaging.Fixture;
import io.ipckit.bench.harness.messaging.MessageHandler;
import io.ipckit.bench.harness.messaging.Receiver;
import io.ipckit.bench.harness.messaging.Sender;
import io.ipckit.bench.harness.messaging.Transport;
import io.ipckit.bench.harness.peers.RawRingTransport;
import io.ipckit.core.codec.Codecs;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedQueue;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;

/**
 * ipckit's multi-producer multi-consumer {@link SharedQueue} (futex-blocking, the default), with a ring as large as
 * the floor's (Aeron's producer window); first-in first-out across processes (one ring shared under a lock), or with
 * {@link Lanes} four exclusive producer lanes. One queue serves 2 &rarr; 2 (each message goes to one of the two
 * consumers); the batch form is {@link SharedQueue#offerBatch} for sending and {@link SharedQueue#drain} for
 * receiving.
 */
public class IpckitQueueTransport implements Transport
{
    /** Ring capacity in bytes, as the floor's (Aeron's producer window). */
    public static final int CAPACITY_BYTES = RawRingTransport.CAPACITY_BYTES;
    private static final int MAX_BATCH = 4096;
    private static final long RECEIVE_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(10);

    @Override
    public String id()
    {
        return "ipckit-queue";
    }

    @Override
    public String label()
    {
        return "ipckit SharedQueue (MPMC, blocking)";
    }

    @Override
    public boolean hasBatchForm()
    {
        return true;
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
                new QueueOptions().capacityBytes(CAPACITY_BYTES).producerLanes(producerLanes())
                    .fifoAcrossProducers(fifoAcrossProducers())),
            IpckitQueueTransport::remove);
    }

    @Override
    public Sender openSender(final String spec, final int channel, final long deadlineNs)
    {
        return new QueueSender(SharedQueue.open(queueName(spec, channel), Codecs.BYTES, handleOptions()), deadlineNs);
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        return new QueueReceiver(SharedQueue.open(queueName(spec, channel), Codecs.BYTES, handleOptions()));
    }

    /**
     * @return the options of the handles the workers open (the default wait).
     */
    protected QueueOptions handleOptions()
    {
        return new QueueOptions();
    }

    /**
     * @return the exclusive producer lanes of the queues this transport creates.
     */
    protected int producerLanes()
    {
        return 0;
    }

    /**
     * @return whether the queues this transport creates keep first-in first-out order across producer lanes.
     */
    protected boolean fifoAcrossProducers()
    {
        return false;
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

    private static final class QueueSender implements Sender
    {
        private final SharedQueue<byte[]> queue;
        private final long deadlineNs;
        private final int[] offsets = new int[MAX_BATCH];
        private final int[] lengths = new int[MAX_BATCH];

        QueueSender(final SharedQueue<byte[]> queue, final long deadlineNs)
        {
            this.queue = queue;
            this.deadlineNs = deadlineNs;
        }

        @Override
        public void send(final DirectBuffer buffer, final int offset, final int length)
        {
            try
            {
                // the clock is read only when the queue is full, as the peers' senders do
                if (!queue.offerBytes(buffer, offset, length, 0, TimeUnit.NANOSECONDS) &&
                    !queue.offerBytes(buffer, offset, length, deadlineNs - System.nanoTime(), TimeUnit.NANOSECONDS))
                {
                    Deadline.check(Long.MAX_VALUE, System.nanoTime() - 1, "room in " + queue.name());
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while sending to " + queue.name(), ex);
            }
        }

        @Override
        public void sendBatch(final DirectBuffer buffer, final int offset, final int messageLength, final int count)
        {
            try
            {
                for (int sent = 0; sent < count; )
                {
                    final int n = Math.min(MAX_BATCH, count - sent);
                    for (int i = 0; i < n; i++)
                    {
                        offsets[i] = offset + (sent + i) * messageLength;
                        lengths[i] = messageLength;
                    }
                    final int accepted = queue.offerBatch(buffer, offsets, lengths, 0, n,
                        deadlineNs - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (accepted < n)
                    {
                        Deadline.check(Long.MAX_VALUE, System.nanoTime() - 1, "room in " + queue.name());
                    }
                    sent += n;
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while sending to " + queue.name(), ex);
            }
        }

        @Override
        public void close()
        {
            queue.close();
        }
    }

    private static final class QueueReceiver implements Receiver, io.ipckit.pipe.BufferHandler
    {
        private final SharedQueue<byte[]> queue;
        private MessageHandler handler;

        QueueReceiver(final SharedQueue<byte[]> queue)
        {
            this.queue = queue;
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            this.handler = handler;
            final int read = queue.drain(this, limit);
            if (read > 0)
            {
                return read;
            }
            try
            {
                return queue.receive(this, RECEIVE_SLICE_NS, TimeUnit.NANOSECONDS) ? 1 : 0;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while receiving from " + queue.name(), ex);
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
            queue.close();
        }
    }

    /**
     * The FIFO queue with the low-CPU wait: blocked calls sleep on the futex at once
     * ({@link QueueOptions#spinBeforeSleep(long, TimeUnit)} of 0).
     */
    public static final class LowCpu extends IpckitQueueTransport
    {
        @Override
        public String id()
        {
            return "ipckit-queue-lowcpu";
        }

        @Override
        public String label()
        {
            return "ipckit SharedQueue (MPMC, blocking, sleeps at once)";
        }

        @Override
        protected QueueOptions handleOptions()
        {
            return new QueueOptions().spinBeforeSleep(0, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The same queue with four exclusive producer lanes: each producer writes its own ring without a lock, and
     * elements of different producers are not ordered with respect to each other (see
     * {@link QueueOptions#producerLanes(int)}).
     */
    public static final class Lanes extends IpckitQueueTransport
    {
        @Override
        public String id()
        {
            return "ipckit-queue-lanes";
        }

        @Override
        public String label()
        {
            return "ipckit SharedQueue (4 producer lanes, blocking)";
        }

        @Override
        protected int producerLanes()
        {
            return 4;
        }
    }

    /**
     * The FIFO queue over four producer lanes ordered by tickets ({@link QueueOptions#fifoAcrossProducers}): each
     * producer writes its own ring without a lock, and the queue stays first-in first-out across producers.
     */
    public static final class OrderedLanes extends IpckitQueueTransport
    {
        @Override
        public String id()
        {
            return "ipckit-queue-ordered";
        }

        @Override
        public String label()
        {
            return "ipckit SharedQueue (FIFO over 4 ticket-ordered producer lanes, blocking)";
        }

        @Override
        protected int producerLanes()
        {
            return 4;
        }

        @Override
        protected boolean fifoAcrossProducers()
        {
            return true;
        }
    }
}
