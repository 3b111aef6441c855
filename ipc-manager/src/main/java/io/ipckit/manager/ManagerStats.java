package io.ipckit.manager;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;

/**
 * What a manager holds and does, as {@link Manager#stats()} reads it in the manager: its process, threads and calls,
 * its clients (what each holds) and its objects (who refers to them, under which name). What {@code bin/ipckit stat}
 * prints for a manager.
 * <p>
 * A snapshot taken in the manager while clients keep calling: each figure is read once, without stopping the
 * manager, so the figures of different clients and objects may be a few calls apart. Immutable, so thread-safe.
 *
 * @param pid             the manager's process id.
 * @param startTime       the manager's process start time (with {@code pid}, a
 *                        {@link io.ipckit.core.process.ProcessIdentity}).
 * @param startedAtMillis when the manager started serving, in epoch milliseconds.
 * @param threads         the live platform threads of the manager's JVM.
 * @param callsServed     the calls received since the manager started, from every client, gone ones included.
 * @param callsWaiting    the blocking calls ({@code take}, {@code lock}...) waiting now, each on a virtual thread.
 * @param clients         the connected clients, by connection order of no significance.
 * @param objectCount     how many objects the manager holds (all of them, even past {@link #MAX_OBJECTS_LISTED}).
 * @param objects         the objects by id, at most {@link #MAX_OBJECTS_LISTED} (the lowest ids).
 * @param clientsRemembered of a durable manager: how many client handles it remembers, with the outcomes of their
 *                        journaled calls (those connected, and those away that may connect again). A handle that
 *                        closes, whose process is seen dead, or, remote, that stays away past three times its
 *                        reconnect timeout (since its connection ended, or since the manager's start) is forgotten.
 *                        0 when the manager is not durable.
 * @param snapshots       of a durable manager: the snapshots of its whole state taken since it started
 *                        ({@link ManagerOptions#snapshotEveryEntries}), the one a new journal starts with included
 *                        (a manager started on a journal that holds state takes none at its start). 0 when the
 *                        manager is not durable.
 * @param snapshotNanos   of a durable manager: how long the snapshots that completed held up the calls that change
 *                        state, in all, in nanoseconds (read apart from {@code snapshots}: the two may be one
 *                        snapshot apart). 0 when the manager is not durable.
 * @param snapshotsPutOff of a durable manager: the snapshots put off since it started because a blocking method of
 *                        a registered type (one that declares {@code InterruptedException}) was still running after
 *                        20 ms. Such a call changes its object at a moment the manager does not know and is
 *                        journaled when it returns, so a snapshot waits for the calls under way (holding new ones)
 *                        and is put off past 20 ms; the next append tries again, at the snapshots' pace. A manager
 *                        whose registered objects always have such a call running takes no snapshot, and its restart
 *                        replays every entry since the last one. 0 when the manager is not durable.
 */
public record ManagerStats(
    long pid,
    long startTime,
    long startedAtMillis,
    int threads,
    long callsServed,
    int callsWaiting,
    List<Client> clients,
    int objectCount,
    List<ManagedObject> objects,
    int clientsRemembered,
    long snapshots,
    long snapshotNanos,
    long snapshotsPutOff) implements Serializable
{
    @Serial
    private static final long serialVersionUID = 2L;

    /** The most objects a snapshot lists, to keep it one small frame whatever the manager holds. */
    public static final int MAX_OBJECTS_LISTED = 1000;

    /**
     * Copies the lists (immutable from now on).
     */
    public ManagerStats
    {
        clients = List.copyOf(clients);
        objects = List.copyOf(objects);
    }

    /**
     * One client connection of the manager: a process that called {@link Manager#connect} or
     * {@link Manager#start}, once per handle.
     *
     * @param pid            its process id, as it said in its handshake.
     * @param startTime      its process start time (0 for a remote client).
     * @param local          true when it connected through the manager's local socket (its pid is checked for
     *                       liveness); false for a TCP client of another host.
     * @param alive          false when it is local and its process is seen dead (its lease ends at the next lease
     *                       check); true otherwise.
     * @param caller         true for the connection that asked for these statistics.
     * @param objectsHeld    how many distinct objects it holds references to.
     * @param referencesHeld how many references (proxies it was sent and has not released) it holds in all.
     * @param locksHeld      how many manager locks ({@link Manager#lock()}, {@link Manager#rlock()}, conditions'
     *                       locks) one of its threads owns now.
     * @param callsServed    the calls received from it.
     * @param callsWaiting   its blocking calls waiting now.
     * @param outcomesKept   of a durable manager: how many outcomes of its journaled calls the manager keeps so that
     *                       a call sent again after a restart gets its first answer (calls running included): those
     *                       since its oldest call still waiting, about one per thread (each thread's next call lets
     *                       go of its last one; a thread that ended keeps its last). 0 when the manager is not
     *                       durable.
     */
    public record Client(
        long pid,
        long startTime,
        boolean local,
        boolean alive,
        boolean caller,
        int objectsHeld,
        long referencesHeld,
        int locksHeld,
        long callsServed,
        int callsWaiting,
        int outcomesKept) implements Serializable
    {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /**
     * One object the manager holds.
     *
     * @param id         its id in the manager.
     * @param typeid     its registered type id ({@code dict}, {@code lock}...).
     * @param type       the interface its proxies implement.
     * @param references how many references clients hold to it.
     * @param boundName  the name it is bound to ({@link Manager#bind}), or null.
     * @param pinned     true when it lives until shutdown whatever the references (bound, or nested in another
     *                   managed object).
     */
    public record ManagedObject(
        long id,
        String typeid,
        String type,
        long references,
        String boundName,
        boolean pinned) implements Serializable
    {
        @Serial
        private static final long serialVersionUID = 1L;
    }
}
