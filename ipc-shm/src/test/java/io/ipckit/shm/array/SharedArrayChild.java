package io.ipckit.shm.array;

import io.ipckit.shm.ShmOptions;

import java.util.concurrent.TimeUnit;

/**
 * Child JVM for the SharedArray tests. Modes:
 * <ul>
 *     <li>{@code check-and-write <name>}: opens a float64 3x4 array, exits 3 unless element (i, j) is
 *     {@code 10 i + j}, then writes -1 at (2, 3) and exits 0;</li>
 *     <li>{@code add <name> <count>}: adds 1 to element 0 with getAndAdd and to element 1 with a compareAndSet loop,
 *     {@code count} times each;</li>
 *     <li>{@code sum-each (<name> <sum> <min> <max>)...}: opens each array once on one reduction thread and once
 *     on two, and exits 3 unless every handle's sum, min and max print as given;</li>
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
            case "sum-each" ->
            {
                for (int i = 1; i + 3 < args.length; i += 4)
                {
                    for (final int threads : new int[] {1, 2})
                    {
                        try (SharedArray array = SharedArray.open(args[i], new ShmOptions().reductionThreads(threads)))
                        {
                            final boolean real = array.dtype().isFloatingPoint();
                            final String found = (real ? Double.toString(array.sum()) : Long.toString(array.sumLong())) +
                                " " + (real ? Double.toString(array.min()) : Long.toString(array.minLong())) +
                                " " + (real ? Double.toString(array.max()) : Long.toString(array.maxLong()));
                            final String expected = args[i + 1] + " " + args[i + 2] + " " + args[i + 3];
                            if (!found.equals(expected))
                            {
                                System.err.println(args[i] + " with " + threads + " threads: sum, min, max " + found +
                                    ", expected " + expected);
                                System.exit(3);
                            }
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
