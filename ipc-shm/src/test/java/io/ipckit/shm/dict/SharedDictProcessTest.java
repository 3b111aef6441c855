package io.ipckit.shm.dict;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.value.SharedValue;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SharedDict across real JVMs: a per-key model under concurrent compound operations, growth to two million entries
 * beside a reading and writing peer, and writers killed with SIGKILL at random moments.
 */
@Timeout(120)
class SharedDictProcessTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldKeepEveryCounterExactUnderConcurrentCompoundOperations() throws InterruptedException
    {
        final int children = 3;
        final int ops = 50_000;
        final SharedDictOptions options = new SharedDictOptions().segmentBytes(4096);
        try (SharedDict<String, Long> dict = SharedDict.create("model", Codecs.STRING, Codecs.LONG, options))
        {
            final long[] expected = new long[DictChild.COUNTERS];
            final List<JvmProcess> started = new ArrayList<>();
            for (int id = 0; id < children; id++)
            {
                final long seed = 1_000 + id;
                started.add(dir.track(JvmProcess.start(DictChild.class, "model", "model", Integer.toString(id),
                    Integer.toString(ops), Long.toString(seed))));
                final Random replay = new Random(seed);
                for (int i = 0; i < ops; i++)
                {
                    final int op = DictChild.op(replay);
                    final int counter = replay.nextInt(DictChild.COUNTERS);
                    if (op <= 2)
                    {
                        expected[counter]++;
                    }
                }
            }
            Eventually.await("every child ready", Duration.ofSeconds(30), () ->
            {
                for (int id = 0; id < children; id++)
                {
                    if (!dict.containsKey("ready" + id))
                    {
                        return false;
                    }
                }
                return true;
            });
            dict.put("go", 1L);
            for (final JvmProcess child : started)
            {
                assertTrue(child.join(90, TimeUnit.SECONDS), "child still running: " + child);
                assertEquals(0, child.exitCode().getAsInt(), "child found an inconsistency: " + child);
            }
            for (int c = 0; c < DictChild.COUNTERS; c++)
            {
                assertEquals(expected[c], dict.get("c" + c), "counter c" + c);
            }
            for (int t = 0; t < DictChild.TOKENS; t++)
            {
                assertEquals(null, dict.get("t" + t), "token t" + t + " left taken");
            }
            assertEquals(DictChild.COUNTERS + children + 1, dict.size());
            assertEquals(0, dict.takeovers());
        }
    }

    @Test
    void shouldGrowToTwoMillionEntriesWhileAnotherProcessReadsAndWrites() throws InterruptedException
    {
        final int entries = 2_000_000;
        try (SharedDict<Long, Long> dict = SharedDict.create("grow", Codecs.LONG, Codecs.LONG))
        {
            final JvmProcess peer = dir.track(JvmProcess.start(DictChild.class, "grow-peer", "grow"));
            Eventually.await("the peer to start writing", Duration.ofSeconds(30), () -> dict.containsKey(-1L));
            final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
            final UnsafeBuffer value = new UnsafeBuffer(new byte[8]);
            for (long k = 0; k < entries; k++)
            {
                key.putLong(0, k);
                value.putLong(0, ~k);
                assertTrue(dict.put(key, 0, 8, value, 0, 8));
                if ((k & 0xFFF) == 0xFFF)
                {
                    dict.put(DictChild.PROGRESS, k + 1);
                }
            }
            dict.put(DictChild.PROGRESS, (long)entries);
            dict.put(DictChild.STOP, 1L);
            assertTrue(peer.join(60, TimeUnit.SECONDS));
            assertEquals(0, peer.exitCode().getAsInt(), "the peer found a wrong value");
            final UnsafeBuffer read = new UnsafeBuffer(new byte[8]);
            for (long k = 0; k < entries; k++)
            {
                key.putLong(0, k);
                assertEquals(8, dict.get(key, 0, 8, read, 0));
                assertEquals(~k, read.getLong(0));
            }
            long own = 0;
            while (dict.containsKey(-1 - own))
            {
                own++;
            }
            assertEquals(entries + 2 + own, dict.size());
        }
    }

    @Test
    void shouldLoseNoCommittedMutationWhenWritersAreKilledAtRandomMoments() throws InterruptedException
    {
        final int slots = 3;
        final int kills = 54;
        final SharedDictOptions options = new SharedDictOptions().segmentBytes(4096).maxBytes(64L << 20);
        try (SharedDict<Long, byte[]> dict = SharedDict.create("victims", Codecs.LONG, Codecs.BYTES, options);
             SharedValue reports = SharedValue.create("reports", DType.INT64, slots))
        {
            final JvmProcess[] running = new JvmProcess[slots];
            final long[] floor = new long[slots];
            int killed = 0;
            int started = 0;
            while (killed < kills)
            {
                for (int id = 0; id < slots; id++)
                {
                    if (running[id] == null && started < kills)
                    {
                        running[id] = dir.track(JvmProcess.start(DictChild.class, "victim", "victims", "reports",
                            Integer.toString(id)));
                        floor[id] = -1;
                        started++;
                    }
                }
                for (int id = 0; id < slots; id++)
                {
                    final JvmProcess child = running[id];
                    if (child == null)
                    {
                        continue;
                    }
                    final int slot = id;
                    if (floor[id] < 0)
                    {
                        if (!child.isAlive())
                        {
                            throw new AssertionError("victim died on its own: " + child.exitCode());
                        }
                        final long now = reports.getLong(id);
                        floor[id] = now + 1 + ThreadLocalRandom.current().nextInt(3_000);
                        continue;
                    }
                    if (reports.getLong(id) < floor[id])
                    {
                        if (!child.isAlive())
                        {
                            throw new AssertionError("victim died on its own: " + child.exitCode());
                        }
                        continue;
                    }
                    child.kill();
                    assertTrue(child.join(10, TimeUnit.SECONDS));
                    running[id] = null;
                    killed++;
                    checkAfterKill(dict, reports, slot);
                }
                Thread.onSpinWait();
            }
            final long takeovers = dict.takeovers();
            assertTrue(takeovers > 0, "no kill landed while a lock was held in " + kills + " kills");
            System.out.println("SharedDict kill test: " + killed + " kills, " + takeovers + " takeovers");
            for (final Map.Entry<Long, byte[]> e : dict.entrySet())
            {
                if (e.getKey() >= 0)
                {
                    assertTrue(DictChild.whole(e.getValue(), e.getKey()), "torn entry " + e.getKey());
                }
            }
        }
    }

    @Test
    void shouldTakeOverTheLockOfAWriterKilledInsideComputeWithinTheLivenessInterval() throws InterruptedException
    {
        try (SharedDict<String, Long> dict = SharedDict.create("held", Codecs.STRING, Codecs.LONG);
             SharedValue signal = SharedValue.create("signal", DType.INT64))
        {
            dict.put("held", 41L);
            final JvmProcess holder = dir.track(JvmProcess.start(DictChild.class, "hold", "held", "signal"));
            Eventually.await("the child inside compute", Duration.ofSeconds(30), () -> signal.get() == 1);
            assertEquals(41L, dict.get("held"), "readers do not wait for a writer's lock");
            holder.kill();
            assertTrue(holder.join(10, TimeUnit.SECONDS));
            final long start = System.nanoTime();
            assertEquals(42L, dict.merge("held", 1L, Long::sum));
            final long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(1, dict.takeovers());
            assertTrue(takeoverMs < 2_000, "took " + takeoverMs + " ms to take the lock over");
            System.out.println("SharedDict takeover after SIGKILL: " + takeoverMs + " ms");
        }
    }

    private static void checkAfterKill(final SharedDict<Long, byte[]> dict, final SharedValue reports, final int id)
    {
        final long reported = reports.getLong(id);
        final byte[] counter = dict.get(DictChild.counterKey(id));
        final long count = counter == null ? 0 : new UnsafeBuffer(counter).getLong(0);
        assertTrue(count == reported || count == reported + 1,
            "victim " + id + " reported " + reported + " committed increments but the dict has " + count);
        for (int i = 0; i < 2_000; i += 7)
        {
            final long key = DictChild.entryKey(id, i);
            final byte[] value = dict.get(key);
            assertTrue(value == null || DictChild.whole(value, key), "torn entry " + key);
        }
        // writes into the dead victim's key range: they take over any lock it died holding
        final UnsafeBuffer value = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < 2_000; i += 50)
        {
            final long key = DictChild.entryKey(id, i);
            DictChild.fill(value, key, 0);
            dict.put(key, value.byteArray());
        }
        dict.merge(DictChild.counterKey(id), DictChild.counterValue(0), (old, zero) -> old);
        reports.setLong(id, count);
    }

    /**
     * A close on one thread while others read and write through every path: the file stayed mapped for none of them,
     * and the JVM died with SIGSEGV. Run in a child, so that a crash fails this test rather than the test JVM.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldSurviveACloseWhileOtherThreadsUseTheDict() throws Exception
    {
        final java.nio.file.Path out = dir.path().resolve("close-race.out");
        final JvmProcess child = dir.track(JvmProcess.start(DictChild.class,
            new io.ipckit.core.process.ProcessOptions().args("close-race", "raced", "300").redirectOutput(out)));
        assertTrue(child.join(50, TimeUnit.SECONDS));
        final String output = java.nio.file.Files.readString(out);
        assertEquals(0, child.exitCode().getAsInt(), "the JVM survived closes racing calls: " + output);
        assertTrue(output.contains("survived"), output);
        java.nio.file.Files.delete(out);
    }
}
