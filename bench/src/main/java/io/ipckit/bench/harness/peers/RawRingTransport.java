package io.ipckit.bench.harness.peers;

import io.ipckit.bench.harness.messaging.ChannelPlan;
import io.ipckit.bench.harness.messaging.Deadline;
import io.ipckit.bench.harness.messaging.Fixture;
import io.ipckit.bench.harness.messaging.MessageHandler;
import io.ipckit.bench.harness.messaging.Receiver;
import io.ipckit.bench.harness.messaging.Sender;
import io.ipckit.bench.harness.messaging.Transport;
import io.ipckit.core.file.MappedFile;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;


/**
 * The floor: Agrona's {@link OneToOneRingBuffer} over a file mapped by both processes (one ring per channel,
 * created zeroed with {@link MappedFile#create}), spinning on full and empty. Nothing ipckit does can beat it; the
 * report gives every figure as a ratio to it.
 */
public final class RawRingTransport implements Transport
{
    /**
     * Ring capacity in bytes (a power of two): Aeron's producer window in this bench (half its
     * {@link AeronTransport#TERM_LENGTH_BYTES} term), so that every contestant lets a producer get as far ahead. With
     * 1 MiB against Aeron's 8 MiB, four processes on two cores measured the rings at a third of Aeron's 2 &rarr; 2 rate
     * and the same rings at 8 MiB level with it: a producer filled 1 MiB in far less than its time slice, then waited.
     */
    public static final int CAPACITY_BYTES = AeronTransport.TERM_LENGTH_BYTES / 2;
    private static final int MSG_TYPE_ID = 1;

    @Override
    public String id()
    {
        return "raw-ring";
    }

    @Override
    public String label()
    {
        return "Agrona OneToOneRingBuffer, mapped file (floor)";
    }

    @Override
    public Fixture create(final ChannelPlan plan)
    {
        return Fixture.of(plan.namePrefix(), plan.channels(),
            (channel) -> MappedFile.create(ringName(plan.namePrefix(), channel),
                CAPACITY_BYTES + RingBufferDescriptor.TRAILER_LENGTH),
            RawRingTransport::remove);
    }

    @Override
    public Sender openSender(final String spec, final int channel, final long deadlineNs)
    {
        return new RingSender(MappedFile.open(ringName(spec, channel)), deadlineNs);
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        return new RingReceiver(MappedFile.open(ringName(spec, channel)));
    }

    private static String ringName(final String prefix, final int channel)
    {
        return prefix + "-ring" + channel;
    }

    private static void remove(final MappedFile file)
    {
        file.unlink();
        file.close();
    }

    private static final class RingSender implements Sender
    {
        private final MappedFile file;
        private final OneToOneRingBuffer ring;
        private final long deadlineNs;
        private final String room;

        RingSender(final MappedFile file, final long deadlineNs)
        {
            this.file = file;
            this.room = "room in " + file.name(); // built once: the full ring's spin allocates nothing
            this.ring = new OneToOneRingBuffer(file.buffer());
            this.deadlineNs = deadlineNs;
        }

        @Override
        public void send(final DirectBuffer buffer, final int offset, final int length)
        {
            long idle = 0;
            while (!ring.write(MSG_TYPE_ID, buffer, offset, length))
            {
                Deadline.check(++idle, deadlineNs, room);
                Thread.onSpinWait();
            }
        }

        @Override
        public void close()
        {
            file.close();
        }
    }

    private static final class RingReceiver implements Receiver, org.agrona.concurrent.MessageHandler
    {
        private final MappedFile file;
        private final OneToOneRingBuffer ring;
        private MessageHandler handler;

        RingReceiver(final MappedFile file)
        {
            this.file = file;
            this.ring = new OneToOneRingBuffer(file.buffer());
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            this.handler = handler;
            final int read = ring.read(this, limit);
            if (read == 0)
            {
                Thread.onSpinWait();
            }
            return read;
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            handler.onMessage(buffer, index, length);
        }

        @Override
        public void close()
        {
            file.close();
        }
    }
}
