package io.ipckit.bench.harness.messaging;

import io.ipckit.bench.harness.peers.RawRingTransport;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * A raw ring whose sender spoils its 100th message, to prove that the harness catches a fast but wrong transport.
 */
abstract class FaultyTransport implements Transport
{
    static final long SPOILED_MESSAGE = 100;

    private final RawRingTransport ring = new RawRingTransport();

    abstract boolean spoil(ExpandableArrayBuffer copy, int length);

    @Override
    public String id()
    {
        return "faulty";
    }

    @Override
    public String label()
    {
        return getClass().getSimpleName();
    }

    @Override
    public Fixture create(final ChannelPlan plan)
    {
        return ring.create(plan);
    }

    @Override
    public Sender openSender(final String spec, final int channel, final long deadlineNs)
    {
        final Sender sender = ring.openSender(spec, channel, deadlineNs);
        final ExpandableArrayBuffer copy = new ExpandableArrayBuffer();
        return new Sender()
        {
            private long sent;

            @Override
            public void send(final DirectBuffer buffer, final int offset, final int length)
            {
                if (sent++ == SPOILED_MESSAGE)
                {
                    copy.putBytes(0, buffer, offset, length);
                    if (spoil(copy, length))
                    {
                        sender.send(copy, 0, length);
                    }
                    return;
                }
                sender.send(buffer, offset, length);
            }

            @Override
            public void close()
            {
                sender.close();
            }
        };
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        return ring.openReceiver(spec, channel, deadlineNs);
    }

    /**
     * Flips a bit in the last word of the 100th message.
     */
    public static final class Corrupting extends FaultyTransport
    {
        @Override
        boolean spoil(final ExpandableArrayBuffer copy, final int length)
        {
            copy.putByte(length - 1, (byte)(copy.getByte(length - 1) ^ 1));
            return true;
        }
    }

    /**
     * Drops the 100th message.
     */
    public static final class Dropping extends FaultyTransport
    {
        @Override
        boolean spoil(final ExpandableArrayBuffer copy, final int length)
        {
            return false;
        }
    }
}
