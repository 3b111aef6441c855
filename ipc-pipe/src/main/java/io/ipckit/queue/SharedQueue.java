package io.ipckit.queue;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.file.ResourceFile;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.concurrent.locks.ReentrantLock;

import static io.ipckit.queue.QueueDescriptor.VARIANT_FIFO;

/**
 * Python's {@code multiprocessing.Queue}: a first-in first-out {@link java.util.concurrent.BlockingQueue} shared by
 * any number of producer and consumer processes, see {@link AbstractSharedQueue} for the contract and
 * {@link FifoQueueCore} for the design. Elements of any size pass (longer than a ring record they are split and
 * reassembled, and one consumer gets the whole element); each producer's elements come out in the order it put them.
 * <p>
 * Beyond {@link java.util.concurrent.BlockingQueue}: zero-copy {@link #claim}/{@link #commit}, batch
 * {@link #offerBatch} and {@link #drain}, {@link #receive} in place, and {@link #takeAsync()}.
 * <p>
 * A producer killed while writing never makes a torn element visible and never blocks the others for longer than
 * the 50 ms liveness check; a consumer killed while taking an element that fitted one record leaves it to the
 * others. Thread-safe and process-safe.
 *
 * @param <E> the element type.
 */
public class SharedQueue<E> extends AbstractSharedQueue<E>
{
    SharedQueue(final ResourceFile file, final Codec<E> codec, final QueueOptions options)
    {
        super(new FifoQueueCore(file, options.idleStrategy()), codec);
    }

    /**
     * Creates a queue.
     *
     * @param name    a valid resource name.
     * @param codec   encodes and decodes elements.
     * @param options capacity, element and byte bounds, wait strategy.
     * @param <E>     the element type.
     * @return the queue.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     */
    public static <E> SharedQueue<E> create(final String name, final Codec<E> codec, final QueueOptions options)
    {
        return new SharedQueue<>(QueueFiles.create(name, VARIANT_FIFO, false, options), codec, options);
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
     */
    public static <E> SharedQueue<E> open(final String name, final Codec<E> codec, final QueueOptions options)
    {
        return new SharedQueue<>(QueueFiles.open(name, VARIANT_FIFO, false), codec, options);
    }

    FifoQueueCore fifo()
    {
        return (FifoQueueCore)core;
    }

    /**
     * Batch send: inserts many encoded elements under one hold of the producer lock; element {@code i} is
     * {@code lengths[i]} bytes of {@code src} from {@code offsets[i]}.
     *
     * @param src       the encoded elements.
     * @param offsets   where each starts.
     * @param lengths   each one's length.
     * @param count     how many, from index 0.
     * @param timeoutNs the most to wait for room in total, 0 not to wait, negative without a limit.
     * @return how many were inserted (fewer than {@code count} only when the time ran out).
     * @throws InterruptedException     when interrupted while waiting.
     * @throws IllegalArgumentException when one is longer than {@link QueueOptions#maxMessageBytes}.
     */
    public int offerBatch(final DirectBuffer src, final int[] offsets, final int[] lengths, final int count,
        final long timeoutNs) throws InterruptedException
    {
        checkOpen();
        for (int i = 0; i < count; i++)
        {
            checkLength(lengths[i]);
        }
        final HandleGate gate = core.producerGate();
        final long leftNs = gate.enter(timeoutNs);
        if (leftNs == TIMED_OUT)
        {
            return 0;
        }
        try
        {
            checkOpen();
            return fifo().offerBatch(src, offsets, lengths, count, leftNs);
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Zero-copy send, step 1: reserves room for an encoded element of {@code length} bytes and returns where to
     * write it in {@link #claimBuffer()}. Until {@link #commit()} or {@link #abort(int)} the calling thread holds the
     * queue's producer lock: write and commit promptly. The index is 4-byte aligned (a record's frame word comes
     * first), as are the elements handed to receive handlers.
     *
     * @param length    the element length, at most {@link #maxClaimLength()}.
     * @param timeoutNs the most to wait for room, 0 not to wait, negative without a limit.
     * @return the index to write at, or -1 when the time ran out.
     * @throws InterruptedException     when interrupted while waiting.
     * @throws IllegalArgumentException when longer than {@link #maxClaimLength()}.
     */
    public int claim(final int length, final long timeoutNs) throws InterruptedException
    {
        checkOpen();
        checkLength(length);
        final HandleGate gate = core.producerGate();
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
        finally
        {
            if (!claimed)
            {
                gate.exit();
            }
        }
    }

    /**
     * @return the buffer that indices from {@link #claim} refer to.
     */
    public MutableDirectBuffer claimBuffer()
    {
        return fifo().dataBuffer();
    }

    /**
     * Zero-copy send, step 2: publishes the claimed element and releases the producer lock.
     *
     * @throws IllegalStateException when this thread holds no claim.
     */
    public void commit()
    {
        final HandleGate gate = checkClaimHolder();
        try
        {
            fifo().commitClaim();
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Drops the claimed element; consumers never see it.
     *
     * @param index the index returned by {@link #claim}.
     * @throws IllegalStateException when this thread holds no claim.
     */
    public void abort(final int index)
    {
        final HandleGate gate = checkClaimHolder();
        try
        {
            fifo().abortClaim(index);
        }
        finally
        {
            gate.exit();
        }
    }

    private HandleGate checkClaimHolder()
    {
        final HandleGate gate = core.producerGate();
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
