package io.ipckit.queue;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.pipe.BufferHandler;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BlockingQueue} shared between processes: the part common to every queue variant. Elements are encoded by
 * a {@link Codec} into the shared file and decoded by whoever takes them; every method keeps the meaning
 * {@link BlockingQueue} documents — {@link #put} blocks while the queue is full, {@link #take} while it is empty,
 * the timed {@link #offer(Object, long, TimeUnit)} and {@link #poll(long, TimeUnit)} give up after the timeout, and
 * nulls are refused with {@link NullPointerException}. An element whose decoding throws is taken all the same: the
 * codec's exception reaches the caller, and the next take gets the next element.
 * <p>
 * Bounds: a number of elements (Python's {@code maxsize}, {@link #remainingCapacity()}), the bytes of the shared
 * region, and {@link QueueOptions#maxMessageBytes} per element: an element that encodes to more is refused with
 * {@link IllegalArgumentException}. Room that a consumer frees while elements remain reaches producers in steps of a
 * sixteenth of the ring (or of the element bound): until a step is complete, or the queue is empty, an
 * {@link #offer(Object)} that does not wait may find the queue full while that part is free; a waiting put finds it.
 * <p>
 * Blocking calls sleep on a futex (or poll with the handle's {@link org.agrona.concurrent.IdleStrategy}) and check
 * every 50 ms whether a process holding a lock of the queue died, taking the lock over if so; a take from an
 * unordered queue with every lane empty, and a put that holds its lane and lacks room, depend on no process and sleep
 * until a put (or a take) rings. Timeouts follow
 * {@code java.util.concurrent}: zero or less means "do not wait", and the forms without a timeout wait without
 * limit; every call that waits for room or for an element throws {@link InterruptedException} when interrupted.
 * The calls that do not wait for either ({@link #offer(Object)}, {@link #poll()}, {@link #peek()}, {@link #drain},
 * {@link #remove(Object)}, {@link #iterator()}) may wait for a lock another process holds; they leave an interrupt
 * pending, as {@link java.util.concurrent.locks.ReentrantLock#lock()} does.
 * <p>
 * Thread-safe and process-safe. {@link #iterator()} is a weakly consistent snapshot; {@link #remove(Object)} (and
 * through it the iterator's {@code remove} and the bulk removals) takes an element out of the queue for every
 * process. {@link #close()} must not race with calls in progress.
 * <p>
 * A file that another process truncates while this one uses it: calls fail with
 * {@link io.ipckit.core.exceptions.CorruptResourceException} naming the file instead of crashing the JVM, and
 * {@link #close()} only unmaps it. Sizes are checked on the slow paths (waits, liveness looks, close), faults of
 * plain accesses are translated at the public edge; the narrow window Linux leaves open (an atomic instruction on a
 * page lost after the last check) is described in {@link io.ipckit.pipe.internal.FileFaults}. A fault on a page of a
 * buffer the caller passes (a mapping of a file since truncated) is not the queue's: it comes back as the
 * {@link InternalError} HotSpot raises, the put publishes nothing (or, in compiled code that raises it a little late,
 * the bytes it could copy), and the queue keeps working.
 * <p>
 * Length: about 650 lines, over the usual 600, because it holds one concept whose parts do not separate without a
 * cost: the whole {@link BlockingQueue} contract plus its byte-level forms ({@link #putBytes}, {@link #offerBytes},
 * {@link #receive}, {@link #drain}) over one codec and two gates. Each blocking form repeats the few lines of gate
 * entry rather than share them through a lambda, which would allocate on the put and take paths. The iterator and
 * the engines live elsewhere ({@link SnapshotIterator}, {@link QueueCore}).
 *
 * @param <E> the element type.
 */
public abstract class AbstractSharedQueue<E> extends AbstractQueue<E> implements BlockingQueue<E>, AutoCloseable
{
    private static final byte[] NO_BYTES = new byte[0];

    final QueueCore core;
    /** The core's close guard, read on every call: held here so that a call reaches it without the core. */
    final CloseGuard guard;
    final Codec<E> codec;
    final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(256);
    /** Wraps, for one put, an element that is its own encoding ({@link Codec#encodedArray}). */
    private final UnsafeBuffer encodedView = new UnsafeBuffer(NO_BYTES);
    private final BufferHandler decodeHandler = this::onDecode;
    private E decoded;

    AbstractSharedQueue(final QueueCore core, final Codec<E> codec)
    {
        this.core = core;
        this.guard = core.guard();
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /**
     * @return the queue's name.
     */
    public String name()
    {
        return core.name();
    }

    /**
     * The key under which an element is stored; lower keys come out first in priority queues. FIFO and LIFO
     * queues ignore it.
     *
     * @param element the element.
     * @return its key.
     */
    long keyOf(final E element)
    {
        return 0;
    }

    // ------------------------------------------------------------------------------------------------ producer

    /**
     * Inserts the element if that is possible without waiting (a lock briefly held by another process is waited
     * for, a full queue is not).
     *
     * @param element the element, not null.
     * @return true when inserted, false when the queue is full.
     * @throws NullPointerException     when the element is null.
     * @throws IllegalArgumentException when it encodes to more than {@link QueueOptions#maxMessageBytes} bytes.
     */
    @Override
    public boolean offer(final E element)
    {
        // a call that does not wait ignores the interrupt flag and leaves it set, as ArrayBlockingQueue.offer does
        final boolean interrupted = Thread.interrupted();
        try
        {
            return offerNs(element, 0);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt(); // interrupted during the call's brief wait for the lock
            return false;
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
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when the element encodes to more than {@link QueueOptions#maxMessageBytes}.
     */
    @Override
    public boolean offer(final E element, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return offerNs(element, timeoutNs(timeout, unit));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when the element encodes to more than {@link QueueOptions#maxMessageBytes}.
     */
    @Override
    public void put(final E element) throws InterruptedException
    {
        offerNs(element, -1);
    }

    private boolean offerNs(final E element, final long timeoutNs) throws InterruptedException
    {
        Objects.requireNonNull(element, "a queue does not take null elements");
        checkOpen();
        final HandleGate gate = core.producerGate();
        final boolean sole = gate.enterSole(timeoutNs);
        final long leftNs = sole ? timeoutNs : gate.enter(timeoutNs);
        if (!sole && leftNs == TIMED_OUT) // a timeout of Long.MIN_VALUE means no limit, as any negative one
        {
            return false;
        }
        try
        {
            checkOpen();
            final byte[] encoded = codec.encodedArray(element);
            if (encoded != null)
            {
                return offerEncoded(encoded, keyOf(element), leftNs);
            }
            final int length = codec.encode(element, scratch, 0);
            checkLength(length);
            return core.offer(scratch, 0, length, keyOf(element), leftNs);
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            gate.exit(sole);
        }
    }

    /**
     * Puts an element that is its own encoding, copied once, straight from its array. Inside the producer gate.
     */
    private boolean offerEncoded(final byte[] encoded, final long key, final long timeoutNs)
        throws InterruptedException
    {
        checkLength(encoded.length);
        if (core.offerFast(encoded))
        {
            return true;
        }
        encodedView.wrap(encoded);
        try
        {
            return core.offer(encodedView, 0, encoded.length, key, timeoutNs);
        }
        finally
        {
            encodedView.wrap(NO_BYTES); // keeps no reference to the caller's array
        }
    }

    /**
     * Byte form of {@link #put(Object)}: inserts {@code length} bytes of {@code src} as one element, as if encoded by
     * the codec, waiting for room without limit.
     *
     * @param src    the encoded element.
     * @param offset where it starts.
     * @param length its length.
     * @throws InterruptedException     when interrupted while waiting.
     * @throws IndexOutOfBoundsException when the slice does not lie within {@code src} (nothing is inserted).
     * @throws IllegalArgumentException when longer than {@link QueueOptions#maxMessageBytes}.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this handle is closed.
     */
    public void putBytes(final DirectBuffer src, final int offset, final int length) throws InterruptedException
    {
        offerBytesNs(src, offset, length, -1);
    }

    /**
     * Byte form of {@link #offer(Object, long, TimeUnit)}: inserts {@code length} bytes of {@code src} as one
     * element, as if encoded by the codec.
     *
     * @param src     the encoded element.
     * @param offset  where it starts.
     * @param length  its length.
     * @param timeout the most to wait for room; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @return true when inserted, false when the time ran out.
     * @throws InterruptedException     when interrupted while waiting.
     * @throws IndexOutOfBoundsException when the slice does not lie within {@code src} (nothing is inserted).
     * @throws IllegalArgumentException when longer than {@link QueueOptions#maxMessageBytes}.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this handle is closed.
     */
    public boolean offerBytes(
        final DirectBuffer src, final int offset, final int length, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        return offerBytesNs(src, offset, length, timeoutNs(timeout, unit));
    }

    private boolean offerBytesNs(final DirectBuffer src, final int offset, final int length, final long timeoutNs)
        throws InterruptedException
    {
        // before anything is reserved or locked: a copy that fails half-way must never leave a record behind
        Objects.checkFromIndexSize(offset, length, src.capacity());
        checkLength(length); // and whether the queue is open, once inside the gate
        final HandleGate gate = core.producerGate();
        final boolean sole = gate.enterSole(timeoutNs);
        final long leftNs = sole ? timeoutNs : gate.enter(timeoutNs);
        if (!sole && leftNs == TIMED_OUT) // a timeout of Long.MIN_VALUE means no limit, as any negative one
        {
            return false;
        }
        try
        {
            checkOpen();
            return core.offer(src, offset, length, 0, leftNs);
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            gate.exit(sole);
        }
    }

    // ------------------------------------------------------------------------------------------------ consumer

    /**
     * Retrieves and removes the head if one is available without waiting for data (a lock briefly held by another
     * process is waited for).
     *
     * @return the head, or null when the queue is empty.
     */
    @Override
    public E poll()
    {
        // a call that does not wait ignores the interrupt flag and leaves it set, as ArrayBlockingQueue.poll does
        final boolean interrupted = Thread.interrupted();
        try
        {
            return pollNs(0);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt(); // interrupted during the call's brief wait for the lock
            return null;
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
     * {@inheritDoc}
     */
    @Override
    public E poll(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return pollNs(timeoutNs(timeout, unit));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public E take() throws InterruptedException
    {
        return pollNs(-1);
    }

    private E pollNs(final long timeoutNs) throws InterruptedException
    {
        checkOpen();
        final HandleGate gate = core.consumerGate();
        final boolean sole = gate.enterSole(timeoutNs);
        final long leftNs = sole ? timeoutNs : gate.enter(timeoutNs);
        if (!sole && leftNs == TIMED_OUT) // a timeout of Long.MIN_VALUE means no limit, as any negative one
        {
            return null;
        }
        boolean waited = false;
        try
        {
            checkOpen();
            final Object element = core.takeDecoded(codec);
            if (element != QueueCore.NOT_TAKEN)
            {
                @SuppressWarnings("unchecked") final E taken = (E)element; // decoded by this queue's codec
                return taken;
            }
            decoded = null;
            waited = true;
            // true only inside the gate: a wait that ran out outside it must not read another thread's peek
            return core.poll(decodeHandler, leftNs) ? decoded : null;
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            if (!waited)
            {
                decoded = null;
                gate.exit(sole);
            }
            else if (gate.isHeldByCurrentThread()) // a wait on an empty queue may have left it (GateFreeSleep)
            {
                decoded = null;
                gate.exit();
            }
            core.closeIfPending(); // a handle closed from inside this call is unmapped now
        }
    }

    /**
     * Zero-copy form of {@link #take()}: hands the next element's bytes, in place, to the handler, waiting for one
     * without limit.
     *
     * @param handler given the encoded element; the bytes are valid only during the call.
     * @throws InterruptedException when interrupted while waiting.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this handle is closed.
     */
    public void receive(final BufferHandler handler) throws InterruptedException
    {
        receiveNs(handler, -1);
    }

    /**
     * Zero-copy form of {@link #poll(long, TimeUnit)}: hands the next element's bytes, in place, to the handler.
     *
     * @param handler given the encoded element; the bytes are valid only during the call.
     * @param timeout the most to wait for an element; zero or less not to wait.
     * @param unit    the unit of {@code timeout}.
     * @return true when an element was handed over, false when the time ran out.
     * @throws InterruptedException when interrupted while waiting.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this handle is closed.
     */
    public boolean receive(final BufferHandler handler, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        return receiveNs(handler, timeoutNs(timeout, unit));
    }

    private boolean receiveNs(final BufferHandler handler, final long timeoutNs) throws InterruptedException
    {
        checkOpen();
        final HandleGate gate = core.consumerGate();
        final boolean sole = gate.enterSole(timeoutNs);
        final long leftNs = sole ? timeoutNs : gate.enter(timeoutNs);
        if (!sole && leftNs == TIMED_OUT) // a timeout of Long.MIN_VALUE means no limit, as any negative one
        {
            return false;
        }
        try
        {
            checkOpen();
            return core.poll(handler, leftNs);
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            gate.exitIfHeld(); // a wait on an empty queue may have left the gate (GateFreeSleep)
            core.closeIfPending(); // a handler that closed the handle: unmapped now
        }
    }

    /**
     * Batch receive: hands every element available now, up to {@code limit}, to the handler in place, under one
     * hold of the consumer lock. Does not wait for elements.
     *
     * @param handler given each encoded element.
     * @param limit   the most elements.
     * @return how many were handed over.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this handle is closed.
     */
    public int drain(final BufferHandler handler, final int limit)
    {
        final HandleGate gate = core.consumerGate();
        gate.enterUninterruptibly();
        try
        {
            checkOpen();
            return core.drain(handler, limit);
        }
        catch (final InterruptedException ex)
        {
            // interrupted in the brief wait for a lane another consumer holds, before any element was handed over
            Thread.currentThread().interrupt();
            return 0;
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            gate.exit();
            core.closeIfPending(); // a handler that closed the handle: unmapped now
        }
    }

    /**
     * A receive for asynchronous callers: completes with the next element, taken on a virtual thread.
     *
     * @return a future completed with the element, or exceptionally (e.g. when the queue is closed).
     */
    public CompletableFuture<E> takeAsync()
    {
        final CompletableFuture<E> future = new CompletableFuture<>();
        Thread.ofVirtual().name("ipckit-take-" + name()).start(() ->
        {
            try
            {
                future.complete(take());
            }
            catch (final Throwable ex)
            {
                future.completeExceptionally(ex);
            }
        });
        return future;
    }

    /**
     * A receive for asynchronous callers with a timeout: completes with the next element, or with null when none
     * arrived in time.
     *
     * @param timeout the most to wait.
     * @param unit    its unit.
     * @return a future completed with the element or null.
     */
    public CompletableFuture<E> pollAsync(final long timeout, final TimeUnit unit)
    {
        final CompletableFuture<E> future = new CompletableFuture<>();
        Thread.ofVirtual().name("ipckit-poll-" + name()).start(() ->
        {
            try
            {
                future.complete(poll(timeout, unit));
            }
            catch (final Throwable ex)
            {
                future.completeExceptionally(ex);
            }
        });
        return future;
    }

    /**
     * Retrieves, without removing it, the element this handle's next poll would take: it stays in the queue for
     * every consumer. One exception, in a FIFO queue: when that element is split over several records whose last one
     * is not published yet (still being written, or left by a writer that died or gave up), peek takes an element as
     * a poll would (waiting for the rest, or discarding the remains and taking the next) and keeps it in this handle,
     * whose next poll returns it; other handles no longer see it.
     *
     * @return the head, or null when the queue is empty.
     */
    @Override
    public E peek()
    {
        @SuppressWarnings("unchecked") final E head = (E)inspect(PEEK, null, null); // decoded by this queue's codec
        return head;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int drainTo(final Collection<? super E> target)
    {
        return drainTo(target, Integer.MAX_VALUE);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int drainTo(final Collection<? super E> target, final int maxElements)
    {
        Objects.requireNonNull(target, "target");
        if (target == this)
        {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        if (maxElements <= 0)
        {
            return 0;
        }
        return drain((buffer, offset, length) -> target.add(codec.decode(buffer, offset, length)), maxElements);
    }

    // ---------------------------------------------------------------------------------------------- inspection

    /**
     * @return the number of elements queued, across all processes, at some moment during the call.
     */
    @Override
    public int size()
    {
        checkOpen();
        try
        {
            return core.size();
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex);
        }
    }

    /**
     * @return how many more elements fit by the element bound ({@link Integer#MAX_VALUE} when there is none); the
     *         byte bound may refuse fewer.
     */
    @Override
    public int remainingCapacity()
    {
        checkOpen();
        try
        {
            return core.remainingCapacity();
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex);
        }
    }

    /**
     * Removes one element equal to {@code o} from the queue for every process: each queued element is decoded and
     * compared by {@link Objects#deepEquals} (so arrays compare by content: queued elements are decoded copies, never
     * the caller's instance) until one matches, in the order they would be taken (of a FIFO queue with
     * producer lanes: lane by lane, each in order). Waits for the consumer lock of each lane it looks at while another
     * consumer holds it. {@link #size()} and the element bound count the element out at once; its bytes return to
     * producers at once when it was first in its lane, otherwise when consumers reach its place. In a
     * {@link JoinableQueue} the removed element counts as done, as if it had been taken and {@code taskDone} called.
     *
     * @param o the element to remove.
     * @return true when an element was removed; false when none is equal (always for null, which no queue holds).
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this handle is closed.
     */
    @Override
    public boolean remove(final Object o)
    {
        if (o == null)
        {
            return false;
        }
        return (Boolean)inspect(REMOVE,
            (buffer, offset, length) -> Objects.deepEquals(o, codec.decode(buffer, offset, length)), null);
    }

    /**
     * @return a snapshot of the queued elements in the order they would be taken (of a FIFO queue with producer
     * lanes: lane by lane, each in order). Its {@code remove} takes out of the
     * queue the first element equal to the one {@code next} returned last (elements are values, decoded copies), so
     * {@code removeIf}, {@code removeAll} and {@code retainAll} work across processes too.
     */
    @Override
    public Iterator<E> iterator()
    {
        return new SnapshotIterator<>(this, snapshot().iterator());
    }

    /**
     * @return a spliterator over a snapshot taken as {@link #iterator()} takes one, of the size the snapshot has: the
     * queue's own size may change before the walk, as other processes put and take, and a stream sized by it would
     * fail ({@code AbstractQueue}'s default spliterator is sized by {@link #size()}).
     */
    @Override
    public Spliterator<E> spliterator()
    {
        final List<E> snapshot = snapshot();
        return Spliterators.spliterator(new SnapshotIterator<>(this, snapshot.iterator()), snapshot.size(),
            Spliterator.ORDERED | Spliterator.NONNULL);
    }

    /**
     * @return the queued elements, decoded, in the order they would be taken.
     */
    private List<E> snapshot()
    {
        final List<E> snapshot = new ArrayList<>();
        inspect(FOR_EACH, null, snapshot);
        return snapshot;
    }

    private static final int PEEK = 0;
    private static final int REMOVE = 1;
    private static final int FOR_EACH = 2;

    /**
     * Peeks (the head, decoded), removes the first element {@code filter} stops at, or collects every element into
     * {@code snapshot}, under the consumer gate. The core may wait for a lane's consumer lock: an interrupt then starts
     * the look again (nothing was taken or removed yet) and is left pending, as {@code ReentrantLock.lock()} does.
     *
     * @return the head or null (peek), whether an element was removed (remove), or true (every element).
     */
    private Object inspect(final int what, final ElementFilter filter, final List<E> snapshot)
    {
        checkOpen();
        final HandleGate gate = core.consumerGate();
        gate.enterUninterruptibly();
        boolean interrupted = false;
        try
        {
            while (true)
            {
                checkOpen();
                try
                {
                    if (what == PEEK)
                    {
                        // read inside the gate: a take of another thread of this handle writes it while it waits
                        decoded = null;
                        final E head = core.peek(decodeHandler) ? decoded : null;
                        decoded = null;
                        return head;
                    }
                    if (what == REMOVE)
                    {
                        return core.remove(filter);
                    }
                    snapshot.clear();
                    core.forEach((buffer, offset, length) -> snapshot.add(codec.decode(buffer, offset, length)));
                    return Boolean.TRUE;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        catch (final InternalError ex)
        {
            throw core.faults().corrupt(ex); // a fault on a page of a file another process truncated
        }
        finally
        {
            gate.exit();
            core.closeIfPending(); // a filter or codec that closed the handle: unmapped now
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    // -------------------------------------------------------------------------------------------------- common

    private void onDecode(final DirectBuffer buffer, final int offset, final int length)
    {
        decoded = codec.decode(buffer, offset, length);
    }

    void checkLength(final int length)
    {
        if (length > core.maxMessageBytes())
        {
            throw new IllegalArgumentException("element encodes to " + length + " bytes, over the " +
                core.maxMessageBytes() + "-byte bound of " + core + " (QueueOptions.maxMessageBytes): send it " +
                "in parts or create the queue with a larger bound");
        }
    }

    void checkOpen()
    {
        guard.checkOpen();
    }

    /** What {@link HandleGate#enter} returns when the time ran out. */
    static final long TIMED_OUT = Long.MIN_VALUE;

    static long remainingNs(final long startNs, final long timeoutNs)
    {
        if (timeoutNs <= 0)
        {
            return timeoutNs < 0 ? -1 : 0; // never TIMED_OUT, whatever negative value a caller gave
        }
        return Math.max(1, timeoutNs - (System.nanoTime() - startNs));
    }

    /**
     * @return the timeout in nanoseconds for the core, 0 ("do not wait") for any timeout of zero or less.
     */
    static long timeoutNs(final long timeout, final TimeUnit unit)
    {
        return timeout <= 0 ? 0 : unit.toNanos(timeout);
    }

    /**
     * Lets go of the queue in this process (unmaps it); the queue and its elements stay for the other processes.
     * Threads of this process blocked on it wake with {@link io.ipckit.core.exceptions.ResourceClosedException}.
     * Idempotent.
     */
    @Override
    public void close()
    {
        core.close();
    }

    /**
     * Removes the queue's name; processes that have it open keep using it until they close it.
     *
     * @return true when this call removed it.
     */
    public boolean unlink()
    {
        return core.unlink();
    }

    /**
     * @return a description for diagnostics.
     */
    @Override
    public String toString()
    {
        return core.toString();
    }
}
