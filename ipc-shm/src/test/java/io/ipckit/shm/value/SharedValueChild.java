package io.ipckit.shm.value;

/**
 * Child JVM for {@link SharedValueTest}: {@code add <name> <count>} adds 1 to element 0 {@code count} times with
 * getAndAdd; {@code update <name> <count>} does the same with the lock-free updateAndGet.
 */
public final class SharedValueChild
{
    private SharedValueChild()
    {
    }

    public static void main(final String[] args)
    {
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
}
