package io.ipckit.manager.internal;

import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.manager.ManagerRegistry;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a durable manager's snapshot holds ({@link State}), how it is taken from the running manager and how a
 * starting manager is put back from it: objects with state are kept as they are (serialized; a dict of compact values
 * as a slot whose entries are encoded after the lock, {@link SnapshotEncoding}), volatile ones (locks,
 * conditions, barriers, pools) as how to make them again ({@link Origin}), and the outcomes of journaled calls
 * whose clients may still send them again. Called by {@link ManagerJournal} under its lock, or by its replay
 * ({@link JournalReplay}) before the manager accepts clients. Stateless.
 */
final class JournalState
{
    private JournalState()
    {
    }

    /**
     * How a volatile object is made again: by its factory, or by a method of its parent.
     *
     * @param parentId  the parent's id, 0 for a factory.
     * @param signature the parent's method.
     * @param args      the factory's or the method's arguments.
     */
    record Origin(long parentId, String signature, Object[] args) implements Serializable
    {
    }

    /**
     * One object of a snapshot.
     *
     * @param id     its id.
     * @param typeid its type.
     * @param target the object, or null for a volatile one.
     * @param origin how a volatile one is made again.
     */
    record Image(long id, String typeid, Object target, Origin origin) implements Serializable
    {
    }

    /**
     * A snapshot: everything the manager keeps.
     *
     * @param managerId the manager's id.
     * @param lastId    the last object id handed out.
     * @param objects   its objects, by increasing id.
     * @param named     its bound names.
     * @param clients   per client nonce, the outcomes of its calls not yet acknowledged, by call id.
     * @param lastCalls per client nonce, each of its threads' last journaled call, by thread id; null in a snapshot
     *                  of an earlier version.
     * @param acked     per client nonce, the highest {@code ackBelow} it sent; null in a snapshot of an earlier
     *                  version.
     * @param forgotten the latest client handles forgotten, oldest first; null in a snapshot of an earlier version.
     * @param joined    per client nonce, what its hello said: reconnect timeout in ms, and when it is of this host,
     *                  its pid and start time; null in a snapshot of an earlier version.
     */
    record State(String managerId, long lastId, List<Image> objects, Map<String, ProxyRef> named,
        Map<Long, Map<Long, ManagerJournal.Outcome>> clients, Map<Long, Map<Long, Long>> lastCalls,
        Map<Long, Long> acked, List<Long> forgotten, Map<Long, long[]> joined) implements Serializable
    {
    }

    /**
     * Takes the manager's state; the caller holds the journal's lock, so no journaled call applies meanwhile (calls
     * may still be admitted).
     *
     * @param core      the manager.
     * @param origins   how its volatile objects were made.
     * @param clients   per client, its journaled calls.
     * @param forgotten the latest client handles forgotten, oldest first.
     * @return the state.
     */
    static State capture(final ServerCore core, final Map<Long, Origin> origins, final Map<Long, ClientCalls> clients,
        final List<Long> forgotten)
    {
        final List<Image> images = new ArrayList<>();
        final List<ObjectTable.Managed> all = new ArrayList<>(core.table().all());
        all.sort((a, b) -> Long.compare(a.id, b.id));
        for (final ObjectTable.Managed managed : all)
        {
            final boolean keepsState = !JournalModes.VOLATILE.contains(managed.entry.typeid());
            final Origin origin = keepsState ? null : origins.get(managed.id);
            if (keepsState || origin != null)
            {
                images.add(new Image(managed.id, managed.entry.typeid(), keepsState ? managed.target : null,
                    origin));
            }
        }
        final Map<Long, Map<Long, ManagerJournal.Outcome>> outcomes = new HashMap<>();
        final Map<Long, Map<Long, Long>> lastCalls = new HashMap<>();
        final Map<Long, Long> acked = new HashMap<>();
        final Map<Long, long[]> joined = new HashMap<>();
        final Set<Long> gone = new HashSet<>(forgotten);
        for (final Map.Entry<Long, ClientCalls> client : clients.entrySet())
        {
            if (gone.contains(client.getKey()))
            {
                continue; // made again for a moment by an admission racing its forgetting: it stays forgotten
            }
            // the outcomes first: admissions run outside the journal's lock, and an outcome copied before a later
            // mark or last call forgot it only errs the safe way (a kept outcome answers a call sent again), where
            // the other order could keep an old mark without the outcome it still covers
            final Map<Long, ManagerJournal.Outcome> done = new HashMap<>();
            client.getValue().outcomes().forEach((id, outcome) ->
            {
                if (outcome instanceof ManagerJournal.Outcome o)
                {
                    done.put(id, o);
                }
            });
            if (!done.isEmpty())
            {
                outcomes.put(client.getKey(), done);
            }
            acked.put(client.getKey(), client.getValue().acknowledgedBelow());
            final ProcessIdentity process = client.getValue().localProcess();
            if (client.getValue().reconnectMs() > 0 || process != null)
            {
                joined.put(client.getKey(), process == null ? new long[] {client.getValue().reconnectMs()} :
                    new long[] {client.getValue().reconnectMs(), process.pid(), process.startTime()});
            }
            final Map<Long, Long> threads = client.getValue().lastCalls();
            if (!threads.isEmpty())
            {
                lastCalls.put(client.getKey(), threads);
            }
        }
        return new State(core.table().managerId(), core.table().lastId(), images, new HashMap<>(core.named()),
            outcomes, lastCalls, acked, forgotten, joined);
    }

    /**
     * Puts a starting manager back in a snapshot's state.
     *
     * @param core    the manager, before it accepts clients.
     * @param state   the snapshot.
     * @param origins receives how its volatile objects were made.
     * @param clients receives the clients' journaled calls: outcomes, threads' last calls, acknowledgements.
     * @throws IllegalStateException when the snapshot names a type the registry lacks.
     */
    static void restore(final ServerCore core, final State state, final Map<Long, Origin> origins,
        final Map<Long, ClientCalls> clients)
    {
        // a later snapshot replaces whatever replay built so far (the mark may lag the last snapshot after a crash)
        core.table().resume(state.managerId(), state.lastId());
        core.named().clear();
        origins.clear();
        clients.clear();
        for (final Image image : state.objects())
        {
            final ManagerRegistry.Entry entry = core.registry().entry(image.typeid());
            if (entry == null)
            {
                throw new IllegalStateException("the snapshot holds an object of type " + image.typeid() +
                    ", which this manager's registry does not have");
            }
            Object target = image.target();
            if (target == null)
            {
                target = remake(core, image.origin(), entry);
                origins.put(image.id(), image.origin());
            }
            core.table().restore(image.id(), target, entry);
        }
        core.named().putAll(state.named());
        for (final Map.Entry<Long, Map<Long, ManagerJournal.Outcome>> client : state.clients().entrySet())
        {
            clients.computeIfAbsent(client.getKey(), (n) -> new ClientCalls()).outcomes().putAll(client.getValue());
        }
        if (state.lastCalls() != null) // null in a snapshot of an earlier version
        {
            for (final Map.Entry<Long, Map<Long, Long>> client : state.lastCalls().entrySet())
            {
                clients.computeIfAbsent(client.getKey(), (n) -> new ClientCalls()).restoreLastCalls(client.getValue());
            }
        }
        if (state.acked() != null) // null in a snapshot of an earlier version
        {
            for (final Map.Entry<Long, Long> client : state.acked().entrySet())
            {
                clients.computeIfAbsent(client.getKey(), (n) -> new ClientCalls())
                    .restoreAcknowledgedBelow(client.getValue());
            }
        }
        if (state.joined() != null) // null in a snapshot of an earlier version
        {
            state.joined().forEach((nonce, said) -> clients.computeIfAbsent(nonce, (n) -> new ClientCalls())
                .joined(said[0], said.length == 3 ? new ProcessIdentity(said[1], said[2]) : null));
        }
    }

    private static Object remake(final ServerCore core, final Origin origin, final ManagerRegistry.Entry entry)
    {
        if (origin.parentId() == 0)
        {
            return entry.factory().create(origin.args() == null ? new Object[0] : origin.args());
        }
        final ObjectTable.Managed parent = core.table().get(origin.parentId());
        if (parent == null)
        {
            throw new IllegalStateException("the parent " + origin.parentId() + " of a " + entry.typeid() +
                " is not in the snapshot");
        }
        try
        {
            return Signatures.find(parent.entry.type(), origin.signature()).invoke(parent.target, origin.args());
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot remake a " + entry.typeid() + " by " + origin.signature(), ex);
        }
    }

}
