package io.ipckit.queue;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;

import java.util.Objects;
import java.util.function.ToLongFunction;

import static io.ipckit.queue.QueueDescriptor.VARIANT_PRIORITY;

/**
 * Python's {@code queue.PriorityQueue}, shared between processes: the element with the lowest priority number is
 * taken first, and elements of equal priority in the order they were put. The priority of an element comes from a
 * function given at create/open (Python compares the items themselves, typically {@code (priority, data)} tuples).
 * Bounded by {@link QueueOptions#maxElements} slots of {@link QueueOptions#slotBytes} bytes. Design in
 * {@link SlotQueueCore}; contract in {@link AbstractSharedQueue}.
 * <p>
 * Thread-safe and process-safe.
 *
 * @param <E> the element type.
 */
public final class SharedPriorityQueue<E> extends AbstractSharedQueue<E>
{
    private final ToLongFunction<? super E> priority;

    private SharedPriorityQueue(final SlotQueueCore core, final Codec<E> codec, final ToLongFunction<? super E> priority)
    {
        super(core, codec);
        this.priority = Objects.requireNonNull(priority, "priority");
    }

    /**
     * Creates a priority queue with the default options and codec ({@link Codecs#serializable(String...)}).
     *
     * @param name     a valid resource name.
     * @param priority an element's priority; lower comes out first.
     * @param <E>      the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> SharedPriorityQueue<E> create(final String name, final ToLongFunction<? super E> priority)
    {
        return create(name, Codecs.serializable(), priority, new QueueOptions());
    }

    /**
     * Opens a priority queue with the default codec ({@link Codecs#serializable(String...)}).
     *
     * @param name     the queue's name.
     * @param priority an element's priority; must agree with the other processes'.
     * @param <E>      the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a priority queue.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> SharedPriorityQueue<E> open(final String name, final ToLongFunction<? super E> priority)
    {
        return open(name, Codecs.serializable(), priority);
    }

    /**
     * Creates a priority queue.
     *
     * @param name     a valid resource name.
     * @param codec    encodes and decodes elements.
     * @param priority an element's priority; lower comes out first.
     * @param options  slots (maxElements), slot bytes, wait strategy.
     * @param <E>      the element type.
     * @return the queue.
     * @throws IllegalArgumentException when {@code options} sets capacityBytes or producerLanes (a priority queue has slots, not rings); the message
     *                                  names it.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     */
    public static <E> SharedPriorityQueue<E> create(
        final String name, final Codec<E> codec, final ToLongFunction<? super E> priority, final QueueOptions options)
    {
        return new SharedPriorityQueue<>(new SlotQueueCore(
            QueueFiles.create(name, VARIANT_PRIORITY, false, options), false, options), codec, priority);
    }

    /**
     * Opens a priority queue.
     *
     * @param name     the queue's name.
     * @param codec    encodes and decodes elements.
     * @param priority an element's priority; must agree with the other processes'.
     * @param <E>      the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a priority queue.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> SharedPriorityQueue<E> open(
        final String name, final Codec<E> codec, final ToLongFunction<? super E> priority)
    {
        final QueueOptions options = new QueueOptions(); // before the file is mapped: it may refuse a property
        return new SharedPriorityQueue<>(
            new SlotQueueCore(QueueFiles.open(name, VARIANT_PRIORITY, false), false, options), codec, priority);
    }

    @Override
    long keyOf(final E element)
    {
        return priority.applyAsLong(element);
    }
}
