package io.ipckit.queue;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.file.ResourceFile;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static io.ipckit.queue.QueueDescriptor.VARIANT_FIFO;

/**
 * Python's {@code multiprocessing.Queue}: a first-in first-out {@link java.util.concurrent.BlockingQueue} shared by
 * any number of producer and consumer processes, see {@link AbstractSharedQueue} for the contract and
 * {@link FifoQueueCore} for the design. Elements of any size pass (longer than a ring record they are split and
 * reassembled, and one consumer gets the whole element); each producer's elements come out in the order it put them.
 * <p>
 * Beyond {@link java.util.concurrent.BlockingQueue}: zero-copy {@link #tryClaim}/{@link #claim}/{@link #commit},
 * batch {@link #offerBatch} and {@link #drain}, {@link #receive} in place, and {@link #takeAsync()}.
 * <p>
 * A claim pays when the element is built in place (encoded straight into the ring instead of into a buffer first).
 * An element that is already in a buffer is sent faster by {@link #offerBytes}: the copy is then one burst of stores
 * to the record's cache lines, while a claim's caller copies between the claim's stores and the commit's, and a
 * consumer on another core that polls those lines meanwhile makes them move between the cores more than once. Small
 * elements between two busy processes show it most: with 64-byte elements a claim sent at 0.85 to 0.96 of the rate
 * of {@code offerBytes} on the machine measured (Agrona's own {@code tryClaim} at about three quarters of its
 * {@code write}).
 * <p>
 * A producer killed while writing never makes a torn element visible and never blocks the others for longer than
 * the 50 ms liveness check; a consumer killed while taking an element that fitted one record leaves it to the
 * others. Thread-safe and process-safe.
 *
 * @param <E> the element type.
 */
public class SharedQueue<E> extends AbstractSharedQueue<E>
{
    private final FifoQueueCore fifo;

    SharedQueue(final ResourceFile file, final Codec<E> codec, final QueueOptions options)
    {
        super(new FifoQueueCore(file, options), codec);
        fifo = (FifoQueueCore)core;
    }

    /**
     * Creates a queue with the default options and codec ({@link Codecs#serializable(String...)}), as Python's
     * {@code Queue()}.
     *
     * @param name a valid resource name.
     * @param <E>  the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws io.ipckit.core.exceptions.InvalidNameException    when the name is not valid.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> SharedQueue<E> create(final String name)
    {
        return create(name, Codecs.serializable(), new QueueOptions());
    }

    /**
     * Creates a queue with the default codec ({@link Codecs#serializable(String...)}), as Python's
     * {@code Queue(maxsize)}.
     *
     * @param name    a valid resource name.
     * @param options capacity, element and byte bounds, producer lanes, wait strategy.
     * @param <E>     the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     */
    public static <E> SharedQueue<E> create(final String name, final QueueOptions options)
    {
        return create(name, Codecs.serializable(), options);
    }

    /**
     * Creates a queue.
     *
     * @param name    a valid resource name.
     * @param codec   encodes and decodes elements.
     * @param options capacity, element and byte bounds, producer lanes, wait strategy.
     * @param <E>     the element type.
     * @return the queue.
     * @throws IllegalArgumentException when {@code options} sets slotBytes (a FIFO queue has rings, not slots).
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     */
    public static <E> SharedQueue<E> create(final String name, final Codec<E> codec, final QueueOptions options)
    {
        return new SharedQueue<>(QueueFiles.create(name, VARIANT_FIFO, false, options), codec, options);
    }

    /**
     * Opens a queue with the default codec ({@link Codecs#serializable(String...)}).
     *
     * @param name the queue's name.
     * @param <E>  the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException  when no such name exists.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a FIFO queue.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> SharedQueue<E> open(final String name)
    {
        return open(name, Codecs.serializable(), new QueueOptions());
    }

    /**
     * Opens a queue created by another process (or this one).
     *
     * @param name  the queue's name.
     * @param codec encodes and decodes elements; must match the creator's.
     * @param <E>   the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException  when no such name exists.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a FIFO queue.
     * @throws IllegalArgumentException when a default given by a {@link QueueOptions} system property is refused;
     *                                  the message names the property.
     */
    public static <E> SharedQueue<E> open(final String name, final Codec<E> codec)
    {
        return open(name, codec, new QueueOptions());
    }

    /**
     * Opens a queue; only the wait strategy of {@code options} applies.
     *
     * @param name    the queue's name.
     * @param codec   encodes and decodes elements.
     * @param options this handle's wait strategy.
     * @param <E>     the element type.
     * @return the queue.
     * @throws IllegalArgumentException when {@code options} sets an option fixed at creation (capacity, bounds,
     *                                  slots, lanes); the message names it.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException  when no such name exists.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a FIFO queue.
     */
    public static <E> SharedQueue<E> open(final String name, final Codec<E> codec, final QueueOptions options)
    {
        options.requireOpenOnly(name);
        return new SharedQueue<>(QueueFiles.open(name, VARIANT_FIFO, false), codec, options);
    }

    FifoQueueCore fifo()
    {
        return fifo;
    }

    /**
     * Batch send: inserts many encoded elements under one hold of the producer lock; element {@code i} is
     * {@code lengths[i]} bytes of {@code src} from {@code offsets[i]}, for {@code i} from {@code start} to
     * {@code start + count - 1}.
     *
     * @param src     the encoded elements.
     * @param offsets where each starts.
     * @param lengths each one's length.
     * @param start   the index in {@code offsets} and {@code lengths} of the first element.
     * @param count   how many.
     * @param timeout the most to wait for room in total; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @return how many were inserted, the first ones (fewer than {@code count} only when the time ran out).
     * @throws InterruptedException      when interrupted while waiting.
     * @throws IllegalArgumentException  when one is longer than {@link QueueOptions#maxMessageBytes} (none is sent).
     * @throws IndexOutOfBoundsException when {@code start} and {@code count} do not lie within both arrays, or an
     *                                   element's slice not within {@code src} (none is sent).
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this handle is closed.
     */
    public int offerBatch(final DirectBuffer src, final int[] offsets, final int[] lengths, final int start,
        final int count, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        Objects.checkFromIndexSize(start, count, Math.min(offsets.length, lengths.length));
        checkOpen();
        for (int i = start, end = start + count; i < end; i++)
        {
            Objects.checkFromIndexSize(offsets[i], lengths[i], src.capacity()); // before anything is reserved
            checkLength(lengths[i]);
        }
        final long timeoutNs = timeoutNs(timeout, unit);
        final HandleGate gate = fifo.producerGate();
        final long leftNs = gate.enter(timeoutNs);
        if (leftNs == TIMED_OUT)
        {
            return 0;
        }
        try
        {
            checkOpen();
            return fifo().offerBatch(src, offsets, lengths, start, count, leftNs);
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Zero-copy send, step 1, without waiting for room: as {@link #claim(int, long, TimeUnit)} with no wait (a
     * producer lock another process holds briefly is waited for; an interrupt meanwhile is left pending and the
     * claim fails).
     *
     * @param length the element length, at most {@link #maxClaimLength()}.
     * @return the index to write at in {@link #claimBuffer()}, or a negative value when there is no room now.
     * @throws IllegalArgumentException when longer than {@link #maxClaimLength()} or negative.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this handle is closed.
     */
    public int tryClaim(final int length)
    {
        final int index = claimSole(length);
        if (index >= 0)
        {
            return index;
        }
        final boolean interrupted = Thread.interrupted(); // a call that does not wait leaves the flag as it found it
        try
        {
            return claimNs(length, 0);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt(); // interrupted during the call's brief wait for the lock
            return -1;
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Zero-copy send, step 1: reserves room for an encoded element of {@code length} bytes and returns where to
     * write it in {@link #claimBuffer()}. Until {@link #commit(int)} or {@link #abort(int)} the calling thread holds
     * the queue's producer lock: write and commit promptly. The index is 4-byte aligned (a record's frame word comes
     * first), as are the elements handed to receive handlers.
     *
     * @param length  the element length, at most {@link #maxClaimLength()}.
     * @param timeout the most to wait for room; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @return the index to write at, or a negative value when the time ran out.
     * @throws InterruptedException     when interrupted while waiting.
     * @throws IllegalArgumentException when longer than {@link #maxClaimLength()} or negative.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this handle is closed.
     */
    public int claim(final int length, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return claimNs(length, timeoutNs(timeout, unit));
    }

    /**
     * The claim of the handle's sole producing thread when it holds its lane at once and there is room: no interrupt
     * flag to read or restore, and no lock to wait for.
     *
     * @return the index, or -1 when the general path must claim (the gate is left then).
     */
    private int claimSole(final int length)
    {
        final HandleGate gate = fifo.producerGate();
        if (!gate.enterSoleNow())
        {
            return -1;
        }
        int index = -1;
        try
        {
            checkOpen();
            index = fifo.claimLean(length); // NOT_LEAN for a length out of bounds
            if (index == FifoProducer.NOT_LEAN)
            {
                checkLength(length);
                index = fifo.claimFast(length);
            }
            return index;
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            if (index < 0)
            {
                gate.exit(true);
            }
        }
    }

    private int claimNs(final int length, final long timeoutNs) throws InterruptedException
    {
        checkOpen();
        checkLength(length);
        final HandleGate gate = fifo.producerGate();
        final long leftNs = gate.enter(timeoutNs);
        if (leftNs == TIMED_OUT)
        {
            return -1;
        }
        boolean claimed = false;
        try
        {
            checkOpen();
            final int index = fifo().claim(length, leftNs);
            claimed = index >= 0;
            return index;
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            if (!claimed)
            {
                gate.exit();
            }
        }
    }

    /**
     * @return the buffer that indices from {@link #tryClaim} and {@link #claim} refer to; valid while this handle is
     *         open or a claim of it is outstanding.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this handle is closed.
     */
    public MutableDirectBuffer claimBuffer()
    {
        checkOpen(); // after the close the buffer may be over unmapped memory
        return fifo().dataBuffer();
    }

    /**
     * Zero-copy send, step 2: publishes the claimed element and releases the producer lock.
     *
     * @param index the index the claim returned.
     * @throws IllegalStateException    when this thread holds no claim.
     * @throws IllegalArgumentException when {@code index} is not the claim's: the claim is then dropped, never
     *                                  published.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this handle was closed after the claim: the
     *                                                           claim is dropped, never published.
     */
    public void commit(final int index)
    {
        final HandleGate fastGate = fifo.producerGate();
        if (fastGate.isSoleThread() && !guard.isClosed())
        {
            final boolean committed;
            try
            {
                // a lean claim is only ever made by the sole thread inside the gate, and keeps it inside until its
                // commit; a fast claim may also be made through the gate's lock, whose holder leaves it otherwise
                committed = fifo.commitLean(index) || fastGate.isSoleInCall() && fifo.commitFast(index);
            }
            catch (final InternalError ex)
            {
                fastGate.exit(true);
                throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
            }
            if (committed)
            {
                fastGate.exit(true);
                return;
            }
        }
        final HandleGate gate = checkClaimHolder("commit", index);
        try
        {
            fifo().commitClaim(index);
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Drops the claimed element; consumers never see it.
     *
     * @param index the index the claim returned.
     * @throws IllegalStateException    when this thread holds no claim.
     * @throws IllegalArgumentException when {@code index} is not the claim's (the claim is dropped all the same).
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this handle was closed after the claim: the
     *                                                           claim is dropped, never published.
     */
    public void abort(final int index)
    {
        final HandleGate gate = checkClaimHolder("abort", index);
        try
        {
            fifo().abortClaim(index);
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            gate.exit();
        }
    }

    private HandleGate checkClaimHolder(final String what, final int index)
    {
        final HandleGate gate = fifo.producerGate();
        if (guard.isClosed())
        {
            if (gate.isHeldByCurrentThread())
            {
                // the claim outlived its handle's close: drop it (never published), then do the unmap the close left
                try
                {
                    fifo().abortClaim(index);
                }
                catch (final IllegalArgumentException ignore)
                {
                    // another index than the claim's: the claim is dropped all the same
                }
                finally
                {
                    gate.exit();
                    core.closeIfPending();
                }
            }
            throw new io.ipckit.core.exceptions.ResourceClosedException(what + "(" + index + ") on " + core +
                ", which is closed in this process: the claim was dropped, nothing is published");
        }
        if (!gate.isHeldByCurrentThread())
        {
            throw new IllegalStateException("this thread holds no claim on " + core + ": call claim first");
        }
        return gate;
    }

    /**
     * @return the longest element {@link #claim} accepts (an eighth of the ring); the copying methods take any size.
     */
    public int maxClaimLength()
    {
        return fifo().maxClaimLength();
    }
}
