package io.ipckit.queue;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;

import static io.ipckit.queue.QueueDescriptor.VARIANT_LIFO;

/**
 * Python's {@code queue.LifoQueue}, shared between processes: the element put last is taken first. Bounded by
 * {@link QueueOptions#maxElements} slots (default {@value QueueOptions#SLOT_COUNT_DEFAULT}) of
 * {@link QueueOptions#slotBytes} bytes each — an element that encodes to more is refused with
 * {@link IllegalArgumentException}. Design in {@link SlotQueueCore}; contract in {@link AbstractSharedQueue}.
 * <p>
 * Thread-safe and process-safe.
 *
 * @param <E> the element type.
 */
public final class LifoQueue<E> extends AbstractSharedQueue<E>
{
    private LifoQueue(final SlotQueueCore core, final Codec<E> codec)
    {
        super(core, codec);
    }

    /**
     * Creates a LifoQueue with the default options and codec ({@link Codecs#serializable(String...)}).
     *
     * @param name a valid resource name.
     * @param <E>  the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> LifoQueue<E> create(final String name)
    {
        return create(name, Codecs.serializable(), new QueueOptions());
    }

    /**
     * Opens a LifoQueue with the default codec ({@link Codecs#serializable(String...)}).
     *
     * @param name the queue's name.
     * @param <E>  the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a LIFO queue.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> LifoQueue<E> open(final String name)
    {
        return open(name, Codecs.serializable());
    }

    /**
     * Creates a LIFO queue.
     *
     * @param name    a valid resource name.
     * @param codec   encodes and decodes elements.
     * @param options slots (maxElements), slot bytes, wait strategy.
     * @param <E>     the element type.
     * @return the queue.
     * @throws IllegalArgumentException when {@code options} sets capacityBytes or producerLanes (a LIFO queue has slots, not rings); the message
     *                                  names it.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     */
    public static <E> LifoQueue<E> create(final String name, final Codec<E> codec, final QueueOptions options)
    {
        return new LifoQueue<>(
            new SlotQueueCore(QueueFiles.create(name, VARIANT_LIFO, false, options), true, options),
            codec);
    }

    /**
     * Opens a LIFO queue.
     *
     * @param name  the queue's name.
     * @param codec encodes and decodes elements.
     * @param <E>   the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a LIFO queue.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> LifoQueue<E> open(final String name, final Codec<E> codec)
    {
        final QueueOptions options = new QueueOptions(); // before the file is mapped: it may refuse a property
        return new LifoQueue<>(new SlotQueueCore(QueueFiles.open(name, VARIANT_LIFO, false), true, options), codec);
    }
}
