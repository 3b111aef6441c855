package io.ipckit.manager.internal;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.manager.ManagerGoneException;
import io.ipckit.manager.connection.FrameConnection;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A client's one connection to a manager: many threads call through it at once, each call carrying an id; the replies
 * reach their callers (each spins briefly, then parks). When the connection ends, every call in flight and every later
 * call fails with {@link ManagerGoneException}.
 * <p>
 * Note to maintainers: a caller registers its {@link PendingCall} in the {@link ClientLink} before sending, so a reply
 * cannot outrun it; whoever reads the reply publishes it by the call's volatile {@code done}, then unparks the caller.
 * Every {@link ProxyRef} decoded here is one reference the manager counted for this connection; the proxy made of it
 * returns it with a DECREF when collected ({@link ProxyHandler#newProxy}).
 * <p>
 * On the socket, the {@link ClientReconnection}'s thread reads the replies. A connection to a manager of this host
 * asks for a pipe ({@link ClientPipe}, unless the system property {@value #PIPE_PROP_NAME} is {@code false}); when the
 * manager offers one, every frame after the handshake travels through it and there is no reader thread: one waiting
 * caller at a time reads the replies, its own and the others' (which it hands over), and when it has its reply it lets
 * another waiting caller take over reading.
 * <p>
 * A connection to a durable manager (its WELCOME says so) survives the manager's restart: when the socket ends (seen
 * by the reader thread) or the pipe fails (seen by a caller reading it, or sending on it, {@link #pipeFailed}), the
 * {@link ClientReconnection} connects again and sends again every call still waiting for its reply; the link and the
 * calls change together under the {@link ClientLink}'s lock, so each call is sent at most once per socket. Callers
 * lead on a pipe only while the link is up. Calls sent twice (on the old pipe and again) are answered once by the
 * manager's dedup; the second reply finds no pending call and is dropped.
 * <p>
 * Thread-safe.
 */
public final class ClientConnection implements AutoCloseable
{
    private static final long SPIN_NS = 20_000;
    private static final long NO_LIMIT = ClientLink.NO_LIMIT;
    /** System property: {@code false} keeps local connections on the socket (for comparison and diagnosis). */
    public static final String PIPE_PROP_NAME = "ipckit.manager.pipe";
    /** The longest a reading caller waits in one go before it looks at the connection's state again. */
    private static final long READ_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** The longest a caller waits for the reading caller before it tries to read itself. */
    private static final long FOLLOWER_PARK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The longest a caller on the socket parks in one go before it looks at the connection's state again. */
    private static final long SOCKET_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The first bytes of a listener's challenge, which a client without an authkey reads instead of WELCOME. */
    private static final byte[] CHALLENGE = "#CHALLENGE#".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final WireCodec codec;
    private final long callTimeoutNs;
    private final String managerId;
    private final String describe;
    private final LocalAddress localAddress;
    private final List<String> allowed;
    private final int maxFrameBytes;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long nonce = new java.security.SecureRandom().nextLong();
    private final boolean durable;
    private final boolean wantsPipe;
    private final ClientLink link;
    private final ClientReconnection reconnection;
    private final long reconnectTimeoutNs;
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
        this.localAddress = localAddress;
        this.allowed = List.copyOf(allowed);
        this.maxFrameBytes = maxFrameBytes;
        final boolean local = localAddress != null;
        this.codec = new WireCodec(allowed, maxFrameBytes);
        this.callTimeoutNs = callTimeoutNs;
        this.describe = describe;
        this.reconnectTimeoutNs = reconnector == null ? 0 : reconnectTimeoutNs;
        this.wantsPipe = local && !"false".equals(System.getProperty(PIPE_PROP_NAME));
        ClientPipe attached = null;
        try
        {
            final ByteBuffer welcome = handshake(connection, false);
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
            if (ex instanceof IpcTimeoutException || ex instanceof io.ipckit.manager.connection.AuthenticationException)
            {
                throw ex;
            }
            throw new ManagerGoneException("cannot join " + describe + ": " + ex.getMessage(), ex);
        }
        link = new ClientLink(durable, connection, attached);
        reconnection = new ClientReconnection(this, link, reconnector, reconnectTimeoutNs);
        if (attached == null)
        {
            reconnection.start(false, null);
        }
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
        return link.pipe() != null;
    }

    private static boolean startsWith(final byte[] bytes, final byte[] prefix)
    {
        return bytes.length >= prefix.length && java.util.Arrays.equals(bytes, 0, prefix.length, prefix, 0,
            prefix.length);
    }

    /**
     * Says who this handle is and reads the manager's answer.
     *
     * @param socket   the authenticated socket.
     * @param resuming true on a reconnection: a durable manager serves the handle only if it remembers it.
     * @return the WELCOME frame, after its type.
     * @throws RefusedException when the manager answered FATAL.
     */
    private IpcTimeoutException noWelcome(final Throwable cause)
    {
        return new IpcTimeoutException("no welcome from " + describe + " within " +
            TimeUnit.NANOSECONDS.toMillis(callTimeoutNs) + " ms (ManagerOptions.callTimeout): is it stopped?", cause);
    }

    private ByteBuffer handshake(final FrameConnection socket, final boolean resuming)
    {
        final ProcessIdentity self = ProcessIdentity.current();
        final Wire.Out hello = new Wire.Out(Wire.HELLO).putLong(self.pid()).putLong(self.startTime())
            .putByte(wantsPipe ? FastPath.LOCAL_WITH_PIPE : localAddress != null ? 1 : 0).putLong(nonce)
            .putByte(resuming ? 1 : 0)
            .putLong(reconnectTimeoutNs == 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(reconnectTimeoutNs)));
        final byte[] answer;
        // bounded as the authentication before it: a manager stopped (SIGSTOP) after it must not hold the caller
        final io.ipckit.manager.connection.HangUp hangUp = io.ipckit.manager.connection.HangUp.after(socket,
            callTimeoutNs);
        try
        {
            socket.sendBytes(hello.array(), 0, hello.size());
            answer = socket.recvBytes();
        }
        catch (final RuntimeException ex)
        {
            hangUp.close();
            if (hangUp.fired())
            {
                throw noWelcome(ex);
            }
            throw ex;
        }
        hangUp.close();
        if (hangUp.fired())
        {
            throw noWelcome(null);
        }
        if (startsWith(answer, CHALLENGE))
        {
            throw new io.ipckit.manager.connection.AuthenticationException(describe + " requires an authkey, and " +
                "this client connected without one: connect with the manager's authkey");
        }
        final ByteBuffer welcome = ByteBuffer.wrap(answer);
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
     * Says hello again on a reconnection's new socket and opens the pipe the manager offers.
     *
     * @param fresh the new socket, authenticated.
     * @return the pipe, or null.
     * @throws RefusedException when another manager answered (its journal was replaced) or it refused this handle.
     */
    ClientPipe rejoin(final FrameConnection fresh)
    {
        final ByteBuffer welcome = handshake(fresh, true);
        final String id = Wire.getString(welcome);
        if (!id.equals(managerId))
        {
            throw new RefusedException(describe + " came back as another manager (id " + id + ", was " + managerId +
                "): its journal was replaced");
        }
        if (welcome.hasRemaining())
        {
            welcome.get(); // durable, as it was
        }
        return wantsPipe && welcome.hasRemaining() && welcome.get() == 1 ?
            attach(fresh, Wire.getString(welcome), Wire.getString(welcome)) : null;
    }

    /**
     * @return true once this handle is closed.
     */
    boolean isClosed()
    {
        return closed.get();
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
        return ProxyHandler.newProxy(this, ref);
    }

    /**
     * @param proxy an object.
     * @return its ref when it is a manager proxy (of any connection), else null.
     */
    public static ProxyRef refOf(final Object proxy)
    {
        return proxy != null && Proxy.isProxyClass(proxy.getClass()) &&
            Proxy.getInvocationHandler(proxy) instanceof ProxyHandler handler ? handler.ref() : null;
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
        return new SerializedProxy(ref, localAddress.socket(), localAddress.key());
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

    /**
     * Returns one counted reference to the manager: a proxy of it was collected. Does nothing once the connection
     * ended (the manager dropped this connection's references then).
     *
     * @param objectId the object.
     */
    void decref(final long objectId)
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
     * @param objectId the object.
     * @param exposed  the interface method and what its calls need ({@link Signatures#exposed}).
     * @param args     its arguments, or null.
     * @return the result, refs resolved into proxies.
     * @throws Throwable what the method threw in the manager (rebuilt by {@link ErrorInfo#toLocal}),
     *                   {@link ManagerGoneException}, {@link IpcTimeoutException}, or {@link InterruptedException}
     *                   for a blocking method whose caller was interrupted.
     */
    public Object call(final long objectId, final ExposedMethod exposed, final Object[] args) throws Throwable
    {
        return call(objectId, exposed, exposed.signature(), args);
    }

    /**
     * Calls an operation of the manager itself, or a method no interface declares ({@code toString()}).
     *
     * @param objectId  the object ({@link Wire#MANAGER_OBJECT_ID} for the manager).
     * @param signature the operation's wire signature.
     * @param args      its arguments, or null.
     * @return the result, refs resolved into proxies.
     * @throws Throwable as {@link #call(long, ExposedMethod, Object[])}.
     */
    public Object call(final long objectId, final String signature, final Object[] args) throws Throwable
    {
        return call(objectId, null, signature, args);
    }

    private Object call(final long objectId, final ExposedMethod exposed, final String signature, final Object[] args)
        throws Throwable
    {
        final ManagerGoneException dead = gone;
        if (dead != null)
        {
            throw new ManagerGoneException(dead.getMessage(), dead);
        }
        final Method method = exposed == null ? null : exposed.method();
        final Wire.Out out = new Wire.Out(Wire.CALL).putLong(0).putLong(0).putLong(objectId)
            .putLong(Thread.currentThread().threadId());
        if (exposed != null)
        {
            out.putUtf8(exposed.signatureBytes());
        }
        else
        {
            out.putString(signature);
        }
        try
        {
            codec.writeArgs(out, args, ProxyHandler::replace);
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
        final PendingCall call = new PendingCall(Thread.currentThread(), method);
        link.register(call, out);
        final long callId = call.callId;
        final FrameConnection via = call.via;
        final ClientPipe viaPipe = call.viaPipe;
        if (durable)
        {
            final ManagerGoneException failed = gone;
            if (failed != null)
            {
                // failAll sets gone before it fails the calls waiting: this one came after it looked
                link.remove(callId);
                throw new ManagerGoneException(failed.getMessage(), failed);
            }
        }
        final boolean blocking = exposed != null && exposed.blocking();
        final int timeoutIndex = exposed == null ? -1 : exposed.timeoutIndex();
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
                sent = ClientLink.send(out, viaPipe, via, waitNs);
            }
            catch (final RuntimeException ex)
            {
                if (ex instanceof io.ipckit.manager.connection.FrameTooLargeException)
                {
                    link.remove(callId);
                    throw ex;
                }
                if (!durable)
                {
                    link.remove(callId);
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
        if (!sent && link.givenUpUnsent(call))
        {
            throw new IpcTimeoutException(signature + " on " + describe + " could not be sent within " +
                TimeUnit.NANOSECONDS.toMillis(waitNs) + " ms: the manager read nothing from this client's pipe " +
                "meanwhile (ManagerOptions.callTimeout)");
        }
        final boolean interruptible = blocking && exposed.interruptible();
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
    private void await(final PendingCall call, final long callId, final long waitNs, final boolean interruptible,
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
                    link.remove(callId);
                    if (cancelled)
                    {
                        throw new InterruptedException(signature + " on " + describe + " interrupted (the manager " +
                            "did not end the call within the call timeout)");
                    }
                    cancel(callId);
                    if (durable && !link.connected())
                    {
                        throw new ManagerGoneException(signature + " on " + describe + " had no reply within " +
                            TimeUnit.NANOSECONDS.toMillis(waitNs) + " ms: the manager is gone and not back", null);
                    }
                    throw new IpcTimeoutException(signature + " on " + describe + " had no reply within " +
                        TimeUnit.NANOSECONDS.toMillis(waitNs) + " ms (ManagerOptions.callTimeout)");
                }
                boolean interruptCame = false;
                final ClientPipe reading = link.pipe();
                if (reading != null && link.connected() && reading.tryLead())
                {
                    try
                    {
                        interruptCame = lead(reading, call, start, limitNs);
                    }
                    finally
                    {
                        reading.endLead();
                        link.wakeNextReader();
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
    private boolean lead(final ClientPipe reading, final PendingCall call, final long start, final long limitNs)
    {
        while (!call.done && gone == null && link.pipe() == reading)
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
        if (link.markDown(failed))
        {
            reconnection.start(true, cause);
        }
    }

    /**
     * Sends a frame on the pipe or the socket, waiting for room on the pipe without limit; an interrupt meanwhile is
     * kept for the caller.
     */
    private void sendFrame(final Wire.Out out)
    {
        link.send(out, NO_LIMIT);
    }

    private void onPipeFrame(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        if (length > maxFrameBytes || length < 0)
        {
            throw new io.ipckit.manager.connection.FrameTooLargeException("the manager sent a frame of " + length +
                " bytes through the pipe, over this client's maximum of " + maxFrameBytes +
                " bytes (ManagerOptions.maxFrameBytes)");
        }
        final byte[] frame = new byte[length];
        buffer.getBytes(offset, frame);
        onFrame(frame);
    }

    /**
     * Handles a frame from the manager: hands a reply to its caller; a refusal or a frame of an unknown type ends the
     * connection.
     *
     * @param frame the frame.
     * @return false when the frame ended the connection.
     */
    boolean onFrame(final byte[] frame)
    {
        final ByteBuffer in = ByteBuffer.wrap(frame);
        final byte type = frame.length == 0 ? -1 : in.get();
        if (type == Wire.REPLY)
        {
            onReply(frame, in);
            return true;
        }
        failAll(new IpcException(type == Wire.FATAL ? describe + " refused this connection: " + Wire.getString(in) :
            describe + " sent an unknown frame type " + type));
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
            return link.send(out, callTimeoutNs);
        }
        catch (final RuntimeException ex)
        {
            return false; // gone: nothing left to cancel
        }
    }

    private Object resolve(final Object obj)
    {
        return obj instanceof ProxyRef ref ? proxy(ref) : obj;
    }

    private void onReply(final byte[] frame, final ByteBuffer in)
    {
        final long callId = in.getLong();
        final byte status = in.get();
        final PendingCall call = link.get(callId);
        if (call == null)
        {
            return;
        }
        link.remove(callId);
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

    /**
     * Ends the connection: every call in flight and every later call fails with {@link ManagerGoneException}. On a
     * close, says goodbye first ({@link ClientGoodbye}).
     *
     * @param cause why.
     */
    void failAll(final Throwable cause)
    {
        if (gone == null)
        {
            gone = new ManagerGoneException(closed.get() ? "this handle to " + describe + " is closed" :
                describe + " is gone: " + cause.getMessage(), cause);
        }
        final ClientPipe current = link.pipe();
        final FrameConnection connection = link.connection();
        if (current != null)
        {
            if (closed.get())
            {
                // a manager that is not durable forgets nothing: the goodbye only ends the session sooner
                ClientGoodbye.say(current, connection, durable ? ClientGoodbye.WAIT_MS : 0);
            }
            current.close();
        }
        else if (closed.get() && durable)
        {
            ClientGoodbye.say(null, connection, ClientGoodbye.WAIT_MS);
        }
        connection.close();
        link.failEach(gone.getMessage(), cause);
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
     * The manager refused this client for a reason it gives: its handshake answered FATAL (a durable manager that
     * forgot this handle), or, on a reconnection, another manager answered (its journal was replaced). Connecting
     * again is of no use.
     */
    static final class RefusedException extends IpcException
    {
        private static final long serialVersionUID = 1L;

        RefusedException(final String message)
        {
            super(message);
        }
    }
}
