package io.ipckit.cli;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.manager.Manager;
import io.ipckit.manager.ManagerDirectory;
import io.ipckit.manager.ManagerInfo;
import io.ipckit.manager.ManagerStats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the commands do with managers ({@link Manager#start started by name}), which are not resource files: their
 * socket, key and record are found by {@link ManagerDirectory}, and what a running one holds is asked of it with
 * {@link Manager#stats()} over one connection (which is this command's, and is left out of what it prints).
 * Stateless and thread-safe.
 */
final class Managers
{
    /** The kind {@code ls} and {@code stat} show for a manager. */
    static final String KIND = "Manager";

    private Managers()
    {
    }

    /**
     * @param info      a listed manager.
     * @param nowMillis the current epoch time.
     * @return the fields {@code ls --json} prints for a resource, as they apply to a manager (no layout, no size),
     * and its files.
     */
    static Map<String, Object> toMap(final ManagerInfo info, final long nowMillis)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", info.name());
        map.put("kind", KIND);
        map.put("state", info.state().name().toLowerCase(Locale.ROOT));
        map.put("layoutVersion", 0);
        map.put("sizeBytes", 0L);
        map.put("creatorPid", info.process() == null ? null : info.process().pid());
        map.put("creatorStartTime", info.process() == null ? null : info.process().startTime());
        map.put("alive", info.alive());
        map.put("ageSeconds", info.age(nowMillis).toSeconds());
        map.put("createdAtMillis", info.startedAtMillis());
        map.put("persistent", false);
        final List<Object> files = new ArrayList<>();
        info.files().forEach((path) -> files.add(path.getFileName().toString()));
        map.put("files", files);
        return map;
    }

    /**
     * @param name a name that is no resource.
     * @return the running manager of that name, for {@code stat}.
     * @throws IpcException when the manager is dead or starting: there is nothing to ask.
     */
    static ManagerInfo running(final String name)
    {
        final ManagerInfo info = ManagerDirectory.info(name);
        if (info.state() == ManagerInfo.State.DEAD)
        {
            throw new IpcException("manager \"" + name + "\" is dead" + (info.process() == null ? "" :
                " (pid " + info.process().pid() + ")") + ": nothing to ask; `ipckit rm --dead` removes its files");
        }
        if (info.state() == ManagerInfo.State.STARTING)
        {
            throw new IpcException("manager \"" + name + "\" is starting: ask again in a moment");
        }
        return info;
    }

    /**
     * @param name    the manager's name.
     * @param manager a connection to it.
     * @return its counters as {@code stat} prints them: its listing, threads, calls, and its clients (this
     * command's connection left out) and objects.
     * @throws io.ipckit.manager.ManagerGoneException when it stopped.
     */
    static Map<String, Object> stat(final String name, final Manager manager)
    {
        final long now = System.currentTimeMillis();
        final ManagerStats stats = manager.stats();
        final Map<String, Object> map = toMap(ManagerDirectory.info(name), now);
        map.remove("layoutVersion");
        map.remove("sizeBytes");
        map.remove("persistent");
        map.put("managerPid", stats.pid());
        map.put("threads", stats.threads());
        long ownCalls = 0;
        final List<Object> clients = new ArrayList<>();
        for (final ManagerStats.Client client : stats.clients())
        {
            if (client.caller())
            {
                ownCalls = client.callsServed();
                continue;
            }
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("pid", client.pid());
            row.put("identity", client.pid() + "@" + client.startTime());
            row.put("local", client.local());
            row.put("alive", client.alive());
            row.put("objects", client.objectsHeld());
            row.put("references", client.referencesHeld());
            row.put("locks", client.locksHeld());
            row.put("calls", client.callsServed());
            row.put("waiting", client.callsWaiting());
            row.put("outcomesKept", client.outcomesKept());
            clients.add(row);
        }
        map.put("callsServed", stats.callsServed() - ownCalls);
        map.put("callsWaiting", stats.callsWaiting());
        map.put("clientCount", clients.size());
        map.put("clients", clients);
        map.put("clientsRemembered", stats.clientsRemembered());
        map.put("snapshots", stats.snapshots());
        map.put("snapshotMillis", TimeUnit.NANOSECONDS.toMillis(stats.snapshotNanos()));
        map.put("snapshotsPutOff", stats.snapshotsPutOff());
        map.put("objectCount", stats.objectCount());
        final List<Object> objects = new ArrayList<>();
        for (final ManagerStats.ManagedObject object : stats.objects())
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", object.id());
            row.put("type", object.typeid());
            row.put("references", object.references());
            row.put("boundName", object.boundName());
            row.put("pinned", object.pinned());
            objects.add(row);
        }
        map.put("objects", objects);
        if (stats.objectCount() > objects.size())
        {
            map.put("objectsNotListed", stats.objectCount() - objects.size());
        }
        return map;
    }

    /**
     * @param name    a name that is no resource.
     * @param command the command asked ({@code dump}, {@code tail}, {@code unlock}).
     * @throws IpcException when a manager has that name: the command does not apply to it.
     */
    static void refuse(final String name, final String command)
    {
        if (ManagerDirectory.exists(name))
        {
            throw new IpcException("\"" + name + "\" is a manager (a server process with a socket, no shared " +
                "layout): `ipckit " + command + "` does not apply to a manager; `ipckit stat " + name +
                "` shows its clients and objects");
        }
    }
}
