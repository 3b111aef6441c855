package io.ipckit.queue;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.pipe.internal.FileFaults;
import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.OwnerLock;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import static io.ipckit.queue.QueueDescriptor.*;
import static io.ipckit.queue.SlotDescriptor.*;

/**
 * LIFO and priority order over a fixed array of slots ({@link SlotDescriptor}) under one lock with dead-owner
 * takeover. An element goes into any free slot with its key (the priority, or minus the insertion sequence for
 * LIFO) and an insertion sequence; a take scans the used slots for the lowest (key, sequence). Linear scans keep
 * every change a single store — a slot's state — so a process killed anywhere leaves a consistent queue; the element
 * count, which is only a hint kept beside the states, is recounted by whoever takes the lock over from a dead holder.
 * <p>
 * Meant for hundreds to thousands of slots; use the FIFO queue for throughput. Threads are serialised by the
 * mutexes, see {@link QueueCore}.
 */
final class SlotQueueCore implements QueueCore
{
    private final ResourceFile file;
    private final AtomicBuffer buffer;
    private final String description;
    private final boolean lifo;
    private final int slots;
    private final int slotLength;
    private final int slotBytes;
    private final int maxMessageBytes;
    private final long dataOffset;
    private final int countOffset;
    private final int sequenceOffset;
    private final OwnerLock lock = new OwnerLock();
    private final Doorbell producerBell = new Doorbell();
    private final Doorbell consumerBell = new Doorbell();
    private final Waiter producerWaiter;
    /** The wait of the call inside the consumer gate; a spare while a call sleeps outside it. */
    private Waiter consumerWaiter;
    private final GateFreeSleep gateFreeSleep;
    private final GateFreeSleep.WaiterSlot consumerSlot = new GateFreeSleep.WaiterSlot()
    {
        @Override
        public Waiter waiter()
        {
            return consumerWaiter;
        }

        @Override
        public void waiter(final Waiter waiter)
        {
            consumerWaiter = waiter;
        }
    };
    private final HandleGate producerGate = new HandleGate();
    private final CloseGuard guard;
    private final HandleCloser closer;
    private final FileFaults faults;
    private final HandleGate consumerGate = new HandleGate();
    private final ReentrantLock lockMutex = new ReentrantLock();
    /** When to look whether the lock's holder is alive, across calls. */
    private final LivenessCheckInterval holderCheck = new LivenessCheckInterval();

    SlotQueueCore(final ResourceFile file, final boolean lifo, final QueueOptions options)
    {
        final IdleStrategy idleStrategy = options.idleStrategy();
        final long spinNs = options.spinBeforeSleep(java.util.concurrent.TimeUnit.NANOSECONDS);
        this.file = file;
        this.buffer = file.buffer();
        this.lifo = lifo;
        final int metadata = file.metadataOffset();
        this.slots = buffer.getInt(metadata + CAPACITY_OFFSET);
        this.slotBytes = buffer.getInt(metadata + SLOT_PAYLOAD_BYTES_OFFSET);
        this.maxMessageBytes = buffer.getInt(metadata + MAX_MESSAGE_BYTES_OFFSET);
        // the slots are reached through these values, whatever the open checked before another process changed them
        QueueFiles.checkLayout(file, lifo ? VARIANT_LIFO : VARIANT_PRIORITY, slots, 0, slotBytes, 0, 0,
            maxMessageBytes);
        this.slotLength = SlotDescriptor.slotLength(slotBytes);
        this.dataOffset = file.headerLength();
        this.countOffset = metadata + HEAD_OFFSET;
        this.sequenceOffset = metadata + INSERT_SEQUENCE_OFFSET;
        this.description = (lifo ? "LIFO queue \"" : "priority queue \"") + file.name() + "\"";
        this.guard = new CloseGuard(description);
        this.faults = new FileFaults(file, description);
        this.closer = new HandleCloser(file, guard, producerGate, consumerGate, () -> { }, () -> { }, faults);
        lock.wrap(buffer, metadata + PRODUCER_LOCK_OFFSET);
        producerBell.wrap(buffer, metadata + PRODUCER_DOORBELL_OFFSET);
        consumerBell.wrap(buffer, metadata + CONSUMER_DOORBELL_OFFSET);
        this.producerWaiter = new Waiter(producerBell, idleStrategy, guard).spinBeforeSleep(spinNs);
        this.consumerWaiter = new Waiter(consumerBell, idleStrategy, guard).spinBeforeSleep(spinNs);
        this.gateFreeSleep = new GateFreeSleep(consumerGate, guard,
            () -> new Waiter(consumerBell, idleStrategy, guard).spinBeforeSleep(spinNs));
    }

    @Override
    public String name()
    {
        return file.name();
    }

    @Override
    public HandleGate producerGate()
    {
        return producerGate;
    }

    @Override
    public HandleGate consumerGate()
    {
        return consumerGate;
    }

    @Override
    public int maxMessageBytes()
    {
        return maxMessageBytes;
    }

    private int slotOffset(final int slot)
    {
        return (int)(dataOffset + (long)slot * slotLength);
    }

    private long count()
    {
        return buffer.getLongVolatile(countOffset);
    }

    @Override
    public boolean offer(
        final DirectBuffer src, final int offset, final int length, final long key, final long timeoutNs)
        throws InterruptedException
    {
        if (length > slotBytes)
        {
            throw new IllegalArgumentException("element of " + length + " bytes does not fit a " + slotBytes +
                "-byte slot of " + description + " (QueueOptions.slotBytes)");
        }
        producerWaiter.begin(timeoutNs == 0 ? LOCK_GRACE_NS : timeoutNs);
        try
        {
            while (true)
            {
                final int sequence = producerWaiter.sequence();
                if (count() < slots || lock.holder() != OwnerToken.NONE)
                {
                    if (acquire())
                    {
                        try
                        {
                            final int slot = freeSlot();
                            if (slot >= 0)
                            {
                                store(slot, src, offset, length, key);
                                return true;
                            }
                        }
                        finally
                        {
                            release();
                        }
                    }
                }
                else if (timeoutNs == 0)
                {
                    return false;
                }
                if (!producerWaiter.pause(sequence))
                {
                    return false;
                }
            }
        }
        finally
        {
            producerWaiter.end();
        }
    }

    private void store(final int slot, final DirectBuffer src, final int offset, final int length, final long key)
    {
        final int at = slotOffset(slot);
        final long insertSequence = buffer.getLong(sequenceOffset);
        buffer.putLong(sequenceOffset, insertSequence + 1);
        buffer.putBytes(at + PAYLOAD_OFFSET, src, offset, length);
        buffer.putInt(at + SlotDescriptor.LENGTH_OFFSET, length);
        buffer.putLong(at + KEY_OFFSET, lifo ? -insertSequence : key);
        buffer.putLong(at + SlotDescriptor.SEQUENCE_OFFSET, insertSequence);
        // release store -> publishes the element in the slot
        buffer.putIntRelease(at + STATE_OFFSET, USED);
        buffer.putLongRelease(countOffset, count() + 1);
    }

    /**
     * {@inheritDoc} A wait on an empty queue may sleep outside the consumer gate ({@link GateFreeSleep}); when its time
     * runs out or it is interrupted or closed there, it returns or throws outside the gate.
     */
    @Override
    public boolean poll(final BufferHandler handler, final long timeoutNs) throws InterruptedException
    {
        consumerWaiter.begin(timeoutNs == 0 ? LOCK_GRACE_NS : timeoutNs);
        boolean insideGate = true;
        try
        {
            while (true)
            {
                final int sequence = consumerWaiter.sequence();
                if (count() > 0 || lock.holder() != OwnerToken.NONE)
                {
                    if (acquire())
                    {
                        try
                        {
                            final int slot = firstSlot();
                            if (slot >= 0)
                            {
                                take(slot, handler);
                                return true;
                            }
                        }
                        finally
                        {
                            release();
                        }
                    }
                }
                else if (timeoutNs == 0)
                {
                    return false;
                }
                else if (gateFreeSleep.isDue(consumerWaiter))
                {
                    // empty, and no lock held: sleep outside the gate
                    insideGate = false;
                    if (!gateFreeSleep.sleepOutside(consumerSlot, sequence))
                    {
                        return false;
                    }
                    insideGate = true;
                    continue;
                }
                if (!consumerWaiter.pause(sequence))
                {
                    return false;
                }
            }
        }
        finally
        {
            if (insideGate)
            {
                consumerWaiter.end();
            }
        }
    }

    private void take(final int slot, final BufferHandler handler)
    {
        final int at = slotOffset(slot);
        final int length = elementLength(slot, at);
        try
        {
            handler.onMessage(buffer, at + PAYLOAD_OFFSET, length);
        }
        finally
        {
            // release store -> frees the slot; a crash before it leaves the element to the next taker
            buffer.putIntRelease(at + STATE_OFFSET, FREE);
            buffer.putLongRelease(countOffset, Math.max(0, count() - 1));
        }
    }

    /**
     * @return the length word of the element in {@code slot}, checked against the slot's size.
     * @throws CorruptResourceException when another program overwrote it: the slot is left as it is.
     */
    private int elementLength(final int slot, final int at)
    {
        final int length = buffer.getInt(at + SlotDescriptor.LENGTH_OFFSET);
        if (length < 0 || length > slotBytes)
        {
            throw new CorruptResourceException(description + " has a corrupt element " +
                "in slot " + slot + " (length " + length + " in a " + slotBytes + "-byte slot): unlink the queue " +
                "and create it again");
        }
        return length;
    }

    @Override
    public int drain(final BufferHandler handler, final int limit) throws InterruptedException
    {
        if (limit <= 0 || count() == 0 && lock.holder() == OwnerToken.NONE)
        {
            return 0; // a holder that died before counting its element is taken over below, as poll does
        }
        consumerWaiter.begin(LOCK_GRACE_NS);
        try
        {
            while (true)
            {
                final int sequence = consumerWaiter.sequence();
                if (acquire())
                {
                    try
                    {
                        int drained = 0;
                        int slot;
                        while (drained < limit && (slot = firstSlot()) >= 0)
                        {
                            take(slot, handler);
                            drained++;
                        }
                        return drained;
                    }
                    finally
                    {
                        release();
                    }
                }
                if (!consumerWaiter.pause(sequence))
                {
                    return 0;
                }
            }
        }
        finally
        {
            consumerWaiter.end();
        }
    }

    @Override
    public boolean peek(final BufferHandler handler) throws InterruptedException
    {
        return visitInOrder(handler, 1) > 0;
    }

    @Override
    public void forEach(final BufferHandler handler) throws InterruptedException
    {
        visitInOrder(handler, Integer.MAX_VALUE);
    }

    /**
     * Frees the slot of the first element, in the order they would be taken, that the filter stops at: one store of
     * the slot's state, as a take makes.
     */
    @Override
    public boolean remove(final ElementFilter filter) throws InterruptedException
    {
        return visitInOrder(filter, Integer.MAX_VALUE, true) < 0;
    }

    private int visitInOrder(final BufferHandler handler, final int limit) throws InterruptedException
    {
        return visitInOrder((buffer, offset, length) ->
        {
            handler.onMessage(buffer, offset, length);
            return false;
        }, limit, false);
    }

    /**
     * Shows up to {@code limit} elements in the order they would be taken to the filter, under the lock.
     *
     * @return how many it saw, or -1 when the filter stopped at one (which {@code remove} took out).
     */
    private int visitInOrder(final ElementFilter filter, final int limit, final boolean remove)
        throws InterruptedException
    {
        consumerWaiter.begin(-1);
        try
        {
            while (true)
            {
                final int sequence = consumerWaiter.sequence();
                if (acquire())
                {
                    try
                    {
                        final List<long[]> used = new ArrayList<>();
                        for (int slot = 0; slot < slots; slot++)
                        {
                            final int at = slotOffset(slot);
                            if (buffer.getIntVolatile(at + STATE_OFFSET) == USED)
                            {
                                used.add(new long[] {buffer.getLong(at + KEY_OFFSET),
                                    buffer.getLong(at + SlotDescriptor.SEQUENCE_OFFSET), slot});
                            }
                        }
                        used.sort(Comparator.<long[]>comparingLong((entry) -> entry[0])
                            .thenComparingLong((entry) -> entry[1]));
                        int visited = 0;
                        for (final long[] entry : used)
                        {
                            if (visited >= limit)
                            {
                                break;
                            }
                            final int at = slotOffset((int)entry[2]);
                            if (filter.stopAt(buffer, at + PAYLOAD_OFFSET, elementLength((int)entry[2], at)))
                            {
                                if (remove)
                                {
                                    take((int)entry[2], (b, o, l) -> { }); // producers are rung on release
                                }
                                return -1;
                            }
                            visited++;
                        }
                        return visited;
                    }
                    finally
                    {
                        release();
                    }
                }
                consumerWaiter.pause(sequence);
            }
        }
        finally
        {
            consumerWaiter.end();
        }
    }

    private boolean acquire()
    {
        if (!lockMutex.tryLock())
        {
            return false;
        }
        if (lock.tryAcquire())
        {
            return true;
        }
        if (holderCheck.due() && lock.tryTakeOverFromDead() != OwnerToken.NONE)
        {
            recount();
            return true;
        }
        lockMutex.unlock();
        return false;
    }

    private void release()
    {
        lock.release();
        lockMutex.unlock();
        producerBell.ring();
        consumerBell.ring();
    }

    private void recount()
    {
        long used = 0;
        long nextSequence = buffer.getLong(sequenceOffset);
        for (int slot = 0; slot < slots; slot++)
        {
            final int at = slotOffset(slot);
            if (buffer.getIntVolatile(at + STATE_OFFSET) == USED)
            {
                used++;
                nextSequence = Math.max(nextSequence, buffer.getLong(at + SlotDescriptor.SEQUENCE_OFFSET) + 1);
            }
        }
        buffer.putLong(sequenceOffset, nextSequence);
        // release store -> the repaired count, after a holder died between a slot's state and the count
        buffer.putLongRelease(countOffset, used);
    }

    private int freeSlot()
    {
        for (int slot = 0; slot < slots; slot++)
        {
            if (buffer.getIntVolatile(slotOffset(slot) + STATE_OFFSET) == FREE)
            {
                return slot;
            }
        }
        return -1;
    }

    private int firstSlot()
    {
        int best = -1;
        long bestKey = 0;
        long bestSequence = 0;
        for (int slot = 0; slot < slots; slot++)
        {
            final int at = slotOffset(slot);
            if (buffer.getIntVolatile(at + STATE_OFFSET) == USED)
            {
                final long key = buffer.getLong(at + KEY_OFFSET);
                final long sequence = buffer.getLong(at + SlotDescriptor.SEQUENCE_OFFSET);
                if (best < 0 || key < bestKey || key == bestKey && sequence < bestSequence)
                {
                    best = slot;
                    bestKey = key;
                    bestSequence = sequence;
                }
            }
        }
        return best;
    }

    @Override
    public int size()
    {
        return (int)Math.min(Integer.MAX_VALUE, count());
    }

    @Override
    public int remainingCapacity()
    {
        return Math.max(0, slots - size());
    }

    @Override
    public CloseGuard guard()
    {
        return guard;
    }

    @Override
    public void close()
    {
        // a truncated file's doorbells may be gone: its sleepers notice the close within a sleep slice instead
        final boolean truncated = faults.isTruncated();
        if (!truncated && consumerGate.isHeldByCurrentThread() && !guard.isClosed())
        {
            consumerWaiter.end(); // closed from a handler: its call waits no more, and the close must not wait for it
        }
        if (truncated ? guard.closeAndAwait() : guard.closeAndAwait(producerBell, consumerBell))
        {
            closer.closeWhenIdle();
        }
    }

    @Override
    public FileFaults faults()
    {
        return faults;
    }

    @Override
    public void closeIfPending()
    {
        closer.closeIfPending();
    }

    @Override
    public boolean unlink()
    {
        return file.unlink();
    }

    @Override
    public String toString()
    {
        return description;
    }
}
