package io.ipckit.manager.internal;

import io.ipckit.core.process.ProcessIdentity;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a durable manager's journal ({@link ManagerJournal}) remembers of its client handles: per client nonce, its
 * journaled calls ({@link ClientCalls}: the outcomes not yet acknowledged, its threads' last calls, what its hello
 * said), and the latest handles forgotten. It admits a journaled call ({@link #admit}): a call sent again gets the
 * outcome of the first. This is memory only: the journal writes the entries that say a handle joined or left
 * ({@link ManagerJournal#join}, {@link ManagerJournal#forgetClient}) and then tells this; its replay rebuilds this at
 * open ({@link JournalReplay}), and its snapshots hold it ({@link JournalState}).
 * <p>
 * Thread-safe: the maps are concurrent, and admissions run on the sessions' threads, outside the journal's lock. The
 * order of the forgotten handles is not: whatever forgets a handle ({@link #forget}, {@link #restoreForgotten}) or
 * reads that order ({@link #forgottenOldestFirst}) runs under the journal's {@code lock}, or in the replay before the
 * manager accepts clients. This class takes no lock of its own.
 */
final class JournalClients
{
    /** {@link #admit}: the mark of a call that runs. */
    private static final Object IN_PROGRESS = new Object();
    /** {@link #admit}: a call sent again after its caller gave it up; not to be run. */
    static final Object STALE = new Object();
    /**
     * {@link #admit}: a call of a client handle that was forgotten ({@link ManagerJournal#forgetClient}); not to be
     * run.
     */
    static final Object FORGOTTEN = new Object();
    /** How many forgotten client handles are remembered as such, the latest ({@link #forgotten}). */
    static final int FORGOTTEN_KEPT = 4096;

    /** Per client nonce, its journaled calls: outcomes not yet acknowledged, and its threads' last calls. */
    private final Map<Long, ClientCalls> clients = new ConcurrentHashMap<>();
    /**
     * The latest {@link #FORGOTTEN_KEPT} client handles forgotten, in snapshots too: a call of theirs is refused, not
     * run ({@link #FORGOTTEN}), for it could be one applied already whose outcome is gone (a client seen dead that was
     * not); and an entry of theirs journaled after their leaving (a call that ended after it) does not bring them
     * back at replay. Added to under the journal's {@code lock}, or by the replay; {@code forgottenOrder} is the
     * order to let go.
     */
    private final Set<Long> forgotten = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<Long> forgottenOrder = new ArrayDeque<>();

    /**
     * Admits a journaled call: the first time, marks it running; a call sent again gets the outcome of the first.
     * Forgets the outcomes the client has the replies of: those below {@code ackBelow}, and that of the calling
     * thread's previous call ({@link ClientCalls#follow}). A call the client no longer waits for, whose outcome is not
     * kept, is {@link #STALE} ({@link ClientCalls#isStale}): its caller gave it up (its timeout) and the client's
     * reconnection sent it again; running it would apply it again if it was applied before the restart. Thread-safe,
     * without the journal's lock.
     *
     * @param nonce    the client.
     * @param threadId the calling thread's id in the client.
     * @param callId   its call.
     * @param ackBelow the client has the replies of all its calls below this.
     * @return null to run the call, a mark when it runs already ({@link #running}: its reply answers), its
     * {@link ManagerJournal.Outcome}, {@link #STALE}, or {@link #FORGOTTEN}.
     */
    Object admit(final long nonce, final long threadId, final long callId, final long ackBelow)
    {
        if (wasForgotten(nonce))
        {
            return FORGOTTEN;
        }
        final ClientCalls calls = callsOf(nonce, ackBelow);
        if (wasForgotten(nonce))
        {
            // forgotten while this looked (a remote handle away past its time that came back meanwhile): its calls
            // may have been made fresh, without the outcomes that were forgotten
            clients.remove(nonce, calls);
            return FORGOTTEN;
        }
        // a client that sent no nonce shares nonce 0 with every other such client: their ids say nothing of each other
        if (nonce != 0 && calls.isStale(callId, calls.follow(threadId, callId, ackBelow)))
        {
            return STALE;
        }
        return calls.outcomes().putIfAbsent(callId, IN_PROGRESS);
    }

    /**
     * @param admitted what {@link #admit} returned.
     * @return true when the call runs already: its reply answers.
     */
    static boolean running(final Object admitted)
    {
        return admitted == IN_PROGRESS;
    }

    /**
     * Drops the mark {@link #admit} left for a call that ended without its entry journaled (the append failed, or a
     * blocking form timed out or was interrupted): no outcome of it is kept. Thread-safe.
     *
     * @param outcomes the client's outcomes ({@link #outcomes}), or null when none are kept for it.
     * @param callId   the call.
     */
    static void dropMark(final Map<Long, Object> outcomes, final long callId)
    {
        if (outcomes != null)
        {
            outcomes.remove(callId, IN_PROGRESS);
        }
    }

    /**
     * @param nonce a client.
     * @return the outcomes of its journaled calls, by call id, where a journaled call records its own (a live map);
     * null when the client is not remembered (its outcome is then kept nowhere).
     */
    Map<Long, Object> outcomes(final long nonce)
    {
        final ClientCalls calls = clients.get(nonce);
        return calls == null ? null : calls.outcomes();
    }

    /**
     * @param nonce a client.
     * @return how many outcomes of its journaled calls are kept for it (marks of calls running included).
     */
    int outcomesKept(final long nonce)
    {
        final ClientCalls calls = clients.get(nonce);
        return calls == null ? 0 : calls.outcomes().size();
    }

    /**
     * @return how many client handles the manager keeps journaled calls of: those that have not left for good
     * ({@link ManagerJournal#forgetClient}).
     */
    int count()
    {
        return clients.size();
    }

    /**
     * @param nonce a client handle.
     * @return true when the manager remembers it: it said hello ({@link ManagerJournal#join}) or made journaled calls,
     * and has not been forgotten since. A handle that connects again is served only then.
     */
    boolean remembers(final long nonce)
    {
        return clients.containsKey(nonce);
    }

    /**
     * @return per client nonce, the clients remembered, with what their hello said of them; for the manager's start,
     * which watches each until it connects again (a live view).
     */
    Map<Long, ClientCalls> remembered()
    {
        return Collections.unmodifiableMap(clients);
    }

    /**
     * @param nonce a client handle.
     * @return true when it is one of the latest {@link #FORGOTTEN_KEPT} forgotten: a handle it must not serve.
     */
    boolean wasForgotten(final long nonce)
    {
        return nonce != 0 && forgotten.contains(nonce);
    }

    /**
     * Remembers a client handle with what its hello said of it, once the journal holds its entry (or the replay
     * reads it). Thread-safe.
     *
     * @param nonce        the client handle.
     * @param reconnectMs  its reconnect timeout in ms, 0 when it never reconnects.
     * @param localProcess its process when it is of this host, else null.
     */
    void joined(final long nonce, final long reconnectMs, final ProcessIdentity localProcess)
    {
        clients.computeIfAbsent(nonce, (n) -> new ClientCalls()).joined(reconnectMs, localProcess);
    }

    /**
     * Forgets a client handle that left for good, once the journal holds the entry that says so (or the replay reads
     * it): its outcomes, its threads' last calls and its acknowledgement mark; and remembers that it was forgotten.
     * The caller holds the journal's {@code lock}, or is the replay.
     *
     * @param nonce the client handle.
     */
    void forget(final long nonce)
    {
        markForgotten(nonce); // before the removal: an admission that finds no calls then sees it forgotten
        clients.remove(nonce);
    }

    /**
     * @param nonce    a client.
     * @param ackBelow the client has the replies of all its calls below this (0: none said).
     * @return the client's calls, the outcomes below {@code ackBelow} forgotten; remembered from now on. Thread-safe.
     */
    ClientCalls callsOf(final long nonce, final long ackBelow)
    {
        final ClientCalls calls = clients.computeIfAbsent(nonce, (n) -> new ClientCalls());
        calls.forgetBelow(ackBelow);
        return calls;
    }

    /**
     * @return per client nonce, its journaled calls: the live map, for {@link JournalState#capture} under the
     * journal's {@code lock} and {@link JournalState#restore} by the replay.
     */
    Map<Long, ClientCalls> calls()
    {
        return clients;
    }

    /**
     * @return the latest client handles forgotten, oldest first: a copy, for a snapshot. The caller holds the
     * journal's {@code lock}.
     */
    List<Long> forgottenOldestFirst()
    {
        return new ArrayList<>(forgottenOrder);
    }

    /**
     * Replaces the handles remembered as forgotten by a snapshot's; by the replay, after {@link JournalState#restore}.
     *
     * @param oldestFirst the snapshot's latest client handles forgotten, oldest first; null in a snapshot of an earlier
     *                    version (none).
     */
    void restoreForgotten(final List<Long> oldestFirst)
    {
        forgotten.clear();
        forgottenOrder.clear();
        if (oldestFirst != null) // null in a snapshot of an earlier version
        {
            oldestFirst.forEach(this::markForgotten);
        }
    }

    /**
     * Remembers that a client handle was forgotten, letting go of the oldest beyond {@link #FORGOTTEN_KEPT}; under
     * the journal's {@code lock}, or by the replay.
     */
    private void markForgotten(final long nonce)
    {
        if (forgotten.add(nonce))
        {
            forgottenOrder.addLast(nonce);
            while (forgottenOrder.size() > FORGOTTEN_KEPT)
            {
                forgotten.remove(forgottenOrder.removeFirst());
            }
        }
    }
}
