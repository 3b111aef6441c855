package io.ipckit.cli;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.internal.kit.BiasedLockDescriptor;
import io.ipckit.core.internal.kit.DoorbellDescriptor;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.pipe.PipeDescriptor;
import io.ipckit.queue.LaneDescriptor;
import io.ipckit.queue.QueueDescriptor;
import io.ipckit.shm.sync.BarrierDescriptor;
import io.ipckit.shm.sync.EventDescriptor;
import io.ipckit.shm.sync.LockDescriptor;
import io.ipckit.shm.array.SharedArray;
import io.ipckit.shm.sync.SemaphoreDescriptor;
import io.ipckit.shm.value.SharedValue;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;

/**
 * Reads a resource's live counters from the words its structure already keeps, at the offsets of its
 * {@code *Descriptor}, AeronStat-style: nothing is added to any hot path and nothing is written. Each value is read
 * with acquire (volatile) semantics one word at a time, so a structure in use gives a consistent value per word, not
 * a snapshot of all words at one instant (a depth may be off by the messages that moved between two loads).
 * <p>
 * The sync primitives' and the pool task board's layout versions and slot length are package-private in their
 * modules; they are repeated in {@link #SYNC_LAYOUT_VERSION}, {@link #POOL_LAYOUT_VERSION} and
 * {@link #POOL_SLOT_LENGTH}, and a file of another version is reported as not understood rather than misread.
 * <p>
 * Stateless and thread-safe.
 */
final class LayoutReader
{
    /** {@code io.ipckit.shm.sync.SyncFiles.LAYOUT_VERSION}. */
    static final int SYNC_LAYOUT_VERSION = 3;
    /** {@code io.ipckit.pool.TaskBoardDescriptor.LAYOUT_VERSION}. */
    static final int POOL_LAYOUT_VERSION = 1;
    /** {@code io.ipckit.pool.TaskBoardDescriptor.SLOT_LENGTH}: two cache lines per worker. */
    static final int POOL_SLOT_LENGTH = 2 * CACHE_LINE_LENGTH;

    private static final int POSITION_BITS = 40;
    private static final long POSITION_MASK = (1L << POSITION_BITS) - 1;
    private static final int COUNT_MASK = (1 << 24) - 1;
    private static final int MAX_ELEMENTS_SHOWN = 16;

    private LayoutReader()
    {
    }

    /**
     * @param file a validated resource file.
     * @return the layout version this ipckit reads for the file's kind, or 0 when it keeps no counters.
     */
    static int knownLayoutVersion(final ResourceFile file)
    {
        return switch (file.kind())
        {
            case LOCK, RLOCK, CONDITION, SEMAPHORE, EVENT, BARRIER -> SYNC_LAYOUT_VERSION;
            case QUEUE -> QueueDescriptor.LAYOUT_VERSION;
            case PIPE -> PipeDescriptor.LAYOUT_VERSION;
            case POOL -> POOL_LAYOUT_VERSION;
            default -> 0;
        };
    }

    /**
     * @param file a validated resource file.
     * @return the counters of its kind, in display order; empty when the kind keeps none or the layout version is one
     * this ipckit does not read (then a {@code note} says so).
     */
    static Map<String, Object> read(final ResourceFile file)
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        if (file.kind() == io.ipckit.core.file.ResourceKind.SHARED_VALUE ||
            file.kind() == io.ipckit.core.file.ResourceKind.SHARED_ARRAY)
        {
            values(file, out);
            return out;
        }
        final int known = knownLayoutVersion(file);
        if (known == 0)
        {
            return out;
        }
        if (file.layoutVersion() != known)
        {
            out.put("note", "layout version " + file.layoutVersion() + " is not the one this ipckit reads (" + known +
                "): counters not shown");
            return out;
        }
        final AtomicBuffer buffer = file.buffer();
        final int data = file.headerLength();
        switch (file.kind())
        {
            case LOCK, RLOCK, CONDITION -> lock(buffer, data, file.kind() == io.ipckit.core.file.ResourceKind.CONDITION, out);
            case SEMAPHORE -> semaphore(buffer, data, out);
            case EVENT -> event(buffer, data, out);
            case BARRIER -> barrier(buffer, data, out);
            case QUEUE -> queue(buffer, file.metadataOffset(), data, out);
            case PIPE -> pipe(buffer, file.metadataOffset(), data, out);
            case POOL -> pool(buffer, data, file.dataLengthBytes(), out);
            default ->
            {
            }
        }
        return out;
    }

    /**
     * A value's or an array's type, shape and first {@link #MAX_ELEMENTS_SHOWN} elements, read through its public
     * API (which checks its own layout version), in C order.
     */
    private static void values(final ResourceFile file, final Map<String, Object> out)
    {
        try
        {
            final List<Object> elements = new ArrayList<>();
            if (file.kind() == io.ipckit.core.file.ResourceKind.SHARED_VALUE)
            {
                try (SharedValue value = SharedValue.open(file.name()))
                {
                    out.put("dtype", value.dtype().numpyTypestr());
                    out.put("length", value.length());
                    for (int i = 0; i < Math.min(value.length(), MAX_ELEMENTS_SHOWN); i++)
                    {
                        elements.add(value.dtype().isFloatingPoint() ? (Object)value.getDouble(i) : (Object)value.getLong(i));
                    }
                }
            }
            else
            {
                try (SharedArray array = SharedArray.open(file.name()))
                {
                    out.put("dtype", array.dtype().numpyTypestr());
                    out.put("shape", java.util.Arrays.toString(array.shape()));
                    for (long i = 0; i < Math.min(array.size(), MAX_ELEMENTS_SHOWN); i++)
                    {
                        final long offset = i * array.dtype().itemSize(); // C order: the file's only layout
                        elements.add(array.dtype().isFloatingPoint() ?
                            (Object)array.dtype().getDouble(array.dataSegment(), offset) :
                            (Object)array.dtype().getLong(array.dataSegment(), offset));
                    }
                }
            }
            out.put("first", elements);
        }
        catch (final RuntimeException ex)
        {
            out.put("note", "values not shown: " + ex.getMessage());
        }
    }

    private static void lock(final AtomicBuffer buffer, final int data, final boolean condition, final Map<String, Object> out)
    {
        final long owner = buffer.getLongVolatile(data + LockDescriptor.OWNER_OFFSET);
        owner(owner, "owner", out);
        if (owner != OwnerToken.NONE)
        {
            out.put("ownerThread", buffer.getLongVolatile(data + LockDescriptor.OWNER_THREAD_OFFSET));
        }
        out.put("takeovers", buffer.getLongVolatile(data + LockDescriptor.TAKEOVERS_OFFSET));
        out.put("waiters", waiters(buffer, data + LockDescriptor.LOCK_DOORBELL_OFFSET));
        if (condition)
        {
            final long registered = buffer.getLongVolatile(data + LockDescriptor.COND_REGISTERED_OFFSET);
            final long consumed = buffer.getLongVolatile(data + LockDescriptor.COND_CONSUMED_OFFSET);
            out.put("conditionWaits", registered);
            out.put("conditionSignalsGranted", buffer.getLongVolatile(data + LockDescriptor.COND_GRANTED_OFFSET));
            out.put("conditionSignalsConsumed", consumed);
            out.put("conditionBroadcasts", buffer.getLongVolatile(data + LockDescriptor.COND_BROADCASTS_OFFSET));
            out.put("conditionWaiters", waiters(buffer, data + LockDescriptor.COND_DOORBELL_OFFSET));
        }
    }

    private static void semaphore(final AtomicBuffer buffer, final int data, final Map<String, Object> out)
    {
        out.put("permits", buffer.getIntVolatile(data + SemaphoreDescriptor.PERMITS_OFFSET));
        final int max = buffer.getInt(data + SemaphoreDescriptor.MAX_PERMITS_OFFSET);
        out.put("maxPermits", max == Integer.MAX_VALUE ? "unbounded" : max);
        out.put("recoveredPermits", buffer.getLongVolatile(data + SemaphoreDescriptor.RECOVERED_PERMITS_OFFSET));
        out.put("waiters", waiters(buffer, data + SemaphoreDescriptor.DOORBELL_OFFSET));
        final int slots = buffer.getInt(data + SemaphoreDescriptor.OWNER_SLOTS_OFFSET);
        if (slots > 0)
        {
            out.put("holders", table(buffer, data + SemaphoreDescriptor.OWNER_TABLE_OFFSET, slots, "permits"));
        }
    }

    private static void event(final AtomicBuffer buffer, final int data, final Map<String, Object> out)
    {
        out.put("set", buffer.getIntVolatile(data + EventDescriptor.FLAG_OFFSET) != 0);
        out.put("waiters", waiters(buffer, data + EventDescriptor.DOORBELL_OFFSET));
    }

    private static void barrier(final AtomicBuffer buffer, final int data, final Map<String, Object> out)
    {
        final long state = buffer.getLongVolatile(data + BarrierDescriptor.STATE_OFFSET);
        out.put("parties", buffer.getInt(data + BarrierDescriptor.PARTIES_OFFSET));
        out.put("arrived", state & BarrierDescriptor.ARRIVED_MASK);
        out.put("generation", state >>> BarrierDescriptor.GENERATION_SHIFT);
        final int reason = (int)(state >>> BarrierDescriptor.REASON_SHIFT) & 0xFF;
        out.put("broken", reason != 0);
        if (reason != 0)
        {
            out.put("brokenReason", reason);
            owner(buffer.getLongVolatile(data + BarrierDescriptor.BROKEN_BY_OFFSET), "brokenBy", out);
        }
        out.put("waiters", waiters(buffer, data + BarrierDescriptor.DOORBELL_OFFSET));
        out.put("attached", table(buffer, data + BarrierDescriptor.TABLE_OFFSET,
            buffer.getInt(data + BarrierDescriptor.SLOTS_OFFSET), "attachments"));
    }

    private static void queue(final AtomicBuffer buffer, final int meta, final int data, final Map<String, Object> out)
    {
        final int variant = buffer.getInt(meta + QueueDescriptor.VARIANT_OFFSET);
        final int capacity = buffer.getInt(meta + QueueDescriptor.CAPACITY_OFFSET);
        out.put("variant", QueueDescriptor.variantName(variant));
        out.put("joinable", (buffer.getInt(meta + QueueDescriptor.FLAGS_OFFSET) & QueueDescriptor.FLAG_JOINABLE) != 0);
        out.put("maxElements", buffer.getInt(meta + QueueDescriptor.MAX_ELEMENTS_OFFSET));
        out.put("maxMessageBytes", buffer.getInt(meta + QueueDescriptor.MAX_MESSAGE_BYTES_OFFSET));
        if (variant == QueueDescriptor.VARIANT_FIFO)
        {
            final int laneCount = buffer.getInt(meta + QueueDescriptor.LANE_COUNT_OFFSET);
            out.put("ringCapacityBytes", capacity);
            final boolean ordered =
                (buffer.getInt(meta + QueueDescriptor.FLAGS_OFFSET) & QueueDescriptor.FLAG_ORDERED) != 0;
            out.put("fifoAcrossProducers", ordered || laneCount == 1);
            if (ordered)
            {
                // tickets taken by producers, and the ticket consumers take next: their difference is the depth plus
                // elements being published (or lost with a killed producer, until consumers pass them)
                out.put("ticketsTaken", buffer.getLongVolatile(meta + QueueDescriptor.TICKET_OFFSET));
                out.put("nextTicket", buffer.getLongVolatile(
                    meta + QueueDescriptor.lanesOffset() + LaneDescriptor.NEXT_TICKET_OFFSET));
            }
            long depth = 0;
            long bytes = 0;
            final List<Object> lanes = new ArrayList<>();
            for (int i = 0; i < laneCount; i++)
            {
                final int lane = meta + QueueDescriptor.lanesOffset() + i * LaneDescriptor.LENGTH;
                final long tail = buffer.getLongVolatile(lane + LaneDescriptor.TAIL_OFFSET);
                final long head = buffer.getLongVolatile(lane + LaneDescriptor.HEAD_OFFSET);
                final long laneDepth = ((tail >>> POSITION_BITS) - (head >>> POSITION_BITS)) & COUNT_MASK;
                final long laneBytes = ((tail & POSITION_MASK) - (head & POSITION_MASK)) & POSITION_MASK;
                depth += laneDepth;
                bytes += laneBytes;
                final Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("lane", i);
                entry.put("kind", i == 0 ? "shared" : "exclusive");
                final long producer = buffer.getLongVolatile(lane + LaneDescriptor.PRODUCER_WORD_OFFSET);
                owner(i == 0 ? producer & ~BiasedLockDescriptor.BIASED : producer, i == 0 ? "producerLock" : "owner", entry);
                owner(buffer.getLongVolatile(lane + LaneDescriptor.CONSUMER_LOCK_OFFSET + BiasedLockDescriptor.LOCK_OFFSET) &
                    ~BiasedLockDescriptor.BIASED, "consumerLock", entry);
                entry.put("depth", laneDepth);
                entry.put("bytesUsed", laneBytes);
                lanes.add(entry);
            }
            out.put("depth", depth);
            out.put("bytesUsed", bytes);
            out.put("lanes", lanes);
        }
        else
        {
            out.put("slots", capacity);
            out.put("slotPayloadBytes", buffer.getInt(meta + QueueDescriptor.SLOT_PAYLOAD_BYTES_OFFSET));
            out.put("depth", buffer.getLongVolatile(meta + QueueDescriptor.HEAD_OFFSET));
            owner(buffer.getLongVolatile(meta + QueueDescriptor.PRODUCER_LOCK_OFFSET), "lock", out);
        }
        out.put("waitingProducers", waiters(buffer, meta + QueueDescriptor.PRODUCER_DOORBELL_OFFSET));
        out.put("waitingConsumers", waiters(buffer, meta + QueueDescriptor.CONSUMER_DOORBELL_OFFSET));
        out.put("waitingJoiners", waiters(buffer, meta + QueueDescriptor.JOIN_DOORBELL_OFFSET));
    }

    private static void pipe(final AtomicBuffer buffer, final int meta, final int data, final Map<String, Object> out)
    {
        final int capacity = buffer.getInt(meta + PipeDescriptor.RING_CAPACITY_OFFSET);
        final boolean duplex = (buffer.getInt(meta + PipeDescriptor.FLAGS_OFFSET) & PipeDescriptor.FLAG_DUPLEX) != 0;
        out.put("ringCapacityBytes", capacity);
        out.put("duplex", duplex);
        out.put("endA", end(buffer, meta + PipeDescriptor.END_A_TOKEN_OFFSET, meta + PipeDescriptor.END_A_STATE_OFFSET));
        out.put("endB", end(buffer, meta + PipeDescriptor.END_B_TOKEN_OFFSET, meta + PipeDescriptor.END_B_STATE_OFFSET));
        out.put("aToB", ring(buffer, data, capacity, meta + PipeDescriptor.A_TO_B_DATA_DOORBELL_OFFSET,
            meta + PipeDescriptor.A_TO_B_SPACE_DOORBELL_OFFSET));
        if (duplex)
        {
            out.put("bToA", ring(buffer, data + PipeDescriptor.ringLength(capacity), capacity,
                meta + PipeDescriptor.B_TO_A_DATA_DOORBELL_OFFSET, meta + PipeDescriptor.B_TO_A_SPACE_DOORBELL_OFFSET));
        }
    }

    private static Map<String, Object> end(final AtomicBuffer buffer, final int tokenOffset, final int stateOffset)
    {
        final Map<String, Object> end = new LinkedHashMap<>();
        final int state = buffer.getIntVolatile(stateOffset);
        end.put("state", switch (state)
        {
            case PipeDescriptor.STATE_UNOPENED -> "unopened";
            case PipeDescriptor.STATE_OPEN -> "open";
            case PipeDescriptor.STATE_CLOSED -> "closed";
            default -> "unknown(" + state + ")";
        });
        owner(buffer.getLongVolatile(tokenOffset), "holder", end);
        return end;
    }

    private static Map<String, Object> ring(
        final AtomicBuffer buffer, final int ring, final int capacity, final int dataDoorbell, final int spaceDoorbell)
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        final long head = buffer.getLongVolatile(ring + capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET);
        final long tail = buffer.getLongVolatile(ring + capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET);
        out.put("writePosition", tail);
        out.put("readPosition", head);
        out.put("bytesUsed", tail - head);
        out.put("waitingReceivers", waiters(buffer, dataDoorbell));
        out.put("waitingSenders", waiters(buffer, spaceDoorbell));
        return out;
    }

    private static void pool(final AtomicBuffer buffer, final int data, final long dataLength, final Map<String, Object> out)
    {
        final int workers = (int)(dataLength / POOL_SLOT_LENGTH);
        out.put("workers", workers);
        final List<Object> board = new ArrayList<>();
        int busy = 0;
        for (int i = 0; i < workers; i++)
        {
            final long task = buffer.getLongVolatile(data + i * POOL_SLOT_LENGTH);
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("worker", i);
            entry.put("task", task == 0 ? "idle" : Long.toString(task));
            busy += task == 0 ? 0 : 1;
            board.add(entry);
        }
        out.put("busyWorkers", busy);
        out.put("taskBoard", board);
    }

    private static List<Object> table(final AtomicBuffer buffer, final int offset, final int slots, final String valueName)
    {
        final List<Object> rows = new ArrayList<>();
        for (int i = 0; i < slots; i++)
        {
            final long token = buffer.getLongVolatile(offset + i * 16);
            if (token != OwnerToken.NONE)
            {
                final Map<String, Object> row = new LinkedHashMap<>();
                owner(token, "process", row);
                row.put(valueName, buffer.getLongVolatile(offset + i * 16 + 8));
                rows.add(row);
            }
        }
        return rows;
    }

    private static int waiters(final AtomicBuffer buffer, final int doorbell)
    {
        return buffer.getIntVolatile(doorbell + DoorbellDescriptor.WAITERS_OFFSET);
    }

    /**
     * Puts {@code <name>Pid} and {@code <name>Alive} for a token, or {@code <name>: "none"} when it is free.
     */
    private static void owner(final long token, final String name, final Map<String, Object> out)
    {
        if (token == OwnerToken.NONE)
        {
            out.put(name, "none");
        }
        else if ((token & OwnerToken.RECLAIM_MARK) != 0)
        {
            // a slot seized after a death: the rest of the word names the process cleaning it up
            out.put(name, "reclaiming");
            out.put(name + "ReclaimerPid", OwnerToken.pid(token & ~OwnerToken.RECLAIM_MARK));
            out.put(name + "ReclaimerAlive", OwnerToken.isAlive(token & ~OwnerToken.RECLAIM_MARK));
        }
        else
        {
            out.put(name + "Pid", OwnerToken.pid(token));
            out.put(name + "Alive", OwnerToken.isAlive(token));
        }
    }
}
