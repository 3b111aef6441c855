package io.ipckit.manager.internal;

import io.ipckit.manager.connection.FrameConnection;

import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread of a {@link ClientConnection} that reads its socket's replies when there is no pipe, and, for a durable
 * manager's client, connects again when the link breaks: until the reconnect timeout, through the connection's
 * {@link ClientConnection.Reconnector}, checking that the manager is the same one (its id is kept in its journal), and
 * sends again every call still waiting for its reply, with the same call id; the manager answers a call it had already
 * applied with the first answer. The new manager may offer a new pipe (the thread then wakes a waiting caller to read
 * it and ends) or not (the thread stays as the socket's reader).
 * <p>
 * A thread starts with a connection on the socket, and when a caller sees the link's pipe fail (only the first caller
 * to see that pipe fail, {@link ClientLink#markDown(ClientPipe)}).
 */
final class ClientReconnection
{
    private final ClientConnection owner;
    private final ClientLink link;
    private final ClientConnection.Reconnector reconnector;
    private final long reconnectTimeoutNs;

    /**
     * @param owner              the connection.
     * @param link               its link.
     * @param reconnector        opens a new socket to the manager, used only when it is durable; or null never to.
     * @param reconnectTimeoutNs how long to try.
     */
    ClientReconnection(final ClientConnection owner, final ClientLink link,
        final ClientConnection.Reconnector reconnector, final long reconnectTimeoutNs)
    {
        this.owner = owner;
        this.link = link;
        this.reconnector = reconnector;
        this.reconnectTimeoutNs = reconnectTimeoutNs;
    }

    /**
     * Starts the thread.
     *
     * @param reconnectFirst true when the link broke already: it connects again before it reads.
     * @param cause          why it broke, for the calls' failure when it cannot connect again; or null.
     */
    void start(final boolean reconnectFirst, final RuntimeException cause)
    {
        final Thread thread = new Thread(() -> run(reconnectFirst, cause),
            "ipckit-manager-client-" + owner.describe());
        thread.setDaemon(true);
        thread.start();
    }

    private void run(final boolean reconnectFirst, final RuntimeException cause)
    {
        RuntimeException failure = cause;
        boolean again = reconnectFirst;
        while (true)
        {
            if (again)
            {
                if (owner.isClosed() || !reconnect())
                {
                    owner.failAll(failure);
                    return;
                }
                if (link.pipe() != null)
                {
                    // on a pipe again: the waiting callers read it
                    link.wakeNextReader();
                    return;
                }
            }
            try
            {
                while (owner.onFrame(link.connection().recvBytes()))
                {
                    // each reply handed to its caller
                }
                return;
            }
            catch (final RuntimeException ex)
            {
                if (!owner.durable() || owner.isClosed())
                {
                    owner.failAll(ex);
                    return;
                }
                failure = ex;
                again = true;
            }
        }
    }

    /**
     * Connects again to a durable manager that went away, and sends again every call waiting for its reply.
     *
     * @return true when connected again; false when the timeout passed, the handle was closed, or the manager refused
     * (another one answered, or it forgot this handle: then every call has failed).
     */
    private boolean reconnect()
    {
        final ClientPipe old = link.markDown();
        if (old != null)
        {
            old.close();
        }
        link.connection().close();
        final long deadline = System.nanoTime() + reconnectTimeoutNs;
        long backoffNs = TimeUnit.MILLISECONDS.toNanos(1);
        while (!owner.isClosed() && System.nanoTime() - deadline < 0)
        {
            FrameConnection fresh = null;
            ClientPipe freshPipe = null;
            try
            {
                // each attempt waits at most the time left: a transport's own connect timeout (Aeron's 10 s)
                // must not carry the reconnect past its end
                fresh = reconnector.connect(deadline - System.nanoTime());
                freshPipe = owner.rejoin(fresh);
                final NavigableMap<Long, PendingCall> again = link.swap(fresh, freshPipe);
                if (owner.isClosed())
                {
                    // closed while this connected (looked at after the swap: a close that came later says goodbye
                    // on the new connection itself); the close said goodbye on the old one, which is gone
                    ClientGoodbye.say(freshPipe, fresh, ClientGoodbye.WAIT_MS);
                    if (freshPipe != null)
                    {
                        freshPipe.close();
                    }
                    fresh.close();
                    return false;
                }
                for (final Map.Entry<Long, PendingCall> entry : again.entrySet())
                {
                    final PendingCall call = entry.getValue();
                    final Wire.Out frame = call.frame;
                    if (frame != null)
                    {
                        ClientLink.send(frame, freshPipe, fresh, ClientLink.NO_LIMIT);
                        if (call.cancelled)
                        {
                            // its caller was interrupted: the new manager runs the call again, then interrupts it
                            ClientLink.send(new Wire.Out(Wire.CANCEL).putLong(entry.getKey()), freshPipe, fresh,
                                ClientLink.NO_LIMIT);
                        }
                    }
                }
                return true;
            }
            catch (final RuntimeException ex)
            {
                if (freshPipe != null && link.pipe() != freshPipe)
                {
                    freshPipe.close();
                }
                if (fresh != null)
                {
                    fresh.close();
                }
                if (ex instanceof ClientConnection.RefusedException)
                {
                    owner.failAll(ex); // the manager says why, and will not change its mind
                    return false;
                }
                LockSupport.parkNanos(this, backoffNs);
                backoffNs = Math.min(backoffNs * 2, TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
        return false;
    }
}
