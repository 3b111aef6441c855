package io.ipckit.cli;

import io.ipckit.core.ResourceInfo;
import io.ipckit.core.SharedDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ipckit ls}: every resource in the shared directory, one line each (or a JSON array), from
 * {@link SharedDirectory#list()}: one read of each file's header, so linear in the number of files. With
 * {@code --logs}, the ipc-durable logs under the default log directory instead ({@link Logs#list}), which live on
 * disk, not in the shared directory.
 * <p>
 * Not thread-safe (a picocli command object).
 */
@Command(name = "ls", mixinStandardHelpOptions = true,
    description = "List the resources in the shared directory: name, kind, layout version, size, creator pid, " +
        "alive or dead, age, persistent, state (corrupt files are listed with the reason); with --logs, the logs " +
        "under -Dipckit.durable.dir: cycles, records, last index, named readers.")
final class LsCommand extends BaseCommand implements Callable<Integer>
{
    @Option(names = "--kind", paramLabel = "KIND",
        description = "Only this kind (Queue, Lock, Pipe, SharedMemory, corrupt...; case-insensitive).")
    String kind;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Option(names = "--logs", description = "List the logs under -Dipckit.durable.dir (ipc-durable) instead.")
    boolean logs;

    /**
     * @return {@link Ipckit#EXIT_OK}.
     */
    @Override
    public Integer call()
    {
        if (logs)
        {
            return listLogs();
        }
        final long now = System.currentTimeMillis();
        final List<ResourceInfo> infos = new ArrayList<>();
        for (final ResourceInfo info : SharedDirectory.list())
        {
            if (kind == null || info.kindName().equalsIgnoreCase(kind) ||
                info.state().name().equalsIgnoreCase(kind))
            {
                infos.add(info);
            }
        }
        if (json)
        {
            final List<Object> rows = new ArrayList<>(infos.size());
            infos.forEach((info) -> rows.add(Resources.toMap(info, now)));
            out().println(Json.write(rows));
            return Ipckit.EXIT_OK;
        }
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-24s %-14s %3s %9s %8s %-5s %6s %-10s %s%n",
            "NAME", "KIND", "VER", "SIZE", "PID", "ALIVE", "AGE", "PERSISTENT", "STATE"));
        for (final ResourceInfo info : infos)
        {
            final String alive = info.creator() == null ? "-" : info.creatorAlive() ? "yes" : Style.colour("dead", "red");
            final String state = info.state() == ResourceInfo.State.CORRUPT ?
                Style.colour("unreadable", "red") + ": " + info.problem() : info.state().name().toLowerCase(Locale.ROOT);
            sb.append(String.format("%-24s %-14s %3s %9s %8s %-5s %6s %-10s %s%n",
                info.name(), info.kindName(), info.layoutVersion() == 0 ? "-" : Integer.toString(info.layoutVersion()),
                Style.size(info.sizeBytes()), info.creator() == null ? "-" : Long.toString(info.creator().pid()),
                alive, Style.age(info.age(now)), info.persistent() ? "yes" : "no", state));
        }
        out().print(sb);
        return Ipckit.EXIT_OK;
    }

    private int listLogs()
    {
        final List<java.util.Map<String, Object>> rows = Logs.list();
        if (json)
        {
            out().println(Json.write(rows));
            return Ipckit.EXIT_OK;
        }
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-24s %6s %10s %14s %s%n", "NAME", "CYCLES", "RECORDS", "LAST INDEX", "READERS"));
        for (final java.util.Map<String, Object> row : rows)
        {
            if (row.containsKey("problem"))
            {
                sb.append(String.format("%-24s %s: %s%n", row.get("name"), Style.colour("unreadable", "red"),
                    row.get("problem")));
                continue;
            }
            final long last = (Long)row.get("lastIndex");
            sb.append(String.format("%-24s %6s %10s %14s %s%n", row.get("name"), row.get("cycleCount"),
                row.get("records"), last < 0 ? "-" : Long.toHexString(last), String.join(",", ((java.util.Map<?, ?>)row.get(
                "namedReaders")).keySet().stream().map(Object::toString).toList())));
        }
        out().print(sb);
        return Ipckit.EXIT_OK;
    }
}
