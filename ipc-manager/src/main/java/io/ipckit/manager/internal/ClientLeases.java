package io.ipckit.manager.internal;

import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.PeerWatch;
import io.ipckit.core.internal.wait.NativeBinding;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The lease loop of a manager server: ends the sessions of local clients (pid + start time) whose process died, so
 * that their references drop, the locks they held are released and a durable manager forgets their calls
 * ({@link ServerSession#endForGood}); and has a durable manager forget the remote clients away without goodbye past
 * their time. It looks every lease-check interval; once every local client is handed to the
 * kernel's watch ({@link PeerWatch}), it parks until one exits (or {@link #WATCHED_CHECK_NS} passes, a safety net),
 * so an idle manager does not read {@code /proc} five times a second and a killed client's session ends as it dies.
 * <p>
 * Runs on one thread; ends when the server closes or the thread is interrupted.
 */
final class ClientLeases implements Runnable
{
    /** How often the loop looks at the clients when the kernel watches them all. */
    static final long WATCHED_CHECK_NS = TimeUnit.SECONDS.toNanos(1);

    private final Set<ServerSession> sessions;
    private final DurableClients clients;
    private final AtomicBoolean closed;
    private final long checkIntervalNs;
    private final Consumer<String> log;
    private final Set<Long> watched = new HashSet<>();

    /**
     * @param sessions        the server's sessions (a concurrent set).
     * @param clients         what a durable manager knows of its client handles between their sessions: those
     *                        departing and away are watched and forgotten when gone.
     * @param closed          set when the server closes.
     * @param checkIntervalNs how often to look while some client is not watched.
     * @param log             the server's log.
     */
    ClientLeases(
        final Set<ServerSession> sessions, final DurableClients clients, final AtomicBoolean closed,
        final long checkIntervalNs, final Consumer<String> log)
    {
        this.sessions = sessions;
        this.clients = clients;
        this.closed = closed;
        this.checkIntervalNs = checkIntervalNs;
        this.log = log;
    }

    @Override
    public void run()
    {
        final Thread self = Thread.currentThread();
        final PeerWatch.Interest interest = new PeerWatch.Interest(() -> LockSupport.unpark(self));
        try
        {
            while (!closed.get())
            {
                final boolean allWatched = watchLocalClients(interest);
                LockSupport.parkNanos(this, allWatched ? WATCHED_CHECK_NS : checkIntervalNs);
                if (Thread.interrupted())
                {
                    return;
                }
                interest.clearExitNoticed();
                for (final ServerSession session : sessions)
                {
                    // a session still in its hello is left to its own thread, which sees the socket end: ended here,
                    // it could be forgotten before its hello journals it
                    if (session.local() && session.admitted() && !session.identity().isAlive())
                    {
                        log.accept("client " + session.identity() + " died: lease ended");
                        session.endForGood();
                    }
                }
                clients.forgetGone();
            }
        }
        finally
        {
            for (final long token : watched)
            {
                PeerWatch.instance().unwatch(token, interest);
            }
        }
    }

    /**
     * @return the sessions of local clients, and those ended while their process looked alive.
     */
    private List<ServerSession> localClients()
    {
        final List<ServerSession> local = new ArrayList<>();
        for (final ServerSession session : sessions)
        {
            if (session.local() && session.identity() != null)
            {
                local.add(session);
            }
        }
        clients.departing().forEach(local::add);
        return local;
    }

    /**
     * Watches the processes of the local sessions for {@code interest} and stops watching those of sessions gone.
     *
     * @return true when every local client is watched.
     */
    private boolean watchLocalClients(final PeerWatch.Interest interest)
    {
        final Set<Long> current = new HashSet<>();
        boolean all = NativeBinding.instance().isBound();
        for (final ServerSession session : localClients())
        {
            final long token = OwnerToken.of(session.identity());
            current.add(token);
            if (all && !watched.contains(token))
            {
                if (PeerWatch.instance().watch(token, interest) == PeerWatch.WATCHED)
                {
                    watched.add(token);
                }
                else
                {
                    all = false;
                }
            }
        }
        for (final Iterator<Long> it = watched.iterator(); it.hasNext(); )
        {
            final long token = it.next();
            if (!current.contains(token))
            {
                PeerWatch.instance().unwatch(token, interest);
                it.remove();
            }
        }
        return all;
    }
}
