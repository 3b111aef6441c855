package io.ipckit.cli;

import io.ipckit.core.ResourceInfo;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.manager.Manager;
import io.ipckit.manager.ManagerDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ipckit stat NAME}: a resource's live counters, read from the words its structure keeps
 * ({@link LayoutReader}), once or every {@code --watch} period, AeronStat-style. A log (ipc-durable's SharedLog, by
 * path or by name under its default directory) shows its cycles, indexes and named readers' lag ({@link Logs#stat}).
 * <p>
 * Not thread-safe (a picocli command object).
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Show a resource's live counters: queue depth and bytes used, lanes and their owners, waiting " +
        "producers and consumers; pipe positions and who waits; lock owner, alive, takeovers; semaphore permits; " +
        "barrier parties; pool task board; log cycles, last index and named readers' lag (a log by path, or by " +
        "name under -Dipckit.durable.dir); a manager's threads, calls served, clients (pid, alive, objects, " +
        "references and locks held) and objects (type, references, bound name).")
final class StatCommand extends BaseCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "NAME", description = "The resource.")
    String name;

    @Option(names = "--watch", paramLabel = "PERIOD", converter = PeriodConverter.class,
        description = "Print again every PERIOD (e.g. 1s, 500ms) until interrupted.")
    Duration watch;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
        description = "With --watch: stop after N prints (0: until interrupted).")
    int count;

    @Option(names = "--json", description = "Print a JSON object (one per line with --watch).")
    boolean json;

    /**
     * @return {@link Ipckit#EXIT_OK}, or {@link Ipckit#EXIT_FAILURE} when the resource is gone, raw or corrupt.
     * @throws InterruptedException when interrupted while watching.
     */
    @Override
    public Integer call() throws InterruptedException
    {
        if (watch != null && (watch.isZero() || watch.isNegative()))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--watch needs a positive period");
        }
        final java.nio.file.Path logDir = Logs.find(name);
        if (logDir != null)
        {
            try (io.ipckit.durable.SharedLog<byte[]> log = Logs.open(logDir))
            {
                return print(() -> Logs.stat(log));
            }
        }
        if (!SharedDirectory.exists(name) && ManagerDirectory.exists(name))
        {
            Managers.running(name);
            try (Manager manager = Manager.connect(name))
            {
                return print(() -> Managers.stat(name, manager));
            }
        }
        final ResourceInfo first = Resources.info(name);
        try (ResourceFile file = Resources.open(first))
        {
            return print(() ->
            {
                final Map<String, Object> values = new LinkedHashMap<>(Resources.toMap(Resources.info(name),
                    System.currentTimeMillis()));
                values.putAll(LayoutReader.read(file));
                return values;
            });
        }
    }

    /**
     * Prints the counters once, or every {@code --watch} period.
     */
    private int print(final java.util.function.Supplier<Map<String, Object>> counters) throws InterruptedException
    {
        int printed = 0;
        while (true)
        {
            final Map<String, Object> values = new LinkedHashMap<>();
            values.put("time", Instant.ofEpochMilli(System.currentTimeMillis()).toString());
            values.putAll(counters.get());
            if (json)
            {
                out().println(Json.write(values));
            }
            else
            {
                final StringBuilder sb = new StringBuilder();
                Style.tree(values, "", sb);
                out().print(sb);
                if (watch != null)
                {
                    out().println();
                }
            }
            out().flush();
            printed++;
            if (watch == null || count > 0 && printed >= count)
            {
                return Ipckit.EXIT_OK;
            }
            Thread.sleep(watch.toMillis());
        }
    }

    /**
     * Parses {@code 1s}, {@code 500ms}, {@code 2m} or a bare number of seconds.
     */
    static final class PeriodConverter implements CommandLine.ITypeConverter<Duration>
    {
        /**
         * @param value the text.
         * @return the period.
         */
        @Override
        public Duration convert(final String value)
        {
            final String text = value.trim().toLowerCase(java.util.Locale.ROOT);
            try
            {
                if (text.endsWith("ms"))
                {
                    return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
                }
                if (text.endsWith("s"))
                {
                    return Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
                }
                if (text.endsWith("m"))
                {
                    return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
                }
                return Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
            }
            catch (final NumberFormatException ex)
            {
                throw new CommandLine.TypeConversionException("not a period: " + value + " (use 1s, 500ms, 2m)");
            }
        }
    }
}
