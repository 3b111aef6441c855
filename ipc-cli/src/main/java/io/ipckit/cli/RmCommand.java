package io.ipckit.cli;

import io.ipckit.core.ResourceInfo;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.tracker.ResourceTracker;
import io.ipckit.manager.ManagerDirectory;
import io.ipckit.manager.ManagerInfo;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ipckit rm NAME... | --dead}: the {@code ipcrm} analogue. Unlinks names (mappings stay valid in processes
 * that have them, as {@code shm_unlink}); never one whose creator is alive unless {@code --force}.
 * <p>
 * Removal follows the resource tracker's rules: a name this process created is also dropped from its registry;
 * {@code --dead} removes every resource whose creator is dead (persistent ones only with {@code --persistent}) and
 * then lets {@link ResourceTracker#sweep()} delete the dead processes' registries, whose remaining lines name
 * only files already gone (the tracker checks each file's identity before unlinking, so a line never removes a
 * newer file of the same name). Naming a dead creator's resource removes only that one; its registry line stays
 * harmless until the next sweep. A raw {@code SharedMemory} segment records no creator: naming it removes it (as
 * {@code ipcrm} would), and {@code --dead} leaves it alone. A manager started by name (a name no resource has) is
 * removed as its socket, key, lock file and record ({@link ManagerDirectory#unlink}): by {@code --dead} when its
 * process is dead, by name when dead or with {@code --force}. One of those files named on its own
 * ({@code manager-<name>.key}), or a manager's fast-path pipe or doorbell, is refused while its manager (for a pipe
 * or doorbell: any manager) lives, unless {@code --force}.
 * <p>
 * Not thread-safe (a picocli command object).
 */
@Command(name = "rm", mixinStandardHelpOptions = true,
    description = {"Remove resources (like ipcrm). Refuses a resource whose creator is alive unless --force.",
        "A raw SharedMemory segment records no creator: it is removed when named, never by --dead.",
        "A dead manager's socket, key and record are removed by --dead or by its name."})
final class RmCommand extends BaseCommand implements Callable<Integer>
{
    /** A file of a manager started by name: {@code manager-<name>.sock}, {@code .key}, {@code .info}, {@code .lock}. */
    private static final java.util.regex.Pattern MANAGER_FILE =
        java.util.regex.Pattern.compile("manager-(.+)\\.(sock|key|info|lock)");

    @ArgGroup(multiplicity = "1")
    Target target;

    @Option(names = "--force", description = "Remove even when the creator is alive.")
    boolean force;

    @Option(names = "--persistent", description = "With --dead: also remove persistent resources of dead creators.")
    boolean persistent;

    @Option(names = "--json", description = "Print a JSON array of {name, removed, reason}.")
    boolean json;

    /**
     * Either names or {@code --dead}.
     */
    static final class Target
    {
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "Resources to remove.")
        List<String> names;

        @Option(names = "--dead", required = true,
            description = "Remove every resource whose creator is dead (and corrupt ones left by dead creators).")
        boolean dead;
    }

    /**
     * @return {@link Ipckit#EXIT_OK} when every named resource was removed (or, with {@code --dead}, always), else
     * {@link Ipckit#EXIT_FAILURE}.
     */
    @Override
    public Integer call()
    {
        if (persistent && !target.dead)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--persistent applies to --dead only");
        }
        final List<Object> results = new ArrayList<>();
        boolean failed = false;
        if (target.dead)
        {
            for (final ResourceInfo info : SharedDirectory.list())
            {
                if (info.creatorDead() && (persistent || !info.persistent() || info.state() == ResourceInfo.State.CORRUPT))
                {
                    results.add(remove(info.name(), "creator pid " + info.creator().pid() + " is dead"));
                }
            }
            for (final ManagerInfo manager : ManagerDirectory.list())
            {
                if (manager.state() == ManagerInfo.State.DEAD)
                {
                    results.add(removeManager(manager, "manager" + (manager.process() == null ? "" :
                        " pid " + manager.process().pid()) + " is dead"));
                }
            }
            ResourceTracker.sweep();
        }
        else
        {
            for (final String name : target.names)
            {
                final Map<String, Object> result = removeNamed(name);
                failed |= !(Boolean)result.get("removed");
                results.add(result);
            }
        }
        print(results);
        return failed ? Ipckit.EXIT_FAILURE : Ipckit.EXIT_OK;
    }

    private Map<String, Object> removeNamed(final String name)
    {
        final ResourceInfo info;
        try
        {
            info = Resources.info(name);
        }
        catch (final ResourceNotFoundException ex)
        {
            return ManagerDirectory.exists(name) ? removeNamedManager(name) : result(name, false, "no such resource");
        }
        if (info.creatorAlive() && !force)
        {
            return result(name, false, "its creator (pid " + info.creator().pid() + ") is alive; use --force to " +
                "remove it anyway (processes that have it open keep their mapping)");
        }
        final String managerRefusal = force ? null : managerFileRefusal(name);
        if (managerRefusal != null)
        {
            return result(name, false, managerRefusal);
        }
        final String reason = info.creator() == null ? "no creator recorded" :
            info.creatorAlive() ? "forced: creator pid " + info.creator().pid() + " is alive" :
            "creator pid " + info.creator().pid() + " is dead";
        return remove(name, reason);
    }

    /**
     * A file of a manager started by name (socket, key, record, lock file) while that manager lives, or a fast-path
     * pipe or doorbell while any manager lives: removing it breaks the manager (no new client can join it, or the
     * listing loses it) while it keeps running.
     *
     * @return why it is refused, or null to remove it.
     */
    private static String managerFileRefusal(final String file)
    {
        final java.util.regex.Matcher own = MANAGER_FILE.matcher(file);
        if (own.matches() && io.ipckit.core.ResourceName.isValid(own.group(1)) && ManagerDirectory.exists(own.group(1)))
        {
            final ManagerInfo manager = ManagerDirectory.info(own.group(1));
            if (manager.alive())
            {
                return "it is a file of manager " + manager.name() + pid(manager) + ", which is " +
                    manager.state().name().toLowerCase(java.util.Locale.ROOT) + "; stop it, then remove it with " +
                    "'ipckit rm " + manager.name() + "' (or use --force: the manager keeps running, but no new " +
                    "client can join it)";
            }
        }
        if (file.startsWith(LsCommand.MANAGER_LINK_PREFIX) || file.startsWith(LsCommand.MANAGER_BELL_PREFIX))
        {
            final List<String> alive = ManagerDirectory.list().stream().filter(ManagerInfo::alive)
                .map((manager) -> manager.name() + pid(manager)).toList();
            if (!alive.isEmpty())
            {
                return "it is a manager's fast-path pipe or doorbell, and manager(s) " + String.join(", ", alive) +
                    " run; a manager removes its own when it stops, 'ipckit rm --dead' a dead one's (or use --force)";
            }
        }
        return null;
    }

    private static String pid(final ManagerInfo manager)
    {
        return manager.process() == null ? "" : " (pid " + manager.process().pid() + ")";
    }

    private Map<String, Object> removeNamedManager(final String name)
    {
        final ManagerInfo manager = ManagerDirectory.info(name);
        final String pid = manager.process() == null ? "" : " (pid " + manager.process().pid() + ")";
        if (manager.alive() && !force)
        {
            return result(name, false, "manager " + name + pid + " is " +
                manager.state().name().toLowerCase(java.util.Locale.ROOT) + "; stop it with Manager.shutdown(), or " +
                "use --force to remove its socket and key anyway (it keeps serving the clients it has)");
        }
        return removeManager(manager, manager.alive() ? "forced: manager" + pid + " is alive" :
            "manager" + pid + " is dead");
    }

    private static Map<String, Object> removeManager(final ManagerInfo manager, final String reason)
    {
        final List<java.nio.file.Path> removed = ManagerDirectory.unlink(manager.name());
        final List<String> files = removed.stream().map((path) -> path.getFileName().toString()).toList();
        return result(manager.name(), !removed.isEmpty(), removed.isEmpty() ? "already gone" :
            reason + ": removed " + String.join(", ", files));
    }

    private static Map<String, Object> remove(final String name, final String reason)
    {
        final java.nio.file.Path path = SharedDirectory.resolve(name);
        final boolean removed = SharedDirectory.unlinkIfExists(name);
        ResourceTracker.unregister(path);
        return result(name, removed, removed ? reason : "already gone");
    }

    private static Map<String, Object> result(final String name, final boolean removed, final String reason)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("removed", removed);
        map.put("reason", reason);
        return map;
    }

    @SuppressWarnings("unchecked")
    private void print(final List<Object> results)
    {
        if (json)
        {
            out().println(Json.write(results));
            return;
        }
        for (final Object item : results)
        {
            final Map<String, Object> result = (Map<String, Object>)item;
            if ((Boolean)result.get("removed"))
            {
                out().println("removed " + result.get("name") + " (" + result.get("reason") + ")");
            }
            else
            {
                err().println("ipckit rm: not removed " + result.get("name") + ": " + result.get("reason"));
            }
        }
    }
}
