package io.ipckit.queue;

import io.ipckit.core.codec.Codec;
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
     * Creates a simple queue; {@link QueueOptions#maxElements} is ignored (there is no element bound).
     *
     * @param name    a valid resource name.
     * @param codec   encodes and decodes elements.
     * @param options ring capacity and wait strategy.
     * @param <E>     the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     */
    public static <E> SimpleQueue<E> create(final String name, final Codec<E> codec, final QueueOptions options)
    {
        final QueueOptions unbounded = new QueueOptions().capacityBytes(options.capacityBytes())
            .maxMessageBytes(options.maxMessageBytes()).idleStrategy(options.idleStrategy());
        return new SimpleQueue<>(QueueFiles.create(name, VARIANT_FIFO, false, unbounded), codec, options);
    }

    /**
     * Opens a FIFO queue as a simple queue.
     *
     * @param name  the queue's name.
     * @param codec encodes and decodes elements.
     * @param <E>   the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a FIFO queue.
     */
    public static <E> SimpleQueue<E> open(final String name, final Codec<E> codec)
    {
        return new SimpleQueue<>(QueueFiles.open(name, VARIANT_FIFO, false), codec, new QueueOptions());
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
