package io.ipckit.shm.sync;

import io.ipckit.core.internal.kit.OwnerToken;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The per-process slots of a semaphore or barrier.
 */
class ProcessTableTest
{
    private static final int SLOTS = 8;
    private static final long TOKEN = 0x1234_5678_9ABCL;
    /** A token of no running process: no pid reaches 2^30. */
    private static final long DEAD = 0x1234L << 32 | 0x3FFF_FFFFL;

    /**
     * Two threads of one process claim at the same moment: one slot for the process. Before, both could find no slot
     * and claim one each; a semaphore then counted a thread's permits in one slot and its releases in the other, and
     * gave back permits nobody held when the process died.
     */
    @Test
    void shouldGiveTwoThreadsOfOneProcessOneSlot() throws Exception
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(ProcessTable.length(SLOTS)));
        final CyclicBarrier start = new CyclicBarrier(2);
        for (int round = 0; round < 2_000; round++)
        {
            buffer.setMemory(0, buffer.capacity(), (byte)0);
            final ProcessTable first = new ProcessTable(buffer, 0, SLOTS);
            final ProcessTable second = new ProcessTable(buffer, 0, SLOTS); // another handle of the same file
            final CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> claimTogether(start, second));
            final int mine = claimTogether(start, first);
            assertEquals(mine, (int)other.get(10, TimeUnit.SECONDS), "round " + round + ": both threads' slot");
            int held = 0;
            for (int slot = 0; slot < SLOTS; slot++)
            {
                held += first.word(slot) == TOKEN ? 1 : 0;
            }
            assertEquals(1, held, "round " + round + ": slots holding the process's token");
        }
    }

    /**
     * A survivor killed while it cleaned up a dead process's slot left the slot seized: the next survivor seizes it
     * again. Before, the seized slot held -1, which named no process, and was lost for good with its value.
     */
    @Test
    void shouldSeizeAgainASlotWhoseCleanerDied()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(ProcessTable.length(SLOTS)));
        final ProcessTable table = new ProcessTable(buffer, 0, SLOTS);
        final long seized = OwnerToken.current() | OwnerToken.RECLAIM_MARK;
        buffer.putLong(0, -1L); // an earlier version's mark, left by a cleaner killed before it freed the slot
        buffer.putLong(ProcessTable.SLOT_LENGTH, DEAD | OwnerToken.RECLAIM_MARK); // a dead cleaner's mark
        buffer.putLong(2 * ProcessTable.SLOT_LENGTH, seized); // this process cleans it up now
        buffer.putLong(3 * ProcessTable.SLOT_LENGTH, DEAD);
        buffer.putLong(4 * ProcessTable.SLOT_LENGTH, OwnerToken.current());

        assertEquals(-1L & ~OwnerToken.RECLAIM_MARK, table.seizeIfDead(0), "an earlier version's mark");
        assertEquals(DEAD, table.seizeIfDead(1), "a dead cleaner's mark");
        assertEquals(0, table.seizeIfDead(2), "a live cleaner's mark");
        assertEquals(DEAD, table.seizeIfDead(3), "a dead process");
        assertEquals(0, table.seizeIfDead(4), "a live process");
        assertEquals(0, table.seizeIfDead(5), "a free slot");
        for (int slot = 0; slot < 4; slot++)
        {
            assertEquals(seized, table.word(slot), "slot " + slot + " seized by this process");
        }
        assertEquals(OwnerToken.current(), table.word(4));
        assertEquals(5, table.find(OwnerToken.NONE), "the free slot left free");
    }

    private static int claimTogether(final CyclicBarrier start, final ProcessTable table)
    {
        try
        {
            start.await(10, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        return table.claim(TOKEN);
    }
}
