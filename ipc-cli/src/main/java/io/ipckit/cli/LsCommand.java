package io.ipckit.cli;

import io.ipckit.core.ResourceInfo;
import io.ipckit.core.SharedDirectory;
import io.ipckit.manager.ManagerDirectory;
import io.ipckit.manager.ManagerInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code ipckit ls}: every resource in the shared directory, one line each (or a JSON array), from
 * {@link SharedDirectory#list()}: one read of each file's header, so linear in the number of files; and every
 * manager started by name, running or dead ({@link ManagerDirectory#list()}: kind {@code Manager}, its files not
 * listed as segments of their own, nor the pipes and doorbell of its shared-memory fast path, named
 * {@value #MANAGER_LINK_PREFIX}* and {@value #MANAGER_BELL_PREFIX}*, unless {@code --all}). With
 * {@code --logs}, the ipc-durable logs under the default log directory instead ({@link Logs#list}), which live on
 * disk, not in the shared directory.
 * <p>
 * Not thread-safe (a picocli command object).
 */
@Command(name = "ls", mixinStandardHelpOptions = true,
    description = "List the resources in the shared directory: name, kind, layout version, size, creator pid, " +
        "alive or dead, age, persistent, state (corrupt files are listed with the reason), and the managers " +
        "started by name (kind Manager: running, starting or dead); with --logs, the logs " +
        "under -Dipckit.durable.dir: cycles, records, last index, named readers.")
final class LsCommand extends BaseCommand implements Callable<Integer>
{
    @Option(names = "--kind", paramLabel = "KIND",
        description = "Only this kind (Queue, Lock, Pipe, SharedMemory, Manager, corrupt...; " +
            "case-insensitive).")
    String kind;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Option(names = "--all", description = "Also list the pipes and doorbell of managers' fast paths.")
    boolean all;

    static final String MANAGER_LINK_PREFIX = "manager-link-";
    static final String MANAGER_BELL_PREFIX = "manager-bell-";

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
        if (kind != null && !validKinds().contains(kind.toLowerCase(Locale.ROOT)) &&
            !kind.toLowerCase(Locale.ROOT).startsWith("unknown("))
        {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "no kind or state named \"" + kind +
                "\"; --kind takes one of " + String.join(", ", new java.util.TreeSet<>(validKindNames())) +
                " (case-insensitive)");
        }
        final long now = System.currentTimeMillis();
        final List<ManagerInfo> managers = new ArrayList<>();
        final Set<String> managerFiles = new HashSet<>();
        for (final ManagerInfo manager : ManagerDirectory.list())
        {
            manager.files().forEach((path) -> managerFiles.add(path.getFileName().toString()));
            if (kind == null || Managers.KIND.equalsIgnoreCase(kind) || manager.state().name().equalsIgnoreCase(kind))
            {
                managers.add(manager);
            }
        }
        final List<Object> rows = new ArrayList<>();
        for (final ResourceInfo info : SharedDirectory.list())
        {
            if (managerFiles.contains(info.name()) && info.state() == ResourceInfo.State.RAW)
            {
                continue; // a manager's key or record, listed as the manager
            }
            if (!all && (info.name().startsWith(MANAGER_LINK_PREFIX) || info.name().startsWith(MANAGER_BELL_PREFIX)))
            {
                continue; // a manager's fast-path pipe or doorbell
            }
            if (kind == null || info.kindName().equalsIgnoreCase(kind) ||
                info.state().name().equalsIgnoreCase(kind))
            {
                rows.add(info);
            }
        }
        rows.addAll(managers);
        rows.sort(Comparator.comparing((row) -> row instanceof ResourceInfo info ? info.name() :
            ((ManagerInfo)row).name()));
        if (json)
        {
            final List<Object> maps = new ArrayList<>(rows.size());
            rows.forEach((row) -> maps.add(row instanceof ResourceInfo info ? Resources.toMap(info, now) :
                Managers.toMap((ManagerInfo)row, now)));
            out().println(Json.write(maps));
            return Ipckit.EXIT_OK;
        }
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-24s %-14s %3s %9s %8s %-5s %6s %-10s %s%n",
            "NAME", "KIND", "VER", "SIZE", "PID", "ALIVE", "AGE", "PERSISTENT", "STATE"));
        for (final Object row : rows)
        {
            if (row instanceof ManagerInfo manager)
            {
                final String alive = manager.alive() ? "yes" : Style.colour("dead", "red");
                sb.append(String.format("%-24s %-14s %3s %9s %8s %-5s %6s %-10s %s%n",
                    manager.name(), Managers.KIND, "-", "-",
                    manager.process() == null ? "-" : Long.toString(manager.process().pid()), alive,
                    Style.age(manager.age(now)), "no", manager.state().name().toLowerCase(Locale.ROOT)));
                continue;
            }
            final ResourceInfo info = (ResourceInfo)row;
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

    /**
     * @return what {@code --kind} matches: the kinds' display names, the raw segment's, {@code Manager}, and the
     *         states of resources and managers.
     */
    private static List<String> validKindNames()
    {
        final List<String> names = new ArrayList<>();
        for (final io.ipckit.core.file.ResourceKind value : io.ipckit.core.file.ResourceKind.values())
        {
            names.add(value.displayName());
        }
        names.add(ResourceInfo.RAW_KIND_NAME);
        names.add(Managers.KIND);
        names.add("corrupt");
        for (final ResourceInfo.State state : ResourceInfo.State.values())
        {
            names.add(state.name().toLowerCase(Locale.ROOT));
        }
        for (final ManagerInfo.State state : ManagerInfo.State.values())
        {
            names.add(state.name().toLowerCase(Locale.ROOT));
        }
        return names;
    }

    private static Set<String> validKinds()
    {
        final Set<String> lower = new HashSet<>();
        validKindNames().forEach((name) -> lower.add(name.toLowerCase(Locale.ROOT)));
        return lower;
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
