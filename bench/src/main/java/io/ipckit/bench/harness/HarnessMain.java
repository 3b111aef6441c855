package io.ipckit.bench.harness;

import io.ipckit.bench.harness.dict.DictContestant;
import io.ipckit.bench.harness.ipckit.IpckitArrayContestant;
import io.ipckit.bench.harness.ipckit.IpckitLockContestant;
import io.ipckit.bench.harness.ipckit.IpckitManagerContestant;
import io.ipckit.bench.harness.ipckit.ServedManager;
import io.ipckit.bench.harness.ipckit.IpckitPoolContestant;
import io.ipckit.bench.harness.ipckit.IpckitStartContestant;
import io.ipckit.bench.harness.messaging.CheckMode;
import io.ipckit.bench.harness.messaging.Transport;
import io.ipckit.bench.harness.messaging.TransportContestant;
import io.ipckit.bench.harness.messaging.Transports;
import io.ipckit.bench.harness.python.PythonContestant;
import io.ipckit.bench.harness.report.HistogramFiles;
import io.ipckit.bench.harness.report.LatencyChart;
import io.ipckit.bench.harness.report.MarkdownReport;
import io.ipckit.core.SharedDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code bin/bench}: measures ipckit and its peers side by side in one run, each workload in separate processes,
 * every measurement repeated in round-robin order, and writes a Markdown report, a CSV of every measurement, the
 * HdrHistogram percentile files and a PNG chart of the round-trip percentiles to
 * {@code bench/results/<timestamp>/}. Exit status 0 when every measurement ran and verified, 2 when one gave a wrong
 * result, 1 when one could not run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measures ipckit against its peers (raw Agrona ring, Aeron IPC, Chronicle Queue, Unix socket, " +
        "loopback TCP, Python multiprocessing) side by side, in separate processes.")
public final class HarnessMain implements Callable<Integer>
{
    @Option(names = "--quick", description = "Short measurements (about 2 minutes in all).")
    boolean quick;

    @Option(names = "--repeats", defaultValue = "3", description = "Repeats of every measurement, at least 3.")
    int repeats;

    /**
     * Default warm-up: long enough for every contestant's JIT to finish. On two cores the compiler threads take the
     * CPU the workers measure with: compilation logs of 1 -> 1 workers showed the raw ring's JVMs done compiling
     * about a second after start and the queue's (more code on the path) about two seconds after, so a 500 ms
     * warm-up measured the queue while its C2 compilations still ran.
     */
    static final long DEFAULT_WARMUP_MS = 3_000;

    @Option(names = "--warmup-ms",
        description = "Warm-up per measurement (default " + DEFAULT_WARMUP_MS + ", quick 50, none with --max-messages).")
    Long warmupMs;

    @Option(names = "--measure-ms", description = "Measured time per measurement (default 1500, quick 150).")
    Long measureMs;

    @Option(names = "--max-messages", defaultValue = "0",
        description = "Cap on messages per producer, for smoke runs (0: the durations decide).")
    long maxMessages;

    @Option(names = "--batch", defaultValue = "64", description = "Messages per batch in the batched workload.")
    int batchSize;

    @Option(names = "--check", defaultValue = "sequence",
        description = "Per-message work of the messaging workloads: sequence (default: header written, order " +
            "checked, the figures measure the transport) or full (every payload word written and checked: " +
            "correctness, not speed).")
    String check;

    @Option(names = "--timeout-s", defaultValue = "90", description = "Extra seconds a measurement may take.")
    long timeoutSeconds;

    @Option(names = "--only", split = ",", description = "Contestant ids to run (default: all).")
    List<String> only;

    @Option(names = "--workloads", split = ",", description = "Workload ids to run (default: all).")
    List<String> workloadIds;

    @Option(names = "--python", description = "A python3 with numpy (default: /usr/bin/python3, then PATH).")
    String python;

    @Option(names = "--no-python", description = "Skip the Python peers.")
    boolean noPython;

    @Option(names = "--out", defaultValue = "bench/results", description = "Parent of the results directory.")
    Path out;

    /**
     * @param args the command line; see {@code --help}.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new HarnessMain()).execute(args));
    }

    @Override
    public Integer call() throws IOException
    {
        if (repeats < 3)
        {
            throw new CommandLine.ParameterException(new CommandLine(this),
                "--repeats must be at least 3: a figure needs a median and a range");
        }
        final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        final Path results = Directories.create(out.resolve(stamp));
        final Path shared = Files.createTempDirectory(sharedRoot(), "ipckit-bench-");
        System.setProperty(SharedDirectory.DIRECTORY_PROP_NAME, shared.toString());
        final Thread cleanup = new Thread(() -> Directories.deleteRecursively(shared), "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            return run(results, Directories.create(shared.resolve("scratch")));
        }
        finally
        {
            Directories.deleteRecursively(shared);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private int run(final Path results, final Path scratch) throws IOException
    {
        final List<String> notes = new ArrayList<>();
        final List<Contestant> contestants = contestants(notes);
        final List<Workload> workloads = workloadIds == null ? Comparison.supported(contestants) :
            workloadIds.stream().map(Workload::byId).toList();
        final Comparison.Settings settings = new Comparison.Settings(repeats,
            Duration.ofMillis(warmupMs != null ? warmupMs : maxMessages > 0 ? 0 : quick ? 50 : DEFAULT_WARMUP_MS),
            Duration.ofMillis(measureMs != null ? measureMs : quick ? 150 : 1500),
            maxMessages, batchSize, Duration.ofSeconds(timeoutSeconds), scratch, results);
        System.out.printf("bench: %d contestants, %d workloads, %d repeats; results in %s%n",
            contestants.size(), workloads.size(), repeats, results);
        final long startNs = System.nanoTime();
        final Comparison.Results outcome = new Comparison(contestants, workloads, settings, System.out).run();
        final List<String> header = header(settings, (System.nanoTime() - startNs) / 1e9);

        Files.writeString(results.resolve("report.md"), MarkdownReport.render(outcome, header, notes));
        Files.writeString(results.resolve("measurements.csv"), csv(outcome.measurements()));
        HistogramFiles.write(outcome.measurements(), results.resolve("hgrm"));
        final Map<String, String> labels = contestants.stream()
            .collect(Collectors.toMap(Contestant::id, Contestant::label, (a, b) -> a, LinkedHashMap::new));
        LatencyChart.write(outcome.measurements(), labels, results.resolve("round-trip-percentiles.png"));
        System.out.println("bench: report in " + results.resolve("report.md"));
        if (outcome.failures().stream().anyMatch(Comparison.Failure::verification))
        {
            System.err.println("bench: FAILED, a measurement gave a wrong result (see Failures in the report)");
            return 2;
        }
        if (!outcome.failures().isEmpty())
        {
            System.err.println("bench: FAILED, " + outcome.failures().size() + " measurement(s) could not run " +
                "(see Failures in the report and the logs in " + results.resolve("logs") + ")");
            return 1;
        }
        return 0;
    }

    private List<Contestant> contestants(final List<String> notes)
    {
        final List<Contestant> all = new ArrayList<>();
        for (final Transport transport : Transports.all())
        {
            all.add(new TransportContestant(transport, CheckMode.parse(check)));
        }
        all.add(new IpckitPoolContestant());
        all.add(new IpckitStartContestant());
        all.add(new IpckitArrayContestant());
        all.add(new IpckitArrayContestant(1));
        all.add(new IpckitLockContestant());
        all.add(new IpckitLockContestant(true));
        all.add(new IpckitManagerContestant());
        all.add(new IpckitManagerContestant(false));
        all.add(new IpckitManagerContestant(true, true));
        all.add(new IpckitManagerContestant(ServedManager.TCP));
        all.add(new IpckitManagerContestant(ServedManager.AERON));
        all.add(new IpckitManagerContestant(ServedManager.AERON_DEFAULT));
        all.addAll(DictContestant.all());
        if (!noPython)
        {
            final Path found = PythonContestant.findPython(python);
            if (found != null)
            {
                all.addAll(PythonContestant.all(found));
                notes.add("Python peers: " + found + " (multiprocessing, start method spawn)");
            }
            else
            {
                notes.add("Python peers skipped: no python3 that can import numpy" +
                    (python != null ? " at " + python : " at /usr/bin/python3 or on the PATH"));
            }
        }
        if (only == null)
        {
            return all;
        }
        final List<Contestant> chosen = all.stream().filter((c) -> only.contains(c.id())).toList();
        if (chosen.size() != only.size())
        {
            throw new CommandLine.ParameterException(new CommandLine(this), "--only names unknown contestants; " +
                "known: " + all.stream().map(Contestant::id).toList());
        }
        return chosen;
    }

    private List<String> header(final Comparison.Settings settings, final double seconds)
    {
        return List.of(
            "run " + settings.results().getFileName() + " on " + Runtime.getRuntime().availableProcessors() +
                " CPUs, " + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", JDK " +
                System.getProperty("java.runtime.version"),
            String.format(Locale.ROOT, "%d repeats, round-robin order; warm-up %d ms, measured %d ms%s; " +
                    "batch %d messages; took %.0f s",
                settings.repeats(), settings.warmup().toMillis(), settings.measure().toMillis(),
                settings.maxMessages() > 0 ? ", at most " + settings.maxMessages() + " messages" : "",
                settings.batchSize(), seconds),
            "every worker is a separate process (JVMs started with JvmProcess, Python processes with spawn); " +
                "every message count and checksum was verified; messaging check mode: " + check +
                (CheckMode.parse(check) == CheckMode.SEQUENCE ? " (only the header written and its order checked)" :
                    " (every payload word written and checked)"),
            "CPU: the worker processes' CPU time over their measured parts per message (per round trip), summed " +
                "over the roles; the machine's other load is not in it");
    }

    private static String csv(final List<Measurement> measurements)
    {
        final StringBuilder csv = new StringBuilder("contestant,workload,repeat,value,unit,metrics\n");
        for (final Measurement m : measurements)
        {
            csv.append(m.contestant()).append(',').append(m.workload().id()).append(',').append(m.repeat())
                .append(',').append(String.format(Locale.ROOT, "%.3f", m.value())).append(',')
                .append(m.workload().unit()).append(",\"")
                .append(m.metrics().entrySet().stream().map((e) -> e.getKey() + "=" + String.format(Locale.ROOT,
                    "%.1f", e.getValue())).collect(Collectors.joining(" "))).append("\"\n");
        }
        return csv.toString();
    }

    private static Path sharedRoot()
    {
        final Path shm = Path.of(SharedDirectory.LINUX_SHM_DIR);
        return Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }
}
