package io.ipckit.manager.internal;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.manager.ManagerGoneException;
import io.ipckit.manager.connection.FrameConnection;

import java.lang.ref.Cleaner;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A client's one connection to a manager: many threads call through it at once, each call carrying an id; one
 * reader thread hands each reply to its caller (which spins briefly, then parks). When the connection ends, every
 * call in flight and every later call fails with {@link ManagerGoneException}.
 * <p>
 * Note to maintainers: a caller registers its {@link Pending} before sending, so a reply cannot outrun it; the
 * reader publishes a result by a volatile store of {@code done} after writing the fields, then unparks. Every
 * {@link ProxyRef} decoded here is one reference the manager counted for this connection; the proxy made of it
 * returns it with a DECREF when collected (a {@link Cleaner}).
 * <p>
 * A connection to a durable manager (its WELCOME says so) survives the manager's restart: when the socket ends (seen
 * by the reader thread) or the pipe fails (seen by a caller reading it, or sending on it), a thread of its own
 * connects again through the {@link Reconnector} until the reconnect timeout, checks that the manager
 * is the same one (its id is kept in its journal), and sends again every call still waiting for its reply, with
 * the same call id; the manager answers a call it had already applied with the first answer. Each call is sent at
 * most once per socket: a caller takes the socket to send on under {@code seqLock}, in the same step as it
 * registers its call, and the reconnector swaps the socket and takes the calls to send again under the same lock.
 * {@code seqLock} also keeps {@code lowestPending}, the lowest call id waiting, which each call carries as its
 * {@code ackBelow}; a connection to a manager that is not durable takes no lock.
 * <p>
 * A connection to a manager of this host asks for a pipe ({@link ClientPipe}, unless the system property
 * {@value #PIPE_PROP_NAME} is {@code false}); when the manager offers one, every frame after the handshake travels
 * through it and there is no reader thread: one waiting caller at a time reads the replies, its own and the others'
 * (which it hands over), and when it has its reply it lets another waiting caller take over reading. A durable
 * manager's client reads its pipe the same way: the first caller that sees the pipe fail ({@link #pipeFailed})
 * marks the connection down under {@code seqLock} and starts the reconnection; callers lead on a pipe only while
 * the connection is up, and the pipe and socket are swapped under {@code seqLock}. The new manager may offer a new
 * pipe (the reconnecting thread then wakes a waiting caller to read it and ends) or not (the thread stays as the
 * socket's reader). Calls sent twice (on the old pipe and again) are answered once by the manager's dedup; the
 * second reply finds no pending call and is dropped.
 * <p>
 * Length: past 600 lines because the reconnection of a durable manager's client and the pipe's reading callers
 * share the call path's invariants (the pending calls, {@code seqLock}, the socket and pipe swapped under it) and
 * are clearer beside it than behind an interface; the frames are in {@link Wire}, the values in {@link WireCodec}
 * and {@link CompactValues}.
 */
public final class ClientConnection implements AutoCloseable
{
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long SPIN_NS = 20_000;
    /** A wait without limit: a blocking call's, or a frame that must be sent whatever it takes. */
    private static final long NO_LIMIT = Long.MAX_VALUE;
    /**
     * The most a close waits for its goodbye to a durable manager to be written on the socket: the write waits only
     * when the socket's buffer is full, which a manager that stopped reading leaves it.
     */
    private static final long GOODBYE_WAIT_MS = 1_000;
    /** System property: {@code false} keeps local connections on the socket (for comparison and diagnosis). */
    public static final String PIPE_PROP_NAME = "ipckit.manager.pipe";
    /** The longest a reading caller waits in one go before it looks at the connection's state again. */
    private static final long READ_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** The longest a caller waits for the reading caller before it tries to read itself. */
    private static final long FOLLOWER_PARK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The longest a caller on the socket parks in one go before it looks at the connection's state again. */
    private static final long SOCKET_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final WireCodec codec;
    private final long callTimeoutNs;
    private final String managerId;
    private final String describe;
    private final LocalAddress localAddress;
    private final List<String> allowed;
    private final int maxFrameBytes;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextCallId = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long nonce = new java.security.SecureRandom().nextLong();
    private final Reconnector reconnector;
    private final long reconnectTimeoutNs;
    private final Object seqLock = new Object();
    private final boolean durable;
    private final boolean wantsPipe;
    private volatile FrameConnection connection;
    private volatile boolean connected = true;
    private long lowestPending;
    /**
     * Under {@code seqLock}: how many times a reconnection took its copy of the waiting calls to send them again. A
     * call whose send timed out is not given up as unsent when a copy was taken since it was made: the copy sends it.
     */
    private long resendCopies;
    private volatile ClientPipe pipe;
    private final io.ipckit.pipe.BufferHandler pipeHandler = this::onPipeFrame;
    private volatile ManagerGoneException gone;

    /**
     * Opens a new authenticated socket to the same manager, for a client of a durable manager that lost it.
     */
    @FunctionalInterface
    public interface Reconnector
    {
        /**
         * @param timeoutNs the most to wait for the manager to answer: the time left of the reconnect timeout.
         * @return an authenticated connection.
         * @throws RuntimeException when the manager cannot be reached now, or did not answer in time.
         */
        FrameConnection connect(long timeoutNs);
    }

    /**
     * Says hello on an authenticated connection and starts the reader.
     *
     * @param connection    the authenticated connection.
     * @param allowed       the user's allow-list patterns.
     * @param maxFrameBytes the longest frame.
     * @param callTimeoutNs the call timeout.
     * @param localAddress  the socket and key files of a manager of this host (it then watches this process's
     *                      identity, and proxies can be sent to other JVMs), or null for a remote one.
     * @param describe      what to call the manager in messages.
     * @throws ManagerGoneException when the manager closed instead of answering.
     */
    public ClientConnection(
        final FrameConnection connection,
        final List<String> allowed,
        final int maxFrameBytes,
        final long callTimeoutNs,
        final LocalAddress localAddress,
        final String describe)
    {
        this(connection, allowed, maxFrameBytes, callTimeoutNs, localAddress, describe, null, 0);
    }

    /**
     * Says hello on an authenticated connection and starts the reader; reconnects to a durable manager.
     *
     * @param connection         the authenticated connection.
     * @param allowed            the user's allow-list patterns.
     * @param maxFrameBytes      the longest frame.
     * @param callTimeoutNs      the call timeout.
     * @param localAddress       the socket and key files of a manager of this host, or null for a remote one.
     * @param describe           what to call the manager in messages.
     * @param reconnector        opens a new socket to a durable manager that went away, or null never to.
     * @param reconnectTimeoutNs how long to try.
     * @throws ManagerGoneException when the manager closed instead of answering.
     */
    public ClientConnection(
        final FrameConnection connection,
        final List<String> allowed,
        final int maxFrameBytes,
        final long callTimeoutNs,
        final LocalAddress localAddress,
        final String describe,
        final Reconnector reconnector,
        final long reconnectTimeoutNs)
    {
        this.connection = connection;
        this.localAddress = localAddress;
        this.allowed = List.copyOf(allowed);
        this.maxFrameBytes = maxFrameBytes;
        final boolean local = localAddress != null;
        this.codec = new WireCodec(allowed, maxFrameBytes);
        this.callTimeoutNs = callTimeoutNs;
        this.describe = describe;
        this.reconnector = reconnector;
        this.reconnectTimeoutNs = reconnectTimeoutNs;
        this.wantsPipe = local && !"false".equals(System.getProperty(PIPE_PROP_NAME));
        ClientPipe attached = null;
        try
        {
            final ByteBuffer welcome = handshake(connection);
            managerId = Wire.getString(welcome);
            durable = welcome.hasRemaining() && welcome.get() != 0 && reconnector != null;
            if (wantsPipe && welcome.hasRemaining() && welcome.get() == 1)
            {
                attached = attach(connection, Wire.getString(welcome), Wire.getString(welcome));
            }
        }
        catch (final RuntimeException ex)
        {
            if (attached != null)
            {
                attached.close();
            }
            connection.close();
            throw new ManagerGoneException("cannot join " + describe + ": " + ex.getMessage(), ex);
        }
        this.connection = connection;
        pipe = attached;
        if (pipe == null)
        {
            startConnectionThread(false, null);
        }
    }

    /**
     * Starts the thread that reads the socket's replies and, for a durable manager, connects again when the
     * connection breaks ({@code reconnectFirst}: it broke already). It ends when the connection moves onto a pipe.
     */
    private void startConnectionThread(final boolean reconnectFirst, final RuntimeException cause)
    {
        final Thread thread = new Thread(() -> connectionLoop(reconnectFirst, cause),
            "ipckit-manager-client-" + describe);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Opens the offered pipe and says whether it did; on the socket path when it cannot.
     *
     * @return the pipe, or null.
     */
    private ClientPipe attach(final FrameConnection socket, final String pipeName, final String bellName)
    {
        ClientPipe opened = null;
        try
        {
            opened = new ClientPipe(pipeName, bellName);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("[ipckit-manager] cannot open the pipe " + pipeName + " to " + describe +
                ", staying on the socket: " + ex.getMessage());
        }
        final Wire.Out answer = new Wire.Out(FastPath.ATTACH).putByte(opened != null ? 1 : 0);
        try
        {
            socket.sendBytes(answer.array(), 0, answer.size());
        }
        catch (final RuntimeException ex)
        {
            if (opened != null)
            {
                opened.close();
            }
            throw ex;
        }
        return opened;
    }

    /**
     * @return true when calls travel through a pipe in shared memory rather than the socket.
     */
    public boolean usesPipe()
    {
        return pipe != null;
    }

    private ByteBuffer handshake(final FrameConnection socket)
    {
        final ProcessIdentity self = ProcessIdentity.current();
        final Wire.Out hello = new Wire.Out(Wire.HELLO).putLong(self.pid()).putLong(self.startTime())
            .putByte(wantsPipe ? FastPath.LOCAL_WITH_PIPE : localAddress != null ? 1 : 0).putLong(nonce);
        socket.sendBytes(hello.array(), 0, hello.size());
        final ByteBuffer welcome = ByteBuffer.wrap(socket.recvBytes());
        final byte type = welcome.get();
        if (type == Wire.FATAL)
        {
            throw new RefusedException(describe + " refused this connection: " + Wire.getString(welcome));
        }
        if (type != Wire.WELCOME)
        {
            throw new IpcException(describe + " did not welcome this client");
        }
        return welcome;
    }

    /**
     * @return true when the manager is durable and this connection reconnects to it.
     */
    public boolean durable()
    {
        return durable;
    }

    /**
     * @return the id of the manager instance this connection talks to.
     */
    public String managerId()
    {
        return managerId;
    }

    /**
     * @return what the manager is called in messages.
     */
    public String describe()
    {
        return describe;
    }

    /**
     * Makes a proxy of a reference this connection received.
     *
     * @param ref the reference.
     * @return the proxy, implementing the ref's interface.
     * @throws IpcException when the interface is not on this class path or the ref belongs to another manager.
     */
    public Object proxy(final ProxyRef ref)
    {
        if (!ref.managerId().equals(managerId))
        {
            throw new IpcException("a proxy of manager " + ref.managerId() + " reached a connection to " + describe +
                "; nested proxies must live in the manager that owns them");
        }
        final Class<?> type;
        try
        {
            type = Class.forName(ref.interfaceName(), false, Thread.currentThread().getContextClassLoader() != null ?
                Thread.currentThread().getContextClassLoader() : ClientConnection.class.getClassLoader());
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IpcException("interface " + ref.interfaceName() + " of managed type " + ref.typeid() +
                " is not on this process's class path", ex);
        }
        final ProxyHandler handler = new ProxyHandler(this, ref, type);
        final Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
        final long objectId = ref.objectId();
        CLEANER.register(handler, () -> decref(objectId));
        return proxy;
    }

    /**
     * What a proxy of this connection becomes when serialized outside the manager protocol (captured by a
     * {@code SerializableRunnable} for another JVM): its ref and how to reach the manager again.
     *
     * @param ref the proxy's ref.
     * @return the serialized form.
     * @throws IllegalStateException for a remote manager (its authkey is not written into serialized proxies).
     */
    SerializedProxy serialized(final ProxyRef ref)
    {
        if (localAddress == null)
        {
            throw new IllegalStateException("a proxy of " + describe + " (remote) cannot be serialized outside the " +
                "manager: connect to the manager in the other JVM and look the object up by name instead");
        }
        return new SerializedProxy(ref, localAddress.socket(), localAddress.key(), allowed, maxFrameBytes,
            callTimeoutNs);
    }

    /**
     * Re-attaches to an object whose proxy arrived serialized: asks the manager for a counted reference for this
     * connection.
     *
     * @param ref the object's ref.
     * @return the handler of a proxy of it.
     * @throws Throwable what the manager raised (the object is gone) or {@link ManagerGoneException}.
     */
    ProxyHandler attach(final ProxyRef ref) throws Throwable
    {
        final Object proxy = call(Wire.MANAGER_OBJECT_ID, null, "attach", new Object[] {ref.objectId()});
        return (ProxyHandler)Proxy.getInvocationHandler(proxy);
    }

    /**
     * The files of a manager of this host.
     *
     * @param socket its Unix socket.
     * @param key    its authkey file.
     */
    public record LocalAddress(String socket, String key)
    {
    }

    private void decref(final long objectId)
    {
        if (gone == null && !closed.get())
        {
            final Wire.Out out = new Wire.Out(Wire.DECREF).putLong(objectId);
            try
            {
                sendFrame(out);
            }
            catch (final RuntimeException ex)
            {
                // the connection ended: the manager drops every reference of this connection anyway
            }
        }
    }

    /**
     * Calls a method of a managed object.
     *
     * @param objectId  the object.
     * @param method    the interface method, or null for a call on the manager itself.
     * @param signature its wire signature.
     * @param args      its arguments, or null.
     * @return the result, refs resolved into proxies.
     * @throws Throwable what the method threw in the manager (rebuilt by {@link ErrorInfo#toLocal}),
     *                   {@link ManagerGoneException}, {@link IpcTimeoutException}, or {@link InterruptedException}
     *                   for a blocking method whose caller was interrupted.
     */
    public Object call(final long objectId, final Method method, final String signature, final Object[] args)
        throws Throwable
    {
        final ManagerGoneException dead = gone;
        if (dead != null)
        {
            throw new ManagerGoneException(dead.getMessage(), dead);
        }
        final Wire.Out out = new Wire.Out(Wire.CALL).putLong(0).putLong(0).putLong(objectId)
            .putLong(Thread.currentThread().threadId()).putString(signature);
        if (args == null || args.length == 0)
        {
            out.putByte(Wire.ARGS_NONE);
        }
        else if (CompactValues.encodable(args))
        {
            out.putByte(Wire.ARGS_COMPACT);
            CompactValues.write(out, args);
        }
        else
        {
            out.putByte(Wire.ARGS_OBJECT);
            try
            {
                codec.write(out, args, ClientConnection::replace);
            }
            catch (final IllegalArgumentException ex)
            {
                if (method != null && ExecutorService.class.isAssignableFrom(method.getDeclaringClass()))
                {
                    // an executor's task that cannot be sent cannot be scheduled: ExecutorService says so this way
                    throw new RejectedExecutionException(ex.getMessage(), ex);
                }
                throw ex;
            }
        }
        final Pending call = new Pending(Thread.currentThread());
        call.method = method;
        final long callId;
        final FrameConnection via;
        final ClientPipe viaPipe;
        long copiesAtCall = 0;
        if (durable)
        {
            synchronized (seqLock)
            {
                copiesAtCall = resendCopies;
                callId = nextCallId.incrementAndGet();
                if (lowestPending == 0)
                {
                    lowestPending = callId;
                }
                Wire.putLongAt(out, 1, callId);
                Wire.putLongAt(out, 1 + 8, lowestPending);
                call.frame = out;
                pending.put(callId, call);
                via = connected ? connection : null;
                viaPipe = connected ? pipe : null;
            }
            final ManagerGoneException failed = gone;
            if (failed != null)
            {
                // failAll sets gone before it fails the calls waiting: this one came after it looked
                removePending(callId);
                throw new ManagerGoneException(failed.getMessage(), failed);
            }
        }
        else
        {
            callId = nextCallId.incrementAndGet();
            Wire.putLongAt(out, 1, callId);
            pending.put(callId, call);
            via = connection;
            viaPipe = pipe;
        }
        final boolean blocking = method != null && Signatures.blocking(method);
        final int timeoutIndex = method == null ? -1 : Signatures.timeoutIndex(method);
        final long waitNs;
        if (timeoutIndex >= 0)
        {
            final long asked = ((TimeUnit)args[timeoutIndex + 1]).toNanos((Long)args[timeoutIndex]);
            final long sum = Math.max(0, asked) + callTimeoutNs; // both non-negative: a sum past Long.MAX_VALUE wraps
            waitNs = sum < 0 ? NO_LIMIT : sum;
        }
        else
        {
            waitNs = blocking ? NO_LIMIT : callTimeoutNs;
        }
        boolean sent = true;
        if (via != null)
        {
            try
            {
                sent = sendFrame(out, viaPipe, via, waitNs);
            }
            catch (final RuntimeException ex)
            {
                if (ex instanceof io.ipckit.manager.connection.FrameTooLargeException)
                {
                    removePending(callId);
                    throw ex;
                }
                if (!durable)
                {
                    removePending(callId);
                    failAll(ex);
                    throw new ManagerGoneException(gone.getMessage(), ex);
                }
                // a durable manager's connection broke: it is connected again and the call sent again
                if (viaPipe != null)
                {
                    pipeFailed(viaPipe, ex);
                }
            }
        }
        if (!sent && givenUpUnsent(callId, copiesAtCall))
        {
            throw new IpcTimeoutException(signature + " on " + describe + " could not be sent within " +
                TimeUnit.NANOSECONDS.toMillis(waitNs) + " ms: the manager read nothing from this client's pipe " +
                "meanwhile (ManagerOptions.callTimeout)");
        }
        final boolean interruptible = blocking && method != null && declaresInterrupted(method);
        await(call, callId, waitNs, interruptible, signature);
        if (call.error != null)
        {
            throw call.error;
        }
        return call.value;
    }

    /**
     * Waits for a call's reply. On the socket the connection's thread hands it over (the caller spins briefly, then
     * parks); on a pipe one waiting caller at a time reads the replies, its own and the others', and a caller that
     * sees the pipe fail starts the reconnection of a durable manager's client ({@link #pipeFailed}).
     * <p>
     * An interrupt of an interruptible call cancels it on the manager (which interrupts the call's thread there)
     * and waits, at most the call timeout, for the call to end there: an interrupted condition wait has then taken
     * its lock back, an interrupted lock or take has either given up or succeeded. A call that gave up throws its
     * {@link InterruptedException} (from the reply); one that succeeded first returns its outcome, with the interrupt
     * flag set. Without a reply in time the call is forgotten and throws {@link InterruptedException}.
     */
    private void await(final Pending call, final long callId, final long waitNs, final boolean interruptible,
        final String signature) throws InterruptedException
    {
        long start = System.nanoTime();
        long limitNs = waitNs;
        boolean cancelled = false;
        boolean interrupted = false;
        try
        {
            while (!call.done)
            {
                final long elapsed = System.nanoTime() - start;
                if (limitNs != NO_LIMIT && elapsed > limitNs)
                {
                    removePending(callId);
                    if (cancelled)
                    {
                        throw new InterruptedException(signature + " on " + describe + " interrupted (the manager " +
                            "did not end the call within the call timeout)");
                    }
                    cancel(callId);
                    if (durable && !connected)
                    {
                        throw new ManagerGoneException(signature + " on " + describe + " had no reply within " +
                            TimeUnit.NANOSECONDS.toMillis(waitNs) + " ms: the manager is gone and not back", null);
                    }
                    throw new IpcTimeoutException(signature + " on " + describe + " had no reply within " +
                        TimeUnit.NANOSECONDS.toMillis(waitNs) + " ms (ManagerOptions.callTimeout)");
                }
                boolean interruptCame = false;
                final ClientPipe reading = pipe;
                if (reading != null && connected && reading.tryLead())
                {
                    try
                    {
                        interruptCame = lead(reading, call, start, limitNs);
                    }
                    finally
                    {
                        reading.endLead();
                        wakeNextReader();
                    }
                }
                else
                {
                    if (reading == null && elapsed < SPIN_NS)
                    {
                        Thread.onSpinWait();
                    }
                    else
                    {
                        LockSupport.parkNanos(this, Math.min(limitNs - elapsed,
                            reading == null ? SOCKET_PARK_NS : FOLLOWER_PARK_NS));
                    }
                    interruptCame = Thread.interrupted();
                }
                if (interruptCame)
                {
                    if (interruptible && !cancelled)
                    {
                        call.cancelled = true; // before the cancel: a reconnection sends it again after the call
                        cancelled = true;
                        start = System.nanoTime();
                        // sent, the cancel ends the call once the manager's thread has let go of what it took (an
                        // interrupted condition wait first takes its lock back, as Condition.await does): wait for
                        // that, or for the manager's death; unsent, give up after the call timeout, as before
                        limitNs = cancel(callId) || durable ? NO_LIMIT : callTimeoutNs;
                    }
                    else
                    {
                        interrupted = true;
                    }
                }
            }
            if (cancelled)
            {
                // the call ended before the cancel reached it: its outcome stands, with the interrupt kept; the
                // manager's InterruptedException reports the interrupt itself, with the flag clear
                interrupted = !(call.error instanceof InterruptedException);
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

    /**
     * Reads replies from the pipe, as the caller holding its lead, until this call's reply came, the time is up,
     * the pipe failed or was replaced, or an interrupt came.
     *
     * @return true when an interrupt came (the flag is then clear: the caller decides what it means).
     */
    private boolean lead(final ClientPipe reading, final Pending call, final long start, final long limitNs)
    {
        while (!call.done && gone == null && pipe == reading)
        {
            final long remaining = limitNs - (System.nanoTime() - start);
            if (remaining <= 0)
            {
                break;
            }
            try
            {
                reading.receive(pipeHandler, Math.min(remaining, READ_SLICE_NS));
            }
            catch (final InterruptedException ex)
            {
                return true;
            }
            catch (final RuntimeException ex)
            {
                pipeFailed(reading, ex);
                break;
            }
        }
        return false;
    }

    /**
     * A caller saw the pipe fail (the manager closed it or died): a durable manager's client connects again on a
     * thread of its own, while the callers keep waiting within their own timeouts; any other fails every call.
     * Only the first caller to see a pipe fail starts the reconnection.
     */
    private void pipeFailed(final ClientPipe failed, final RuntimeException cause)
    {
        if (!durable || closed.get())
        {
            failAll(cause);
            return;
        }
        synchronized (seqLock)
        {
            if (pipe != failed || !connected)
            {
                return;
            }
            connected = false;
        }
        startConnectionThread(true, cause);
    }

    /**
     * A call whose send timed out: gives it up, unless a reconnection took its copy of the waiting calls since the
     * call was made, which sends it again (the call then waits for its reply; saying it was not sent would be false,
     * and a caller who sent it again would apply it twice).
     *
     * @return true when given up: it was not sent, and will not be.
     */
    private boolean givenUpUnsent(final long callId, final long copiesAtCall)
    {
        synchronized (seqLock) // only a durable manager's connection copies: the count stays 0 for the others
        {
            if (resendCopies != copiesAtCall)
            {
                return false;
            }
            removePending(callId);
            return true;
        }
    }

    private void removePending(final long callId)
    {
        if (!durable)
        {
            pending.remove(callId);
            return;
        }
        synchronized (seqLock)
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
     * Sends a frame on the pipe or the socket. A send on the pipe that has to wait for room is not interruptible:
     * a frame half-sent would be lost, so an interrupt meanwhile is kept for the caller.
     */
    private void sendFrame(final Wire.Out out)
    {
        sendFrame(out, pipe, connection, NO_LIMIT);
    }

    /**
     * Sends a frame on the pipe when there is one, else on the socket. On the pipe the wait for room is bounded by
     * {@code timeoutNs}: the manager reads a client's pipe with one worker at a time, which runs a call that does not
     * block inline, so a long call leaves the pipe unread meanwhile. An interrupt does not end the wait (the frame
     * must go whole or not at all); it is kept for the caller.
     *
     * @param timeoutNs the most to wait on the pipe, or {@link #NO_LIMIT}.
     * @return true when sent, false when the time ran out (the manager discards a frame cut short).
     */
    private static boolean sendFrame(
        final Wire.Out out, final ClientPipe viaPipe, final FrameConnection viaSocket, final long timeoutNs)
    {
        if (viaPipe == null)
        {
            viaSocket.sendBytes(out.array(), 0, out.size());
            return true;
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

    /**
     * After a reading caller got its reply: another waiting caller takes over reading.
     */
    private void wakeNextReader()
    {
        if (pending.isEmpty())
        {
            return;
        }
        for (final Pending other : pending.values())
        {
            if (!other.done && other.caller != Thread.currentThread())
            {
                LockSupport.unpark(other.caller);
                return;
            }
        }
    }

    private void onPipeFrame(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] frame = new byte[length];
        buffer.getBytes(offset, frame);
        final ByteBuffer in = ByteBuffer.wrap(frame);
        final byte type = length == 0 ? -1 : in.get();
        if (type == Wire.REPLY)
        {
            onReply(frame, in);
        }
        else if (type == Wire.FATAL)
        {
            failAll(new IpcException(describe + " refused this connection: " + Wire.getString(in)));
        }
        else
        {
            failAll(new IpcException(describe + " sent an unknown frame type " + type));
        }
    }

    private static boolean declaresInterrupted(final Method method)
    {
        for (final Class<?> type : method.getExceptionTypes())
        {
            if (type == InterruptedException.class)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Asks the manager to interrupt the call's thread.
     *
     * @return true when the cancel was sent; false when it could not be within the call timeout or the connection
     *         is broken (a durable manager's reconnection sends it again for a call marked cancelled).
     */
    private boolean cancel(final long callId)
    {
        final Wire.Out out = new Wire.Out(Wire.CANCEL).putLong(callId);
        try
        {
            // bounded: the caller that gave up must not wait for a manager that reads nothing; an unsent cancel
            // leaves the call to end by itself, its reply ignored
            return sendFrame(out, pipe, connection, callTimeoutNs);
        }
        catch (final RuntimeException ex)
        {
            return false; // gone: nothing left to cancel
        }
    }

    private static Object replace(final Object obj)
    {
        if (obj instanceof Proxy && Proxy.getInvocationHandler(obj) instanceof ProxyHandler handler)
        {
            return handler.ref();
        }
        return obj;
    }

    private Object resolve(final Object obj)
    {
        return obj instanceof ProxyRef ref ? proxy(ref) : obj;
    }

    private void connectionLoop(final boolean reconnectFirst, final RuntimeException cause)
    {
        RuntimeException failure = cause;
        boolean again = reconnectFirst;
        while (true)
        {
            if (again)
            {
                if (closed.get() || !reconnect())
                {
                    failAll(failure);
                    return;
                }
                if (pipe != null)
                {
                    // on a pipe again: the waiting callers read it
                    wakeNextReader();
                    return;
                }
            }
            try
            {
                readSocketReplies();
                return;
            }
            catch (final RuntimeException ex)
            {
                if (!durable || closed.get())
                {
                    failAll(ex);
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
     * @return true when connected again; false when the timeout passed, the handle was closed, or another manager
     * answered (then every call has failed).
     */
    private boolean reconnect()
    {
        final ClientPipe old;
        synchronized (seqLock)
        {
            connected = false;
            old = pipe;
        }
        if (old != null)
        {
            old.close();
        }
        connection.close();
        final long deadline = System.nanoTime() + reconnectTimeoutNs;
        long backoffNs = TimeUnit.MILLISECONDS.toNanos(1);
        while (!closed.get() && System.nanoTime() - deadline < 0)
        {
            FrameConnection fresh = null;
            ClientPipe freshPipe = null;
            try
            {
                // each attempt waits at most the time left: a transport's own connect timeout (Aeron's 10 s)
                // must not carry the reconnect past its end
                fresh = reconnector.connect(deadline - System.nanoTime());
                final ByteBuffer welcome = handshake(fresh);
                final String id = Wire.getString(welcome);
                if (!id.equals(managerId))
                {
                    fresh.close();
                    failAll(new IpcException(describe + " came back as another manager (id " + id + ", was " +
                        managerId + "): its journal was replaced"));
                    return false;
                }
                if (welcome.hasRemaining())
                {
                    welcome.get(); // durable, as it was
                }
                if (wantsPipe && welcome.hasRemaining() && welcome.get() == 1)
                {
                    freshPipe = attach(fresh, Wire.getString(welcome), Wire.getString(welcome));
                }
                final java.util.TreeMap<Long, Pending> again;
                synchronized (seqLock)
                {
                    again = new java.util.TreeMap<>(pending);
                    resendCopies++;
                    connection = fresh;
                    pipe = freshPipe;
                    connected = true;
                }
                if (closed.get())
                {
                    // closed while this connected (looked at after the swap: a close that came later says goodbye
                    // on the new connection itself); the close said goodbye on the old one, which is gone
                    sayGoodbye(freshPipe, fresh, GOODBYE_WAIT_MS);
                    if (freshPipe != null)
                    {
                        freshPipe.close();
                    }
                    fresh.close();
                    return false;
                }
                for (final Map.Entry<Long, Pending> entry : again.entrySet())
                {
                    final Pending call = entry.getValue();
                    final Wire.Out frame = call.frame;
                    if (frame != null)
                    {
                        sendFrame(frame, freshPipe, fresh, NO_LIMIT);
                        if (call.cancelled)
                        {
                            // its caller was interrupted: the new manager runs the call again, then interrupts it
                            sendFrame(new Wire.Out(Wire.CANCEL).putLong(entry.getKey()), freshPipe, fresh, NO_LIMIT);
                        }
                    }
                }
                return true;
            }
            catch (final RuntimeException ex)
            {
                if (freshPipe != null && pipe != freshPipe)
                {
                    freshPipe.close();
                }
                if (fresh != null)
                {
                    fresh.close();
                }
                if (ex instanceof RefusedException)
                {
                    failAll(ex); // the manager says why, and will not change its mind
                    return false;
                }
                LockSupport.parkNanos(this, backoffNs);
                backoffNs = Math.min(backoffNs * 2, TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
        return false;
    }

    private void readSocketReplies()
    {
        while (true)
        {
            final byte[] frame = connection.recvBytes();
            final ByteBuffer in = ByteBuffer.wrap(frame);
            final byte type = in.get();
            if (type == Wire.REPLY)
            {
                onReply(frame, in);
            }
            else if (type == Wire.FATAL)
            {
                failAll(new IpcException(describe + " refused this connection: " + Wire.getString(in)));
                return;
            }
            else
            {
                failAll(new IpcException(describe + " sent an unknown frame type " + type));
                return;
            }
        }
    }

    private void onReply(final byte[] frame, final ByteBuffer in)
    {
        final long callId = in.getLong();
        final byte status = in.get();
        final Pending call = pending.get(callId);
        if (call == null)
        {
            return;
        }
        removePending(callId);
        try
        {
            if (status == Wire.STATUS_COMPACT)
            {
                call.value = CompactValues.read(in, this::resolve);
            }
            else if (status == Wire.STATUS_VALUE)
            {
                call.value = codec.decode(frame, in.position(), this::resolve);
            }
            else if (status == Wire.STATUS_ERROR)
            {
                call.error = ((ErrorInfo)codec.decode(frame, in.position(), this::resolve)).toLocal(call.method);
            }
        }
        catch (final RuntimeException ex)
        {
            call.error = ex;
        }
        call.done = true;
        if (call.caller != Thread.currentThread())
        {
            LockSupport.unpark(call.caller);
        }
    }

    private void failAll(final Throwable cause)
    {
        if (gone == null)
        {
            gone = new ManagerGoneException(closed.get() ? "this handle to " + describe + " is closed" :
                describe + " is gone: " + cause.getMessage(), cause);
        }
        final ClientPipe current = pipe;
        if (current != null)
        {
            if (closed.get())
            {
                // a manager that is not durable forgets nothing: the goodbye only ends the session sooner
                sayGoodbye(current, connection, durable ? GOODBYE_WAIT_MS : 0);
            }
            current.close();
        }
        else if (closed.get() && durable)
        {
            sayGoodbye(null, connection, GOODBYE_WAIT_MS);
        }
        connection.close();
        for (final Long callId : pending.keySet())
        {
            final Pending call = pending.remove(callId);
            if (call != null)
            {
                call.error = new ManagerGoneException(gone.getMessage(), cause);
                call.done = true;
                LockSupport.unpark(call.caller);
            }
        }
    }

    /**
     * Tells the manager that this handle closes for good ({@link FastPath#BYE}), so that a durable one forgets the
     * outcomes of its calls: through the pipe when there is one, waiting for room at most {@code waitMs}; else on
     * the socket, where the write runs on a thread of its own and is waited for as long (at least 1 ms), or until
     * the caller is interrupted. A close never hangs on a manager that does not read (the socket's close then ends
     * the write). A manager that does not get it keeps the outcomes until it sees the client's process dead.
     */
    private static void sayGoodbye(final ClientPipe viaPipe, final FrameConnection socket, final long waitMs)
    {
        if (viaPipe != null)
        {
            try
            {
                viaPipe.send(new byte[] {FastPath.BYE}, 1, TimeUnit.MILLISECONDS.toNanos(waitMs));
            }
            catch (final RuntimeException ex)
            {
                // gone already: the manager notices the closed pipe instead
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return;
        }
        final Thread sender = Thread.ofVirtual().name("ipckit-manager-goodbye").start(() ->
        {
            try
            {
                socket.sendBytes(new byte[] {FastPath.BYE});
            }
            catch (final RuntimeException ex)
            {
                // gone already: it has nothing to forget that it will be asked for
            }
        });
        try
        {
            sender.join(Math.max(1, waitMs));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return true once the connection ended (closed or broken).
     */
    public boolean isGone()
    {
        return gone != null;
    }

    /**
     * Disconnects: calls in flight fail with {@link ManagerGoneException}; the manager drops this connection's
     * references and releases its locks. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            failAll(new IpcException("closed"));
        }
    }

    /**
     * The manager answered a handshake with FATAL: it refuses this client for a reason it gives (a durable manager
     * that forgot this handle), so connecting again is of no use.
     */
    private static final class RefusedException extends IpcException
    {
        private static final long serialVersionUID = 1L;

        RefusedException(final String message)
        {
            super(message);
        }
    }

    private static final class Pending
    {
        final Thread caller;
        Method method;
        Wire.Out frame;
        Object value;
        Throwable error;
        volatile boolean done;
        /** Set when its interrupted caller sent (or tried to send) a cancel. */
        volatile boolean cancelled;

        Pending(final Thread caller)
        {
            this.caller = caller;
        }
    }
}
