package io.ipckit.net.internal;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.RandomLossGenerator;
import io.aeron.exceptions.AeronException;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.net.NetOptions;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One connection's Aeron: an embedded media driver (its directory created fresh and deleted on close) and a client
 * connected to it, or only a client of an external driver.
 * <p>
 * Thread-safety: {@link #close()} is idempotent; the rest is read-only after construction.
 */
public final class AeronEndpoint implements AutoCloseable
{
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final MediaDriver driver;
    private final Aeron aeron;

    private AeronEndpoint(final MediaDriver driver, final Aeron aeron)
    {
        this.driver = driver;
        this.aeron = aeron;
    }

    /**
     * Starts the endpoint the options ask for.
     *
     * @param options the options.
     * @return the endpoint.
     * @throws IpcException when the driver cannot start or the client cannot reach it.
     */
    public static AeronEndpoint start(final NetOptions options)
    {
        MediaDriver driver = null;
        try
        {
            String directory = options.driverDirectory();
            if (options.embeddedDriver())
            {
                if (directory == null)
                {
                    directory = SharedDirectory.path().resolve(
                        "aeron-net-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet()).toString();
                }
                final long livenessNs = options.livenessTimeout(TimeUnit.NANOSECONDS);
                final MediaDriver.Context ctx = new MediaDriver.Context()
                    .aeronDirectoryName(directory)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(options.driverIdleStrategy() != null ? options.driverIdleStrategy() :
                        new BackoffIdleStrategy())
                    .termBufferSparseFile(true)
                    .imageLivenessTimeoutNs(livenessNs)
                    .publicationConnectionTimeoutNs(livenessNs)
                    .timerIntervalNs(Math.min(TimeUnit.SECONDS.toNanos(1), livenessNs / 4))
                    .publicationLingerTimeoutNs(Math.min(TimeUnit.SECONDS.toNanos(5), livenessNs))
                    .warnIfDirectoryExists(false)
                    .printConfigurationOnStart(false);
                final double lossRate = options.receiveLossRate();
                if (lossRate > 0)
                {
                    ctx.receiveChannelEndpointSupplier(
                        (udpChannel, dispatcher, statusIndicator, context) -> new DebugReceiveChannelEndpoint(
                            udpChannel, dispatcher, statusIndicator, context,
                            new RandomLossGenerator(lossRate), new RandomLossGenerator(0)));
                }
                driver = MediaDriver.launchEmbedded(ctx);
                directory = driver.aeronDirectoryName();
            }
            final Aeron.Context clientCtx = new Aeron.Context();
            if (directory != null)
            {
                clientCtx.aeronDirectoryName(directory);
            }
            return new AeronEndpoint(driver, Aeron.connect(clientCtx));
        }
        catch (final AeronException | IllegalStateException | IllegalArgumentException ex)
        {
            CloseHelper.quietClose(driver);
            throw new IpcException("could not start Aeron (" + options + "): " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the Aeron client.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * Adds a subscription, as {@link Aeron#addSubscription(String, int)} does.
     *
     * @param what what the caller is doing, for the message ("binding host:port").
     * @return the subscription.
     * @throws IpcException when the driver refuses the channel (its endpoint's port is taken, its host is not one of
     *                      this machine's addresses, a parameter is wrong).
     */
    public Subscription addSubscription(final String channel, final int streamId, final String what)
    {
        return add(() -> aeron.addSubscription(channel, streamId), channel, what);
    }

    /**
     * Adds a concurrent publication, as {@link Aeron#addPublication(String, int)} does.
     *
     * @param what what the caller is doing, for the message.
     * @return the publication.
     * @throws IpcException when the driver refuses the channel.
     */
    public Publication addPublication(final String channel, final int streamId, final String what)
    {
        return add(() -> aeron.addPublication(channel, streamId), channel, what);
    }

    /**
     * Adds an exclusive publication, as {@link Aeron#addExclusivePublication(String, int)} does.
     *
     * @param what what the caller is doing, for the message.
     * @return the publication.
     * @throws IpcException when the driver refuses the channel.
     */
    public ExclusivePublication addExclusivePublication(final String channel, final int streamId, final String what)
    {
        return add(() -> aeron.addExclusivePublication(channel, streamId), channel, what);
    }

    private static <T> T add(final Supplier<T> adding, final String channel, final String what)
    {
        try
        {
            return adding.get();
        }
        catch (final AeronException ex)
        {
            throw new IpcException(what + ": Aeron refused " + channel + ": " + ex.getMessage() +
                " (is the port taken, or the host not one of this machine's addresses?)", ex);
        }
    }

    /**
     * Closes the client and, when embedded, the driver (deleting its directory). Idempotent.
     */
    @Override
    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
    }
}
