package io.ipckit.bench.harness.peers;

import io.ipckit.bench.harness.Directories;
import io.ipckit.bench.harness.messaging.ChannelPlan;
import io.ipckit.bench.harness.messaging.Fixture;
import io.ipckit.bench.harness.messaging.MessageHandler;
import io.ipckit.bench.harness.messaging.Receiver;
import io.ipckit.bench.harness.messaging.Sender;
import io.ipckit.bench.harness.messaging.Transport;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * Chronicle Queue: one queue directory per channel in a temporary directory inside the run's shared directory
 * (deleted afterwards); an appender writes each message as one document, a tailer reads documents in place (the
 * handler sees the mapped bytes, no copy). Both ends spin. Needs {@code -Dchronicle.analytics.disable=true},
 * which every ipckit JVM gets.
 */
public final class ChronicleQueueTransport implements Transport
{
    @Override
    public String id()
    {
        return "chronicle-queue";
    }

    @Override
    public String label()
    {
        return "Chronicle Queue";
    }

    @Override
    public Fixture create(final ChannelPlan plan)
    {
        final Path directory = Directories.create(plan.scratchDirectory().resolve("chronicle"));
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
        return new ChronicleSender(open(spec, channel));
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        return new ChronicleReceiver(open(spec, channel));
    }

    private static ChronicleQueue open(final String spec, final int channel)
    {
        return ChronicleQueue.singleBuilder(Path.of(spec).resolve("queue" + channel)).build();
    }

    private static final class ChronicleSender implements Sender
    {
        private final ChronicleQueue queue;
        private final ExcerptAppender appender;

        ChronicleSender(final ChronicleQueue queue)
        {
            this.queue = queue;
            this.appender = queue.createAppender();
        }

        @Override
        public void send(final DirectBuffer buffer, final int offset, final int length)
        {
            try (DocumentContext document = appender.writingDocument())
            {
                final Bytes<?> bytes = document.wire().bytes();
                int i = 0;
                for (; i + 8 <= length; i += 8)
                {
                    bytes.writeLong(buffer.getLong(offset + i));
                }
                for (; i < length; i++)
                {
                    bytes.writeByte(buffer.getByte(offset + i));
                }
            }
        }

        @Override
        public void close()
        {
            appender.close();
            queue.close();
        }
    }

    private static final class ChronicleReceiver implements Receiver
    {
        private final ChronicleQueue queue;
        private final ExcerptTailer tailer;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

        ChronicleReceiver(final ChronicleQueue queue)
        {
            this.queue = queue;
            this.tailer = queue.createTailer();
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            int delivered = 0;
            while (delivered < limit)
            {
                try (DocumentContext document = tailer.readingDocument())
                {
                    if (!document.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = document.wire().bytes();
                    final int length = (int)bytes.readRemaining();
                    view.wrap(bytes.addressForRead(bytes.readPosition()), length);
                    handler.onMessage(view, 0, length);
                    delivered++;
                }
            }
            if (delivered == 0)
            {
                Thread.onSpinWait();
            }
            return delivered;
        }

        @Override
        public void close()
        {
            tailer.close();
            queue.close();
        }
    }
}
