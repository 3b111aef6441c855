package io.ipckit.core.internal.kit;

import io.ipckit.shm.SharedMemory;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Child JVM of {@link BiasedOwnerLockTest}. Shared memory layout: the lock's words at 0, then at
 * {@link #COUNTER_OFFSET} a counter incremented non-atomically under the lock, {@link #BIASED_FLAG_OFFSET} a flag the
 * "runner" sets when its hold was biased, {@link #DONE_OFFSET} set by the "revoker" when it ends, and
 * {@link #HOLDS_OFFSET} + 8 * role the holds of each role. Modes:
 * <ul>
 * <li>{@code runner name}: takes the lock over and over until the revoker is done; raises the flag whenever it
 * holds the lock biased.</li>
 * <li>{@code revoker name rounds}: {@code rounds} times, waits for the flag, then takes the lock (revoking the
 * runner's bias) and lowers the flag.</li>
 * <li>{@code bursts name holds}: takes the lock {@code holds} times in random bursts, with busy pauses between.</li>
 * </ul>
 * Every hold reads the counter, spins a little, and writes it back plus one: holds that overlapped would lose
 * increments.
 */
public final class BiasedLockChildMain
{
    static final int COUNTER_OFFSET = 64;
    static final int BIASED_FLAG_OFFSET = 128;
    static final int DONE_OFFSET = 192;
    static final int HOLDS_OFFSET = 256;
    static final int LENGTH = 512;

    private BiasedLockChildMain()
    {
    }

    public static void main(final String[] args)
    {
        try (SharedMemory memory = SharedMemory.open(args[1]))
        {
            final AtomicBuffer buffer = memory.buffer();
            final BiasedOwnerLock lock = new BiasedOwnerLock().wrap(buffer, 0);
            switch (args[0])
            {
                case "runner" -> runner(buffer, lock);
                case "revoker" -> revoker(buffer, lock, Integer.parseInt(args[2]));
                case "bursts" -> bursts(buffer, lock, Long.parseLong(args[2]), Integer.parseInt(args[3]));
                default -> throw new IllegalArgumentException(args[0]);
            }
            lock.close();
        }
    }

    private static void runner(final AtomicBuffer buffer, final BiasedOwnerLock lock)
    {
        long holds = 0;
        while (buffer.getLongVolatile(DONE_OFFSET) == 0)
        {
            acquire(lock);
            increment(buffer);
            final boolean biased = lock.isBiased();
            lock.release();
            holds++;
            if (biased && buffer.getLongVolatile(BIASED_FLAG_OFFSET) == 0)
            {
                buffer.putLongVolatile(BIASED_FLAG_OFFSET, 1);
            }
        }
        buffer.putLongVolatile(HOLDS_OFFSET, holds);
    }

    private static void revoker(final AtomicBuffer buffer, final BiasedOwnerLock lock, final int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            while (buffer.getLongVolatile(BIASED_FLAG_OFFSET) == 0)
            {
                Thread.onSpinWait();
            }
            acquire(lock);
            increment(buffer);
            buffer.putLongVolatile(BIASED_FLAG_OFFSET, 0);
            lock.release();
        }
        buffer.putLongVolatile(HOLDS_OFFSET + 8, rounds);
        buffer.putLongVolatile(DONE_OFFSET, 1);
    }

    private static void bursts(final AtomicBuffer buffer, final BiasedOwnerLock lock, final long holds, final int role)
    {
        final java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long done = 0;
        while (done < holds)
        {
            final long burst = Math.min(holds - done, random.nextLong(1, 3000));
            for (long i = 0; i < burst; i++)
            {
                acquire(lock);
                increment(buffer);
                lock.release();
            }
            done += burst;
            final long pauseEndNs = System.nanoTime() + random.nextLong(0, 20_000);
            while (System.nanoTime() < pauseEndNs)
            {
                Thread.onSpinWait();
            }
        }
        buffer.putLongVolatile(HOLDS_OFFSET + 8 * role, holds);
    }

    private static void acquire(final BiasedOwnerLock lock)
    {
        while (!lock.tryAcquire() && !lock.tryRevoke())
        {
            Thread.onSpinWait();
        }
    }

    private static void increment(final AtomicBuffer buffer)
    {
        final long value = buffer.getLong(COUNTER_OFFSET);
        for (int i = 0; i < 8; i++)
        {
            Thread.onSpinWait();
        }
        buffer.putLong(COUNTER_OFFSET, value + 1);
    }
}
