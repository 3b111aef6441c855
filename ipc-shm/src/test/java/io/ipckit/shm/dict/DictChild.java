package io.ipckit.shm.dict;

import io.ipckit.core.codec.Codecs;
import io.ipckit.shm.value.SharedValue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Random;

/**
 * Child JVM for {@link SharedDictProcessTest}:
 * <ul>
 * <li>{@code model <dict> <id> <ops> <seed>}: random increments of shared counters through merge, compute and
 * replace loops (replayed by the parent from the seed), checking that the values it sees per key only grow, plus
 * ownership of token keys through putIfAbsent and remove(key, value), all children starting together when the
 * key {@code go} appears; exits 1 on any inconsistency.</li>
 * <li>{@code grow-peer <dict>}: while the parent grows the dict, reads the parent's entries (checking their
 * values) and writes and checks its own, until the key {@code STOP} appears.</li>
 * <li>{@code victim <dict> <reports> <id>}: mutates in a loop until killed, reporting each committed counter
 * increment in element {@code id} of the shared value {@code reports}.</li>
 * <li>{@code hold <dict> <signal>}: inside {@code compute("held", ...)}, so holding that key's segment lock, sets
 * element 0 of the shared value {@code signal} to 1 and waits to be killed.</li>
 * <li>{@code close-race <prefix> <rounds>}: per round, creates a dict, has three threads read and write it (through
 * the object, zero-copy and iterator paths) while the main thread closes it; prints "survived" at the end.</li>
 * </ul>
 */
public final class DictChild
{
    static final long STOP = Long.MIN_VALUE;
    static final long PROGRESS = Long.MIN_VALUE + 1;
    static final int COUNTERS = 16;
    static final int TOKENS = 4;

    private DictChild()
    {
    }

    public static void main(final String[] args)
    {
        switch (args[0])
        {
            case "model" -> model(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]));
            case "grow-peer" -> growPeer(args[1]);
            case "victim" -> victim(args[1], args[2], Integer.parseInt(args[3]));
            case "hold" -> hold(args[1], args[2]);
            case "close-race" -> closeRace(args[1], Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void closeRace(final String prefix, final int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            final SharedDict<Long, Long> dict = SharedDict.create(prefix + round, Codecs.LONG, Codecs.LONG);
            for (long k = 0; k < 64; k++)
            {
                dict.put(k, k);
            }
            final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(3);
            final Thread[] threads = new Thread[3];
            for (int t = 0; t < threads.length; t++)
            {
                final int path = t;
                threads[t] = new Thread(() ->
                {
                    started.countDown();
                    try
                    {
                        useUntilClosed(dict, path);
                    }
                    catch (final io.ipckit.core.exceptions.ResourceClosedException expected)
                    {
                        // the close came: every path must end this way, never touch unmapped memory
                    }
                });
                threads[t].start();
            }
            try
            {
                started.await();
                dict.unlink();
                dict.close();
                for (final Thread thread : threads)
                {
                    thread.join();
                }
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        System.out.println("survived");
    }

    /** Uses the dict until a call throws: path 0 the object get, 1 the zero-copy get, 2 an iteration and puts. */
    private static void useUntilClosed(final SharedDict<Long, Long> dict, final int path)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[Long.BYTES]);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[Long.BYTES]);
        for (long i = 0; ; i++)
        {
            if (path == 0)
            {
                dict.get(i & 63);
            }
            else if (path == 1)
            {
                key.putLong(0, i & 63);
                dict.get(key, 0, Long.BYTES, value, 0);
            }
            else
            {
                for (final Long each : dict.values())
                {
                    dict.put(each, each);
                }
            }
        }
    }

    /**
     * The op each step of a model child does: 0..2 increment counter {@code key} (merge, compute, replace loop), 3
     * takes and gives back a token, 4 reads.
     */
    static int op(final Random random)
    {
        return random.nextInt(5);
    }

    private static void model(final String name, final int id, final int ops, final long seed)
    {
        final Random random = new Random(seed);
        final long[] lastSeen = new long[COUNTERS];
        try (SharedDict<String, Long> dict = SharedDict.open(name, Codecs.STRING, Codecs.LONG))
        {
            dict.put("ready" + id, 1L);
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (!dict.containsKey("go"))
            {
                check(System.nanoTime() - deadline < 0, "no go within 30 s");
                Thread.onSpinWait();
            }
            for (int i = 0; i < ops; i++)
            {
                final int op = op(random);
                final int counter = random.nextInt(COUNTERS);
                final String key = "c" + counter;
                final long seen;
                switch (op)
                {
                    case 0 -> seen = dict.merge(key, 1L, Long::sum);
                    case 1 -> seen = dict.compute(key, (k, v) -> v == null ? 1L : v + 1);
                    case 2 ->
                    {
                        long next;
                        while (true)
                        {
                            final Long old = dict.get(key);
                            if (old == null ? dict.putIfAbsent(key, 1L) == null : dict.replace(key, old, old + 1))
                            {
                                next = old == null ? 1L : old + 1;
                                break;
                            }
                        }
                        seen = next;
                    }
                    case 3 ->
                    {
                        final String token = "t" + (counter % TOKENS);
                        if (dict.putIfAbsent(token, (long)id) == null)
                        {
                            check(dict.get(token) == id, "token " + token + " taken from its owner " + id);
                            check(!dict.replace(token, id + 1_000L, 0L), "replace with a wrong expected value");
                            check(dict.remove(token, (long)id), "token " + token + " not removable by its owner");
                        }
                        seen = lastSeen[counter];
                    }
                    default ->
                    {
                        final Long value = dict.get(key);
                        seen = value == null ? 0 : value;
                    }
                }
                check(seen >= lastSeen[counter], key + " went back from " + lastSeen[counter] + " to " + seen);
                lastSeen[counter] = seen;
            }
        }
    }

    private static void growPeer(final String name)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[8]);
        final UnsafeBuffer read = new UnsafeBuffer(new byte[8]);
        final Random random = new Random(1);
        try (SharedDict<Long, Long> dict = SharedDict.open(name, Codecs.LONG, Codecs.LONG))
        {
            long own = 0;
            long checked = 0;
            while (!dict.containsKey(STOP))
            {
                final Long progress = dict.get(PROGRESS);
                if (progress != null && progress > 0)
                {
                    final long k = (random.nextLong() & Long.MAX_VALUE) % progress;
                    key.putLong(0, k);
                    check(dict.get(key, 0, 8, read, 0) == 8 && read.getLong(0) == ~k, "parent's key " + k);
                    checked++;
                }
                key.putLong(0, -1 - own);
                value.putLong(0, own * 3);
                dict.put(key, 0, 8, value, 0, 8);
                own++;
                if (own % 64 == 0)
                {
                    final long k = (random.nextLong() & Long.MAX_VALUE) % own;
                    check(dict.get(-1 - k) == k * 3, "own key " + (-1 - k));
                }
            }
            for (long i = 0; i < own; i++)
            {
                check(dict.get(-1 - i) == i * 3, "own key " + (-1 - i) + " at the end");
            }
            check(checked > 0, "read none of the parent's entries while it grew");
        }
    }

    private static void victim(final String name, final String reportsName, final int id)
    {
        final Random random = new Random();
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[64]);
        try (SharedDict<Long, byte[]> dict = SharedDict.open(name, Codecs.LONG, Codecs.BYTES);
             SharedValue reports = SharedValue.open(reportsName))
        {
            final Long counterKey = counterKey(id);
            byte[] start = dict.get(counterKey);
            long n = start == null ? 0 : new UnsafeBuffer(start).getLong(0);
            reports.setLong(id, n);
            while (true)
            {
                final long committed = n + 1;
                dict.merge(counterKey, counterValue(committed), (old, one) ->
                    counterValue(new UnsafeBuffer(old).getLong(0) + 1));
                n = committed;
                reports.setLong(id, n);
                final long k = entryKey(id, random.nextInt(2_000));
                key.putLong(0, k);
                fill(value, k, n);
                if (random.nextInt(4) == 0)
                {
                    dict.remove(key, 0, 8);
                }
                else if (random.nextBoolean())
                {
                    dict.put(key, 0, 8, value, 0, 64);
                }
                else
                {
                    final long stamp = n;
                    dict.put(key, 0, 8, 64, (buffer, offset, length) -> fill(buffer, offset, k, stamp));
                }
            }
        }
    }

    private static void hold(final String name, final String signalName)
    {
        try (SharedDict<String, Long> dict = SharedDict.open(name, Codecs.STRING, Codecs.LONG);
             SharedValue signal = SharedValue.open(signalName))
        {
            dict.compute("held", (k, v) ->
            {
                signal.setLong(0, 1);
                while (true)
                {
                    java.util.concurrent.locks.LockSupport.park();
                }
            });
        }
    }

    static Long counterKey(final int id)
    {
        return -1L - id;
    }

    static byte[] counterValue(final long count)
    {
        final byte[] bytes = new byte[8];
        new UnsafeBuffer(bytes).putLong(0, count);
        return bytes;
    }

    static long entryKey(final int id, final int index)
    {
        return id * 1_000_000L + index;
    }

    static void fill(final UnsafeBuffer value, final long key, final long stamp)
    {
        fill(value, 0, key, stamp);
    }

    static void fill(final org.agrona.MutableDirectBuffer buffer, final int offset, final long key, final long stamp)
    {
        buffer.putLong(offset, key);
        buffer.putLong(offset + 8, stamp);
        for (int i = 2; i < 8; i++)
        {
            buffer.putLong(offset + 8 * i, key * 31 + stamp * 17 + i);
        }
    }

    /**
     * @return true when a 64-byte victim value is whole: written for {@code key} in one piece.
     */
    static boolean whole(final byte[] value, final long key)
    {
        if (value.length != 64)
        {
            return false;
        }
        final UnsafeBuffer b = new UnsafeBuffer(value);
        final long stamp = b.getLong(8);
        boolean ok = b.getLong(0) == key;
        for (int i = 2; i < 8; i++)
        {
            ok &= b.getLong(8 * i) == key * 31 + stamp * 17 + i;
        }
        return ok;
    }

    private static void check(final boolean condition, final String what)
    {
        if (!condition)
        {
            System.err.println("DictChild: inconsistent: " + what);
            System.exit(1);
        }
    }
}
