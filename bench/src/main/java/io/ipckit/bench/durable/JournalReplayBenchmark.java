package io.ipckit.bench.durable;

import io.ipckit.bench.harness.Directories;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.durable.Journal;
import io.ipckit.durable.JournalHandler;
import io.ipckit.durable.SharedLogOptions;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * How fast a restarted Manager gets its state back: {@link Journal#replay} of a 4 KiB snapshot followed by
 * {@value #MUTATIONS} mutations of 64 B (each with its caller's identity and sequence), read from a journal on the
 * disk's page cache, as after a process restart (not a reboot). Reported per entry: the Manager's target is at least
 * 1 M entries per second. The handler sums the caller sequences, and each replay checks the count and the sum, so a
 * fast but wrong replay fails. The journal lives under {@code java.io.tmpdir}, deleted afterwards.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JournalReplayBenchmark
{
    /** Mutations after the snapshot. */
    public static final int MUTATIONS = 1_000_000;
    private static final int MUTATION_BYTES = 64;
    private static final int SNAPSHOT_BYTES = 4096;
    private static final long EXPECTED_SUM = (long)MUTATIONS * (MUTATIONS - 1) / 2;

    private Path directory;
    private Journal journal;
    private final Checker checker = new Checker();

    /**
     * Writes the journal: some mutations, the snapshot, then the replayed mutations.
     *
     * @throws IOException when the temporary directory cannot be created.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        directory = Files.createTempDirectory("ipckit-journal-bench");
        journal = Journal.openOrCreate(directory.resolve("journal"), new SharedLogOptions());
        final ProcessIdentity caller = ProcessIdentity.current();
        final UnsafeBuffer mutation = new UnsafeBuffer(new byte[MUTATION_BYTES]);
        for (int i = 0; i < 1000; i++)
        {
            journal.append(caller, -1, mutation, 0, MUTATION_BYTES); // before the snapshot: not replayed
        }
        journal.snapshot(new byte[SNAPSHOT_BYTES]);
        for (int i = 0; i < MUTATIONS; i++)
        {
            mutation.putLong(0, i);
            journal.append(caller, i, mutation, 0, MUTATION_BYTES);
        }
    }

    /**
     * Closes and deletes the journal.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        journal.close();
        Directories.deleteRecursively(directory);
    }

    /**
     * @return the number of entries replayed.
     */
    @Benchmark
    @OperationsPerInvocation(MUTATIONS + 1)
    public long replay()
    {
        checker.reset();
        final long count = journal.replay(checker);
        if (count != MUTATIONS + 1 || checker.snapshots != 1 || checker.sum != EXPECTED_SUM)
        {
            throw new IllegalStateException("replay handed over " + count + " entries, " + checker.snapshots +
                " snapshots, caller sequences summing to " + checker.sum + "; expected " + (MUTATIONS + 1) + ", 1, " +
                EXPECTED_SUM);
        }
        return count;
    }

    private static final class Checker implements JournalHandler
    {
        long sum;
        int snapshots;

        void reset()
        {
            sum = 0;
            snapshots = 0;
        }

        @Override
        public void onSnapshot(final long index, final DirectBuffer buffer, final int offset, final int length)
        {
            snapshots++;
        }

        @Override
        public void onMutation(
            final long index, final ProcessIdentity caller, final long callerSequence, final DirectBuffer buffer,
            final int offset, final int length)
        {
            if (buffer.getLong(offset) != callerSequence)
            {
                throw new IllegalStateException("mutation " + callerSequence + " carries " + buffer.getLong(offset));
            }
            sum += callerSequence;
        }
    }
}
