package io.ipckit.shm.sync;

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
