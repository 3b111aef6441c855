package io.ipckit.manager.internal;

import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.manager.ManagerStats;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The manager's {@code stats} builtin: reads the object table, the named objects and every session into a
 * {@link ManagerStats}, without stopping anyone (each figure is read once). Runs in the manager, on the thread of
 * the call that asked. Stateless and thread-safe.
 */
final class StatsCollector
{
    private StatsCollector()
    {
    }

    /**
     * @param core   the manager.
     * @param caller the session that asked, or null when asked in the manager's own process.
     * @return the snapshot.
     */
    static ManagerStats collect(final ServerCore core, final ServerSession caller)
    {
        final ProcessIdentity self = ProcessIdentity.current();
        final Map<Long, String> names = new HashMap<>();
        for (final Map.Entry<String, ProxyRef> entry : core.named().entrySet())
        {
            names.merge(entry.getValue().objectId(), entry.getKey(), (a, b) -> a + "," + b);
        }
        final List<ManagerStats.Client> clients = new ArrayList<>();
        long calls = core.callsOfEndedSessions();
        int waiting = 0;
        final ManagerJournal journal = core.journal();
        for (final ServerSession session : core.sessions())
        {
            final ProcessIdentity identity = session.identity();
            if (identity == null || session.ended())
            {
                continue;
            }
            int objectsHeld = 0;
            long referencesHeld = 0;
            for (final AtomicLong count : session.referenceCounts())
            {
                final long held = count.get();
                if (held > 0)
                {
                    objectsHeld++;
                    referencesHeld += held;
                }
            }
            int locksHeld = 0;
            for (final OwnedResource resource : session.ownedResources())
            {
                if (resource instanceof ServerLock lock && lock.heldBy(session))
                {
                    locksHeld++;
                }
            }
            final long sessionCalls = session.callsServed();
            final int sessionWaiting = session.callsWaiting();
            calls += sessionCalls;
            waiting += sessionWaiting;
            clients.add(new ManagerStats.Client(identity.pid(), identity.startTime(), session.local(),
                !session.local() || identity.isAlive(), session == caller, objectsHeld, referencesHeld, locksHeld,
                sessionCalls, sessionWaiting, journal == null ? 0 : journal.clients().outcomesKept(session.nonce())));
        }
        final List<ObjectTable.Managed> all = new ArrayList<>(core.table().all());
        all.sort(Comparator.comparingLong((ObjectTable.Managed m) -> m.id));
        final List<ManagerStats.ManagedObject> objects = new ArrayList<>();
        for (final ObjectTable.Managed managed : all)
        {
            if (objects.size() == ManagerStats.MAX_OBJECTS_LISTED)
            {
                break;
            }
            objects.add(new ManagerStats.ManagedObject(managed.id, managed.entry.typeid(),
                managed.entry.type().getName(), managed.refs.get(), names.get(managed.id), managed.pinned));
        }
        return new ManagerStats(self.pid(), self.startTime(), core.startedAtMillis(),
            ManagementFactory.getThreadMXBean().getThreadCount(), calls, waiting, clients, all.size(), objects,
            journal == null ? 0 : journal.clients().count(), journal == null ? 0 : journal.snapshots().taken(),
            journal == null ? 0 : journal.snapshots().heldNanos(), journal == null ? 0 : journal.snapshots().putOff());
    }
}
