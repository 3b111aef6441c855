package io.ipckit.shm;

/**
 * Settings of a shared-memory resource, all used at creation but one: whether it outlives its creator
 * ({@link #persistent}), the least slot size of a {@link io.ipckit.shm.list.ShareableList} ({@link #minSlotBytes}),
 * and a {@link io.ipckit.shm.sync.SharedSemaphore}'s bound and owner tracking ({@link #bounded},
 * {@link #ownerSlots}). The exception, {@link #reductionThreads}, belongs to one handle of a
 * {@link io.ipckit.shm.array.SharedArray} rather than to the resource, so its {@code open(name, ShmOptions)} takes it
 * too. Pass an instance to a {@code create(name, ..., ShmOptions)} factory; a factory refuses, with
 * an {@link IllegalArgumentException} naming the option, an option that was changed from its default but does not
 * apply to what it creates (an {@code ownerSlots} given to a {@code SharedArray}), rather than ignoring it.
 * <pre>{@code
 * SharedArray grid = SharedArray.create("grid", DType.FLOAT64, new ShmOptions().persistent(true), 1024, 1024);
 * }</pre>
 * Not thread-safe; the factories read it once and keep no reference to it.
 */
public final class ShmOptions
{
    /** Default of {@link #persistent}: the resource tracker removes a resource whose creator died. */
    public static final boolean PERSISTENT_DEFAULT = false;
    /** Default of {@link #minSlotBytes}: every slot as large as its first value needs (at least 8 bytes). */
    public static final int MIN_SLOT_DEFAULT_BYTES = 0;
    /** Largest {@link #minSlotBytes} accepted. */
    public static final int MAX_MIN_SLOT_BYTES = Integer.MAX_VALUE - 8;
    /** Default of {@link #bounded}: releases may raise a semaphore's permits above their initial number. */
    public static final boolean BOUNDED_DEFAULT = false;
    /** Default of {@link #ownerSlots}: no owner tracking. */
    public static final int OWNER_SLOTS_DEFAULT = 0;
    /** Largest {@link #ownerSlots} accepted. */
    public static final int MAX_OWNER_SLOTS = 1 << 20;

    /**
     * The {@link #reductionThreads} that lets a handle choose: the calling thread plus the common pool's threads,
     * at most {@value #MAX_AUTO_REDUCTION_THREADS} in all and never more than the available processors (so one
     * thread on a one-core machine).
     */
    public static final int REDUCTION_THREADS_AUTO = 0;
    /** Default of {@link #reductionThreads}: {@link #REDUCTION_THREADS_AUTO}. */
    public static final int REDUCTION_THREADS_DEFAULT = REDUCTION_THREADS_AUTO;
    /**
     * The most threads {@link #REDUCTION_THREADS_AUTO} picks: a sum of a large array is bound by memory bandwidth,
     * which a few cores saturate.
     */
    public static final int MAX_AUTO_REDUCTION_THREADS = 4;
    /** Largest {@link #reductionThreads} accepted. */
    public static final int MAX_REDUCTION_THREADS = 64;

    /** Name of the {@link #persistent} option in messages. */
    public static final String PERSISTENT = "persistent";
    /** Name of the {@link #minSlotBytes} option in messages. */
    public static final String MIN_SLOT_BYTES = "minSlotBytes";
    /** Name of the {@link #bounded} option in messages. */
    public static final String BOUNDED = "bounded";
    /** Name of the {@link #ownerSlots} option in messages. */
    public static final String OWNER_SLOTS = "ownerSlots";
    /** Name of the {@link #reductionThreads} option in messages. */
    public static final String REDUCTION_THREADS = "reductionThreads";

    private boolean persistent = PERSISTENT_DEFAULT;
    private int minSlotBytes = MIN_SLOT_DEFAULT_BYTES;
    private boolean bounded = BOUNDED_DEFAULT;
    private int ownerSlots = OWNER_SLOTS_DEFAULT;
    private int reductionThreads = REDUCTION_THREADS_DEFAULT;

    /**
     * Creates options with every default.
     */
    public ShmOptions()
    {
    }

    /**
     * @param persistent true to keep the resource when its creator dies without unlinking it (it lives until someone
     *                   unlinks it or the machine restarts); false (the default) to have the resource tracker remove
     *                   it, as Python's {@code resource_tracker} does.
     * @return this.
     */
    public ShmOptions persistent(final boolean persistent)
    {
        this.persistent = persistent;
        return this;
    }

    /**
     * @return true when the resource outlives its creator.
     */
    public boolean persistent()
    {
        return persistent;
    }

    /**
     * For a {@link io.ipckit.shm.list.ShareableList}: the least payload capacity of every slot, so that strings and
     * bytes can grow (rounded up to a multiple of 8).
     *
     * @param minSlotBytes 0 (the default) to {@value #MAX_MIN_SLOT_BYTES}.
     * @return this.
     * @throws IllegalArgumentException when out of range.
     */
    public ShmOptions minSlotBytes(final int minSlotBytes)
    {
        if (minSlotBytes < 0 || minSlotBytes > MAX_MIN_SLOT_BYTES)
        {
            throw new IllegalArgumentException(MIN_SLOT_BYTES + " must be in 0.." + MAX_MIN_SLOT_BYTES + ", got " +
                minSlotBytes);
        }
        this.minSlotBytes = minSlotBytes;
        return this;
    }

    /**
     * @return the least slot capacity in bytes.
     */
    public int minSlotBytes()
    {
        return minSlotBytes;
    }

    /**
     * For a {@link io.ipckit.shm.sync.SharedSemaphore}: refuse releases that would raise the permits above their
     * initial number, as Python's {@code BoundedSemaphore}.
     *
     * @param bounded true for a bounded semaphore.
     * @return this.
     */
    public ShmOptions bounded(final boolean bounded)
    {
        this.bounded = bounded;
        return this;
    }

    /**
     * @return true for a bounded semaphore.
     */
    public boolean bounded()
    {
        return bounded;
    }

    /**
     * For a {@link io.ipckit.shm.sync.SharedSemaphore}: the most processes whose held permits are recorded, so that
     * the permits of a process that dies holding them are given back. A process has a slot only while it holds permits
     * or is acquiring some. While every slot is taken by live processes, an acquire of a process without one waits
     * for a slot as it waits for permits (a blocking or timed acquire honours its timeout, interruption and close);
     * {@code tryAcquire}, which never waits, returns false. Acquiring 0 permits needs no slot.
     *
     * @param ownerSlots 0 (the default) for no owner tracking, up to {@value #MAX_OWNER_SLOTS}.
     * @return this.
     * @throws IllegalArgumentException when out of range.
     */
    public ShmOptions ownerSlots(final int ownerSlots)
    {
        if (ownerSlots < 0 || ownerSlots > MAX_OWNER_SLOTS)
        {
            throw new IllegalArgumentException(OWNER_SLOTS + " must be in 0.." + MAX_OWNER_SLOTS + ", got " +
                ownerSlots);
        }
        this.ownerSlots = ownerSlots;
        return this;
    }

    /**
     * @return the number of owner slots, 0 without owner tracking.
     */
    public int ownerSlots()
    {
        return ownerSlots;
    }

    /**
     * For a {@link io.ipckit.shm.array.SharedArray} handle (given to its {@code create} or {@code open}): how many
     * threads its whole-array reductions ({@code sum}, {@code sumLong}, {@code min}, {@code max}, {@code minLong},
     * {@code maxLong}) may use on a contiguous array of at least
     * {@link io.ipckit.shm.array.SharedArray#PARALLEL_MIN_BYTES} bytes: the calling thread and up to
     * {@code reductionThreads - 1} tasks of {@link java.util.concurrent.ForkJoinPool#commonPool()}. More than 1
     * <b>uses more than one core</b> for one call; it pays where the array is large or its mapping is new (another
     * process created it: each first read of a page then costs a page fault, which the threads take in parallel).
     * The default, {@link #REDUCTION_THREADS_AUTO}, takes the common pool's parallelism plus the caller, at most
     * {@value #MAX_AUTO_REDUCTION_THREADS} and at most the available processors: two threads on a two-core machine,
     * one on a one-core machine. 1 keeps every reduction on the calling thread. The results are the same, bit for
     * bit, whatever the number: see {@code SharedArray.sum()}. The setting belongs to the handle (and its views),
     * not to the array's file.
     *
     * @param reductionThreads {@link #REDUCTION_THREADS_AUTO} (0, the default), or 1 (the calling thread alone) to
     *                         {@value #MAX_REDUCTION_THREADS}.
     * @return this.
     * @throws IllegalArgumentException when out of range.
     */
    public ShmOptions reductionThreads(final int reductionThreads)
    {
        if (reductionThreads < REDUCTION_THREADS_AUTO || reductionThreads > MAX_REDUCTION_THREADS)
        {
            throw new IllegalArgumentException(REDUCTION_THREADS + " must be 0 (automatic) or in 1.." +
                MAX_REDUCTION_THREADS + ", got " + reductionThreads);
        }
        this.reductionThreads = reductionThreads;
        return this;
    }

    /**
     * @return the most threads a whole-array reduction of a {@link io.ipckit.shm.array.SharedArray} handle uses, or
     * {@link #REDUCTION_THREADS_AUTO} when the handle chooses.
     */
    public int reductionThreads()
    {
        return reductionThreads;
    }

    /**
     * @return the options, for diagnostics.
     */
    @Override
    public String toString()
    {
        return "ShmOptions{persistent=" + persistent + ", minSlotBytes=" + minSlotBytes + ", bounded=" + bounded +
            ", ownerSlots=" + ownerSlots + ", reductionThreads=" + reductionThreads + "}";
    }
}
