package io.ipckit.manager.internal;

import io.ipckit.core.process.ProcessIdentity;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a durable manager knows of its client handles between their sessions: which handle to serve at its hello, and
 * when to forget one that left without a word. A handle's calls' outcomes are kept ({@link ManagerJournal}) until it
 * leaves for good, so that a call it sends again after a reconnection is not applied twice; a handle forgotten is
 * refused if it comes back. Handles leave for good:
 * <ul>
 *   <li>when they say so as they close, or ask for the manager's shutdown ({@link ServerSession});</li>
 *   <li>of this host, when their process is seen dead: a session that ended while the process looked alive is
 *   {@link #departing} until then;</li>
 *   <li>remote, when they stay away past {@link #AWAY_TIMEOUTS} times their reconnect timeout after their session
 *   ended without goodbye: their process cannot be watched, and by then they gave up ({@link #away});</li>
 *   <li>remembered from before the manager's start, when they do not come back: the same way.</li>
 * </ul>
 * A handle that connects again is served only when remembered ({@link #admit}), so forgetting one that would have
 * come back costs it a refusal, never a call applied twice. Of a manager that is not durable, every handle is served
 * and nothing is kept. Thread-safe.
 */
final class DurableClients
{
    /** How many times its reconnect timeout a remote client handle that went away without goodbye is remembered. */
    static final int AWAY_TIMEOUTS = 3;
    /** Why a forgotten client handle is refused. */
    static final String FORGOTTEN_MESSAGE = "this durable manager forgot this client handle (it was closed, " +
        "asked for shutdown, its process died, or it stayed away past three times its reconnect timeout), with the " +
        "outcomes of its calls; so as not to apply a call twice it serves the handle no more: open a new handle";
    /** Why a handle that connects again is refused by a manager that does not remember it. */
    private static final String UNKNOWN_MESSAGE = "this durable manager does not remember this client handle, which " +
        "connects again (it forgot it long ago, or its journal was replaced): so as not to apply a call twice it does " +
        "not serve it: open a new handle";

    private final ManagerJournal journal;
    private final Set<ServerSession> sessions;
    private final Consumer<String> log;
    /**
     * Per client nonce: the last session of a local client that ended while its process looked alive (its socket's
     * end comes before the process is a zombie; or the client connects again). The lease loop ends it for good once
     * the process is seen dead, so that the client's calls are forgotten; a client that says goodbye later is
     * forgotten then, and leaves this map.
     */
    private final Map<Long, ServerSession> departing = new ConcurrentHashMap<>();
    /**
     * Per client nonce, the clients away, and when to forget each unless it connects again (it then leaves this map):
     * a remote client whose last session ended without goodbye; every client remembered from before the manager's
     * start, due the same way, or, of this host, once its process is seen dead.
     */
    private final Map<Long, Away> away = new ConcurrentHashMap<>();
    /**
     * Makes a hello's look at whether its handle is forgotten or remembered one step with the lease loop's decision
     * to forget a handle away: of the two, the later sees the other's outcome.
     */
    private final Object awayLock = new Object();

    /**
     * @param journal  the manager's journal, or null when it is not durable.
     * @param sessions the manager's sessions (a concurrent set).
     * @param log      the manager's log.
     */
    DurableClients(final ManagerJournal journal, final Set<ServerSession> sessions, final Consumer<String> log)
    {
        this.journal = journal;
        this.sessions = sessions;
        this.log = log;
    }

    /**
     * Before the first client: every handle the journal remembers is away until it connects again; one whose hello
     * said nothing of it (journaled by an earlier version) is kept, as it was then.
     */
    void awaitRemembered()
    {
        if (journal == null)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        journal.clients().remembered().forEach((nonce, calls) ->
        {
            final long limitNs = awayLimitNs(calls.reconnectMs());
            if (calls.localProcess() != null || limitNs > 0)
            {
                away.put(nonce, new Away(nonce, null, calls.localProcess(), nowNs + limitNs));
            }
        });
    }

    /**
     * A handle's hello: refuses one forgotten, and one that connects again and is not remembered (forgotten longer ago
     * than the manager keeps the forgotten, or met by another manager); journals a new one, so that it is remembered
     * across a restart even before its first journaled call; and stops the clock of one that was away.
     *
     * @param session     the handle's session; its nonce, identity and place are those of the hello.
     * @param resuming    true when the handle connects again.
     * @param reconnectMs its reconnect timeout, as its hello said (0: never, or not said).
     * @return why the handle is refused, or null to serve it.
     */
    String admit(final ServerSession session, final boolean resuming, final long reconnectMs)
    {
        final long nonce = session.nonce();
        if (journal == null || nonce == 0)
        {
            return null;
        }
        if (resuming)
        {
            synchronized (awayLock) // one step with the lease loop's forgetting of a handle away
            {
                final String refusal = journal.clients().wasForgotten(nonce) ? FORGOTTEN_MESSAGE :
                    journal.clients().remembers(nonce) ? null : UNKNOWN_MESSAGE;
                if (refusal == null)
                {
                    away.remove(nonce);
                }
                return refusal;
            }
        }
        try
        {
            return journal.join(session.identity(), nonce, reconnectMs, session.local()) ? null :
                journal.clients().wasForgotten(nonce) ? FORGOTTEN_MESSAGE :
                "the manager is closing: connect again once it is back";
        }
        catch (final RuntimeException ex)
        {
            return "the manager cannot journal this client handle: " + ex.getMessage();
        }
    }

    /**
     * An admitted session ended without its client leaving for good: a local client's is departing until its process
     * is seen dead; a remote client's is away until its time is up, unless another session of the handle is
     * connected (this one ended after the handle connected again).
     *
     * @param session     the session, ended.
     * @param awayLimitNs how long its handle is remembered away when remote; 0 for ever.
     */
    void ended(final ServerSession session, final long awayLimitNs)
    {
        final long nonce = session.nonce();
        if (journal == null || nonce == 0 || journal.clients().wasForgotten(nonce))
        {
            return;
        }
        if (session.local())
        {
            departing.put(nonce, session); // the lease loop ends it for good once the process is seen dead
            if (journal.clients().wasForgotten(nonce))
            {
                departing.remove(nonce, session); // another session of the client said goodbye meanwhile
            }
        }
        else if (awayLimitNs > 0 && !connected(nonce))
        {
            away.put(nonce, new Away(nonce, session, null, System.nanoTime() + awayLimitNs));
        }
    }

    /**
     * Forgets the calls of a handle that left for good, and stops watching it.
     *
     * @param identity its process, for the journal's entry.
     * @param nonce    the handle.
     */
    void forget(final ProcessIdentity identity, final long nonce)
    {
        if (journal == null)
        {
            return;
        }
        try
        {
            journal.forgetClient(identity, nonce);
            departing.remove(nonce);
        }
        catch (final RuntimeException ex)
        {
            log.accept("cannot journal that client handle " + nonce + " (" + identity + ") left, its calls' outcomes " +
                "stay kept: " + ex);
        }
    }

    /**
     * The lease loop's look: ends for good the departing sessions whose process is dead, and forgets each handle away
     * that is due, unless it is connected again. Deciding and forgetting a handle away are one step with a hello's look
     * at it: a handle that connects again is either taken out of {@link #away} first, or refused as forgotten.
     */
    void forgetGone()
    {
        for (final ServerSession session : departing.values())
        {
            if (!session.identity().isAlive() && departing.remove(session.nonce(), session))
            {
                session.endForGood();
            }
        }
        if (away.isEmpty())
        {
            return;
        }
        final long nowNs = System.nanoTime();
        for (final Away client : away.values())
        {
            if (client.due(nowNs))
            {
                synchronized (awayLock)
                {
                    if (away.remove(client.nonce(), client) && !connected(client.nonce()))
                    {
                        forget(client.session() != null ? client.session().identity() : client.process(),
                            client.nonce());
                    }
                }
            }
        }
    }

    /**
     * @return the sessions of local clients that ended while their process looked alive, for the lease loop's watch.
     */
    Iterable<ServerSession> departing()
    {
        return departing.values();
    }

    /**
     * @param reconnectMs a client's reconnect timeout, as its hello said.
     * @return how long it is remembered away: {@link #AWAY_TIMEOUTS} times that, 0 (for ever) when it is 0 or so
     * long that the product overflows.
     */
    static long awayLimitNs(final long reconnectMs)
    {
        return reconnectMs <= 0 || reconnectMs > Long.MAX_VALUE / AWAY_TIMEOUTS / 1_000_000L ? 0 :
            TimeUnit.MILLISECONDS.toNanos(reconnectMs) * AWAY_TIMEOUTS;
    }

    private boolean connected(final long nonce)
    {
        for (final ServerSession session : sessions)
        {
            if (session.nonce() == nonce && !session.ended())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A client handle that is away: forgotten when it is due ({@link #due}), unless it connects again first.
     *
     * @param nonce      the handle.
     * @param session    its last session, ended; null for a handle remembered from before the manager's start.
     * @param process    its process when it is of this host: due once it is seen dead; else null.
     * @param forgetAtNs when a remote handle is due ({@link System#nanoTime()}).
     */
    record Away(long nonce, ServerSession session, ProcessIdentity process, long forgetAtNs)
    {
        /**
         * @param nowNs the time now ({@link System#nanoTime()}).
         * @return true when it is to be forgotten: its process is dead, or, remote, its time is up.
         */
        boolean due(final long nowNs)
        {
            return process != null ? !process.isAlive() : nowNs - forgetAtNs >= 0;
        }
    }
}
