package io.ipckit.bench.harness.peers;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.ipckit.bench.harness.Directories;
import io.ipckit.bench.harness.messaging.ChannelPlan;
import io.ipckit.bench.harness.messaging.Deadline;
import io.ipckit.bench.harness.messaging.Fixture;
import io.ipckit.bench.harness.messaging.MessageHandler;
import io.ipckit.bench.harness.messaging.Receiver;
import io.ipckit.bench.harness.messaging.Sender;
import io.ipckit.bench.harness.messaging.Transport;
import io.ipckit.core.exceptions.IpcException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.nio.file.Path;

/**
 * Aeron IPC: an exclusive publication and a subscription on {@code aeron:ipc}, one stream per channel, through an
 * embedded media driver that the harness starts for each measurement (its directory inside the run's shared
 * directory, deleted afterwards). The driver runs in the harness process in shared mode and sleeps when idle; the
 * data path between the workers is the shared log buffer, as Aeron IPC always is. Both ends spin.
 */
public final class AeronTransport implements Transport
{
    /** IPC term length in bytes (Aeron's default of 64 MiB would put 192 MiB in /dev/shm per stream). */
    public static final int TERM_LENGTH_BYTES = 16 << 20;
    private static final String CHANNEL = "aeron:ipc";
    private static final int STREAM_ID_BASE = 1001;

    @Override
    public String id()
    {
        return "aeron-ipc";
    }

    @Override
    public String label()
    {
        return "Aeron IPC (embedded driver)";
    }

    @Override
    public Fixture create(final ChannelPlan plan)
    {
        final Path directory = plan.scratchDirectory().resolve("aeron");
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(directory.toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .ipcTermBufferLength(TERM_LENGTH_BYTES)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        final MediaDriver driver = MediaDriver.launch(context);
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
                driver.close();
                Directories.deleteRecursively(directory);
            }
        };
    }

    @Override
    public Sender openSender(final String spec, final int channel, final long deadlineNs)
    {
        final Aeron aeron = connect(spec);
        try
        {
            return new AeronSender(aeron, aeron.addExclusivePublication(CHANNEL, STREAM_ID_BASE + channel), deadlineNs);
        }
        catch (final RuntimeException ex)
        {
            aeron.close();
            throw ex;
        }
    }

    @Override
    public Receiver openReceiver(final String spec, final int channel, final long deadlineNs)
    {
        final Aeron aeron = connect(spec);
        try
        {
            return new AeronReceiver(aeron, aeron.addSubscription(CHANNEL, STREAM_ID_BASE + channel));
        }
        catch (final RuntimeException ex)
        {
            aeron.close();
            throw ex;
        }
    }

    private static Aeron connect(final String directory)
    {
        return Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
    }

    private static final class AeronSender implements Sender
    {
        private final Aeron aeron;
        private final ExclusivePublication publication;
        private final long deadlineNs;
        private final String room;

        AeronSender(final Aeron aeron, final ExclusivePublication publication, final long deadlineNs)
        {
            this.aeron = aeron;
            this.publication = publication;
            this.deadlineNs = deadlineNs;
            // built once: a back-pressured publication's spin allocates nothing
            this.room = "Aeron stream " + publication.streamId() + " to accept a message";
        }

        @Override
        public void send(final DirectBuffer buffer, final int offset, final int length)
        {
            long result;
            long idle = 0;
            while ((result = publication.offer(buffer, offset, length)) < 0)
            {
                if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
                {
                    throw new IpcException("Aeron publication " + publication.streamId() + " refused a message: " +
                        Publication.errorString(result));
                }
                Deadline.check(++idle, deadlineNs, room);
                Thread.onSpinWait();
            }
        }

        @Override
        public void close()
        {
            publication.close();
            aeron.close();
        }
    }

    private static final class AeronReceiver implements Receiver, FragmentHandler
    {
        private final Aeron aeron;
        private final Subscription subscription;
        private MessageHandler handler;

        AeronReceiver(final Aeron aeron, final Subscription subscription)
        {
            this.aeron = aeron;
            this.subscription = subscription;
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            this.handler = handler;
            final int fragments = subscription.poll(this, limit);
            if (fragments == 0)
            {
                Thread.onSpinWait();
            }
            return fragments;
        }

        @Override
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            handler.onMessage(buffer, offset, length);
        }

        @Override
        public void close()
        {
            subscription.close();
            aeron.close();
        }
    }
}
