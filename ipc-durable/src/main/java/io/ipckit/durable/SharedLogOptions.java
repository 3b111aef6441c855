package io.ipckit.durable;

import io.ipckit.core.internal.kit.PropertyDefaults;

import java.nio.file.Path;

/**
 * Options of a {@link SharedLog}: a mutable object with fluent setters that validate at set time, getters of the
 * same name, and defaults paired with system properties.
 * <p>
 * The roll cycle is fixed when a log is created: passing it to {@link SharedLog#open} with a value other than the
 * log's own is refused with {@link IllegalArgumentException}. Retention, sync mode and the idle strategy belong to
 * the handle and apply to the appends and readers made through it.
 * <p>
 * Not thread-safe: configure, then pass to a factory (which copies what it needs).
 */
public final class SharedLogOptions
{
    /** System property: the directory under which named logs live; default {@link #DIRECTORY_DEFAULT}. */
    public static final String DIRECTORY_PROP_NAME = "ipckit.durable.dir";
    /**
     * Default directory of named logs: {@code /var/tmp/ipckit-durable} where {@code /var/tmp} exists (a disk file
     * system that survives reboots), else {@code ipckit-durable} under {@code java.io.tmpdir}.
     */
    public static final String DIRECTORY_DEFAULT = "/var/tmp/ipckit-durable";
    /** System property: the default roll cycle, a {@link LogRollCycle} name. */
    public static final String ROLL_CYCLE_PROP_NAME = "ipckit.durable.roll.cycle";
    /** Default roll cycle. */
    public static final LogRollCycle ROLL_CYCLE_DEFAULT = LogRollCycle.DAILY;
    /** System property: the default number of cycle files kept, 0 for all. */
    public static final String RETAIN_CYCLES_PROP_NAME = "ipckit.durable.retain.cycles";
    /** Default of {@link #RETAIN_CYCLES_PROP_NAME}: keep everything. */
    public static final int RETAIN_CYCLES_DEFAULT = 0;
    /** System property: the default most bytes of cycle files kept, 0 for no limit. */
    public static final String RETAIN_BYTES_PROP_NAME = "ipckit.durable.retain.bytes";
    /** Default of {@link #RETAIN_BYTES_PROP_NAME}: no limit. */
    public static final long RETAIN_BYTES_DEFAULT = 0;
    /** System property: the default sync mode, a {@link LogSyncMode} name. */
    public static final String SYNC_MODE_PROP_NAME = "ipckit.durable.sync.mode";
    /** Default sync mode. */
    public static final LogSyncMode SYNC_MODE_DEFAULT = LogSyncMode.NONE;

    private LogRollCycle rollCycle = ROLL_CYCLE_DEFAULT;
    private boolean rollCycleSet;
    private int retainCycles = RETAIN_CYCLES_DEFAULT;
    private long retainBytes = RETAIN_BYTES_DEFAULT;
    private LogSyncMode syncMode = SYNC_MODE_DEFAULT;
    private net.openhft.chronicle.core.time.TimeProvider clock;
    private org.agrona.concurrent.IdleStrategy idleStrategy;

    /**
     * Options with every default: a default given by one of the {@code *_PROP_NAME} system properties replaces the
     * built-in one, checked as its setter checks a value (a roll cycle given so still counts as not set).
     *
     * @throws IllegalArgumentException when such a property is malformed or out of its setter's range; the message
     *                                  names the property.
     */
    public SharedLogOptions()
    {
        PropertyDefaults.applyEnum(ROLL_CYCLE_PROP_NAME, LogRollCycle.class, (cycle) -> rollCycle = cycle);
        PropertyDefaults.applyInt(RETAIN_CYCLES_PROP_NAME, this::retainCycles);
        PropertyDefaults.applyLong(RETAIN_BYTES_PROP_NAME, this::retainBytes);
        PropertyDefaults.applyEnum(SYNC_MODE_PROP_NAME, LogSyncMode.class, this::syncMode);
    }

    /**
     * @return the directory under which named logs live ({@link #DIRECTORY_PROP_NAME} or the default).
     */
    public static Path defaultDirectory()
    {
        final String configured = System.getProperty(DIRECTORY_PROP_NAME);
        if (configured != null)
        {
            return Path.of(configured);
        }
        final Path varTmp = Path.of("/var/tmp");
        return java.nio.file.Files.isDirectory(varTmp) ? Path.of(DIRECTORY_DEFAULT) :
            Path.of(System.getProperty("java.io.tmpdir"), "ipckit-durable");
    }

    /**
     * @param rollCycle how often a new cycle file starts; only at creation.
     * @return this.
     * @throws NullPointerException when null.
     */
    public SharedLogOptions rollCycle(final LogRollCycle rollCycle)
    {
        this.rollCycle = java.util.Objects.requireNonNull(rollCycle, "rollCycle");
        this.rollCycleSet = true;
        return this;
    }

    /**
     * @return the roll cycle.
     */
    public LogRollCycle rollCycle()
    {
        return rollCycle;
    }

    boolean rollCycleSet()
    {
        return rollCycleSet;
    }

    /**
     * @param retainCycles the most cycle files kept, the current one included; older ones are deleted when an
     *                     append through this handle starts a new cycle (and at open). 0 keeps everything.
     * @return this.
     * @throws IllegalArgumentException when negative.
     */
    public SharedLogOptions retainCycles(final int retainCycles)
    {
        if (retainCycles < 0)
        {
            throw new IllegalArgumentException("retainCycles must be 0 (keep all) or positive: " + retainCycles);
        }
        this.retainCycles = retainCycles;
        return this;
    }

    /**
     * @return the most cycle files kept, 0 for all.
     */
    public int retainCycles()
    {
        return retainCycles;
    }

    /**
     * @param retainBytes the most bytes of cycle files kept: the oldest files are deleted while the total is above
     *                    it (the current cycle is always kept). 0 for no limit. A file counts the bytes it uses,
     *                    from its start to the end of its last record (Chronicle's header and indexes included, about
     *                    64 KiB), not its length on disk: Chronicle gives every cycle file the length of a whole
     *                    block (80 MiB for a daily cycle) and fills it sparsely.
     * @return this.
     * @throws IllegalArgumentException when negative.
     */
    public SharedLogOptions retainBytes(final long retainBytes)
    {
        if (retainBytes < 0)
        {
            throw new IllegalArgumentException("retainBytes must be 0 (no limit) or positive: " + retainBytes);
        }
        this.retainBytes = retainBytes;
        return this;
    }

    /**
     * @return the most bytes of cycle files kept, 0 for no limit.
     */
    public long retainBytes()
    {
        return retainBytes;
    }

    /**
     * @param syncMode when appends are forced to the disk.
     * @return this.
     * @throws NullPointerException when null.
     */
    public SharedLogOptions syncMode(final LogSyncMode syncMode)
    {
        this.syncMode = java.util.Objects.requireNonNull(syncMode, "syncMode");
        return this;
    }

    /**
     * @return the sync mode.
     */
    public LogSyncMode syncMode()
    {
        return syncMode;
    }

    /**
     * @param idleStrategy null (the default) for readers that sleep on the log's doorbell while waiting, or a
     *                     strategy they poll with instead (lower latency, a core each). The handle's readers share
     *                     it: give a stateless one (Agrona's {@code BusySpinIdleStrategy.INSTANCE},
     *                     {@code NoOpIdleStrategy.INSTANCE}) or open one reader per handle.
     * @return this.
     */
    public SharedLogOptions idleStrategy(final org.agrona.concurrent.IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * @return the readers' idle strategy, or null when they sleep on the doorbell.
     */
    public org.agrona.concurrent.IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /** For tests in this package: the clock that decides cycles (Chronicle's time provider); null for the system's. */
    SharedLogOptions clock(final net.openhft.chronicle.core.time.TimeProvider clock)
    {
        this.clock = clock;
        return this;
    }

    net.openhft.chronicle.core.time.TimeProvider clock()
    {
        return clock;
    }

    SharedLogOptions copy()
    {
        final SharedLogOptions copy = new SharedLogOptions();
        copy.rollCycle = rollCycle;
        copy.rollCycleSet = rollCycleSet;
        copy.retainCycles = retainCycles;
        copy.retainBytes = retainBytes;
        copy.syncMode = syncMode;
        copy.clock = clock;
        copy.idleStrategy = idleStrategy;
        return copy;
    }

    /**
     * @return the options, for diagnostics.
     */
    @Override
    public String toString()
    {
        return "SharedLogOptions{rollCycle=" + rollCycle + ", retainCycles=" + retainCycles + ", retainBytes=" +
            retainBytes + ", syncMode=" + syncMode + ", idleStrategy=" + idleStrategy + "}";
    }
}
