package io.ipckit.manager;

import io.ipckit.core.internal.kit.PropertyDefaults;
import io.ipckit.core.internal.process.ClassPathOption;

import java.io.ObjectInputFilter;
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
    /** System property of the number of journal entries between two snapshots of a durable manager. */
    public static final String SNAPSHOT_EVERY_ENTRIES_PROP_NAME = "ipckit.manager.snapshot.every.entries";
    /** Default number of journal entries between two snapshots: replay after a crash reads at most about this many. */
    public static final long SNAPSHOT_EVERY_ENTRIES_DEFAULT = 100_000;
    /** System property of the reconnect timeout, in milliseconds. */
    public static final String RECONNECT_TIMEOUT_MS_PROP_NAME = "ipckit.manager.reconnect.timeout.ms";
    /** Default reconnect timeout: how long a client of a durable manager waits for it to come back, in milliseconds. */
    public static final long RECONNECT_TIMEOUT_MS_DEFAULT = 30_000;
    /**
     * System property of the default allow-list: patterns as {@link #allowClasses} takes them, separated by commas.
     * It is also the allow-list of a JVM that receives a proxy serialized outside the manager protocol (the
     * sender's allow-list never travels with it).
     */
    public static final String ALLOW_CLASSES_PROP_NAME = "ipckit.manager.allow.classes";
    /** Default number of server threads: the number of cores. */
    public static final int SERVER_THREADS_DEFAULT = Runtime.getRuntime().availableProcessors();

    private long callTimeoutNs = TimeUnit.MILLISECONDS.toNanos(CALL_TIMEOUT_MS_DEFAULT);
    private long startTimeoutNs = TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS_DEFAULT);
    private long leaseCheckIntervalNs = TimeUnit.MILLISECONDS.toNanos(LEASE_CHECK_INTERVAL_MS_DEFAULT);
    private int maxFrameBytes = MAX_FRAME_BYTES_DEFAULT;
    private int serverThreads = SERVER_THREADS_DEFAULT;
    private String journalDirectory;
    private long snapshotEveryEntries = SNAPSHOT_EVERY_ENTRIES_DEFAULT;
    private long reconnectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(RECONNECT_TIMEOUT_MS_DEFAULT);
    private boolean daemon = true;
    private final List<String> allowedClasses = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private String classPath;
    private ManagerRegistry registry = ManagerRegistry.defaults();

    /**
     * Creates options holding the defaults: a default given by one of the {@code *_PROP_NAME} system properties
     * replaces the built-in one, checked as its setter checks a value.
     *
     * @throws IllegalArgumentException when such a property is not a number or is out of its setter's range; the
     *                                  message names the property.
     */
    public ManagerOptions()
    {
        PropertyDefaults.applyLong(CALL_TIMEOUT_MS_PROP_NAME, (ms) -> callTimeout(ms, TimeUnit.MILLISECONDS));
        PropertyDefaults.applyLong(START_TIMEOUT_MS_PROP_NAME, (ms) -> startTimeout(ms, TimeUnit.MILLISECONDS));
        PropertyDefaults.applyLong(LEASE_CHECK_INTERVAL_MS_PROP_NAME,
            (ms) -> leaseCheckInterval(ms, TimeUnit.MILLISECONDS));
        PropertyDefaults.applyInt(MAX_FRAME_BYTES_PROP_NAME, this::maxFrameBytes);
        PropertyDefaults.applyLong(SNAPSHOT_EVERY_ENTRIES_PROP_NAME, this::snapshotEveryEntries);
        PropertyDefaults.applyLong(RECONNECT_TIMEOUT_MS_PROP_NAME, (ms) -> reconnectTimeout(ms, TimeUnit.MILLISECONDS));
        final String allow = System.getProperty(ALLOW_CLASSES_PROP_NAME, "").trim();
        if (!allow.isEmpty())
        {
            try
            {
                allowClasses(allow.split("\\s*,\\s*"));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("system property " + ALLOW_CLASSES_PROP_NAME + ": " +
                    ex.getMessage(), ex);
            }
        }
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
     * How often the manager checks that the processes of its local clients are alive (pid + start time) while it
     * cannot have the kernel watch them; a client that died is dropped at most this long after, and at once when its
     * socket closes (as on SIGKILL) or when the kernel watches it (a pidfd, Linux 5.3 and later).
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
     * JVM options of the manager's JVM started by {@link Manager#start} (heap size, GC, ...), besides the flags
     * ipckit adds itself (its own, and Chronicle Queue's for a durable manager).
     *
     * @param options the options, replacing any set before; each starts with {@code '-'}.
     * @return this.
     * @throws IllegalArgumentException when an option does not start with {@code '-'}.
     */
    public ManagerOptions jvmOptions(final String... options)
    {
        for (final String option : options)
        {
            if (option == null || !option.startsWith("-"))
            {
                throw new IllegalArgumentException("jvmOptions: \"" + option + "\" is not a JVM option");
            }
        }
        jvmOptions.clear();
        jvmOptions.addAll(List.of(options));
        return this;
    }

    /**
     * @return the manager JVM's extra options.
     */
    public List<String> jvmOptions()
    {
        return List.copyOf(jvmOptions);
    }

    /**
     * The class path of the manager's JVM started by {@link Manager#start}. A class path of jars only lets that JVM
     * start from a JDK AOT cache, as {@link io.ipckit.core.process.JvmProcess} does for every child whose class path
     * allows it (about half the start-up time of a durable manager); a folder of classes on it does not.
     *
     * @param classPath the class path, or null (the default) for this JVM's.
     * @return this.
     * @throws IllegalArgumentException when {@code classPath} is blank.
     */
    public ManagerOptions classPath(final String classPath)
    {
        this.classPath = ClassPathOption.validate(classPath);
        return this;
    }

    /**
     * @return the manager JVM's class path as set, or null for this JVM's.
     */
    public String classPath()
    {
        return classPath;
    }

    /**
     * Allows classes of the user's own to be decoded, in {@link java.io.ObjectInputFilter.Config#createFilter}
     * syntax ({@code "com.acme.model.*"}); the rest of the filter admits {@code java.lang}, {@code java.util},
     * {@code java.util.concurrent}, {@code java.time}, {@code java.math} and the manager's own wire classes, each by
     * name. Both ends must allow the same classes. A serializable lambda (a pool task) is checked as its capturing
     * class and as its own class, {@code com.acme.Tasks$$Lambda/0x...}: a package pattern or a prefix pattern
     * ({@code "com.acme.Tasks*"}) admits both.
     *
     * @param patterns the patterns to add.
     * @return this.
     * @throws IllegalArgumentException when a pattern is empty, contains {@code ';'} or is not valid filter syntax
     *                                  (an unknown limit such as {@code "x=1"}, a module name missing before {@code '/'});
     *                                  none of the patterns is added then.
     */
    public ManagerOptions allowClasses(final String... patterns)
    {
        for (final String pattern : patterns)
        {
            checkPattern(pattern);
        }
        allowedClasses.addAll(List.of(patterns));
        return this;
    }

    /**
     * Refuses here what the filter would refuse when a manager or client builds it, after it has opened its listener
     * or connection.
     */
    private static void checkPattern(final String pattern)
    {
        if (pattern == null || pattern.isBlank() || pattern.contains(";"))
        {
            throw new IllegalArgumentException("not a single filter pattern: " + pattern);
        }
        try
        {
            ObjectInputFilter.Config.createFilter(pattern);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("not a filter pattern: \"" + pattern + "\" (" + ex.getMessage() +
                "); see java.io.ObjectInputFilter.Config.createFilter for the syntax", ex);
        }
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

    /**
     * Makes the manager durable: every call that changes its state is appended to a journal in
     * {@code journalDirectory} (ipckit's {@code io.ipckit.durable.Journal}, on Chronicle Queue) before the caller
     * gets its answer, with a snapshot of the whole state every {@link #snapshotEveryEntries} entries or more
     * (paced so that snapshots take about a tenth of the time at most) and at shutdown. A manager started on a
     * journal that holds state starts from it: the last snapshot, then every entry after it. A manager killed by
     * SIGKILL and started again on the same directory has every change it acknowledged, and applies none twice:
     * calls carry their client's sequence number, and a call the client sends again after the restart (because its
     * answer was lost) gets the answer of the first time.
     * <p>
     * What survives, per type: the content of dicts, lists, sets, namespaces, values, arrays, queues and joinable
     * queues (their unfinished count too), a semaphore's count, an event's flag, every object's existence and id
     * (so proxies keep working), names bound with {@link Manager#bind}, and registered types' objects (which must
     * then be {@link java.io.Serializable}, allowed by {@link #allowClasses} as the snapshot's filter reads them back,
     * and deterministic: the journal replays their calls). What does not:
     * lock and condition ownership, a barrier's waiting parties and a pool's tasks in flight; a restart releases
     * them, as if every holder had died (a thread that held a lock gets {@link IllegalMonitorStateException} from
     * {@code unlock}). See the package documentation for why.
     * <p>
     * Clients of a durable manager reconnect on their own: when the connection drops, a client tries again until
     * {@link #reconnectTimeout} and then sends its unanswered calls again; a call waits for that within its own
     * timeout. Only the manager's JVM needs Chronicle Queue's JVM flags, and {@link Manager#start} passes them.
     *
     * @param journalDirectory the journal's directory (created when missing), or null for a manager that keeps
     *                         its state in memory only (the default).
     * @return this.
     */
    public ManagerOptions durable(final java.nio.file.Path journalDirectory)
    {
        this.journalDirectory = journalDirectory == null ? null : journalDirectory.toAbsolutePath().toString();
        return this;
    }

    /**
     * @return the journal directory of a durable manager, or null when it is not durable.
     */
    public java.nio.file.Path journalDirectory()
    {
        return journalDirectory == null ? null : java.nio.file.Path.of(journalDirectory);
    }

    /**
     * How many journal entries a durable manager appends, at least, between two snapshots of its whole state. A
     * snapshot costs a thread's time and holds up the calls that change state while it copies the state (its dicts'
     * entries are encoded after), so it also waits until nine times the last one's duration has passed since that one
     * ended: snapshots then take about a tenth of a core at most, however large the state (the pace follows the last
     * snapshot's duration). A restart replays the entries since the last snapshot: about this many while snapshots
     * are short; more when the state is large and appends come quickly (a dict of 200,000 numbers took about 30 ms to
     * snapshot, of which it held up calls 10-13 ms, measured, so at most one snapshot in 0.3 s).
     * {@link ManagerStats#snapshots} and {@link ManagerStats#snapshotNanos} show what they cost.
     *
     * @param entries at least 1.
     * @return this.
     * @throws IllegalArgumentException when below 1.
     */
    public ManagerOptions snapshotEveryEntries(final long entries)
    {
        if (entries < 1)
        {
            throw new IllegalArgumentException("snapshotEveryEntries must be at least 1: " + entries);
        }
        snapshotEveryEntries = entries;
        return this;
    }

    /**
     * @return the least number of journal entries between two snapshots.
     */
    public long snapshotEveryEntries()
    {
        return snapshotEveryEntries;
    }

    /**
     * How long a client of a durable manager tries to reconnect after losing it (the manager died and is to be
     * started again) before failing its calls with {@link ManagerGoneException}. Each attempt to connect waits at most
     * the time left (a TCP connect, or a transport's own connect, such as Aeron's 10 s, is cut short), so a manager
     * that does not come back fails the calls within this timeout of noticing it gone, plus the last attempt's
     * handshake. A client of a manager that is not durable fails at once. A durable manager forgets a remote client
     * that stays away past three times this timeout (a client of this host once its process is dead), and refuses it
     * if it comes back then.
     *
     * @param timeout the timeout, positive.
     * @param unit    its unit.
     * @return this.
     * @throws IllegalArgumentException when not positive.
     */
    public ManagerOptions reconnectTimeout(final long timeout, final TimeUnit unit)
    {
        reconnectTimeoutNs = positive("reconnectTimeout", unit.toNanos(timeout));
        return this;
    }

    /**
     * @param unit the unit wanted.
     * @return the reconnect timeout in that unit.
     */
    public long reconnectTimeout(final TimeUnit unit)
    {
        return unit.convert(reconnectTimeoutNs, TimeUnit.NANOSECONDS);
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
            ", serverThreads=" + serverThreads + ", daemon=" + daemon + ", journalDirectory=" + journalDirectory + ", allowedClasses=" + allowedClasses + "}";
    }
}
