package io.ipckit.queue;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.pipe.MessageHandler;
import io.ipckit.pipe.support.CloseGuard;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The byte-level engine under a queue handle: what the typed queues ({@link AbstractSharedQueue}) call after
 * encoding. Implementations: {@link FifoQueueCore} (a byte ring with a producer lock and a consumer lock) and
 * {@link SlotQueueCore} (fixed slots under one lock, for LIFO and priority order).
 * <p>
 * Threads of one handle are serialised by {@link #producerGate()} and {@link #consumerMutex()}, which callers hold
 * around every producer-side or consumer-side call; processes are serialised by locks (or lanes) in the file.
 */
interface QueueCore extends AutoCloseable
{
    /** How long a non-blocking call waits for a lock that another process holds only briefly. */
    long LOCK_GRACE_NS = 2_000_000L;

    /**
     * @return the queue's name.
     */
    String name();

    /**
     * @return the gate that serialises this handle's producer-side calls.
     */
    ProducerGate producerGate();

    /**
     * @return the lock that serialises this process's consumer-side calls.
     */
    ReentrantLock consumerMutex();

    /**
     * @return the longest encoded element accepted.
     */
    int maxMessageBytes();

    /**
     * Inserts one encoded element; the caller holds {@link #producerGate()}.
     *
     * @param key       the priority key (ignored by FIFO and LIFO).
     * @param timeoutNs the most to wait for room, 0 not to wait, negative without a limit.
     * @return true when inserted, false when the time ran out.
     */
    boolean offer(DirectBuffer src, int offset, int length, long key, long timeoutNs) throws InterruptedException;

    /**
     * Takes the next element and hands it over in place; the caller holds {@link #consumerMutex()}.
     *
     * @param timeoutNs the most to wait for an element, 0 not to wait, negative without a limit.
     * @return true when an element was handed over, false when the time ran out.
     */
    boolean poll(MessageHandler handler, long timeoutNs) throws InterruptedException;

    /**
     * Takes up to {@code limit} elements available now under one hold of the lock; the caller holds
     * {@link #consumerMutex()}.
     *
     * @return how many were handed over.
     */
    int drain(MessageHandler handler, int limit) throws InterruptedException;

    /**
     * Hands over the next element without taking it; the caller holds {@link #consumerMutex()}.
     *
     * @return false when the queue is empty.
     */
    boolean peek(MessageHandler handler) throws InterruptedException;

    /**
     * Hands over every queued element in take order without taking any; the caller holds {@link #consumerMutex()}.
     */
    void forEach(MessageHandler handler) throws InterruptedException;

    /**
     * @return the number of queued elements at some moment during the call.
     */
    int size();

    /**
     * @return how many more elements the element bound admits.
     */
    int remainingCapacity();

    /**
     * @return the guard that makes {@link #close()} safe for blocked threads.
     */
    CloseGuard guard();

    /**
     * Closes the handle: wakes and waits out blocked threads, then unmaps once in-flight calls have left.
     */
    @Override
    void close();

    /**
     * Unmaps {@code file} once no thread is inside the producer gate or holds the consumer mutex (waiting at most 5 s
     * for each); {@code beforeUnmap} runs first when the gate was entered.
     */
    static void closeWhenIdle(final ResourceFile file, final ProducerGate producerGate,
        final ReentrantLock consumerMutex, final Runnable beforeUnmap)
    {
        boolean producerHeld = false;
        boolean consumerHeld = false;
        try
        {
            producerHeld = producerGate.enter(TimeUnit.SECONDS.toNanos(5)) != AbstractSharedQueue.TIMED_OUT;
            consumerHeld = consumerMutex.tryLock(5, TimeUnit.SECONDS);
            if (producerHeld)
            {
                beforeUnmap.run();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            file.close();
            if (consumerHeld)
            {
                consumerMutex.unlock();
            }
            if (producerHeld)
            {
                producerGate.exit();
            }
        }
    }

    /**
     * Removes the queue's name.
     *
     * @return true when this call removed it.
     */
    boolean unlink();
}
