package io.ipckit.manager;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * How a {@link Manager} starts, serves and calls (Aeron Context style: mutable, fluent setters validating at set
 * time, defaults paired with system properties). Not thread-safe; copy-free: a manager reads it once.
 */
public final class ManagerOptions implements Serializable
{
    private static final long serialVersionUID = 1L;

    /** System property of the default call timeout, in milliseconds. */
    public static final String CALL_TIMEOUT_MS_PROP_NAME = "ipckit.manager.call.timeout.ms";
    /** Default call timeout: how long a non-blocking call waits for its reply, in milliseconds. */
    public static final long CALL_TIMEOUT_MS_DEFAULT = 30_000;
    /** System property of the start timeout, in milliseconds. */
    public static final String START_TIMEOUT_MS_PROP_NAME = "ipckit.manager.start.timeout.ms";
    /** Default start timeout: how long {@link Manager#start} waits for the server JVM to listen. */
    public static final long START_TIMEOUT_MS_DEFAULT = 30_000;
    /** System property of the maximum frame length, in bytes. */
    public static final String MAX_FRAME_BYTES_PROP_NAME = "ipckit.manager.max.frame.bytes";
    /** Default maximum frame length of a request or reply, in bytes. */
    public static final int MAX_FRAME_BYTES_DEFAULT = 16 * 1024 * 1024;
    /** System property of the lease check interval, in milliseconds. */
    public static final String LEASE_CHECK_INTERVAL_MS_PROP_NAME = "ipckit.manager.lease.check.interval.ms";
    /** Default interval at which the manager checks that its local clients' processes live, in milliseconds. */
    public static final long LEASE_CHECK_INTERVAL_MS_DEFAULT = 200;
    /** Default number of server threads: the number of cores. */
    public static final int SERVER_THREADS_DEFAULT = Runtime.getRuntime().availableProcessors();

    private long callTimeoutNs = TimeUnit.MILLISECONDS.toNanos(Long.getLong(CALL_TIMEOUT_MS_PROP_NAME,
        CALL_TIMEOUT_MS_DEFAULT));
    private long startTimeoutNs = TimeUnit.MILLISECONDS.toNanos(Long.getLong(START_TIMEOUT_MS_PROP_NAME,
        START_TIMEOUT_MS_DEFAULT));
    private long leaseCheckIntervalNs = TimeUnit.MILLISECONDS.toNanos(Long.getLong(LEASE_CHECK_INTERVAL_MS_PROP_NAME,
        LEASE_CHECK_INTERVAL_MS_DEFAULT));
    private int maxFrameBytes = Integer.getInteger(MAX_FRAME_BYTES_PROP_NAME, MAX_FRAME_BYTES_DEFAULT);
    private int serverThreads = SERVER_THREADS_DEFAULT;
    private boolean daemon = true;
    private final List<String> allowedClasses = new ArrayList<>();
    private ManagerRegistry registry = ManagerRegistry.defaults();

    /**
     * Creates options holding the defaults.
     */
    public ManagerOptions()
    {
    }

    /**
     * How long a call that does not block by contract waits for its reply; a blocking call ({@code take},
     * {@code lock}, {@code await}, ...) waits without limit, and one with its own timeout waits that long plus this.
     * A call whose manager died fails sooner, with {@link ManagerGoneException}.
     *
     * @param timeout the timeout, positive.
     * @param unit    its unit.
     * @return this.
     * @throws IllegalArgumentException when not positive.
     */
    public ManagerOptions callTimeout(final long timeout, final TimeUnit unit)
    {
        callTimeoutNs = positive("callTimeout", unit.toNanos(timeout));
        return this;
    }

    /**
     * @param unit the unit wanted.
     * @return the call timeout in that unit.
     */
    public long callTimeout(final TimeUnit unit)
    {
        return unit.convert(callTimeoutNs, TimeUnit.NANOSECONDS);
    }

    /**
     * How long {@link Manager#start} waits for the server JVM to listen.
     *
     * @param timeout the timeout, positive.
     * @param unit    its unit.
     * @return this.
     * @throws IllegalArgumentException when not positive.
     */
    public ManagerOptions startTimeout(final long timeout, final TimeUnit unit)
    {
        startTimeoutNs = positive("startTimeout", unit.toNanos(timeout));
        return this;
    }

    /**
     * @param unit the unit wanted.
     * @return the start timeout in that unit.
     */
    public long startTimeout(final TimeUnit unit)
    {
        return unit.convert(startTimeoutNs, TimeUnit.NANOSECONDS);
    }

    /**
     * How often the manager checks that the processes of its local clients are alive (pid + start time); a client
     * that died is dropped at most this long after (at once when its socket closes, as on SIGKILL).
     *
     * @param interval the interval, positive.
     * @param unit     its unit.
     * @return this.
     * @throws IllegalArgumentException when not positive.
     */
    public ManagerOptions leaseCheckInterval(final long interval, final TimeUnit unit)
    {
        leaseCheckIntervalNs = positive("leaseCheckInterval", unit.toNanos(interval));
        return this;
    }

    /**
     * @param unit the unit wanted.
     * @return the lease check interval in that unit.
     */
    public long leaseCheckInterval(final TimeUnit unit)
    {
        return unit.convert(leaseCheckIntervalNs, TimeUnit.NANOSECONDS);
    }

    /**
     * The longest request or reply, in bytes; a longer one is refused on the side that sees it.
     *
     * @param bytes at least 256.
     * @return this.
     * @throws IllegalArgumentException when below 256.
     */
    public ManagerOptions maxFrameBytes(final int bytes)
    {
        if (bytes < 256)
        {
            throw new IllegalArgumentException("maxFrameBytes must be at least 256: " + bytes);
        }
        maxFrameBytes = bytes;
        return this;
    }

    /**
     * @return the longest frame, in bytes.
     */
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    /**
     * The platform threads the manager's JVM runs calls on (the carriers of its virtual threads; a call blocked in
     * {@code take} or {@code lock} holds none). Applies to {@link Manager#start} only.
     *
     * @param threads at least 1.
     * @return this.
     * @throws IllegalArgumentException when below 1.
     */
    public ManagerOptions serverThreads(final int threads)
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("serverThreads must be at least 1: " + threads);
        }
        serverThreads = threads;
        return this;
    }

    /**
     * @return the server threads.
     */
    public int serverThreads()
    {
        return serverThreads;
    }

    /**
     * Whether the manager's JVM started by {@link Manager#start} is killed when this JVM exits (Python's managers
     * are daemonic by default, so is this).
     *
     * @param daemon true to tie its life to this JVM's.
     * @return this.
     */
    public ManagerOptions daemon(final boolean daemon)
    {
        this.daemon = daemon;
        return this;
    }

    /**
     * @return the daemon flag.
     */
    public boolean daemon()
    {
        return daemon;
    }

    /**
     * Allows classes of the user's own to be decoded, in {@link java.io.ObjectInputFilter.Config#createFilter}
     * syntax ({@code "com.acme.model.*"}); the rest of the filter admits {@code java.lang}, {@code java.util},
     * {@code java.util.concurrent}, {@code java.time}, {@code java.math} and ipckit's manager classes. Both ends
     * must allow the same classes.
     *
     * @param patterns the patterns to add.
     * @return this.
     * @throws IllegalArgumentException when a pattern is empty or contains {@code ';'}.
     */
    public ManagerOptions allowClasses(final String... patterns)
    {
        for (final String pattern : patterns)
        {
            if (pattern == null || pattern.isBlank() || pattern.contains(";"))
            {
                throw new IllegalArgumentException("not a single filter pattern: " + pattern);
            }
            allowedClasses.add(pattern);
        }
        return this;
    }

    /**
     * @return the patterns added by {@link #allowClasses}.
     */
    public List<String> allowedClasses()
    {
        return List.copyOf(allowedClasses);
    }

    /**
     * The types the manager started by {@link Manager#start} can create (default: {@link ManagerRegistry#defaults()}).
     *
     * @param registry the registry.
     * @return this.
     */
    public ManagerOptions registry(final ManagerRegistry registry)
    {
        this.registry = Objects.requireNonNull(registry, "registry");
        return this;
    }

    /**
     * @return the registry.
     */
    public ManagerRegistry registry()
    {
        return registry;
    }

    private static long positive(final String name, final long nanos)
    {
        if (nanos <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return nanos;
    }

    @Override
    public String toString()
    {
        return "ManagerOptions{callTimeoutNs=" + callTimeoutNs + ", maxFrameBytes=" + maxFrameBytes +
            ", serverThreads=" + serverThreads + ", daemon=" + daemon + ", allowedClasses=" + allowedClasses + "}";
    }
}
