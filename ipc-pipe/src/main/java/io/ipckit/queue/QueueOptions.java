package io.ipckit.queue;

import io.ipckit.core.internal.kit.PropertyDefaults;
import org.agrona.BitUtil;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Settings of a queue. {@link #capacityBytes}, {@link #maxElements}, {@link #maxMessageBytes}, {@link #slotBytes}
 * {@link #producerLanes} and {@link #fifoAcrossProducers} are fixed when the queue is created, and an {@code open} given any of them refuses it
 * with {@link IllegalArgumentException} (naming it) rather than ignore it; {@link #idleStrategy} applies to the
 * handle that uses it.
 * <p>
 * Not thread-safe; configure, then pass to a {@code create} or {@code open} method.
 */
public final class QueueOptions
{
    /** Default byte capacity of a FIFO queue's ring: 1 MiB. */
    public static final int CAPACITY_DEFAULT_BYTES = 1 << 20;
    /** Smallest ring capacity. */
    public static final int MIN_CAPACITY_BYTES = 1024;
    /** Largest ring capacity: 64 MiB, so that an element count always fits the 24 bits it has. */
    public static final int MAX_CAPACITY_BYTES = 1 << 26;
    /** Largest {@link #maxElements}. */
    public static final int MAX_ELEMENTS_LIMIT = (1 << 23) - 1;
    /** Default number of slots of a LIFO or priority queue when no {@link #maxElements} is given. */
    public static final int SLOT_COUNT_DEFAULT = 1024;
    /** Default of {@link #producerLanes(int)}. */
    public static final int PRODUCER_LANES_DEFAULT = 0;
    /** Most exclusive producer lanes of a FIFO queue. */
    public static final int MAX_PRODUCER_LANES = 64;
    /** Default payload bytes of a slot of a LIFO or priority queue. */
    public static final int SLOT_BYTES_DEFAULT = 1024;

    /**
     * System property: how long, in nanoseconds, a blocking call of this handle polls before it sleeps on the futex
     * ({@link #spinBeforeSleep(long, TimeUnit)}).
     */
    public static final String SPIN_BEFORE_SLEEP_PROP_NAME = "ipckit.queue.spin.before.sleep.ns";
    /** Default of {@link #SPIN_BEFORE_SLEEP_PROP_NAME}: 100 µs. */
    public static final long SPIN_BEFORE_SLEEP_DEFAULT_NS = 100_000L;

    private int capacityBytes = CAPACITY_DEFAULT_BYTES;
    private int maxElements;
    private int maxMessageBytes = Integer.MAX_VALUE;
    private int slotBytes = SLOT_BYTES_DEFAULT;
    private int producerLanes = PRODUCER_LANES_DEFAULT;
    private boolean fifoAcrossProducers;
    private long spinBeforeSleepNs = SPIN_BEFORE_SLEEP_DEFAULT_NS;
    private IdleStrategy idleStrategy;
    /** The creation-only option set on this instance first, or null: {@code open} refuses it. */
    private String creationOnlyOption;
    /** The options set on this instance that apply to one queue layout only: a create of the other refuses them. */
    private int layoutOptionsSet;

    static final int CAPACITY_BYTES_SET = 1;
    static final int SLOT_BYTES_SET = 2;
    static final int PRODUCER_LANES_SET = 4;
    static final int FIFO_ACROSS_PRODUCERS_SET = 8;

    /**
     * Options with every default. A spin given by {@value #SPIN_BEFORE_SLEEP_PROP_NAME} is checked as
     * {@link #spinBeforeSleep(long, TimeUnit)} checks values.
     *
     * @throws IllegalArgumentException when that property is not a whole number of nanoseconds, or is negative.
     */
    public QueueOptions()
    {
        PropertyDefaults.applyLong(SPIN_BEFORE_SLEEP_PROP_NAME, (ns) -> spinBeforeSleep(ns, TimeUnit.NANOSECONDS));
    }

    /**
     * @param capacityBytes bytes of the FIFO ring, {@value #MIN_CAPACITY_BYTES} to 64 MiB, rounded up to a power of
     *                      two. Elements of any size pass (larger than a record they are split); this bounds the bytes
     *                      queued at once.
     * @return this.
     * @throws IllegalArgumentException when out of range.
     */
    public QueueOptions capacityBytes(final int capacityBytes)
    {
        if (capacityBytes < MIN_CAPACITY_BYTES || capacityBytes > MAX_CAPACITY_BYTES)
        {
            throw new IllegalArgumentException("capacityBytes must be in " + MIN_CAPACITY_BYTES + ".." +
                MAX_CAPACITY_BYTES + ", got " + capacityBytes);
        }
        this.capacityBytes = capacityBytes;
        layoutOptionsSet |= CAPACITY_BYTES_SET;
        creationOnly("capacityBytes");
        return this;
    }

    /**
     * @return the ring capacity, a power of two.
     */
    public int capacityBytes()
    {
        return BitUtil.findNextPositivePowerOfTwo(capacityBytes);
    }

    /**
     * @param maxElements Python's {@code maxsize}: the most elements queued at once; 0 (the default) for no limit
     *                    but the bytes. At most {@value #MAX_ELEMENTS_LIMIT}. For LIFO and priority queues it is the
     *                    number of slots.
     * @return this.
     * @throws IllegalArgumentException when negative or too large.
     */
    public QueueOptions maxElements(final int maxElements)
    {
        if (maxElements < 0 || maxElements > MAX_ELEMENTS_LIMIT)
        {
            throw new IllegalArgumentException("maxElements must be in 0.." + MAX_ELEMENTS_LIMIT + ", got " + maxElements);
        }
        this.maxElements = maxElements;
        creationOnly("maxElements");
        return this;
    }

    /**
     * @return the element bound, 0 for none.
     */
    public int maxElements()
    {
        return maxElements;
    }

    /**
     * @param maxMessageBytes the longest encoded element accepted; a longer one is refused with
     *                        {@link IllegalArgumentException}. By default unlimited for FIFO queues.
     * @return this.
     * @throws IllegalArgumentException when negative.
     */
    public QueueOptions maxMessageBytes(final int maxMessageBytes)
    {
        if (maxMessageBytes < 0)
        {
            throw new IllegalArgumentException("maxMessageBytes must not be negative, got " + maxMessageBytes);
        }
        this.maxMessageBytes = maxMessageBytes;
        creationOnly("maxMessageBytes");
        return this;
    }

    /**
     * @return the longest encoded element accepted.
     */
    public int maxMessageBytes()
    {
        return maxMessageBytes;
    }

    /**
     * @param slotBytes payload bytes of each slot of a LIFO or priority queue: the longest element they hold.
     * @return this.
     * @throws IllegalArgumentException when not positive.
     */
    public QueueOptions slotBytes(final int slotBytes)
    {
        if (slotBytes <= 0 || slotBytes > (1 << 24))
        {
            throw new IllegalArgumentException("slotBytes must be in 1..16 MiB, got " + slotBytes);
        }
        this.slotBytes = slotBytes;
        layoutOptionsSet |= SLOT_BYTES_SET;
        creationOnly("slotBytes");
        return this;
    }

    /**
     * @return the slot payload bytes.
     */
    public int slotBytes()
    {
        return slotBytes;
    }

    /**
     * @param producerLanes exclusive producer lanes of a FIFO queue without an element bound, 0 (the default) to
     *                      {@value #MAX_PRODUCER_LANES}. Each lane is a ring of {@link #capacityBytes()} that one
     *                      producing handle claims and then writes without any lock or fence: the fastest way to put,
     *                      and several producer processes no longer contend. The price is order: elements of
     *                      <em>different</em> handles then come out in no defined order, even when one was put after
     *                      the other had returned (a "poison pill" put after joining the producers may overtake their
     *                      last elements; wait for {@code size() == 0} first, or send one pill per producer through
     *                      the producer's own handle). Each handle's elements keep their order, which is what Python
     *                      promises per process. With 0 lanes every producer shares one ring under a lock per call and
     *                      the queue is first-in first-out across all processes. Handles that find no free lane, and
     *                      every producer of a queue with an element bound, use that shared ring. The file holds
     *                      {@code (producerLanes + 1)} rings. {@link #fifoAcrossProducers(boolean)} keeps the lanes
     *                      first-in first-out across producers.
     * @return this.
     * @throws IllegalArgumentException when out of range.
     */
    public QueueOptions producerLanes(final int producerLanes)
    {
        if (producerLanes < 0 || producerLanes > MAX_PRODUCER_LANES)
        {
            throw new IllegalArgumentException("producerLanes must be in 0.." + MAX_PRODUCER_LANES + ", got " +
                producerLanes);
        }
        this.producerLanes = producerLanes;
        layoutOptionsSet |= PRODUCER_LANES_SET;
        creationOnly("producerLanes");
        return this;
    }

    /**
     * @return the exclusive producer lanes of a FIFO queue.
     */
    public int producerLanes()
    {
        return producerLanes;
    }

    /**
     * Keeps a queue with {@link #producerLanes(int) producer lanes} first-in first-out across all producers, as a
     * queue without lanes is, while each producing handle still writes its own ring without a lock: when an element is
     * published it takes a ticket from one counter the producers share (one atomic add), and consumers take elements
     * in ticket order, whichever lane holds them. An element put after another's {@code put} returned comes out after
     * it, whichever processes put them. The price against unordered lanes: the shared counter (its cache line moves
     * between producers that put at the same time), four bytes of ticket per record, and consumers that take one at
     * a time (they share one lock) instead of one per lane. A producer killed between taking its ticket and
     * publishing its element leaves a gap that consumers wait for until they find that no live producer can fill it
     * (one liveness check interval later: 50 ms, or {@code -Dipckit.liveness.check.interval.ms}), then pass. Without
     * producer lanes, or with an element bound (one shared ring), the queue is first-in first-out anyway and this
     * option changes nothing.
     *
     * @param fifoAcrossProducers true to order elements across producers; false (the default) orders them per
     *                            producing handle only.
     * @return this.
     */
    public QueueOptions fifoAcrossProducers(final boolean fifoAcrossProducers)
    {
        this.fifoAcrossProducers = fifoAcrossProducers;
        layoutOptionsSet |= FIFO_ACROSS_PRODUCERS_SET;
        creationOnly("fifoAcrossProducers");
        return this;
    }

    /**
     * @return true when a queue with producer lanes keeps first-in first-out order across all producers.
     */
    public boolean fifoAcrossProducers()
    {
        return fifoAcrossProducers;
    }

    private void creationOnly(final String option)
    {
        if (creationOnlyOption == null)
        {
            creationOnlyOption = option;
        }
    }

    /**
     * Refuses options that the layout being created has no use for, rather than ignore them.
     *
     * @param name      the queue being created, for the message.
     * @param kind      its class, for the message.
     * @param forbidden the options (bits {@code *_SET}) that layout cannot apply.
     * @throws IllegalArgumentException when one of them was set; the message names it.
     */
    void refuseForCreate(final String name, final String kind, final int forbidden)
    {
        final int set = layoutOptionsSet & forbidden;
        if (set != 0)
        {
            final String option = (set & CAPACITY_BYTES_SET) != 0 ? "capacityBytes" :
                (set & SLOT_BYTES_SET) != 0 ? "slotBytes" :
                (set & PRODUCER_LANES_SET) != 0 ? "producerLanes" : "fifoAcrossProducers";
            final String instead = (set & SLOT_BYTES_SET) != 0 ?
                "a FIFO queue stores elements in byte rings (capacityBytes), not slots" :
                "a " + kind + " stores elements in slots (maxElements of slotBytes each), not byte rings or lanes";
            throw new IllegalArgumentException("QueueOptions." + option + " cannot apply to " + kind + " \"" + name +
                "\": " + instead + "; leave it unset");
        }
    }

    /**
     * Refuses options that apply only when a queue is created.
     *
     * @param name the queue being opened, for the message.
     * @return this.
     * @throws IllegalArgumentException when an option fixed at creation was set.
     */
    QueueOptions requireOpenOnly(final String name)
    {
        if (creationOnlyOption != null)
        {
            throw new IllegalArgumentException("QueueOptions." + creationOnlyOption + " applies only when a queue " +
                "is created, not when queue \"" + name + "\" is opened: its creator fixed it; leave it unset here");
        }
        return this;
    }

    /**
     * @param idleStrategy null (the default) to sleep on a futex while waiting, or a strategy to poll with.
     * @return this.
     */
    public QueueOptions idleStrategy(final IdleStrategy idleStrategy)
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
     * no {@link #idleStrategy} is set. The default, 100 µs, keeps a consumer or producer that is briefly without work off the futex:
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
    public QueueOptions spinBeforeSleep(final long duration, final TimeUnit unit)
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
}
