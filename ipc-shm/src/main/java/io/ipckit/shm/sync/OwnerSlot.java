package io.ipckit.shm.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This JVM's use of its process's slot in one semaphore's owner table ({@link ProcessTable}): which slot the process
 * holds, and how many of its threads are <em>in flight</em> in it, between taking the slot for a call and leaving it,
 * and so may still change the permits recorded in it. Every handle of this JVM over the same file shares one
 * ({@link #open}), as they share the process's slot.
 * <p>
 * A thread enters the slot before it records a change in it and leaves after: {@link #enter} (claiming a slot when the
 * process has none), or {@link #enterHeld} for a release, which records nothing when the process holds no slot. The
 * slot is freed when the last thread leaves it holding no permit. While the process has its slot, entering and
 * leaving are an atomic update each of a word of this object: no lock, and nothing shared with other files. Only a
 * claim takes a lock, this object's monitor, so that two threads of the process never claim two slots.
 * <p>
 * <b>Note to maintainers.</b> The state word packs the slot ({@link #NONE}, {@link #FREEING} or a slot number) in its
 * high half and the threads in flight in its low half. The invariants:
 * <ul>
 * <li>A thread changes the value of the process's slot only while it is counted in flight in it; no other process
 * writes the slot of a live process (a survivor seizes only dead processes' slots). So while the count is 0, the
 * value only stays as it is.</li>
 * <li>The slot number changes only while no thread is in flight: {@link #NONE} to a slot under the monitor (with the
 * claiming thread counted), a slot to {@link #FREEING} by a leaving thread that found the count 0, and back to the
 * slot or to {@link #NONE} by that thread alone. So a thread counted in flight in slot {@code i} owns {@code i} until
 * it leaves, and the table's slot is freed only in {@link #FREEING}, where nobody can enter.</li>
 * <li>Whoever takes the count to 0 looks at the value, and frees the slot when it is 0. A thread that entered
 * meanwhile makes the move to {@link #FREEING} fail, and looks itself as it leaves; a move that succeeded after
 * others came and went (the same state again) looks at the value again, in {@link #FREEING}, before it frees.</li>
 * <li>Threads that find {@link #FREEING} spin: it lasts a read and two stores.</li>
 * </ul>
 * Thread-safe. Not process-safe by itself: each process has its own, over its own slot.
 */
final class OwnerSlot
{
    /** The slot number of a process that holds no slot. */
    static final int NONE = -1;
    /** The slot number while a leaving thread frees the slot, or finds it may not. */
    static final int FREEING = -2;

    private static final long COUNT_MASK = 0xFFFF_FFFFL;
    private static final long NONE_STATE = state(NONE, 0);
    private static final long FREEING_STATE = state(FREEING, 0);
    private static final int SPINS_BEFORE_YIELD = 64;
    private static final VarHandle STATE;
    /** Per file of this JVM (by its key), the object every open handle over it shares. */
    private static final ConcurrentHashMap<String, OwnerSlot> OPEN = new ConcurrentHashMap<>();

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(OwnerSlot.class, "state", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final long token;
    /** The slot number in the high half, the threads in flight in the low half. */
    private volatile long state;
    /** Handles of this JVM that use this object; guarded by the map's lock on its key. */
    private int handles;

    private OwnerSlot(final long token, final int heldSlot)
    {
        this.token = token;
        this.state = state(heldSlot, 0);
    }

    /**
     * The object for a handle over one file, created for the first open handle of this JVM: it adopts the slot that
     * the table records for this process, if any (left by handles closed while the process held permits).
     *
     * @param key   the same string for every handle of this JVM over the same file, and for no other file.
     * @param table the handle's view of the file's owner table.
     * @param token this process's owner token.
     * @return the shared object; {@link #close} it with the handle.
     */
    static OwnerSlot open(final String key, final ProcessTable table, final long token)
    {
        return OPEN.compute(key, (k, existing) ->
        {
            final OwnerSlot slot = existing != null ? existing : new OwnerSlot(token, table.find(token));
            slot.handles++;
            return slot;
        });
    }

    /**
     * Ends the use by one handle ({@link #open}); the last one's close forgets the object (the process's slot stays
     * recorded in the table while it holds permits).
     *
     * @param key the key it was opened with.
     */
    void close(final String key)
    {
        OPEN.computeIfPresent(key, (k, existing) -> existing == this && --handles == 0 ? null : existing);
    }

    /**
     * Counts the calling thread in flight in the process's slot, claiming a free slot of the table when the process
     * has none.
     *
     * @param table the caller's view of the table.
     * @return the slot, which the thread may record in until its {@link #leave}; or {@link #NONE} when every slot
     * is taken (nothing is then counted).
     */
    int enter(final ProcessTable table)
    {
        return enter(table, true);
    }

    /**
     * Counts the calling thread in flight in the process's slot if it has one, for a change to the permits it holds.
     *
     * @return the slot, to {@link #leave}; or {@link #NONE} when the process holds no slot, so no permit.
     */
    int enterHeld()
    {
        return enter(null, false);
    }

    private int enter(final ProcessTable table, final boolean claimIfNone)
    {
        for (int spins = 0; ; spins++)
        {
            final long current = state;
            final int slot = slotOf(current);
            if (slot >= 0)
            {
                if (STATE.compareAndSet(this, current, current + 1))
                {
                    return slot;
                }
            }
            else if (slot == NONE)
            {
                return claimIfNone ? claim(table) : NONE;
            }
            else
            {
                backOff(spins); // a free under way may yet find permits and keep the slot
            }
        }
    }

    /**
     * Ends an {@link #enter} or {@link #enterHeld}: the last thread to leave frees the slot in the table when the
     * process holds no permit in it.
     *
     * @param table the caller's view of the table.
     * @param slot  the slot entered.
     * @return true when this call freed the slot (a slot for the acquires that wait for one).
     */
    boolean leave(final ProcessTable table, final int slot)
    {
        final long left = (long)STATE.getAndAdd(this, -1L) - 1;
        if ((left & COUNT_MASK) != 0 || table.value(slot) != 0)
        {
            return false; // others in flight look as they leave; permits held keep the slot
        }
        final long idle = state(slot, 0);
        if (!STATE.compareAndSet(this, idle, FREEING_STATE))
        {
            return false; // a thread entered since, and looks as it leaves; or another leaving thread looks now
        }
        boolean freed = false;
        try
        {
            if (table.value(slot) == 0) // nobody in flight: the value stays as it is
            {
                table.free(slot);
                freed = true;
            }
        }
        finally
        {
            state = freed ? NONE_STATE : idle; // volatile store -> the free is done before anyone claims again
        }
        return freed;
    }

    /**
     * @return the slot number the process holds, {@link #NONE} or {@link #FREEING}, a snapshot for tests.
     */
    int slot()
    {
        return slotOf(state);
    }

    /**
     * @return the threads in flight, a snapshot for tests.
     */
    int inFlight()
    {
        return (int)(state & COUNT_MASK);
    }

    private synchronized int claim(final ProcessTable table)
    {
        for (int spins = 0; ; spins++)
        {
            final long current = state;
            final int slot = slotOf(current);
            if (slot >= 0)
            {
                if (STATE.compareAndSet(this, current, current + 1))
                {
                    return slot; // another thread claimed it while this one waited for the monitor
                }
            }
            else if (slot == NONE)
            {
                // only the monitor's holder moves the state from NONE, so the claimed slot is recorded alone
                final int claimed = table.claimAlone(token);
                if (claimed < 0)
                {
                    return NONE;
                }
                state = state(claimed, 1); // volatile store -> the claim is done before others enter the slot
                return claimed;
            }
            else
            {
                backOff(spins);
            }
        }
    }

    private static void backOff(final int spins)
    {
        if (spins < SPINS_BEFORE_YIELD)
        {
            Thread.onSpinWait();
        }
        else
        {
            Thread.yield(); // the freeing thread lost its core
        }
    }

    private static long state(final int slot, final int inFlight)
    {
        return (long)slot << 32 | (inFlight & COUNT_MASK);
    }

    private static int slotOf(final long state)
    {
        return (int)(state >> 32);
    }
}
