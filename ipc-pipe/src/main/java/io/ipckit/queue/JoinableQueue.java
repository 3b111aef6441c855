package io.ipckit.queue;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.file.ResourceFile;

import java.util.concurrent.TimeUnit;

import static io.ipckit.queue.QueueDescriptor.VARIANT_FIFO;

/**
 * Python's {@code multiprocessing.JoinableQueue}: a {@link SharedQueue} that counts unfinished tasks across every
 * process. Each element put adds one; each {@link #taskDone()} (by any process) removes one; {@link #join()} returns
 * when the count is zero — when every element ever put has been taken and marked done.
 * <p>
 * The count is the number of elements put minus the number of {@code taskDone} calls, both kept in the file, so it
 * needs no lock and no process's death can corrupt it, with one exception: a process killed in the middle of
 * {@link #remove(Object)} may have counted its element done without removing it: {@code join} then returns one task
 * early (never late), and the {@code taskDone} that would have finished the count throws. An element a consumer discards because its producer died half-way through writing it
 * counts as done, and so does an element removed with {@link #remove(Object)}. An element taken by a consumer that
 * dies before calling {@code taskDone} stays unfinished, exactly as in Python.
 * <p>
 * Thread-safe and process-safe.
 *
 * @param <E> the element type.
 */
public final class JoinableQueue<E> extends SharedQueue<E>
{
    private JoinableQueue(final ResourceFile file, final Codec<E> codec, final QueueOptions options)
    {
        super(file, codec, options);
    }

    /**
     * Creates a JoinableQueue with the default options and codec ({@link Codecs#serializable(String...)}).
     *
     * @param name a valid resource name.
     * @param <E>  the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> JoinableQueue<E> create(final String name)
    {
        return create(name, Codecs.serializable(), new QueueOptions());
    }

    /**
     * Opens a JoinableQueue with the default codec ({@link Codecs#serializable(String...)}).
     *
     * @param name the queue's name.
     * @param <E>  the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a joinable queue.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> JoinableQueue<E> open(final String name)
    {
        return open(name, Codecs.serializable());
    }

    /**
     * Creates a joinable queue.
     *
     * @param name    a valid resource name.
     * @param codec   encodes and decodes elements.
     * @param options capacity, bounds, wait strategy.
     * @param <E>     the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     */
    public static <E> JoinableQueue<E> create(final String name, final Codec<E> codec, final QueueOptions options)
    {
        return new JoinableQueue<>(QueueFiles.create(name, VARIANT_FIFO, true, options), codec, options);
    }

    /**
     * Opens a joinable queue.
     *
     * @param name  the queue's name.
     * @param codec encodes and decodes elements.
     * @param <E>   the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a joinable queue.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> JoinableQueue<E> open(final String name, final Codec<E> codec)
    {
        final QueueOptions options = new QueueOptions(); // before the file is mapped: it may refuse a property
        return new JoinableQueue<>(QueueFiles.open(name, VARIANT_FIFO, true), codec, options);
    }

    /**
     * Python's {@code task_done()}: marks one taken element as processed.
     *
     * @throws IllegalStateException when called more times than elements were put (Python's {@code ValueError}).
     */
    public void taskDone()
    {
        checkOpen();
        try
        {
            fifo().taskDone();
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
    }

    /**
     * @return the number of elements put and not yet marked done, across all processes.
     */
    public int unfinishedTasks()
    {
        checkOpen();
        try
        {
            return fifo().unfinishedTasks();
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
    }

    /**
     * Python's {@code join()}: blocks until every element put has been marked done.
     *
     * @throws InterruptedException when interrupted while waiting.
     */
    public void join() throws InterruptedException
    {
        checkOpen();
        try
        {
            fifo().join(-1);
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            core.closeIfPending(); // a close that found this wait still asleep left the unmap to it
        }
    }

    /**
     * As {@link #join()}, giving up after {@code timeout}.
     *
     * @param timeout the most to wait.
     * @param unit    its unit.
     * @return true when every task was done, false when the time ran out.
     * @throws InterruptedException when interrupted while waiting.
     */
    public boolean join(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        checkOpen();
        try
        {
            return fifo().join(Math.max(0, unit.toNanos(timeout)));
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            core.closeIfPending(); // a close that found this wait still asleep left the unmap to it
        }
    }
}
