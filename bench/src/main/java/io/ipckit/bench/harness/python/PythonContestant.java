package io.ipckit.bench.harness.python;

import io.ipckit.bench.harness.Contestant;
import io.ipckit.bench.harness.Directories;
import io.ipckit.bench.harness.LatencyMetrics;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.VerificationException;
import io.ipckit.bench.harness.Workload;
import io.ipckit.core.exceptions.IpcException;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One of Python's {@code multiprocessing} tools, measured by {@code mp_bench.py} (a resource of this module) in
 * separate Python processes: Pipe, Queue, SharedMemory with numpy, Value with its lock, Manager().dict() and
 * Pool.map. The script reports counts and checksums, which are checked here against the harness's own formula.
 */
public final class PythonContestant implements Contestant
{
    /** The script inside the jar. */
    public static final String SCRIPT_RESOURCE = "/io/ipckit/bench/python/mp_bench.py";
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int ARRAY_ROUNDS_WHEN_CAPPED = 3;

    private final String id;
    private final String label;
    private final Set<Workload> workloads;
    private final Path python;

    private PythonContestant(final String id, final String label, final Set<Workload> workloads, final Path python)
    {
        this.id = id;
        this.label = label;
        this.workloads = workloads;
        this.python = python;
    }

    /**
     * @param python a {@code python3} that can import numpy.
     * @return every Python contestant.
     */
    public static List<Contestant> all(final Path python)
    {
        return List.of(
            new PythonContestant("python-pipe", "Python multiprocessing.Pipe",
                EnumSet.of(Workload.ROUND_TRIP_32B, Workload.THROUGHPUT_1_TO_1_64B), python),
            new PythonContestant("python-queue", "Python multiprocessing.Queue",
                EnumSet.of(Workload.THROUGHPUT_1_TO_1_64B, Workload.THROUGHPUT_2_TO_2_64B), python),
            new PythonContestant("python-shm-numpy", "Python SharedMemory + numpy",
                EnumSet.of(Workload.ARRAY_HANDOFF_64MIB), python),
            new PythonContestant("python-value-lock", "Python Value with lock",
                EnumSet.of(Workload.LOCK_INCREMENT_2_PROCESSES), python),
            new PythonContestant("python-manager", "Python Manager().dict()",
                EnumSet.of(Workload.MANAGER_DICT_OPERATION), python),
            new PythonContestant("python-pool", "Python Pool(2).map",
                EnumSet.of(Workload.POOL_TASK, Workload.POOL_MAP_DEFAULT), python),
            new PythonContestant("python-start", "Python spawn: Pool(2) / Process",
                EnumSet.of(Workload.POOL_START, Workload.PROCESS_START), python));
    }

    /**
     * Finds a {@code python3} with numpy: {@code candidate} when given, else {@code /usr/bin/python3}, else the
     * {@code python3} on the PATH.
     *
     * @param candidate a path the user gave, or null.
     * @return the interpreter, or null when none can import numpy.
     */
    public static Path findPython(final String candidate)
    {
        final List<String> candidates = candidate != null ? List.of(candidate) : List.of("/usr/bin/python3", "python3");
        for (final String python : candidates)
        {
            try
            {
                final Process process = new ProcessBuilder(python, "-c", "import numpy")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0)
                {
                    return Path.of(python);
                }
                process.destroyForcibly();
            }
            catch (final IOException ex)
            {
                // not installed there; try the next
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    @Override
    public String id()
    {
        return id;
    }

    @Override
    public String label()
    {
        return label;
    }

    @Override
    public Set<Workload> workloads()
    {
        return workloads;
    }

    @Override
    public Measurement measure(final Workload workload, final RunContext context)
    {
        final String tag = workload.id() + "-" + id + "-r" + context.repeat();
        final Path script = extractScript(context.scratch());
        final Path samples = context.scratch().resolve(tag + ".samples");
        final Path log = context.logs().resolve(tag + ".log");
        final long max = workload == Workload.ARRAY_HANDOFF_64MIB && context.maxMessages() > 0 ?
            ARRAY_ROUNDS_WHEN_CAPPED : context.maxMessages();
        final List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(),
            "--contestant", id, "--workload", workload.id(), "--length", Integer.toString(workload.messageBytes()),
            "--warmup-ns", Long.toString(context.warmup().toNanos()),
            "--measure-ns", Long.toString(context.measure().toNanos()), "--max", Long.toString(max),
            "--samples", samples.toString(), "--timeout", Long.toString(context.timeout().toSeconds())));
        final Map<String, String> result = run(command, log, context, tag);
        try
        {
            return toMeasurement(workload, context, result, samples);
        }
        finally
        {
            Directories.deleteQuietly(samples);
        }
    }

    private static Map<String, String> run(
        final List<String> command, final Path log, final RunContext context, final String tag)
    {
        Process process = null;
        try
        {
            Files.createDirectories(context.logs());
            process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            process.getOutputStream().close();
            final String output;
            try (InputStream in = process.getInputStream())
            {
                output = new String(in.readAllBytes());
            }
            if (!process.waitFor(context.budgetNs(), TimeUnit.NANOSECONDS))
            {
                throw new IpcException("the Python peer " + tag + " did not finish; log: " + log);
            }
            if (process.exitValue() != 0)
            {
                throw new IpcException("the Python peer " + tag + " failed with status " + process.exitValue() +
                    "; log: " + log);
            }
            for (final String line : output.split("\n"))
            {
                if (line.startsWith("RESULT "))
                {
                    Directories.deleteQuietly(log);
                    return parse(line);
                }
            }
            throw new IpcException("the Python peer " + tag + " printed no RESULT line: " + output + "; log: " + log);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot run " + command + ": " + ex, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IpcException("interrupted while running the Python peer " + tag, ex);
        }
        finally
        {
            if (process != null && process.isAlive())
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    static Map<String, String> parse(final String line)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final String field : line.substring("RESULT ".length()).trim().split("\\s+"))
        {
            final int eq = field.indexOf('=');
            if (eq <= 0)
            {
                throw new IpcException("malformed field \"" + field + "\" in the Python peer's line: " + line);
            }
            fields.put(field.substring(0, eq), field.substring(eq + 1));
        }
        return fields;
    }

    private Measurement toMeasurement(
        final Workload workload, final RunContext context, final Map<String, String> result, final Path samples)
    {
        final long sent = Long.parseLong(field(result, "sent"));
        final long received = Long.parseLong(field(result, "received"));
        verify(sent > 0, "the Python peer " + id + " did nothing: " + result);
        verify(received == sent, "the Python peer " + id + " got " + received + " right of " + sent + ": " + result);
        final BigInteger checksum = new BigInteger(field(result, "checksum"));
        final BigInteger expected = switch (workload)
        {
            case ROUND_TRIP_32B -> triangle(sent, 0);
            case THROUGHPUT_1_TO_1_64B, THROUGHPUT_2_TO_2_64B -> producersChecksum(field(result, "producers"), sent);
            default -> BigInteger.ZERO;
        };
        verify(checksum.equals(expected), "the Python peer " + id + " reported checksum " + checksum + " where " +
            expected + " was expected: " + result);
        final Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("messages", (double)sent);
        result.forEach((key, value) ->
        {
            if (key.endsWith("_ns"))
            {
                metrics.put(key, Double.parseDouble(value));
            }
        });
        Histogram histogram = null;
        double value = Double.parseDouble(field(result, "value"));
        if (workload == Workload.ROUND_TRIP_32B)
        {
            histogram = readSamples(samples);
            metrics.putAll(LatencyMetrics.of(histogram));
            value = histogram.getTotalCount() > 0 ? metrics.get(LatencyMetrics.P50) : 0;
        }
        if (value <= 0)
        {
            throw new IpcException("the Python peer " + id + " measured nothing after the warm-up (" + result +
                "): lengthen the measured time or raise the message cap");
        }
        return new Measurement(id, workload, context.repeat(), value, metrics, histogram);
    }

    private static BigInteger producersChecksum(final String producers, final long sent)
    {
        BigInteger sum = BigInteger.ZERO;
        long counted = 0;
        for (final String entry : producers.split(","))
        {
            final String[] parts = entry.split(":");
            final long count = Long.parseLong(parts[1]);
            counted += count;
            sum = sum.add(triangle(count, Integer.parseInt(parts[0])));
        }
        verify(counted == sent, "the Python producers' counts " + producers + " do not add up to " + sent);
        return sum.mod(TWO_TO_64);
    }

    /**
     * @return the sum over sequences 0..count-1 of sequence + producer * 2^32, modulo 2^64.
     */
    private static BigInteger triangle(final long count, final int producer)
    {
        final BigInteger n = BigInteger.valueOf(count);
        return n.multiply(n.subtract(BigInteger.ONE)).shiftRight(1)
            .add(n.multiply(BigInteger.valueOf(producer).shiftLeft(32))).mod(TWO_TO_64);
    }

    private static Histogram readSamples(final Path samples)
    {
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        try
        {
            final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(samples)).order(ByteOrder.nativeOrder());
            while (bytes.remaining() >= Long.BYTES)
            {
                histogram.recordValue(Math.min(bytes.getLong(), HIGHEST_TRACKABLE_NS));
            }
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot read the Python round-trip samples " + samples + ": " + ex, ex);
        }
        return histogram;
    }

    private static Path extractScript(final Path directory)
    {
        final Path script = directory.resolve("mp_bench.py");
        if (!Files.exists(script))
        {
            try (InputStream in = PythonContestant.class.getResourceAsStream(SCRIPT_RESOURCE))
            {
                if (in == null)
                {
                    throw new IpcException(SCRIPT_RESOURCE + " is missing from the class path; rebuild bench");
                }
                final Path temporary = Files.createTempFile(directory, "mp_bench", ".py");
                Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temporary, script, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (final IOException ex)
            {
                throw new IpcException("cannot extract the Python script to " + directory + ": " + ex, ex);
            }
        }
        return script;
    }

    private static String field(final Map<String, String> result, final String key)
    {
        final String value = result.get(key);
        if (value == null)
        {
            throw new IpcException("the Python peer's result has no \"" + key + "\": " + result);
        }
        return value;
    }

    private static void verify(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new VerificationException(what);
        }
    }
}
