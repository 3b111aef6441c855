package io.ipckit.bench.harness.ipckit;

import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.VerificationException;
import io.ipckit.bench.harness.Workload;
import io.ipckit.manager.Manager;
import io.ipckit.manager.ManagerOptions;
import io.ipckit.manager.connection.Listener;
import io.ipckit.manager.internal.ServerCore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The {@code manager-replay} workload of {@link IpckitManagerContestant}: fills a durable manager's journal, kills
 * the manager, and times the replay of a manager opened on the journal in this JVM.
 */
final class ReplayMeasure
{
    private ReplayMeasure()
    {
    }

    static Measurement measure(final IpckitManagerContestant contestant, final String name, final RunContext context)
    {
        final Path journal = context.scratch().resolve(name + "-journal");
        // no snapshot while filling, so that the restart replays every set
        final ManagerOptions options = new ManagerOptions().durable(journal).snapshotEveryEntries(Long.MAX_VALUE);
        final long fillNs = context.maxMessages() > 0 ? Long.MAX_VALUE :
            context.warmup().toNanos() + context.measure().toNanos();
        final long maxSets = context.maxMessages() > 0 ? context.maxMessages() : Long.MAX_VALUE;
        final AtomicLong sets = new AtomicLong();
        try
        {
            final Manager manager = Manager.start(name, options);
            try
            {
                final ConcurrentMap<Integer, Long> dict = manager.dict();
                final long end = System.nanoTime() + fillNs;
                final List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < IpckitManagerContestant.REPLAY_THREADS; t++)
                {
                    final int offset = t * IpckitManagerContestant.KEYS;
                    threads.add(Thread.ofPlatform().start(() ->
                    {
                        long i = 0;
                        while ((fillNs == Long.MAX_VALUE || System.nanoTime() - end < 0) &&
                            sets.incrementAndGet() <= maxSets)
                        {
                            dict.put(offset + (int)(i & (IpckitManagerContestant.KEYS - 1)), i);
                            i++;
                        }
                    }));
                }
                for (final Thread thread : threads)
                {
                    thread.join();
                }
                manager.process().kill();
                manager.process().join(30, TimeUnit.SECONDS);
                // a killed manager leaves its socket and key files behind: the next start would replace them
                Files.deleteIfExists(io.ipckit.core.SharedDirectory.resolve("manager-" + name + ".sock"));
                Files.deleteIfExists(io.ipckit.core.SharedDirectory.resolve("manager-" + name + ".key"));
            }
            finally
            {
                manager.close();
            }
            final long puts = Math.min(sets.get(), maxSets);
            final Path copy = context.scratch().resolve(name + "-journal-copy");
            Files.createDirectories(copy);
            try (Stream<Path> files = Files.list(journal))
            {
                for (final Path file : files.toList())
                {
                    Files.copy(file, copy.resolve(file.getFileName()));
                }
            }
            // the first replay with a cold JIT; the second, of a copy of the journal as killed, with a warm one
            final long[] replayed = new long[2];
            final double[] rates = new double[2];
            replayOnce(journal, name + "-0", context, replayed, rates, 0);
            replayOnce(copy, name + "-1", context, replayed, rates, 1);
            deleteRecursively(copy);
            // the first snapshot, the handle's hello, the dict's creation, the sets
            if (replayed[0] != puts + 3 || replayed[1] != puts + 3)
            {
                throw new VerificationException("manager-replay: " + replayed[0] + " and " + replayed[1] +
                    " entries replayed where " + (puts + 3) + " were journaled");
            }
            deleteRecursively(journal);
            return new Measurement(contestant.id(), Workload.MANAGER_REPLAY, context.repeat(), rates[1],
                Map.of("entries", (double)replayed[1], "coldPerSecond", rates[0]), null);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the replay", ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void replayOnce(final Path journal, final String name, final RunContext context,
        final long[] replayed, final double[] rates, final int round)
    {
        final ManagerOptions options = new ManagerOptions().durable(journal).snapshotEveryEntries(Long.MAX_VALUE);
        final Path socket = context.scratch().resolve(name + ".sock");
        final ServerCore core = new ServerCore(new Listener(UnixDomainSocketAddress.of(socket), new byte[] {1},
            options.maxFrameBytes()), options.registry(), options, null);
        try
        {
            replayed[round] = core.replayedEntries();
            rates[round] = replayed[round] * 1e9 / Math.max(1, core.replayNs());
        }
        finally
        {
            core.close();
            deleteRecursively(socket);
            deleteRecursively(journal);
        }
    }

    static void deleteRecursively(final Path path)
    {
        if (!Files.exists(path))
        {
            return;
        }
        try (Stream<Path> files = Files.walk(path))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + path, ex);
        }
    }
}
