package io.ipckit.shm.list;

import java.util.Arrays;

/**
 * Child JVM for {@link ShareableListTest}: {@code check-and-write <name>} exits 3 unless the list holds what the
 * test created, then writes new items; {@code flip <name> <count>} writes two different strings into slot 0,
 * alternately, {@code count} times.
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
}
