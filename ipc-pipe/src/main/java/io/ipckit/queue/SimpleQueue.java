package io.ipckit.queue;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.file.ResourceFile;

import java.util.concurrent.TimeUnit;

import static io.ipckit.queue.QueueDescriptor.VARIANT_FIFO;

/**
 * Python's {@code multiprocessing.SimpleQueue}: an unbounded (by element count; bounded by the ring's bytes) FIFO
 * queue with Python's method names — {@link #put}, {@link #get()}, {@link #empty()} — on top of everything a
 * {@link SharedQueue} does. The same engine, with no element bound to check.
 * <p>
 * Thread-safe and process-safe.
 *
 * @param <E> the element type.
 */
public final class SimpleQueue<E> extends SharedQueue<E>
{
    private SimpleQueue(final ResourceFile file, final Codec<E> codec, final QueueOptions options)
    {
        super(file, codec, options);
    }

    /**
     * Creates a SimpleQueue with the default options and codec ({@link Codecs#serializable(String...)}).
     *
     * @param name a valid resource name.
     * @param <E>  the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> SimpleQueue<E> create(final String name)
    {
        return create(name, Codecs.serializable(), new QueueOptions());
    }

    /**
     * Opens a SimpleQueue with the default codec ({@link Codecs#serializable(String...)}).
     *
     * @param name the queue's name.
     * @param <E>  the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a FIFO queue.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> SimpleQueue<E> open(final String name)
    {
        return open(name, Codecs.serializable());
    }

    /**
     * Creates a simple queue.
     *
     * @param name    a valid resource name.
     * @param codec   encodes and decodes elements.
     * @param options ring capacity, element byte bound, producer lanes and wait strategy.
     * @param <E>     the element type.
     * @return the queue.
     * @throws IllegalArgumentException when {@link QueueOptions#maxElements} is set: a simple queue has no
     *                                  element bound (use a {@link SharedQueue}).
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     */
    public static <E> SimpleQueue<E> create(final String name, final Codec<E> codec, final QueueOptions options)
    {
        if (options.maxElements() != 0)
        {
            throw new IllegalArgumentException("QueueOptions.maxElements cannot apply to SimpleQueue \"" + name +
                "\", which has no element bound (Python's SimpleQueue): create a SharedQueue for a bounded queue");
        }
        return new SimpleQueue<>(QueueFiles.create(name, VARIANT_FIFO, false, options), codec, options);
    }

    /**
     * Opens a FIFO queue as a simple queue.
     *
     * @param name  the queue's name.
     * @param codec encodes and decodes elements.
     * @param <E>   the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a FIFO queue.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> SimpleQueue<E> open(final String name, final Codec<E> codec)
    {
        final QueueOptions options = new QueueOptions(); // before the file is mapped: it may refuse a property
        return new SimpleQueue<>(QueueFiles.open(name, VARIANT_FIFO, false), codec, options);
    }

    /**
     * Python's {@code get()}: removes and returns the next element, waiting for one.
     *
     * @return the element.
     * @throws InterruptedException when interrupted while waiting.
     */
    public E get() throws InterruptedException
    {
        return take();
    }

    /**
     * Python's {@code get(timeout=...)}.
     *
     * @param timeout the most to wait.
     * @param unit    its unit.
     * @return the element, or null when none arrived in time (Python raises {@code Empty}).
     * @throws InterruptedException when interrupted while waiting.
     */
    public E get(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return poll(timeout, unit);
    }

    /**
     * Python's {@code empty()}.
     *
     * @return true when no element is queued at some moment during the call.
     */
    public boolean empty()
    {
        return isEmpty();
    }
}
