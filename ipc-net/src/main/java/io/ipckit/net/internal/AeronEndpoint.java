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
import io.ipckit.core.tracker.ResourceTracker;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.net.MediaDriverGoneException;
import io.ipckit.net.NetOptions;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.File;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * One connection's Aeron: an embedded media driver (its directory created fresh and deleted on close) and a client
 * connected to it, or only a client of an external driver.
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
        // uninterruptible (and bounded by the driver's start and Aeron's driver timeout): an interrupt would close
        // the driver's files under it (ClosedByInterruptException) or end the client; the flag is kept for the
        // caller's next wait, which throws InterruptedException
        final boolean interrupted = Thread.interrupted();
        MediaDriver driver = null;
        String directory = options.driverDirectory();
        boolean created = false;
        try
        {
            if (options.embeddedDriver())
            {
                created = true;
                if (directory == null)
                {
                    // named as this process's own: a reap or sweep removes it if this process is killed
                    directory = ResourceTracker.ownedDirectoryPath(SharedDirectory.path(), "aeron").toString();
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
        catch (final Exception ex) // Aeron also rethrows checked ones (an IOException of its files) unchecked
        {
            CloseHelper.quietClose(driver);
            if (created && directory != null)
            {
                IoUtil.delete(new File(directory), true); // a driver that failed to start leaves its directory
            }
            throw new IpcException("could not start Aeron (" + options + "): " + ex, ex);
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
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
     * Adds a subscription, as {@link Aeron#addSubscription(String, int)} does, but without ending the client when
     * the thread is interrupted (see {@link #add}).
     *
     * @param what what the caller is doing, for the message ("binding host:port").
     * @return the subscription.
     * @throws IpcException             when the driver refuses the channel (its endpoint's port is taken, its host
     *                                  is not one of this machine's addresses, a parameter is wrong).
     * @throws MediaDriverGoneException when the driver is gone.
     */
    public Subscription addSubscription(final String channel, final int streamId, final String what)
    {
        return add(() -> aeron.asyncAddSubscription(channel, streamId), aeron::getSubscription, channel, what);
    }

    /**
     * Adds a concurrent publication, as {@link Aeron#addPublication(String, int)} does, but without ending the
     * client when the thread is interrupted.
     *
     * @param what what the caller is doing, for the message.
     * @return the publication.
     * @throws IpcException             when the driver refuses the channel.
     * @throws MediaDriverGoneException when the driver is gone.
     */
    public Publication addPublication(final String channel, final int streamId, final String what)
    {
        return add(() -> aeron.asyncAddPublication(channel, streamId), aeron::getPublication, channel, what);
    }

    /**
     * Adds an exclusive publication, as {@link Aeron#addExclusivePublication(String, int)} does, but without ending
     * the client when the thread is interrupted.
     *
     * @param what what the caller is doing, for the message.
     * @return the publication.
     * @throws IpcException             when the driver refuses the channel.
     * @throws MediaDriverGoneException when the driver is gone.
     */
    public ExclusivePublication addExclusivePublication(final String channel, final int streamId, final String what)
    {
        return add(() -> aeron.asyncAddExclusivePublication(channel, streamId), aeron::getExclusivePublication,
            channel, what);
    }

    /**
     * Registers asynchronously and waits here for the driver's answer. Aeron's blocking add ends the whole client
     * (every publication and subscription of this endpoint, so every connection a listener accepted) when it waits
     * with the thread's interrupt flag set; this wait is uninterruptible instead, bounded by the driver's answer or
     * its timeout, and the flag is kept for the caller's next wait.
     */
    private <T> T add(
        final LongSupplier adding, final LongFunction<T> getting, final String channel, final String what)
    {
        boolean interrupted = Thread.interrupted();
        try
        {
            final long registrationId = adding.getAsLong();
            final IdleStrategy idle = new BackoffIdleStrategy(
                10, 20, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
            T added;
            while ((added = getting.apply(registrationId)) == null)
            {
                checkAlive(what, false);
                interrupted |= Thread.interrupted();
                idle.idle();
            }
            return added;
        }
        catch (final AeronException ex)
        {
            checkAlive(what, false);
            throw new IpcException(what + ": Aeron refused " + channel + ": " + ex.getMessage() +
                " (is the port taken, or the host not one of this machine's addresses?)", ex);
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
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

    /**
     * Closes the client and, when embedded, the driver (deleting its directory). Idempotent; a thread's interrupt
     * flag is kept but does not cut the close short.
     */
    @Override
    public void close()
    {
        // an interrupt would make the driver's threads' joins retry and its files' channels close under them
        final boolean interrupted = Thread.interrupted();
        try
        {
            CloseHelper.closeAll(aeron, driver);
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
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
