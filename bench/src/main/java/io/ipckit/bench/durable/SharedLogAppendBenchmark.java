package io.ipckit.bench.durable;

import io.ipckit.bench.harness.Directories;
import io.ipckit.core.codec.Codecs;
import io.ipckit.durable.LogReader;
import io.ipckit.durable.RecordHandler;
import io.ipckit.durable.SharedLog;
import io.ipckit.durable.SharedLogOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
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
 * Single-process cost of appending a 64 B record to a {@link SharedLog} on the disk: a copy ({@code append}), in
 * place through a claim ({@code claimAndCommit}), and with {@code sync()} after each record, the price of a record
 * that survives the machine's death (an {@code fsync}: it depends on the disk far more than on ipckit). The log
 * lives in a temporary directory under {@code java.io.tmpdir}, deleted afterwards.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SharedLogAppendBenchmark
{
    private static final int RECORD_BYTES = 64;

    private final UnsafeBuffer record = new UnsafeBuffer(new byte[RECORD_BYTES]);
    private Path directory;
    private SharedLog<byte[]> log;
    private LogReader<byte[]> reader;
    private long checksum;
    private final RecordHandler sum = (buffer, offset, length) -> checksum += buffer.getLong(offset);

    /**
     * Creates the log.
     *
     * @throws IOException when the temporary directory cannot be created.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        directory = Files.createTempDirectory("ipckit-sharedlog-bench");
        log = SharedLog.create(directory.resolve("log"), Codecs.BYTES, new SharedLogOptions());
        reader = log.reader();
    }

    /**
     * Closes and deletes the log.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        reader.close();
        log.close();
        Directories.deleteRecursively(directory);
    }

    /**
     * @return the record's index.
     */
    @Benchmark
    public long append()
    {
        return log.append(record, 0, RECORD_BYTES);
    }

    /**
     * @return the record's index.
     */
    @Benchmark
    public long claimAndCommit()
    {
        final int offset = log.tryClaim(RECORD_BYTES);
        log.claimBuffer().putLong(offset, 42L);
        log.commit(offset);
        return log.lastAppendedIndex();
    }

    /**
     * Appends a record and reads it back in place (the reader keeps up, one record behind at most): with
     * {@code -prof gc}, shows that neither side allocates.
     *
     * @return the running checksum of what was read.
     */
    @Benchmark
    public long appendAndRead()
    {
        record.putLong(0, checksum);
        log.append(record, 0, RECORD_BYTES);
        if (reader.drain(sum, 1) != 1)
        {
            throw new IllegalStateException("the record just appended was not there to read");
        }
        return checksum;
    }

    /**
     * @return the record's index, on the disk when this returns.
     */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long appendAndSync()
    {
        final long index = log.append(record, 0, RECORD_BYTES);
        log.sync();
        return index;
    }
}
