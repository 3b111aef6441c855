package io.ipckit.manager.internal;

import io.ipckit.manager.ManagerGoneException;
import io.ipckit.manager.connection.FrameConnection;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What a {@link ClientConnection}'s calls travel on, and the calls waiting for their replies on it: the socket, the
 * pipe when there is one, whether they are up, and the pending calls by id.
 * <p>
 * For a durable manager's client these change together under one lock: a caller registers its call and takes the
 * socket and pipe to send on in one step ({@link #register}), and a reconnection swaps them and copies the calls to
 * send again in one step ({@link #swap}), so each call is sent at most once per socket. The lock also keeps the lowest
 * call id waiting, which each call carries as its {@code ackBelow}, and the count of copies taken, which tells a
 * timed-out send whether a reconnection sends it anyway ({@link #givenUpUnsent}). A client of a manager that is not
 * durable takes no lock to register or forget a call: its socket and pipe never change.
 * <p>
 * Thread-safe.
 */
final class ClientLink
{
    /** A wait without limit: a blocking call's, or a frame that must be sent whatever it takes. */
    static final long NO_LIMIT = Long.MAX_VALUE;

    private final boolean durable;
    private final Map<Long, PendingCall> pending = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final AtomicLong nextCallId = new AtomicLong();
    private volatile FrameConnection connection;
    private volatile ClientPipe pipe;
    private volatile boolean connected = true;
    /** Under {@link #lock}: the lowest call id waiting, 0 when none (a durable manager's client only). */
    private long lowestPending;
    /** Under {@link #lock}: how many times a reconnection took its copy of the waiting calls to send them again. */
    private long resendCopies;

    /**
     * @param durable    true for a durable manager's client, whose link a reconnection swaps.
     * @param connection the socket, after its handshake.
     * @param pipe       the pipe the manager offered and this client opened, or null.
     */
    ClientLink(final boolean durable, final FrameConnection connection, final ClientPipe pipe)
    {
        this.durable = durable;
        this.connection = connection;
        this.pipe = pipe;
    }

    /**
     * @return the socket: the current one, or the last one when the link is down.
     */
    FrameConnection connection()
    {
        return connection;
    }

    /**
     * @return the pipe calls travel on, or null on the socket.
     */
    ClientPipe pipe()
    {
        return pipe;
    }

    /**
     * @return false while a durable manager's client reconnects.
     */
    boolean connected()
    {
        return connected;
    }

    /**
     * Gives the call its id, writes the id (and, for a durable manager, {@code ackBelow}) into its frame at offsets 1
     * and 9, and registers it; records in the call the socket and pipe to send it on ({@link PendingCall#via} null
     * while the link is down: the reconnection sends it).
     *
     * @param call the call, its frame built.
     * @param out  its frame.
     */
    void register(final PendingCall call, final Wire.Out out)
    {
        if (!durable)
        {
            final long callId = nextCallId.incrementAndGet();
            call.callId = callId;
            Wire.putLongAt(out, 1, callId);
            pending.put(callId, call);
            call.via = connection;
            call.viaPipe = pipe;
            return;
        }
        synchronized (lock)
        {
            call.resendCopiesAtRegistration = resendCopies;
            final long callId = nextCallId.incrementAndGet();
            if (lowestPending == 0)
            {
                lowestPending = callId;
            }
            call.callId = callId;
            Wire.putLongAt(out, 1, callId);
            Wire.putLongAt(out, 1 + 8, lowestPending);
            call.frame = out;
            pending.put(callId, call);
            call.via = connected ? connection : null;
            call.viaPipe = connected ? pipe : null;
        }
    }

    /**
     * @param callId a call's id.
     * @return the call waiting for that reply, or null.
     */
    PendingCall get(final long callId)
    {
        return pending.get(callId);
    }

    /**
     * Forgets a call: its reply came, or its caller gave up.
     *
     * @param callId the call's id.
     */
    void remove(final long callId)
    {
        if (!durable)
        {
            pending.remove(callId);
            return;
        }
        synchronized (lock)
        {
            pending.remove(callId);
            if (callId == lowestPending)
            {
                long lowest = 0;
                for (final Long id : pending.keySet())
                {
                    if (lowest == 0 || id < lowest)
                    {
                        lowest = id;
                    }
                }
                lowestPending = lowest;
            }
        }
    }

    /**
     * A call whose send timed out: gives it up, unless a reconnection took its copy of the waiting calls since the
     * call registered, which sends it again (the call then waits for its reply; saying it was not sent would be
     * false, and a caller who sent it again would apply it twice).
     *
     * @param call the call.
     * @return true when given up: it was not sent, and will not be.
     */
    boolean givenUpUnsent(final PendingCall call)
    {
        synchronized (lock) // only a durable manager's link copies: the count stays 0 for the others
        {
            if (resendCopies != call.resendCopiesAtRegistration)
            {
                return false;
            }
            remove(call.callId);
            return true;
        }
    }

    /**
     * Marks the link down because {@code failed} failed, unless the pipe was replaced or the link is down already.
     *
     * @param failed the pipe a caller saw fail.
     * @return true when this call marked it down: the caller starts the reconnection.
     */
    boolean markDown(final ClientPipe failed)
    {
        synchronized (lock)
        {
            if (pipe != failed || !connected)
            {
                return false;
            }
            connected = false;
            return true;
        }
    }

    /**
     * Marks the link down for a reconnection.
     *
     * @return the pipe it had, to close, or null.
     */
    ClientPipe markDown()
    {
        synchronized (lock)
        {
            connected = false;
            return pipe;
        }
    }

    /**
     * Puts a reconnection's socket and pipe in place and marks the link up, in one step with copying the calls
     * waiting, which the reconnection then sends again.
     *
     * @param fresh     the new socket.
     * @param freshPipe the new pipe, or null.
     * @return the calls to send again, by id.
     */
    NavigableMap<Long, PendingCall> swap(final FrameConnection fresh, final ClientPipe freshPipe)
    {
        synchronized (lock)
        {
            final NavigableMap<Long, PendingCall> again = new TreeMap<>(pending);
            resendCopies++;
            connection = fresh;
            pipe = freshPipe;
            connected = true;
            return again;
        }
    }

    /**
     * After a reading caller got its reply: another waiting caller takes over reading.
     */
    void wakeNextReader()
    {
        if (pending.isEmpty())
        {
            return;
        }
        for (final PendingCall other : pending.values())
        {
            if (!other.done && other.caller != Thread.currentThread())
            {
                LockSupport.unpark(other.caller);
                return;
            }
        }
    }

    /**
     * Fails every call waiting, each with an exception of its own.
     *
     * @param message what to say.
     * @param cause   why.
     */
    void failEach(final String message, final Throwable cause)
    {
        for (final Long callId : pending.keySet())
        {
            final PendingCall call = pending.remove(callId);
            if (call != null)
            {
                call.error = new ManagerGoneException(message, cause);
                call.done = true;
                LockSupport.unpark(call.caller);
            }
        }
    }

    /**
     * Sends a frame on the current pipe when there is one, else on the current socket.
     *
     * @param out       the frame.
     * @param timeoutNs the most to wait for room on the pipe, or {@link #NO_LIMIT}.
     * @return true when sent, false when the time ran out.
     */
    boolean send(final Wire.Out out, final long timeoutNs)
    {
        return send(out, pipe, connection, timeoutNs);
    }

    /**
     * Sends a frame on the pipe when there is one, else on the socket. On the pipe the wait for room is bounded by
     * {@code timeoutNs}: the manager reads a client's pipe with one worker at a time, which runs a call that does not
     * block inline, so a long call leaves the pipe unread meanwhile. An interrupt does not end the wait (the frame
     * must go whole or not at all); it is kept for the caller.
     *
     * @param out       the frame.
     * @param viaPipe   the pipe, or null.
     * @param viaSocket the socket.
     * @param timeoutNs the most to wait on the pipe, or {@link #NO_LIMIT}.
     * @return true when sent, false when the time ran out (the manager discards a frame cut short).
     * @throws io.ipckit.manager.connection.FrameTooLargeException when the frame exceeds the socket's frame limit,
     *                                                             on the pipe too; nothing is sent.
     */
    static boolean send(
        final Wire.Out out, final ClientPipe viaPipe, final FrameConnection viaSocket, final long timeoutNs)
    {
        if (viaPipe == null)
        {
            viaSocket.sendBytes(out.array(), 0, out.size());
            return true;
        }
        if (out.size() > viaSocket.maxFrameBytes())
        {
            // the socket's limit holds on the pipe too: nothing is sent
            throw new io.ipckit.manager.connection.FrameTooLargeException("frame of " + out.size() +
                " bytes exceeds the maximum of " + viaSocket.maxFrameBytes() + " bytes (ManagerOptions.maxFrameBytes)");
        }
        final long startNs = System.nanoTime();
        boolean interrupted = false;
        try
        {
            while (true)
            {
                try
                {
                    return viaPipe.send(out.array(), out.size(), timeoutNs == NO_LIMIT ? -1 :
                        Math.max(0, timeoutNs - (System.nanoTime() - startNs)));
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
