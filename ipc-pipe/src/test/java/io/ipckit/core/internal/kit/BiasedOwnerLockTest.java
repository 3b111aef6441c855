package io.ipckit.core.internal.kit;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.SharedMemory;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static io.ipckit.core.internal.kit.BiasedLockDescriptor.ACTIVE_OFFSET;
import static io.ipckit.core.internal.kit.BiasedLockDescriptor.BIASED;
import static io.ipckit.core.internal.kit.BiasedLockDescriptor.LOCK_OFFSET;
import static io.ipckit.core.internal.kit.BiasedLockDescriptor.SLOT_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class BiasedOwnerLockTest
{
    /** A token of no live process: whatever runs as pid 4194303, it did not start 7 clock ticks after boot. */
    private static final long DEAD = (7L << 32) | 4_194_303L;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final AtomicBuffer words = new UnsafeBuffer(BufferUtil.allocateDirectAligned(128, 64));
    private final BiasedOwnerLock first = new BiasedOwnerLock().wrap(words, 0);
    private final BiasedOwnerLock second = new BiasedOwnerLock().wrap(words, 0);

    private static void holdTimes(final BiasedOwnerLock lock, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            assertTrue(lock.tryAcquire(), "hold " + i);
            lock.release();
        }
    }

    /** The first handle holds the lock biased; the second takes the word and waits for the first to leave. */
    private void holdBiasedAndLetSecondWait()
    {
        holdTimes(first, BiasedOwnerLock.INITIAL_BIAS_THRESHOLD + 1);
        assertTrue(first.isBiased());
        assertTrue(first.tryAcquire());
        assertFalse(second.tryRevoke(), "the biased holder is inside");
        assertTrue(second.isPending());
    }

    @Test
    void shouldTakeTheLockBiasedAfterTheThresholdOfHoldsInARowAndKeepItBetweenHolds()
    {
        holdTimes(first, BiasedOwnerLock.INITIAL_BIAS_THRESHOLD);
        assertFalse(first.isBiased());
        assertEquals(0, words.getLongVolatile(LOCK_OFFSET), "a plain hold frees the word");
        holdTimes(first, 2);
        assertTrue(first.isBiased());
        assertEquals(OwnerToken.current() | BIASED, words.getLongVolatile(LOCK_OFFSET), "kept between holds");
        assertEquals(OwnerToken.current(), words.getLongVolatile(SLOT_OFFSET));
        assertEquals(0, words.getLongVolatile(ACTIVE_OFFSET), "out of its hold");
        assertTrue(first.tryAcquire());
        assertEquals(1, words.getLongVolatile(ACTIVE_OFFSET), "inside its hold");
        first.release();
    }

    @Test
    void shouldSayWhenAnotherHandleHoldsTheLockWithoutBias()
    {
        assertFalse(second.isHeldByAnother(), "free");
        assertTrue(first.tryAcquire());
        assertTrue(second.isHeldByAnother(), "a plain hold of the first handle");
        assertFalse(first.isHeldByAnother(), "its own hold");
        first.release();
        assertFalse(second.isHeldByAnother(), "released");
        holdTimes(first, BiasedOwnerLock.INITIAL_BIAS_THRESHOLD + 1);
        assertTrue(first.isBiased());
        assertFalse(second.isHeldByAnother(), "a bias, which tryRevoke may take: not a hold to wait for");
    }

    @Test
    void shouldNotBiasWhileAnotherHandleTakesTheLockInBetween()
    {
        for (int i = 0; i < 3 * BiasedOwnerLock.INITIAL_BIAS_THRESHOLD; i++)
        {
            holdTimes(first, 1);
            if (i % 500 == 0)
            {
                holdTimes(second, 1);
            }
        }
        assertFalse(first.isBiased());
        assertFalse(second.isBiased());
    }

    @Test
    void shouldRevokeAnIdleBiasAndRaiseTheThresholdOfTheNextOne()
    {
        holdTimes(first, BiasedOwnerLock.INITIAL_BIAS_THRESHOLD + 1);
        assertTrue(first.isBiased());
        assertFalse(second.tryAcquire(), "biased to the first handle");
        assertTrue(second.tryRevoke());
        assertFalse(first.tryAcquire(), "revoked: held by the second handle");
        assertFalse(first.isBiased());
        second.release();
        assertEquals(0, words.getLongVolatile(LOCK_OFFSET));
        // eight times as many holds in a row before the next bias
        holdTimes(first, 8 * BiasedOwnerLock.INITIAL_BIAS_THRESHOLD);
        assertFalse(first.isBiased());
        holdTimes(first, 2);
        assertTrue(first.isBiased());
    }

    @Test
    void shouldWaitForTheBiasedHolderToLeaveItsHold()
    {
        holdBiasedAndLetSecondWait();
        assertEquals(OwnerToken.current(), words.getLongVolatile(LOCK_OFFSET), "the word is the taker's meanwhile");
        assertFalse(second.tryAcquire(), "still inside");
        first.release();
        assertTrue(second.tryAcquire(), "entered once the holder left");
        assertFalse(second.isPending());
        assertFalse(first.tryAcquire());
        second.release();
        assertTrue(first.tryAcquire(), "a plain hold again");
        first.release();
    }

    @Test
    void shouldNotLetTheSlotOwnerTakeANewBiasWhileATakerWaits()
    {
        holdBiasedAndLetSecondWait();
        first.release();
        // the slot owner finds its bias gone, and the word taken: nothing it does gets it in before the taker
        for (int i = 0; i < 8 * BiasedOwnerLock.INITIAL_BIAS_THRESHOLD + 2; i++)
        {
            assertFalse(first.tryAcquire(), "attempt " + i);
            assertFalse(first.tryRevoke(), "attempt " + i);
        }
        assertFalse(first.isBiased());
        assertTrue(second.tryAcquire());
        second.release();
    }

    @Test
    void shouldPutTheBiasBackWhenATakerGivesUp()
    {
        holdBiasedAndLetSecondWait();
        second.abandon();
        assertFalse(second.isPending());
        assertEquals(OwnerToken.current() | BIASED, words.getLongVolatile(LOCK_OFFSET));
        first.release();
        assertTrue(first.tryAcquire(), "still biased: nobody entered");
        assertTrue(first.isBiased());
        first.release();
    }

    @Test
    void shouldSayHeldWhenALivenessCheckFindsTheBiasedHolderGoneAfterAll()
    {
        holdBiasedAndLetSecondWait();
        first.release(); // leaves while the taker is between its tries
        assertTrue(second.tryTakeOverFromDead(), "the taking completes in the liveness check");
        assertTrue(second.isHeld());
        assertEquals(OwnerToken.NONE, second.takeOverNotice(), "nobody died");
        second.release();
        assertEquals(0, words.getLongVolatile(LOCK_OFFSET));
    }

    @Test
    void shouldWaitForTheBiasedHolderWhenTakingOverFromATakerThatDied()
    {
        holdTimes(first, BiasedOwnerLock.INITIAL_BIAS_THRESHOLD + 1);
        assertTrue(first.tryAcquire());
        words.putLongVolatile(LOCK_OFFSET, DEAD); // a taker took the word from the bias and was killed
        assertFalse(second.tryTakeOverFromDead(), "the biased holder is still inside");
        assertTrue(second.isPending());
        first.release();
        assertTrue(second.tryAcquire());
        assertEquals(DEAD, second.takeOverNotice(), "told whom it took over from");
        assertEquals(OwnerToken.NONE, second.takeOverNotice(), "once");
        second.release();
        assertTrue(first.tryAcquire(), "the slot owner takes it plainly again");
        first.release();
    }

    @Test
    void shouldTakeOverTheLockAndTheSlotOfADeadBiasedHolder()
    {
        words.putLongVolatile(SLOT_OFFSET, DEAD);
        words.putLongVolatile(ACTIVE_OFFSET, 1); // killed inside a hold
        words.putLongVolatile(LOCK_OFFSET, DEAD | BIASED);
        assertFalse(second.tryAcquire());
        assertFalse(second.tryRevoke(), "the dead holder looks active");
        assertTrue(second.isPending());
        assertTrue(second.tryTakeOverFromDead());
        assertEquals(DEAD, second.takeOverNotice());
        assertEquals(OwnerToken.current(), words.getLongVolatile(SLOT_OFFSET), "the slot passed on");
        assertEquals(0, words.getLongVolatile(ACTIVE_OFFSET));
        second.release();
        holdTimes(second, BiasedOwnerLock.INITIAL_BIAS_THRESHOLD + 1);
        assertTrue(second.isBiased(), "the new slot owner can be biased");
    }

    @Test
    void shouldGiveTheBiasAndTheSlotBackOnClose()
    {
        holdTimes(first, BiasedOwnerLock.INITIAL_BIAS_THRESHOLD + 1);
        first.close();
        assertEquals(0, words.getLongVolatile(LOCK_OFFSET));
        assertEquals(0, words.getLongVolatile(SLOT_OFFSET));
        holdTimes(second, BiasedOwnerLock.INITIAL_BIAS_THRESHOLD + 1);
        assertTrue(second.isBiased(), "the slot is free for another handle");
    }

    @Test
    void shouldKeepHoldsExclusiveAcrossProcessesWhileABiasIsRevokedAgainAndAgain() throws Exception
    {
        try (SharedMemory memory = SharedMemory.create("biased", BiasedLockChildMain.LENGTH))
        {
            final AtomicBuffer buffer = memory.buffer();
            final JvmProcess runner = dir.start(BiasedLockChildMain.class,
                "runner", "biased");
            final JvmProcess revoker = dir.start(BiasedLockChildMain.class,
                "revoker", "biased", "5");
            assertTrue(revoker.join(90, TimeUnit.SECONDS), "the revoker took the runner's bias 5 times");
            assertTrue(runner.join(30, TimeUnit.SECONDS));
            assertEquals(0, revoker.exitCode().getAsInt());
            assertEquals(0, runner.exitCode().getAsInt());
            final long holds = buffer.getLongVolatile(BiasedLockChildMain.HOLDS_OFFSET) +
                buffer.getLongVolatile(BiasedLockChildMain.HOLDS_OFFSET + 8);
            assertTrue(holds > 5 * BiasedOwnerLock.INITIAL_BIAS_THRESHOLD, "holds: " + holds);
            assertEquals(holds, buffer.getLongVolatile(BiasedLockChildMain.COUNTER_OFFSET), "no hold overlapped");
            memory.unlink();
        }
    }

    @Test
    void shouldKeepHoldsExclusiveAcrossProcessesHoldingInRandomBursts() throws Exception
    {
        final long holds = 300_000;
        try (SharedMemory memory = SharedMemory.create("bursts", BiasedLockChildMain.LENGTH))
        {
            final AtomicBuffer buffer = memory.buffer();
            final JvmProcess[] children = new JvmProcess[3];
            for (int role = 0; role < children.length; role++)
            {
                // a low threshold: biases are granted and revoked many times
                children[role] = dir.start(BiasedLockChildMain.class, new ProcessOptions()
                    .jvmOptions("-D" + BiasedOwnerLock.BIAS_THRESHOLD_PROP_NAME + "=16")
                    .args("bursts", "bursts", Long.toString(holds), Integer.toString(role)));
            }
            for (final JvmProcess child : children)
            {
                assertTrue(child.join(90, TimeUnit.SECONDS));
                assertEquals(0, child.exitCode().getAsInt());
            }
            assertEquals(children.length * holds, buffer.getLongVolatile(BiasedLockChildMain.COUNTER_OFFSET),
                "no hold overlapped");
            memory.unlink();
        }
    }

    @Test
    void shouldTakeTheLockFromABiasedHolderKilledAtWork() throws Exception
    {
        try (SharedMemory memory = SharedMemory.create("killed", BiasedLockChildMain.LENGTH))
        {
            final AtomicBuffer buffer = memory.buffer();
            final JvmProcess runner = dir.start(BiasedLockChildMain.class,
                "runner", "killed");
            final long startNs = System.nanoTime();
            while (buffer.getLongVolatile(BiasedLockChildMain.BIASED_FLAG_OFFSET) == 0)
            {
                assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(60), "the runner got its bias");
                Thread.onSpinWait();
            }
            runner.kill();
            assertTrue(runner.join(30, TimeUnit.SECONDS));
            final BiasedOwnerLock lock = new BiasedOwnerLock().wrap(buffer, 0);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean held = false;
            while (!held && System.nanoTime() < deadlineNs)
            {
                held = lock.tryAcquire() || lock.tryRevoke() || lock.tryTakeOverFromDead();
            }
            assertTrue(held, "taken from the killed holder");
            lock.release();
            lock.close();
            memory.unlink();
        }
    }
}
