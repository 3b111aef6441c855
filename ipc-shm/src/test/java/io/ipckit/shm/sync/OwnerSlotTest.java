package io.ipckit.shm.sync;

import io.ipckit.core.internal.kit.OwnerToken;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * This JVM's count of threads in its process's slot of a semaphore's owner table.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OwnerSlotTest
{
    private static final int SLOTS = 2;
    private static final long SELF = OwnerToken.current();
    /** A token of no running process: no pid reaches 2^30. */
    private static final long OTHER = 0x1234L << 32 | 0x3FFF_FFFFL;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(ProcessTable.length(SLOTS)));
    private final ProcessTable table = new ProcessTable(buffer, 0, SLOTS);
    private final String key = "owner-slot-test-" + UUID.randomUUID();

    @Test
    void shouldClaimASlotAndFreeItWhenTheLastThreadLeavesHoldingNothing()
    {
        final OwnerSlot slots = OwnerSlot.open(key, table, SELF);
        try
        {
            assertEquals(OwnerSlot.NONE, slots.enterHeld(), "no slot: nothing held to count off");
            final int first = slots.enter(table);
            final int second = slots.enter(table);
            assertEquals(first, second, "one slot for the process");
            assertEquals(SELF, table.word(first));
            assertEquals(2, slots.inFlight());
            assertFalse(slots.leave(table, first), "another thread is still in flight");
            assertTrue(slots.leave(table, second), "the last one out, holding nothing, frees it");
            assertEquals(0, table.word(first));
            assertEquals(OwnerSlot.NONE, slots.slot());
            assertEquals(0, slots.inFlight());
        }
        finally
        {
            slots.close(key);
        }
    }

    @Test
    void shouldKeepTheSlotWhileTheProcessHoldsPermitsInIt()
    {
        final OwnerSlot slots = OwnerSlot.open(key, table, SELF);
        try
        {
            final int slot = slots.enter(table);
            table.addValue(slot, 2);
            assertFalse(slots.leave(table, slot), "permits held: kept");
            assertEquals(slot, slots.slot());
            assertEquals(slot, slots.enterHeld(), "a release finds it");
            table.subtractClamped(slot, 2);
            assertTrue(slots.leave(table, slot), "the release of the last permits frees it");
            assertEquals(0, table.word(slot));
        }
        finally
        {
            slots.close(key);
        }
    }

    @Test
    void shouldClaimNothingWhenEverySlotIsTaken()
    {
        buffer.putLong(0, OTHER);
        buffer.putLong(ProcessTable.SLOT_LENGTH, OTHER + 1);
        final OwnerSlot slots = OwnerSlot.open(key, table, SELF);
        try
        {
            assertEquals(OwnerSlot.NONE, slots.enter(table));
            assertEquals(0, slots.inFlight(), "nothing counted");
            buffer.putLongVolatile(ProcessTable.SLOT_LENGTH, 0); // freed by its process
            assertEquals(1, slots.enter(table));
            assertTrue(slots.leave(table, 1));
        }
        finally
        {
            slots.close(key);
        }
    }

    /**
     * Handles closed while the process held permits leave its slot recorded: the next handle's object, made afresh,
     * counts in that slot rather than claiming a second one.
     */
    @Test
    void shouldShareOneObjectPerFileAndAdoptTheRecordedSlotWhenMadeAfresh()
    {
        final OwnerSlot first = OwnerSlot.open(key, table, SELF);
        final OwnerSlot second = OwnerSlot.open(key, table, SELF);
        assertSame(first, second, "handles of one file share it");
        final int slot = first.enter(table);
        table.addValue(slot, 1);
        first.leave(table, slot);
        first.close(key);
        second.close(key);

        final OwnerSlot fresh = OwnerSlot.open(key, table, SELF);
        try
        {
            assertNotSame(first, fresh, "forgotten with the last handle");
            assertEquals(slot, fresh.slot(), "the recorded slot adopted");
            assertEquals(slot, fresh.enterHeld());
            table.subtractClamped(slot, 1);
            assertTrue(fresh.leave(table, slot));
        }
        finally
        {
            fresh.close(key);
        }
    }
}
