package io.ipckit.shm.value;

import io.ipckit.shm.sync.SharedLock;

/**
 * Child JVM for {@link SharedValueTest}: {@code add <name> <count>} adds 1 to element 0 {@code count} times with
 * getAndAdd; {@code update <name> <count>} does the same with the lock-free updateAndGet; {@code locked-double <name> <count>
 * <lock>} adds 1.0 to a float64 value under a {@link io.ipckit.shm.sync.SharedLock}.
 */
public final class SharedValueChild
{
    private SharedValueChild()
    {
    }

    public static void main(final String[] args)
    {
        if ("locked-double".equals(args[0]))
        {
            lockedDouble(args[1], Long.parseLong(args[2]), args[3]);
            return;
        }
        try (SharedValue value = SharedValue.open(args[1]))
        {
            final long count = Long.parseLong(args[2]);
            for (long i = 0; i < count; i++)
            {
                if ("add".equals(args[0]))
                {
                    value.getAndAdd(1);
                }
                else
                {
                    value.updateAndGet(0, (v) -> v + 1);
                }
            }
        }
    }

    /**
     * Adds 1.0 to a float64 value {@code count} times, each under the cross-process lock named {@code lockName}.
     */
    private static void lockedDouble(final String name, final long count, final String lockName)
    {
        try (SharedLock lock = SharedLock.open(lockName);
             SharedValue value = SharedValue.open(name).withLock(lock))
        {
            for (long i = 0; i < count; i++)
            {
                value.updateAndGetDouble(0, (v) -> v + 1.0);
            }
        }
    }
}
