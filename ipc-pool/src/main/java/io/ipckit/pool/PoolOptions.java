package io.ipckit.pool;

import io.ipckit.core.ResourceName;
import io.ipckit.core.internal.process.ClassPathOption;
import io.ipckit.core.process.SerializableRunnable;
import org.agrona.BitUtil;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link ProcessPool}, passed to {@link ProcessPool#create(PoolOptions)}: Python's {@code Pool}
 * arguments ({@link #workers}, {@link #initializer}, {@link #maxTasksPerWorker}) and the JVM's
 * ({@link #jvmOptions}, {@link #aotCache}, {@link #allowClasses}). Defaults come from system properties named by the
 * {@code *_PROP_NAME} constants. Setters check their argument and return this.
 * <p>
 * Not thread-safe. The pool copies the settings when it is created: changing the options later does not change it.
 */
public final class PoolOptions
{
    /** System property: the number of worker JVMs; default: the number of available processors. */
    public static final String WORKERS_PROP_NAME = "ipckit.pool.workers";
    /** The most worker JVMs one pool runs. */
    public static final int MAX_WORKERS = 4096;
    /** System property: tasks a worker runs before it is replaced, 0 for no limit. */
    public static final String MAX_TASKS_PER_WORKER_PROP_NAME = "ipckit.pool.max.tasks.per.worker";
    /** Default of {@link #MAX_TASKS_PER_WORKER_PROP_NAME}: no limit. */
    public static final int MAX_TASKS_PER_WORKER_DEFAULT = 0;
    /** System property: the longest a task may run, in milliseconds, 0 for no limit. */
    public static final String TASK_TIMEOUT_PROP_NAME = "ipckit.pool.task.timeout.ms";
    /** Default of {@link #TASK_TIMEOUT_PROP_NAME}: no limit. */
    public static final long TASK_TIMEOUT_DEFAULT_MS = 0;
    /** System property: messages sent to a worker ahead of its results. */
    public static final String TASKS_IN_FLIGHT_PER_WORKER_PROP_NAME = "ipckit.pool.tasks.in.flight.per.worker";
    /** Default of {@link #TASKS_IN_FLIGHT_PER_WORKER_PROP_NAME}. */
    public static final int TASKS_IN_FLIGHT_PER_WORKER_DEFAULT = 2;
    /** System property: capacity of each ring of a worker's pipe, in bytes. */
    public static final String RING_CAPACITY_PROP_NAME = "ipckit.pool.ring.capacity.bytes";
    /** Default of {@link #RING_CAPACITY_PROP_NAME}: 1 MiB. */
    public static final int RING_CAPACITY_DEFAULT_BYTES = 1 << 20;
    /** Smallest ring capacity accepted. */
    public static final int MIN_RING_CAPACITY_BYTES = 1024;
    /** Largest ring capacity accepted. */
    public static final int MAX_RING_CAPACITY_BYTES = 1 << 30;
    /** System property: whether workers start with a JDK AOT cache; the same property as every child JVM's. */
    public static final String AOT_CACHE_PROP_NAME = io.ipckit.core.process.ProcessOptions.AOT_CACHE_PROP_NAME;
    /** Default of {@link #AOT_CACHE_PROP_NAME}, the same as every child JVM's. */
    public static final boolean AOT_CACHE_DEFAULT = io.ipckit.core.process.ProcessOptions.AOT_CACHE_DEFAULT;
    /**
     * System property: how much later than the first worker a new pool's other workers start, in milliseconds; unset
     * for the default.
     */
    public static final String WORKER_START_STAGGER_PROP_NAME = "ipckit.pool.worker.start.stagger.ms";
    /**
     * Default of {@link #WORKER_START_STAGGER_PROP_NAME} on a machine with fewer than two processors per worker (0
     * with more): 40 ms.
     */
    public static final long WORKER_START_STAGGER_DEFAULT_MS = 40;

    private String name;
    private int workers;
    private SerializableRunnable initializer;
    private int maxTasksPerWorker;
    private final List<String> jvmOptions = new ArrayList<>();
    private long taskTimeoutNs;
    private int tasksInFlightPerWorker;
    private int ringCapacityBytes;
    private boolean aotCache;
    private long workerStartStaggerNs = -1;
    private String classPath;
    private final List<String> allowedClasses = new ArrayList<>();

    /**
     * Options with Python's defaults (as many workers as processors, no initializer, no task limit), or the values
     * of the system properties.
     *
     * @throws IllegalArgumentException when a system property holds a value its setter refuses.
     */
    public PoolOptions()
    {
        workers(Integer.getInteger(WORKERS_PROP_NAME, Math.min(Runtime.getRuntime().availableProcessors(), MAX_WORKERS)));
        maxTasksPerWorker(Integer.getInteger(MAX_TASKS_PER_WORKER_PROP_NAME, MAX_TASKS_PER_WORKER_DEFAULT));
        taskTimeout(Long.getLong(TASK_TIMEOUT_PROP_NAME, TASK_TIMEOUT_DEFAULT_MS), TimeUnit.MILLISECONDS);
        tasksInFlightPerWorker(Integer.getInteger(TASKS_IN_FLIGHT_PER_WORKER_PROP_NAME,
            TASKS_IN_FLIGHT_PER_WORKER_DEFAULT));
        ringCapacityBytes(Integer.getInteger(RING_CAPACITY_PROP_NAME, RING_CAPACITY_DEFAULT_BYTES));
        aotCache(Boolean.parseBoolean(System.getProperty(AOT_CACHE_PROP_NAME, Boolean.toString(AOT_CACHE_DEFAULT))));
        final Long staggerMs = Long.getLong(WORKER_START_STAGGER_PROP_NAME);
        if (staggerMs != null)
        {
            workerStartStagger(staggerMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A copy of {@code other}.
     */
    PoolOptions(final PoolOptions other)
    {
        name = other.name;
        workers = other.workers;
        initializer = other.initializer;
        maxTasksPerWorker = other.maxTasksPerWorker;
        jvmOptions.addAll(other.jvmOptions);
        taskTimeoutNs = other.taskTimeoutNs;
        tasksInFlightPerWorker = other.tasksInFlightPerWorker;
        ringCapacityBytes = other.ringCapacityBytes;
        aotCache = other.aotCache;
        workerStartStaggerNs = other.workerStartStaggerNs;
        classPath = other.classPath;
        allowedClasses.addAll(other.allowedClasses);
    }

    /**
     * @param name a valid resource name for the pool, or null (the default) for a random one; its workers' pipes
     *             and its task board are named after it.
     * @return this.
     * @throws io.ipckit.core.exceptions.InvalidNameException when the name is not valid.
     */
    public PoolOptions name(final String name)
    {
        this.name = name == null ? null : ResourceName.validate(name);
        return this;
    }

    /**
     * @return the pool's name, or null for a random one.
     */
    public String name()
    {
        return name;
    }

    /**
     * @param workers the number of worker JVMs (Python's {@code processes}), 1 to {@link #MAX_WORKERS}.
     * @return this.
     * @throws IllegalArgumentException when less than 1 or more than {@link #MAX_WORKERS}.
     */
    public PoolOptions workers(final int workers)
    {
        if (workers < 1 || workers > MAX_WORKERS)
        {
            throw new IllegalArgumentException("workers: a pool runs 1.." + MAX_WORKERS + " worker JVMs, not " +
                workers);
        }
        this.workers = workers;
        return this;
    }

    /**
     * @return the number of worker JVMs.
     */
    public int workers()
    {
        return workers;
    }

    /**
     * @param initializer run once in each worker before its first task (Python's {@code initializer}); null for none.
     * @return this.
     */
    public PoolOptions initializer(final SerializableRunnable initializer)
    {
        this.initializer = initializer;
        return this;
    }

    /**
     * @return the initializer, or null.
     */
    public SerializableRunnable initializer()
    {
        return initializer;
    }

    /**
     * @param maxTasks tasks (messages) a worker runs before it is replaced (Python's {@code maxtasksperchild}); 0 for
     *                 no limit.
     * @return this.
     * @throws IllegalArgumentException when negative.
     */
    public PoolOptions maxTasksPerWorker(final int maxTasks)
    {
        if (maxTasks < 0)
        {
            throw new IllegalArgumentException("maxTasksPerWorker must be 0 (no limit) or positive: " + maxTasks);
        }
        this.maxTasksPerWorker = maxTasks;
        return this;
    }

    /**
     * @return tasks a worker runs before it is replaced, 0 for no limit.
     */
    public int maxTasksPerWorker()
    {
        return maxTasksPerWorker;
    }

    /**
     * @param options JVM options added for the workers, e.g. {@code -Xmx256m}.
     * @return this.
     * @throws NullPointerException     when an option is null.
     * @throws IllegalArgumentException when an option does not start with {@code -}; none is added then.
     */
    public PoolOptions jvmOptions(final String... options)
    {
        final List<String> copy = List.of(options);
        for (final String option : copy)
        {
            if (!option.startsWith("-"))
            {
                throw new IllegalArgumentException("jvmOptions: \"" + option + "\" is not a JVM option (those start " +
                    "with '-')");
            }
        }
        this.jvmOptions.addAll(copy);
        return this;
    }

    /**
     * @return the workers' extra JVM options (a copy).
     */
    public List<String> jvmOptions()
    {
        return List.copyOf(jvmOptions);
    }

    /**
     * @param timeout the longest a task may run; a worker over it is killed and replaced, and the task fails with
     *                {@link WorkerDiedException}. 0 or less for no limit (the default).
     * @param unit    the unit of {@code timeout}.
     * @return this.
     */
    public PoolOptions taskTimeout(final long timeout, final TimeUnit unit)
    {
        this.taskTimeoutNs = timeout <= 0 ? 0 : unit.toNanos(timeout);
        return this;
    }

    /**
     * @param unit the unit of the result.
     * @return the longest a task may run, in {@code unit} (rounded down), 0 for no limit.
     */
    public long taskTimeout(final TimeUnit unit)
    {
        return unit.convert(taskTimeoutNs, TimeUnit.NANOSECONDS);
    }

    /**
     * @param tasks messages sent to a worker ahead of its results (pipelining), at least 1; default 2.
     * @return this.
     * @throws IllegalArgumentException when less than 1.
     */
    public PoolOptions tasksInFlightPerWorker(final int tasks)
    {
        if (tasks < 1)
        {
            throw new IllegalArgumentException("tasksInFlightPerWorker must be at least 1: " + tasks);
        }
        this.tasksInFlightPerWorker = tasks;
        return this;
    }

    /**
     * @return messages sent to a worker ahead of its results.
     */
    public int tasksInFlightPerWorker()
    {
        return tasksInFlightPerWorker;
    }

    /**
     * @param capacityBytes capacity of each ring of a worker's pipe, a power of two from
     *                      {@value #MIN_RING_CAPACITY_BYTES} to 2^30 (default 1 MiB); larger messages are split, so
     *                      this only tunes throughput.
     * @return this.
     * @throws IllegalArgumentException when not a power of two in range.
     */
    public PoolOptions ringCapacityBytes(final int capacityBytes)
    {
        if (!BitUtil.isPowerOfTwo(capacityBytes) || capacityBytes < MIN_RING_CAPACITY_BYTES ||
            capacityBytes > MAX_RING_CAPACITY_BYTES)
        {
            throw new IllegalArgumentException("ringCapacityBytes must be a power of two from " +
                MIN_RING_CAPACITY_BYTES + " to " + MAX_RING_CAPACITY_BYTES + ": " + capacityBytes);
        }
        this.ringCapacityBytes = capacityBytes;
        return this;
    }

    /**
     * @return the capacity of each ring of a worker's pipe.
     */
    public int ringCapacityBytes()
    {
        return ringCapacityBytes;
    }

    /**
     * @param enabled start workers with a JDK 25 AOT cache (on by default): the pool's first worker JVM with a given
     *                class path trains it, later ones start faster (198 ms to 160 ms to the first result, measured).
     *                The workers note their tasks' classes, and a task class the cache lacks makes the next pool's
     *                worker train it again, once, with every task class noted so far. Applies only when the class
     *                path is made of jars. See {@link io.ipckit.core.process.ProcessOptions#aotCache(boolean)}.
     * @return this.
     */
    public PoolOptions aotCache(final boolean enabled)
    {
        this.aotCache = enabled;
        return this;
    }

    /**
     * @return whether workers start with an AOT cache.
     */
    public boolean aotCache()
    {
        return aotCache;
    }

    /**
     * When a pool is created, its first worker JVM starts at once and the others this much later (see
     * {@link io.ipckit.core.process.ProcessOptions#startDelay(long, TimeUnit)}): a JVM's start-up takes some 50 ms of
     * CPU on more than one core, and workers starting together on a machine with few cores slow each other down, so
     * the first worker, which can take the first task, is ready sooner (measured on 2 cores, pool of 2 to its first
     * result: see {@code bench/RESULTS.md}). The other workers are ready that much later. A worker started at once
     * may be sent the pool's first task while its JVM boots; it runs the task right after the initializer. Workers
     * started later to replace others start at once, and take tasks once they are ready.
     *
     * @param stagger the delay; 0 or less to start every worker at once.
     * @param unit    the unit of {@code stagger}.
     * @return this.
     * @throws IllegalArgumentException when over
     *                                  {@link io.ipckit.core.process.ProcessOptions#MAX_START_DELAY_NS}.
     */
    public PoolOptions workerStartStagger(final long stagger, final TimeUnit unit)
    {
        final long staggerNs = stagger <= 0 ? 0 : unit.toNanos(stagger);
        if (staggerNs > io.ipckit.core.process.ProcessOptions.MAX_START_DELAY_NS)
        {
            throw new IllegalArgumentException("workerStartStagger: " + stagger + " " + unit + " is over the limit of " +
                TimeUnit.NANOSECONDS.toMillis(io.ipckit.core.process.ProcessOptions.MAX_START_DELAY_NS) + " ms");
        }
        workerStartStaggerNs = staggerNs;
        return this;
    }

    /**
     * @param unit the unit of the result.
     * @return how much later than the first worker a new pool's other workers start: as set, else
     * {@value #WORKER_START_STAGGER_DEFAULT_MS} ms when the machine has fewer than two processors per worker, else 0.
     */
    public long workerStartStagger(final TimeUnit unit)
    {
        final long staggerNs = workerStartStaggerNs >= 0 ? workerStartStaggerNs :
            2L * workers > Runtime.getRuntime().availableProcessors() ?
            TimeUnit.MILLISECONDS.toNanos(WORKER_START_STAGGER_DEFAULT_MS) : 0;
        return unit.convert(staggerNs, TimeUnit.NANOSECONDS);
    }

    /**
     * The class path of the worker JVMs. A class path of jars only lets them start from a JDK AOT cache (see
     * {@link #aotCache(boolean)}); a folder of classes on it does not.
     *
     * @param classPath the class path, or null (the default) for this JVM's.
     * @return this.
     * @throws IllegalArgumentException when {@code classPath} is blank.
     */
    public PoolOptions classPath(final String classPath)
    {
        this.classPath = ClassPathOption.validate(classPath);
        return this;
    }

    /**
     * @return the workers' class path as set, or null for this JVM's.
     */
    public String classPath()
    {
        return classPath;
    }

    /**
     * @param patterns {@link java.io.ObjectInputFilter} patterns of result classes to accept beyond the defaults,
     *                 e.g. {@code "com.acme.model.*"}.
     * @return this.
     * @throws NullPointerException when a pattern is null.
     */
    public PoolOptions allowClasses(final String... patterns)
    {
        this.allowedClasses.addAll(List.of(patterns));
        return this;
    }

    /**
     * @return the extra allowed class patterns (a copy).
     */
    public List<String> allowClasses()
    {
        return List.copyOf(allowedClasses);
    }

    @Override
    public String toString()
    {
        return "PoolOptions{name=" + name + ", workers=" + workers + ", maxTasksPerWorker=" + maxTasksPerWorker +
            ", taskTimeoutNs=" + taskTimeoutNs + ", tasksInFlightPerWorker=" + tasksInFlightPerWorker +
            ", ringCapacityBytes=" + ringCapacityBytes + ", aotCache=" + aotCache + ", workerStartStaggerNs=" +
            workerStartStagger(TimeUnit.NANOSECONDS) + (classPath == null ? "" : ", classPath=" + classPath) +
            ", jvmOptions=" + jvmOptions +
            ", allowClasses=" + allowedClasses + "}";
    }
}
