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
import io.ipckit.net.MediaDriverGoneException;
import io.ipckit.net.NetOptions;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One connection's Aeron: an embedded media driver (its directory created fresh and deleted on close) and a client
 * connected to it, or only a client of an external driver.
 * <p>
 * <p>
 * The client's error handler is ipckit's, not Aeron's default: that one exits the JVM ({@code Runtime.exit(-1)})
 * when the driver stops answering. This one prints the error as Aeron's does and keeps a fatal one (a driver or
 * client timeout, after which Aeron has closed every publication and subscription of the client), so that the
 * calls of the connections throw {@link MediaDriverGoneException} ({@link #checkAlive}).
 * <p>
 * Thread-safety: {@link #close()} is idempotent, {@link #checkAlive} may be called from any thread; the rest is
 * read-only after construction.
 */
public final class AeronEndpoint implements AutoCloseable
{
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final MediaDriver driver;
    private final Aeron aeron;
    private final String directory;
    private final ClientErrors errors;

    private AeronEndpoint(final MediaDriver driver, final Aeron aeron, final String directory, final ClientErrors errors)
    {
        this.driver = driver;
        this.aeron = aeron;
        this.directory = directory;
        this.errors = errors;
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
            final ClientErrors errors = new ClientErrors();
            final Aeron.Context clientCtx = new Aeron.Context().errorHandler(errors);
            if (directory != null)
            {
                clientCtx.aeronDirectoryName(directory);
            }
            final Aeron aeron = Aeron.connect(clientCtx);
            return new AeronEndpoint(driver, aeron, aeron.context().aeronDirectoryName(), errors);
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

    /**
     * Checks that Aeron's client is still there: neither ended by a fatal error (the driver stopped answering) nor
     * found ended by the caller.
     *
     * @param what             what the caller is doing, for the message ("net pipe host:port").
     * @param closedUnderneath whether the caller found one of its publications or subscriptions closed though it did
     *                         not close it: only the client's end closes them so (its error may not be reported yet).
     * @throws MediaDriverGoneException when the client ended.
     */
    public void checkAlive(final String what, final boolean closedUnderneath)
    {
        final Throwable fatal = errors.fatal;
        if (fatal != null || closedUnderneath)
        {
            throw new MediaDriverGoneException(what + ": the Aeron media driver in " + directory +
                (fatal != null ? " is gone (" + fatal.getMessage() + ")" :
                " closed this end's publications and subscriptions (it stopped answering, or timed this process out)") +
                "; every connection of it has ended: close them, make sure the driver runs, and connect again",
                fatal);
        }
    }

    private <T> T add(final Supplier<T> adding, final String channel, final String what)
    {
        try
        {
            return adding.get();
        }
        catch (final AeronException ex)
        {
            checkAlive(what, false);
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

    /**
     * The client's error handler: prints as Aeron's default does, keeps the first fatal error, never exits.
     */
    private static final class ClientErrors implements ErrorHandler
    {
        private volatile Throwable fatal;

        @Override
        public void onError(final Throwable throwable)
        {
            if (fatal == null && throwable instanceof AeronException ex && ex.category() == AeronException.Category.FATAL)
            {
                fatal = throwable;
            }
            final PrintStream err = System.err;
            synchronized (err)
            {
                err.println(System.currentTimeMillis() + " Aeron client error (ipckit.net):");
                throwable.printStackTrace(err);
            }
        }
    }
}
