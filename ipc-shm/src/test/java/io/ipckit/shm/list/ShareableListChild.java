package io.ipckit.shm.list;

import io.ipckit.shm.ShmOptions;

import java.util.Arrays;
import java.util.List;

/**
 * Child JVM for {@link ShareableListTest}: {@code check-and-write <name>} exits 3 unless the list holds what the
 * test created, then writes new items; {@code flip <name> <count>} writes two different strings into slot 0,
 * alternately, {@code count} times; {@code oom-set <name>} (run with {@code -Xmx300m}) creates a list with one
 * 100 MiB slot, sets it, sets it again until that runs out of memory, and exits 0 when another handle can then read
 * the slot (2 when no write ran out of memory, 3 when the slot stayed locked).
 */
public final class ShareableListChild
{
    static final String WIDE = "h\u00e9llo w\u00f6rld \u2713 \uD83D\uDE00";
    static final String SHORT = "aaaaaaaaaaaaaaaaaaaa";
    static final String LONG = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private ShareableListChild()
    {
    }

    public static void main(final String[] args)
    {
        if ("oom-set".equals(args[0]))
        {
            System.exit(oomSet(args[1]));
        }
        try (ShareableList list = ShareableList.open(args[1]))
        {
            if ("check-and-write".equals(args[0]))
            {
                final boolean same = list.size() == 6 && WIDE.equals(list.get(0)) && list.get(1).equals(42L) &&
                    list.get(2).equals(2.5) && list.get(3).equals(true) && list.get(4) == null &&
                    Arrays.equals(new byte[]{'a', 'b', 0, 0}, (byte[])list.get(5));
                if (!same)
                {
                    System.exit(3);
                }
                list.set(0, "grown\0");
                list.set(1, -1.25);
                list.set(4, "x");
                list.set(5, new byte[0]);
            }
            else
            {
                final int count = Integer.parseInt(args[2]);
                for (int i = 0; i < count; i++)
                {
                    list.set(0, (i & 1) == 0 ? LONG : SHORT);
                }
            }
        }
    }

    private static int oomSet(final String name)
    {
        final int length = 100 << 20;
        try (ShareableList list = ShareableList.create(name, List.of(new byte[0]), new ShmOptions().minSlotBytes(length));
            ShareableList other = ShareableList.open(name))
        {
            list.set(0, new byte[length]);
            try
            {
                list.set(0, new byte[length]); // the new value, its copy and the old value's: 300 MiB
                System.out.println("the second set did not run out of memory");
                return 2;
            }
            catch (final OutOfMemoryError expected)
            {
                System.out.println("the second set ran out of memory, as expected");
            }
            try
            {
                final byte[] value = (byte[])other.get(0);
                System.out.println("read " + value.length + " bytes");
                return value.length == length ? 0 : 4;
            }
            catch (final RuntimeException ex)
            {
                ex.printStackTrace(System.out);
                return 3;
            }
            finally
            {
                list.unlink();
            }
        }
    }
}
