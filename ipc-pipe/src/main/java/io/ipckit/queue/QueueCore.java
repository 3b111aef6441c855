package io.ipckit.queue;

import io.ipckit.core.codec.Codec;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.pipe.internal.FileFaults;
import io.ipckit.core.internal.kit.CloseGuard;
import org.agrona.DirectBuffer;


/**
 * The byte-level engine under a queue handle: what the typed queues ({@link AbstractSharedQueue}) call after
 * encoding. Implementations: {@link FifoQueueCore} (a byte ring with a producer lock and a consumer lock) and
 * {@link SlotQueueCore} (fixed slots under one lock, for LIFO and priority order).
 * <p>
 * Threads of one handle are serialised by {@link #producerGate()} and {@link #consumerGate()}, which callers hold
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
    HandleGate producerGate();

    /**
     * @return the gate that serialises this handle's consumer-side calls.
     */
    HandleGate consumerGate();

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
     * The object API's fast put of an element that is its own encoding, tried before {@link #offer}: inserts it when
     * that needs no wait and none of the general path's work; the caller holds {@link #producerGate()} and has
     * checked its length. Engines without one insert nothing here.
     *
     * @param encoded the element's bytes.
     * @return true when inserted; false when nothing was (the caller then offers).
     */
    default boolean offerFast(final byte[] encoded)
    {
        return false;
    }

    /** What {@link #takeDecoded} returns when it took nothing. */
    Object NOT_TAKEN = new Object();

    /**
     * The object API's fast take, tried before {@link #poll}: the next element decoded, when it can be taken without
     * a wait and without the general path's work; the caller holds {@link #consumerGate()}. Engines without one take
     * nothing here.
     *
     * @param codec decodes the element.
     * @return the element, or {@link #NOT_TAKEN} when nothing was taken (the caller then polls).
     */
    default Object takeDecoded(final Codec<?> codec)
    {
        return NOT_TAKEN;
    }

    /**
     * Takes the next element and hands it over in place; the caller holds {@link #consumerGate()}. A wait on an empty
     * queue may sleep outside the gate ({@link GateFreeSleep}): the call returns true only inside it, but may return
     * false or throw outside it, so the caller leaves it with {@link HandleGate#exitIfHeld()}.
     *
     * @param timeoutNs the most to wait for an element, 0 not to wait, negative without a limit.
     * @return true when an element was handed over, false when the time ran out.
     */
    boolean poll(BufferHandler handler, long timeoutNs) throws InterruptedException;

    /**
     * Takes up to {@code limit} elements available now under one hold of the lock; the caller holds
     * {@link #consumerGate()}.
     *
     * @return how many were handed over.
     */
    int drain(BufferHandler handler, int limit) throws InterruptedException;

    /**
     * Hands over the next element without taking it; the caller holds {@link #consumerGate()}.
     *
     * @return false when the queue is empty (or its only elements stay held by other consumers' locks for longer
     * than {@link #LOCK_GRACE_NS}).
     */
    boolean peek(BufferHandler handler) throws InterruptedException;

    /**
     * Takes out the first element, in the order they would be taken (lane by lane), that {@code filter} stops at; the
     * caller holds
     * {@link #consumerGate()}. Waits for the consumer lock(s) as long as it takes.
     *
     * @param filter looks at each element until it returns true.
     * @return true when an element was taken out.
     * @throws InterruptedException when interrupted while waiting for a lock.
     */
    boolean remove(ElementFilter filter) throws InterruptedException;

    /**
     * Hands over every queued element in take order without taking any; the caller holds {@link #consumerGate()}.
     */
    void forEach(BufferHandler handler) throws InterruptedException;

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
     * Does the unmap that {@link #close()} left pending because a call was running (see {@link HandleCloser}); called
     * by a call of a closed handle as it leaves, outside both gates.
     */
    void closeIfPending();

    /**
     * @return the size checks and fault translation of the handle's file.
     */
    FileFaults faults();

    /**
     * Removes the queue's name.
     *
     * @return true when this call removed it.
     */
    boolean unlink();
}
