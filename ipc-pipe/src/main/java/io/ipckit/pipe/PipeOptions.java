package io.ipckit.pipe;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.internal.kit.PropertyDefaults;
import org.agrona.BitUtil;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Settings of a pipe ({@link #ringCapacityBytes}, {@link #duplex}, {@link #creatorReceives}, fixed at creation) and
 * of one end ({@link #idleStrategy}, {@link #codec}, used by the process that creates or opens it). Defaults come
 * from system properties named by the {@code *_PROP_NAME} constants. {@link Pipe#open} refuses options that are
 * fixed at creation with {@link IllegalArgumentException} rather than ignore them.
 * <p>
 * Not thread-safe; pass a configured instance to {@link Pipe#create} or {@link Pipe#open}.
 */
public final class PipeOptions
{
    /** System property: data capacity of each ring in bytes, rounded up to a power of two. */
    public static final String RING_CAPACITY_PROP_NAME = "ipckit.pipe.ring.capacity.bytes";
    /** Default of {@link #RING_CAPACITY_PROP_NAME}: 256 KiB. */
    public static final int RING_CAPACITY_DEFAULT_BYTES = 256 * 1024;
    /** Smallest ring capacity accepted. */
    public static final int MIN_RING_CAPACITY_BYTES = 1024;
    /** Largest ring capacity accepted. */
    public static final int MAX_RING_CAPACITY_BYTES = 1 << 30;

    /**
     * System property: how long, in nanoseconds, a blocking call of this handle polls before it sleeps on the futex
     * ({@link #spinBeforeSleep(long, TimeUnit)}).
     */
    public static final String SPIN_BEFORE_SLEEP_PROP_NAME = "ipckit.pipe.spin.before.sleep.ns";
    /** Default of {@link #SPIN_BEFORE_SLEEP_PROP_NAME}: 100 µs. */
    public static final long SPIN_BEFORE_SLEEP_DEFAULT_NS = 100_000L;

    private int ringCapacityBytes = RING_CAPACITY_DEFAULT_BYTES;
    /** A ring capacity from the system property that its setter refused and no setter call replaced, or null. */
    private String refusedRingCapacity;
    private boolean duplex = true;
    private boolean creatorReceives;
    /** The creation-only option set on this instance first, or null: {@link Pipe#open} refuses it. */
    private String creationOnlyOption;
    private long spinBeforeSleepNs = SPIN_BEFORE_SLEEP_DEFAULT_NS;
    private IdleStrategy idleStrategy;
    private Codec<Object> codec = Codecs.serializable();

    /**
     * Options with every default. Defaults given by system properties are checked as their setters check values:
     * a spin that is not a whole number of nanoseconds, or is negative, fails here; a ring capacity that is not a
     * number or out of range fails {@link Pipe#create} (which alone uses it), naming the property, unless
     * {@link #ringCapacityBytes(int)} sets one first.
     *
     * @throws IllegalArgumentException when {@value #SPIN_BEFORE_SLEEP_PROP_NAME} is refused.
     */
    public PipeOptions()
    {
        refusedRingCapacity = PropertyDefaults.applyIntForCreate(RING_CAPACITY_PROP_NAME, this::ringCapacityBytes);
        creationOnlyOption = null; // a default is not an option the caller set: an open accepts it
        PropertyDefaults.applyLong(SPIN_BEFORE_SLEEP_PROP_NAME, (ns) -> spinBeforeSleep(ns, TimeUnit.NANOSECONDS));
    }

    /**
     * @param ringCapacityBytes data bytes of each ring, {@value #MIN_RING_CAPACITY_BYTES} to 2^30, rounded up to a
     *                          power of two. Messages of any size pass; larger rings pass larger messages unsplit.
     * @return this.
     * @throws IllegalArgumentException when out of range.
     */
    public PipeOptions ringCapacityBytes(final int ringCapacityBytes)
    {
        if (ringCapacityBytes < MIN_RING_CAPACITY_BYTES || ringCapacityBytes > MAX_RING_CAPACITY_BYTES)
        {
            throw new IllegalArgumentException("ringCapacityBytes must be in " + MIN_RING_CAPACITY_BYTES + ".." +
                MAX_RING_CAPACITY_BYTES + ", got " + ringCapacityBytes);
        }
        this.ringCapacityBytes = ringCapacityBytes;
        refusedRingCapacity = null; // the caller's value replaces a refused default
        creationOnly("ringCapacityBytes");
        return this;
    }

    /**
     * @return the ring capacity, a power of two.
     */
    public int ringCapacityBytes()
    {
        return BitUtil.findNextPositivePowerOfTwo(ringCapacityBytes);
    }

    /**
     * @param name the pipe being created.
     * @throws IllegalArgumentException when a ring capacity given by {@value #RING_CAPACITY_PROP_NAME} was refused
     *                                  and no setter call replaced it.
     */
    void validateForCreate(final String name)
    {
        PropertyDefaults.refuseCreate("pipe \"" + name + "\"", refusedRingCapacity);
    }

    /**
     * @param duplex true (the default) for both ends sending and receiving, false for a one-way pipe where the
     *               creator's end only sends and the opener's end only receives (Python's {@code Pipe(False)}),
     *               unless {@link #creatorReceives(boolean)}.
     * @return this.
     */
    public PipeOptions duplex(final boolean duplex)
    {
        this.duplex = duplex;
        creationOnly("duplex");
        return this;
    }

    /**
     * @param creatorReceives false (the default) for the creator of a one-way pipe to get the sending end, true for
     *                        it to get the receiving end (the opener then gets the sending end): a consumer can set
     *                        the pipe up before its producer starts. Applies to one-way pipes only.
     * @return this.
     */
    public PipeOptions creatorReceives(final boolean creatorReceives)
    {
        this.creatorReceives = creatorReceives;
        creationOnly("creatorReceives");
        return this;
    }

    /**
     * @return true when the creator of a one-way pipe gets its receiving end.
     */
    public boolean creatorReceives()
    {
        return creatorReceives;
    }

    private void creationOnly(final String option)
    {
        if (creationOnlyOption == null)
        {
            creationOnlyOption = option;
        }
    }

    /**
     * @return the name of the first option set on this instance that applies only when a pipe is created, or null.
     */
    String creationOnlyOption()
    {
        return creationOnlyOption;
    }

    /**
     * @return true for a two-way pipe.
     */
    public boolean duplex()
    {
        return duplex;
    }

    /**
     * @param idleStrategy null (the default) to sleep on a futex while waiting, or a strategy to poll with, e.g.
     *                     {@link org.agrona.concurrent.BusySpinIdleStrategy} for the lowest latency.
     * @return this.
     */
    public PipeOptions idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * @return the idle strategy, or null to sleep.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * How long a blocking call polls (spinning 32 times, then yielding the core) before it sleeps on the futex, when
     * no {@link #idleStrategy} is set. The default, 100 µs, keeps a receiver or sender that is briefly without work off the futex:
     * its wake-up then costs the other side nothing, but a thread that waits often keeps its core busy while it
     * polls (a blocking round trip measured 73–93% of a core). {@code 0} is the low-CPU wait: a blocked thread sleeps
     * at once and uses no CPU while it waits; each wake-up then costs a futex system call on the waking side and a
     * membarrier on the sleeping side (a few microseconds each, more on a virtual machine). It suits a handle that
     * is idle most of the time; under a steady exchange of messages it costs more latency and more CPU per message
     * than polling (measured on a 2-core VM, round trip: about 17–21 µs and 33–44 µs of CPU, against 0.54 µs and
     * 1.4 µs polling). Applies to the handle this option creates or opens.
     *
     * @param duration how long to poll, 0 or more; 0 sleeps at once.
     * @param unit     the unit of {@code duration}.
     * @return this.
     * @throws IllegalArgumentException when {@code duration} is negative.
     */
    public PipeOptions spinBeforeSleep(final long duration, final TimeUnit unit)
    {
        if (duration < 0)
        {
            throw new IllegalArgumentException("spinBeforeSleep must be 0 or more, got " + duration + " " + unit);
        }
        this.spinBeforeSleepNs = unit.toNanos(duration);
        return this;
    }

    /**
     * @param unit the unit of the result.
     * @return how long a blocking call polls before it sleeps, in {@code unit}.
     */
    public long spinBeforeSleep(final TimeUnit unit)
    {
        return unit.convert(spinBeforeSleepNs, TimeUnit.NANOSECONDS);
    }

    /**
     * @param codec the codec of {@link Connection#send(Object)} and {@link Connection#recv()}; by default
     *              {@link Codecs#serializable(String...)}.
     * @return this.
     */
    @SuppressWarnings("unchecked")
    public PipeOptions codec(final Codec<?> codec)
    {
        this.codec = (Codec<Object>)codec;
        return this;
    }

    /**
     * @return the default codec.
     */
    public Codec<Object> codec()
    {
        return codec;
    }
}
