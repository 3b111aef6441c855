package io.ipckit.shm.array;

import java.util.concurrent.TimeUnit;

/**
 * Child JVM for the SharedArray tests. Modes:
 * <ul>
 *     <li>{@code check-and-write <name>}: opens a float64 3x4 array, exits 3 unless element (i, j) is
 *     {@code 10 i + j}, then writes -1 at (2, 3) and exits 0;</li>
 *     <li>{@code add <name> <count>}: adds 1 to element 0 with getAndAdd and to element 1 with a compareAndSet loop,
 *     {@code count} times each;</li>
 *     <li>{@code sum <name> <expected>}: exits 0 when the sum equals {@code expected}, 3 otherwise;</li>
 *     <li>{@code create-and-wait <name>}: creates an int32 array of 1000 and waits to be killed.</li>
 * </ul>
 */
public final class SharedArrayChild
{
    private SharedArrayChild()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        switch (args[0])
        {
            case "check-and-write" ->
            {
                try (SharedArray array = SharedArray.open(args[1], DType.FLOAT64, 3, 4))
                {
                    for (int i = 0; i < 3; i++)
                    {
                        for (int j = 0; j < 4; j++)
                        {
                            if (array.getDouble(i, j) != 10 * i + j)
                            {
                                System.exit(3);
                            }
                        }
                    }
                    array.setDouble(2, 3, -1.0);
                }
            }
            case "add" ->
            {
                try (SharedArray array = SharedArray.open(args[1]))
                {
                    final long count = Long.parseLong(args[2]);
                    for (long i = 0; i < count; i++)
                    {
                        array.getAndAdd(0, 1);
                        long value;
                        do
                        {
                            value = array.getLong(1);
                        }
                        while (!array.compareAndSet(1, value, value + 1));
                    }
                }
            }
            case "sum" ->
            {
                try (SharedArray array = SharedArray.open(args[1]))
                {
                    System.exit(array.sum() == Double.parseDouble(args[2]) ? 0 : 3);
                }
            }
            case "sum-each" ->
            {
                for (int i = 1; i + 1 < args.length; i += 2)
                {
                    try (SharedArray array = SharedArray.open(args[i]))
                    {
                        final String sum = array.dtype().isFloatingPoint() ? Double.toString(array.sum()) :
                            Long.toString(array.sumLong());
                        if (!sum.equals(args[i + 1]))
                        {
                            System.err.println(args[i] + " summed " + sum + ", expected " + args[i + 1]);
                            System.exit(3);
                        }
                    }
                }
                System.exit(0);
            }
            case "create-and-wait" ->
            {
                SharedArray.create(args[1], DType.INT32, 1000);
                Thread.sleep(TimeUnit.MINUTES.toMillis(2));
                System.exit(4);
            }
            default -> System.exit(2);
        }
    }
}
