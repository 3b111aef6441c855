package io.ipckit.manager.internal;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.manager.connection.FrameTooLargeException;
import io.ipckit.manager.connection.FrameConnection;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection in the manager, and the lease of that client: the references it holds, the calls it has
 * running, the locks it owns. The session ends when the connection ends (the client closed, or its process died and
 * the kernel closed the socket) or when the client's process is seen dead by pid and start time; then its running
 * calls are interrupted, its locks released and its references dropped.
 * <p>
 * A call that may block by contract ({@link Signatures#blocking}) runs on a virtual thread of its own, so a waiting
 * {@code take} or {@code lock} holds no platform thread; every other call runs on the session's reader thread, in
 * the order it arrived. Thread-safe.
 * <p>
 * A client of this host that asks for it is offered a pipe ({@link FastPath}): when it attaches, its frames arrive
 * through {@link #onFrame} on the fast path's workers, its replies leave through its {@link PipeLink}, and this
 * session's thread returns; the socket stays open, unread, until the session ends.
 * <p>
 * A client that leaves for good (it says {@link FastPath#BYE} as it closes, or its process is dead when its session
 * ends) is forgotten by a durable manager's journal ({@link ManagerJournal#forgetClient}) once none of its frames is
 * being handled and none of its calls runs ({@link ClientDeparture}): it sends nothing again, so its calls' outcomes
 * are kept for nobody. A remote client whose session ends without goodbye is away ({@link DurableClients}): the
 * lease loop forgets it past three times its reconnect timeout unless it connects again. A durable manager serves a
 * handle that connects again only when it remembers it.
 */
public final class ServerSession
{
    private final ServerCore core;
    private final FrameConnection connection;
    private final SessionReferences references;
    private final Map<Long, Thread> running = new ConcurrentHashMap<>();
    private final Set<OwnedResource> owned = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final ClientDeparture departure = new ClientDeparture(ended, this::forgetClient);
    private volatile ProcessIdentity identity;
    private volatile boolean local;
    private volatile long nonce;
    /** How long a remote handle is remembered once away without goodbye; 0 for ever (it never reconnects). */
    private volatile long awayLimitNs;
    /** Set once its hello was admitted: a refused handle's session end leaves nothing to watch. */
    private volatile boolean admitted;
    private volatile long callsServed;
    private volatile PipeLink link;

    ServerSession(final ServerCore core, final FrameConnection connection)
    {
        this.core = core;
        this.connection = connection;
        this.references = new SessionReferences(core.table());
    }

    /**
     * Records that this client owns something to give back when it goes.
     *
     * @param resource the resource.
     */
    public void own(final OwnedResource resource)
    {
        owned.add(resource);
        if (ended.get())
        {
            resource.releaseAll(this);
        }
    }

    /**
     * @return the manager's allow-list patterns.
     */
    List<String> allowedClasses()
    {
        return core.allowedClasses();
    }

    ProcessIdentity identity()
    {
        return identity;
    }

    boolean local()
    {
        return local;
    }

    /**
     * @return true once its hello was admitted (and, by a durable manager, the handle journaled).
     */
    boolean admitted()
    {
        return admitted;
    }

    boolean ended()
    {
        return ended.get();
    }

    void run()
    {
        boolean attached = false;
        try
        {
            final ByteBuffer hello = ByteBuffer.wrap(connection.recvBytes());
            if (hello.get() != Wire.HELLO)
            {
                fatal("expected HELLO as the first frame");
                return;
            }
            identity = new ProcessIdentity(hello.getLong(), hello.getLong());
            final byte where = hello.get();
            local = where != 0;
            final boolean wantsPipe = where == FastPath.LOCAL_WITH_PIPE;
            nonce = hello.remaining() >= Long.BYTES ? hello.getLong() : 0;
            final boolean resuming = hello.hasRemaining() && hello.get() == 1;
            final long reconnectMs = hello.remaining() >= Long.BYTES ? hello.getLong() : 0;
            awayLimitNs = DurableClients.awayLimitNs(reconnectMs);
            if (!admitHandle(resuming, reconnectMs))
            {
                return;
            }
            attached = welcome(wantsPipe);
            while (!attached && !ended.get())
            {
                if (!dispatch(connection.recvBytes()))
                {
                    return;
                }
            }
        }
        catch (final FrameTooLargeException ex)
        {
            fatal(ex.getMessage());
        }
        catch (final EndOfStreamException ex)
        {
            // the client closed
        }
        catch (final RuntimeException ex)
        {
            core.log("client " + identity + " dropped: " + ex);
        }
        finally
        {
            if (!attached)
            {
                end();
            }
        }
    }

    /**
     * Sends WELCOME, offering a pipe to a local client that asked for one; when it attaches, hands it to the fast
     * path.
     *
     * @return true when the client's frames come through its pipe from now on.
     */
    private boolean welcome(final boolean wantsPipe)
    {
        PipeLink offered = null;
        final Wire.Out welcome = new Wire.Out(Wire.WELCOME).putString(core.table().managerId())
            .putByte(core.journal() != null ? 1 : 0);
        FastPath fast = null;
        if (wantsPipe)
        {
            try
            {
                fast = core.fastPath();
                offered = fast == null ? null : new PipeLink(this);
                if (offered != null)
                {
                    welcome.putByte(1).putString(offered.name()).putString(fast.bellName());
                }
            }
            catch (final RuntimeException ex)
            {
                core.log("cannot offer client " + identity + " a pipe, it stays on the socket: " + ex.getMessage());
            }
        }
        if (offered == null && wantsPipe)
        {
            welcome.putByte(0);
        }
        try
        {
            connection.sendBytes(welcome.array(), 0, welcome.size());
            if (offered == null)
            {
                return false;
            }
            final ByteBuffer answer = ByteBuffer.wrap(connection.recvBytes());
            if (answer.remaining() == 2 && answer.get() == FastPath.ATTACH && answer.get() == 1)
            {
                link = offered;
                offered = null;
                fast.start(link);
                return true;
            }
            return false;
        }
        finally
        {
            if (offered != null)
            {
                offered.abandon(); // the client did not attach (could not open it, or hung up first)
            }
        }
    }

    /**
     * Checks the length of a frame that came through this client's pipe before anything is allocated for it: one
     * longer than the frame limit ends the session with a FATAL naming both, as a socket's does.
     *
     * @param length the frame's length.
     * @return true to read it; false when it was refused or the session had ended.
     */
    boolean acceptsFrame(final int length)
    {
        if (ended.get())
        {
            return false;
        }
        if (length > connection.maxFrameBytes() || length < 0)
        {
            fatal("client sent a frame of " + length + " bytes through its pipe, over the maximum of " +
                connection.maxFrameBytes() + " bytes (ManagerOptions.maxFrameBytes)");
            return false;
        }
        return true;
    }

    /**
     * Handles one frame that came through this client's pipe (on a fast path worker).
     *
     * @param frame the frame.
     */
    void onFrame(final byte[] frame)
    {
        if (!ended.get())
        {
            dispatch(frame);
        }
    }

    /**
     * @return false when the frame ended the session, or it had ended.
     */
    private boolean dispatch(final byte[] frame)
    {
        departure.begin();
        try
        {
            return !ended.get() && handle(frame);
        }
        finally
        {
            departure.finish();
        }
    }

    /**
     * @return false when the frame ended the session.
     */
    private boolean handle(final byte[] frame)
    {
        final ByteBuffer in = ByteBuffer.wrap(frame);
        switch (frame.length == 0 ? -1 : in.get())
        {
            case Wire.CALL -> onCall(frame, in);
            case Wire.CANCEL ->
            {
                final Thread thread = running.get(in.getLong());
                if (thread != null)
                {
                    thread.interrupt();
                }
            }
            case Wire.DECREF -> references.decref(in.getLong());
            case FastPath.BYE ->
            {
                endForGood();
                return false;
            }
            default ->
            {
                fatal("unknown frame type " + (frame.length == 0 ? "(empty frame)" : frame[0]) +
                    ": not the manager protocol");
                return false;
            }
        }
        return true;
    }

    private void send(final Wire.Out out) throws InterruptedException
    {
        final PipeLink pipe = link;
        if (pipe == null)
        {
            connection.sendBytes(out.array(), 0, out.size());
        }
        else if (out.size() > connection.maxFrameBytes())
        {
            throw new FrameTooLargeException("reply of " + out.size() + " bytes exceeds the maximum of " +
                connection.maxFrameBytes() + " bytes (ManagerOptions.maxFrameBytes)");
        }
        else if (!pipe.send(out.array(), out.size(), FastPath.SEND_TIMEOUT_NS))
        {
            throw new io.ipckit.core.exceptions.PeerGoneException("client " + identity + " did not read its " +
                "replies for " + TimeUnit.NANOSECONDS.toSeconds(FastPath.SEND_TIMEOUT_NS) + " s, or its link closed");
        }
    }

    private void fatal(final String message)
    {
        core.log("client " + identity + " refused: " + message);
        try
        {
            send(new Wire.Out(Wire.FATAL).putString(message));
        }
        catch (final RuntimeException ex)
        {
            // it may have gone already
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        end();
    }

    private void onCall(final byte[] frame, final ByteBuffer in)
    {
        callsServed++; // one client's calls are dispatched one at a time, in order
        final long callId = in.getLong();
        final long ackBelow = in.getLong();
        final long objectId = in.getLong();
        final long threadId = in.getLong();
        // the signature is looked up in place, as bytes: a string is made only for the rare calls below
        final int signatureLength = Wire.getStringLength(in);
        final int signatureOffset = in.position();
        in.position(signatureOffset + signatureLength);
        final Object[] args;
        final ObjectTable.Managed managed;
        final ExposedMethod exposed;
        try
        {
            args = core.readArgs(in, frame);
            if (objectId == Wire.MANAGER_OBJECT_ID)
            {
                managed = null;
                exposed = null;
            }
            else
            {
                managed = core.table().get(objectId);
                if (managed == null)
                {
                    throw new IpcException("no managed object " + objectId + " (released, or from another manager)");
                }
                final byte[] bytes = in.array();
                // toString() first: always Object's, as proxies send it, even where the interface declares its own
                final boolean objectToString = ExposedMethod.TO_STRING.isNamedBy(bytes, signatureOffset,
                    signatureLength);
                exposed = objectToString ? null :
                    Signatures.find(managed.entry.type(), bytes, signatureOffset, signatureLength);
                if (exposed == null && !objectToString)
                {
                    throw new IpcException(managed.entry.type().getName() + " exposes no method " +
                        new String(bytes, signatureOffset, signatureLength, StandardCharsets.UTF_8));
                }
            }
        }
        catch (final RuntimeException ex)
        {
            reply(callId, null, ex);
            return;
        }
        final ExposedMethod called = exposed != null || managed == null ? exposed : ExposedMethod.TO_STRING;
        final Method method = called == null ? null : called.method();
        final String signature = called != null ? called.signature() :
            new String(in.array(), signatureOffset, signatureLength, StandardCharsets.UTF_8); // a manager's operation
        final CallContext context = new CallContext(this, threadId);
        final ManagerJournal journal = core.journal();
        final JournalModes.Mode mode = journal == null ? null : journal.mode(managed, method, signature);
        if (mode != null)
        {
            final Object admitted = journal.clients().admit(nonce, threadId, callId, ackBelow);
            if (JournalClients.running(admitted))
            {
                return;
            }
            if (admitted instanceof ManagerJournal.Outcome outcome)
            {
                replyWith(callId, outcome.value(), outcome.error());
                return;
            }
            if (admitted == JournalClients.FORGOTTEN)
            {
                reply(callId, null, new IpcException(signature + " not run: " + DurableClients.FORGOTTEN_MESSAGE));
                return;
            }
            if (admitted == JournalClients.STALE)
            {
                // its caller gave it up (ClientCalls#isStale): nobody waits for the reply, which the client drops
                reply(callId, null, new IpcException(signature + " was sent again after its caller gave it up: " +
                    "not run, so as not to apply it twice"));
                return;
            }
        }
        if (exposed != null && exposed.blocking())
        {
            final Thread thread = Thread.ofVirtual().name("ipckit-manager-call-" + callId).unstarted(() ->
            {
                try
                {
                    if (mode == null)
                    {
                        execute(callId, managed, method, signature, args, context);
                    }
                    else
                    {
                        executeJournaled(callId, ackBelow, managed, method, signature, args, context, frame,
                            mode);
                    }
                }
                finally
                {
                    running.remove(callId);
                    departure.finish();
                }
            });
            running.put(callId, thread);
            departure.begin();
            try
            {
                thread.start();
            }
            catch (final RuntimeException | Error ex)
            {
                running.remove(callId);
                departure.finish();
                throw ex;
            }
            if (ended.get())
            {
                // the session ended after this frame's check, and its end may have looked at the running calls
                // before this one was added: a call of an ended session is interrupted, as its end does
                thread.interrupt();
            }
        }
        else if (mode == null)
        {
            execute(callId, managed, method, signature, args, context);
        }
        else
        {
            executeJournaled(callId, ackBelow, managed, method, signature, args, context, frame, mode);
        }
    }

    private void executeJournaled(final long callId, final long ackBelow, final ObjectTable.Managed managed,
        final Method method, final String signature, final Object[] args, final CallContext context,
        final byte[] frame, final JournalModes.Mode mode)
    {
        CallContext.set(context);
        try
        {
            final Object result = core.journal().run(this, nonce, context.threadId(), callId, ackBelow, managed, method,
                signature, args, frame, mode);
            reply(callId, result, null);
        }
        catch (final InvocationTargetException ex)
        {
            reply(callId, null, ex.getCause());
        }
        catch (final Throwable ex)
        {
            reply(callId, null, ex);
        }
        finally
        {
            CallContext.set(null);
        }
    }

    private void execute(final long callId, final ObjectTable.Managed managed, final Method method,
        final String signature, final Object[] args, final CallContext context)
    {
        CallContext.set(context);
        try
        {
            final Object result = managed == null ? core.callManager(signature, args) :
                core.invoke(managed, method, args);
            reply(callId, result, null);
        }
        catch (final InvocationTargetException ex)
        {
            reply(callId, null, ex.getCause());
        }
        catch (final Throwable ex)
        {
            reply(callId, null, ex);
        }
        finally
        {
            CallContext.set(null);
        }
    }

    private void reply(final long callId, final Object result, final Throwable error)
    {
        replyWith(callId, result, error == null ? null : ErrorInfo.of(error));
    }

    private void replyWith(final long callId, final Object result, final ErrorInfo error)
    {
        if (ended.get())
        {
            return;
        }
        final Wire.Out out = new Wire.Out(Wire.REPLY).putLong(callId);
        try
        {
            if (error != null)
            {
                out.putByte(Wire.STATUS_ERROR);
                core.codec().write(out, error, references::countOutgoing);
            }
            else if (result == null)
            {
                out.putByte(Wire.STATUS_NULL);
            }
            else if (CompactValues.encodable(result))
            {
                out.putByte(Wire.STATUS_COMPACT);
                CompactValues.write(out, result, references::countOutgoing);
            }
            else
            {
                out.putByte(Wire.STATUS_VALUE);
                core.codec().write(out, result, references::countOutgoing);
            }
        }
        catch (final RuntimeException ex)
        {
            if (error == null)
            {
                reply(callId, null, ex);
            }
            else
            {
                end();
            }
            return;
        }
        try
        {
            send(out);
        }
        catch (final FrameTooLargeException ex)
        {
            reply(callId, null, ex);
        }
        catch (final RuntimeException ex)
        {
            end();
        }
        catch (final InterruptedException ex)
        {
            // the session ended while the reply waited for room
            end();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends the session: closes the connection, interrupts its running calls, gives back what it owned, drops its
     * references. A local client whose process is dead has left for good ({@link #endForGood}). Idempotent.
     */
    void end()
    {
        end(core.journal() != null && local && identity != null && !identity.isAlive());
    }

    /**
     * Ends the session of a client that left for good: it said so as it closed, its process is dead, it stayed away
     * past its time (remote), or it asked for the manager's shutdown. Once none of its calls runs, a durable manager
     * forgets it ({@link ManagerJournal#forgetClient}). Idempotent.
     */
    void endForGood()
    {
        end(true);
    }

    private void end(final boolean clientLeft)
    {
        if (clientLeft)
        {
            departure.leftForGood(); // before the session is marked ended
        }
        if (!ended.compareAndSet(false, true))
        {
            if (clientLeft)
            {
                departure.sessionEnded();
            }
            return;
        }
        connection.close();
        final PipeLink pipe = link;
        if (pipe != null)
        {
            pipe.requestClose();
            final FastPath fast = core.fastPath();
            if (fast != null)
            {
                fast.wake();
            }
        }
        for (final Thread thread : running.values())
        {
            thread.interrupt();
        }
        for (final OwnedResource resource : owned)
        {
            resource.releaseAll(this);
        }
        references.dropAll();
        core.ended(this);
        if (admitted && !clientLeft) // a refused session, or one ended before its hello, leaves nothing to keep
        {
            core.clients().ended(this, awayLimitNs);
        }
        departure.sessionEnded();
    }

    /**
     * A handle's hello: a durable manager refuses a handle it forgot, and one that connects again that it does not
     * remember ({@link DurableClients#admit}).
     *
     * @param resuming    true when the handle connects again.
     * @param reconnectMs its reconnect timeout, as its hello said (0: never, or not said).
     * @return false when the handle was refused (the session is over).
     */
    private boolean admitHandle(final boolean resuming, final long reconnectMs)
    {
        final String refusal = core.clients().admit(this, resuming, reconnectMs);
        if (refusal != null)
        {
            fatal(refusal);
            return false;
        }
        admitted = true;
        return true;
    }

    /**
     * Forgets the calls of a client that left for good, when the manager is durable ({@link ClientDeparture}).
     */
    private void forgetClient()
    {
        core.clients().forget(identity, nonce);
    }

    long callsServed()
    {
        return callsServed;
    }

    int callsWaiting()
    {
        return running.size();
    }

    /**
     * @return the client handle's nonce, as its HELLO said (0 before it, or from a client that sent none).
     */
    long nonce()
    {
        return nonce;
    }

    /**
     * @return the counts of references the session holds, per object, for statistics.
     */
    Collection<AtomicLong> referenceCounts()
    {
        return references.counts();
    }

    Set<OwnedResource> ownedResources()
    {
        return owned;
    }

    @Override
    public String toString()
    {
        return "ServerSession{" + identity + (local ? ", local" : ", remote") + "}";
    }
}
