package io.ipckit.manager.internal;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.manager.ManagerOptions;
import io.ipckit.manager.ManagerRegistry;
import io.ipckit.manager.connection.AuthenticationException;
import io.ipckit.manager.connection.Listener;
import io.ipckit.manager.connection.FrameConnection;

import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.lang.reflect.Method;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The manager's server: accepts connections on a {@link Listener}, authenticates each on a thread of its own (a
 * stranger sending garbage holds up nobody), runs a {@link ServerSession} per client connection on that thread
 * (one per connected process, however many threads it calls from), and ends the sessions of local clients whose
 * process died ({@link ClientLeases}). Thread-safe.
 */
public final class ServerCore implements AutoCloseable
{
    /** How long a new connection has to complete the handshake, in milliseconds. */
    static final long HANDSHAKE_TIMEOUT_MS = 10_000;
    private static final java.util.concurrent.ScheduledExecutorService TIMER =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor((r) ->
            Thread.ofPlatform().daemon(true).name("ipckit-manager-timer").unstarted(r));

    private final Listener listener;
    private final ManagerRegistry registry;
    private final WireCodec codec;
    private final ObjectTable table = new ObjectTable();
    private final Map<String, ProxyRef> named = new ConcurrentHashMap<>();
    private final Set<ServerSession> sessions = ConcurrentHashMap.newKeySet();
    private final DurableClients clients;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final long leaseCheckIntervalNs;
    private final Thread acceptor;
    private final Thread leases;
    private final Runnable onShutdown;
    private final ManagerJournal journal;
    private final long startedAtMillis = System.currentTimeMillis();
    private final java.util.concurrent.atomic.AtomicLong callsOfEndedSessions = new java.util.concurrent.atomic.AtomicLong();
    private final int serverThreads;
    private final List<String> allowedClasses;
    private FastPath fastPath;

    /**
     * Starts serving.
     *
     * @param listener   the bound listener (owned from now on).
     * @param registry   the types it creates.
     * @param options    the allow-list, frame limit and lease interval.
     * @param onShutdown run once when a client asks for shutdown, after the server closed, or null.
     */
    public ServerCore(final Listener listener, final ManagerRegistry registry, final ManagerOptions options,
        final Runnable onShutdown)
    {
        this.listener = listener;
        this.registry = registry;
        this.allowedClasses = options.allowedClasses();
        this.leaseCheckIntervalNs = options.leaseCheckInterval(TimeUnit.NANOSECONDS);
        this.onShutdown = onShutdown;
        this.serverThreads = options.serverThreads();
        try
        {
            this.codec = new WireCodec(allowedClasses, options.maxFrameBytes());
            journal = options.journalDirectory() == null ? null : ManagerJournal.open(this, options);
        }
        catch (final RuntimeException | Error ex)
        {
            listener.close();
            throw ex;
        }
        clients = new DurableClients(journal, sessions, this::log);
        clients.awaitRemembered();
        acceptor = Thread.ofPlatform().daemon(true).name("ipckit-manager-accept").start(this::acceptLoop);
        leases = Thread.ofPlatform().daemon(true).name("ipckit-manager-leases")
            .start(new ClientLeases(sessions, clients, closed, leaseCheckIntervalNs, this::log));
    }

    ObjectTable table()
    {
        return table;
    }

    /**
     * @return the user's allow-list patterns.
     */
    List<String> allowedClasses()
    {
        return allowedClasses;
    }

    WireCodec codec()
    {
        return codec;
    }

    ManagerRegistry registry()
    {
        return registry;
    }

    Map<String, ProxyRef> named()
    {
        return named;
    }

    /**
     * @return the journal of a durable manager, or null.
     */
    ManagerJournal journal()
    {
        return journal;
    }

    /**
     * @return the entries a durable manager replayed when it started (its snapshot included), or -1 when it is not
     * durable.
     */
    public long replayedEntries()
    {
        return journal == null ? -1 : journal.replayed();
    }

    /**
     * @return how long a durable manager's replay took when it started, in nanoseconds, or -1.
     */
    public long replayNs()
    {
        return journal == null ? -1 : journal.replayNs();
    }

    /**
     * @return the fast path of local clients, started on first use; null once closed.
     * @throws IpcException when its doorbell segment cannot be created.
     */
    synchronized FastPath fastPath()
    {
        if (fastPath == null && !closed.get())
        {
            fastPath = new FastPath(Math.max(2, serverThreads), this::log);
        }
        return fastPath;
    }

    /**
     * @return the number of live managed objects (for tests and monitoring).
     */
    public int objectCount()
    {
        return table.size();
    }

    /**
     * @return the number of connected clients.
     */
    public int sessionCount()
    {
        return sessions.size();
    }

    /**
     * @return the listener's address.
     */
    public java.net.SocketAddress address()
    {
        return listener.address();
    }

    /**
     * @param message a line for the manager's standard error.
     */
    public void log(final String message)
    {
        System.err.println("[ipckit-manager] " + message);
    }

    private void acceptLoop()
    {
        while (!closed.get())
        {
            final FrameConnection raw;
            try
            {
                raw = listener.acceptRaw();
            }
            catch (final IpcException ex)
            {
                if (!closed.get())
                {
                    log("accept failed: " + ex.getMessage());
                }
                continue;
            }
            // a platform thread per connected process: a virtual thread's socket read goes through the poller and
            // costs two extra thread hand-offs per call; calls that block still run on virtual threads
            Thread.ofPlatform().daemon(true).name("ipckit-manager-session").start(() -> serve(raw));
        }
    }

    private void serve(final FrameConnection raw)
    {
        final FrameConnection connection;
        // a peer that connects and stays silent must not hold its thread: it has HANDSHAKE_TIMEOUT_MS to prove itself
        final java.util.concurrent.ScheduledFuture<?> hangUp = TIMER.schedule(raw::close, HANDSHAKE_TIMEOUT_MS,
            TimeUnit.MILLISECONDS);
        try
        {
            connection = listener.authenticate(raw);
        }
        catch (final AuthenticationException ex)
        {
            if (hangUp.isDone() && !hangUp.isCancelled())
            {
                log("no handshake within " + HANDSHAKE_TIMEOUT_MS + " ms from a peer: " + ex.getMessage());
            }
            else if (!(ex.getCause() instanceof io.ipckit.core.exceptions.EndOfStreamException))
            {
                log(ex.getMessage()); // not a peer that hung up unheard, as a probe does (ManagerDirectory)
            }
            return;
        }
        finally
        {
            hangUp.cancel(false);
        }
        final ServerSession session = new ServerSession(this, connection);
        sessions.add(session);
        if (closed.get())
        {
            session.end();
            return;
        }
        session.run();
    }

    void ended(final ServerSession session)
    {
        if (sessions.remove(session))
        {
            callsOfEndedSessions.addAndGet(session.callsServed());
        }
    }

    /**
     * Reads a call's arguments, after its signature: the encoding byte, then the arguments as it says. A ref among
     * them pins its object ({@link #resolveIncoming}), for a live call and for its replay from the journal alike.
     *
     * @param in    the frame, at the encoding byte.
     * @param frame the frame's bytes ({@code in}'s array).
     * @return the arguments.
     * @throws IpcException when the encoding is unknown or the arguments cannot be decoded.
     */
    Object[] readArgs(final ByteBuffer in, final byte[] frame)
    {
        final byte argsKind = in.get();
        return switch (argsKind)
        {
            case Wire.ARGS_NONE -> new Object[0];
            case Wire.ARGS_COMPACT -> CompactValues.readArray(in, this::resolveIncoming);
            case Wire.ARGS_OBJECT -> (Object[])codec().decode(frame, in.position(), this::resolveIncoming);
            default -> throw new IpcException("unknown argument encoding " + argsKind);
        };
    }

    Object resolveIncoming(final Object obj)
    {
        if (obj instanceof ProxyRef ref && ref.managerId().equals(table.managerId()))
        {
            final ObjectTable.Managed managed = table.get(ref.objectId());
            if (managed == null)
            {
                throw new IpcException("no managed object " + ref.objectId() + " for a proxy sent to the manager");
            }
            managed.pinned = true;
        }
        return obj;
    }

    Object callManager(final String signature, final Object[] args)
    {
        return switch (signature)
        {
            case "create" -> create((String)args[0], (Object[])args[1]);
            case "lookup" ->
            {
                final ProxyRef ref = named.get((String)args[0]);
                if (ref == null)
                {
                    throw new IpcException("no object named " + args[0] + " in this manager");
                }
                yield ref;
            }
            case "bind" ->
            {
                if (!(args[1] instanceof ProxyRef ref))
                {
                    throw new IllegalArgumentException("cannot bind \"" + args[0] + "\": not a proxy of this manager");
                }
                if (!ref.managerId().equals(table.managerId()))
                {
                    throw new IllegalArgumentException("cannot bind \"" + args[0] + "\" in manager " +
                        table.managerId() + " to a proxy of another manager (" + ref.managerId() + ", a " +
                        ref.typeid() + "): bind it in the manager that owns it");
                }
                final ObjectTable.Managed managed = table.get(ref.objectId());
                if (managed == null)
                {
                    throw new IpcException("cannot bind \"" + args[0] + "\": managed object " + ref.objectId() +
                        " no longer exists");
                }
                managed.pinned = true;
                if (named.putIfAbsent((String)args[0], ref) != null)
                {
                    throw new IllegalStateException("name already bound in this manager: " + args[0]);
                }
                yield null;
            }
            case "objectCount" -> table.size();
            case "stats" -> StatsCollector.collect(this, CallContext.current().session());
            case "attach" ->
            {
                final ObjectTable.Managed managed = table.get((Long)args[0]);
                if (managed == null)
                {
                    throw new IpcException("managed object " + args[0] + " no longer exists");
                }
                yield managed.ref;
            }
            case "shutdown" ->
            {
                final ServerSession caller = CallContext.current().session();
                Thread.ofPlatform().daemon(true).start(() -> shutdownFromClient(caller));
                yield null;
            }
            default -> throw new IpcException("the manager has no operation " + signature);
        };
    }

    /**
     * Shuts down for a client that asked; its handle closes once it has the reply, so a durable manager forgets it
     * before its last snapshot, rather than keep it because its goodbye came after (a call of it still running then
     * is applied, its outcome kept nowhere).
     */
    private void shutdownFromClient(final ServerSession caller)
    {
        try
        {
            // let the reply to "shutdown" leave before the sockets close
            TimeUnit.MILLISECONDS.sleep(20);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (caller != null)
        {
            clients.forget(caller.identity(), caller.nonce());
        }
        close();
        if (onShutdown != null)
        {
            onShutdown.run();
        }
    }

    private ProxyRef create(final String typeid, final Object[] args)
    {
        final ManagerRegistry.Entry entry = registry.entry(typeid);
        if (entry == null || entry.factory() == null)
        {
            throw new IllegalArgumentException("no creatable type " + typeid + " registered in this manager: " +
                registry);
        }
        final Object target = entry.factory().create(args == null ? new Object[0] : args);
        if (!entry.type().isInstance(target))
        {
            throw new IllegalStateException("the factory of " + typeid + " made a " + target.getClass().getName() +
                ", not a " + entry.type().getName());
        }
        if (journal != null)
        {
            ManagerJournal.checkKeepable(typeid, target);
        }
        return table.register(target, entry);
    }

    Object invoke(final ObjectTable.Managed managed, final Method method, final Object[] args)
        throws InvocationTargetException, IllegalAccessException
    {
        final Object target = managed.target;
        final String name = method.getName();
        Class<?>[] types = null; // a new array per getParameterTypes(): asked for only when a proxy is passed
        boolean firstManaged = false;
        for (int i = 0; i < args.length; i++)
        {
            if (args[i] instanceof ProxyRef ref)
            {
                types = types != null ? types : method.getParameterTypes();
                // a ref of another manager stays a ref: its id means nothing in this table
                final ObjectTable.Managed inner = types[i].isInstance(ref) ||
                    !ref.managerId().equals(table.managerId()) ? null : table.get(ref.objectId());
                if (inner != null && types[i].isInstance(inner.target))
                {
                    args[i] = inner.target;
                    firstManaged |= i == 0;
                }
            }
        }
        if ((name.equals("iterator") || name.equals("listIterator")) && target instanceof Collection<?> collection)
        {
            return new ArrayList<>(Arrays.asList(collection.toArray()));
        }
        if (name.equals("drainTo") && target instanceof BlockingQueue<?> queue && !firstManaged)
        {
            // the collection is the caller's copy: drain into a list that goes back, the proxy adds it to the original
            final List<Object> drained = new ArrayList<>();
            @SuppressWarnings("unchecked")
            final BlockingQueue<Object> elements = (BlockingQueue<Object>)queue;
            if (args.length == 1)
            {
                elements.drainTo(drained);
            }
            else
            {
                elements.drainTo(drained, (Integer)args[1]);
            }
            return drained;
        }
        final Object result = method.invoke(target, args);
        final String resultTypeid = managed.entry.methodToTypeid().get(name);
        if (resultTypeid != null && result != null)
        {
            final ManagerRegistry.Entry entry = registry.entry(resultTypeid);
            if (entry == null)
            {
                throw new IllegalStateException("method_to_typeid of " + managed.entry.typeid() + "." + name +
                    " names unregistered type " + resultTypeid);
            }
            return journal != null && JournalModes.NOT_JOURNALED.contains(managed.entry.typeid()) ?
                table.registerTransient(result, entry) : table.register(result, entry);
        }
        return copyView(result);
    }

    private static Object copyView(final Object result)
    {
        if (result == null || !result.getClass().getName().startsWith("java.") ||
            !result.getClass().getName().contains("$"))
        {
            return result;
        }
        if (result instanceof Set<?> set)
        {
            final Set<Object> copy = new LinkedHashSet<>();
            for (final Object element : set.toArray())
            {
                copy.add(element instanceof Map.Entry<?, ?> e ?
                    new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()) : element);
            }
            return copy;
        }
        if (result instanceof Collection<?> collection)
        {
            return new ArrayList<>(Arrays.asList(collection.toArray()));
        }
        if (result instanceof Map<?, ?> map)
        {
            return new LinkedHashMap<>(map);
        }
        return result;
    }

    /**
     * Waits until the server closed.
     *
     * @param timeout how long; {@code <= 0} checks once.
     * @param unit    its unit.
     * @return true when closed.
     * @throws InterruptedException when interrupted while waiting.
     */
    public boolean awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return terminated.await(timeout, unit);
    }

    /**
     * @return what the manager holds and does now, read in this process ({@link StatsCollector}).
     */
    public io.ipckit.manager.ManagerStats stats()
    {
        return StatsCollector.collect(this, null);
    }

    Set<ServerSession> sessions()
    {
        return sessions;
    }

    /**
     * @return what the manager knows of its client handles between their sessions.
     */
    DurableClients clients()
    {
        return clients;
    }

    long startedAtMillis()
    {
        return startedAtMillis;
    }

    long callsOfEndedSessions()
    {
        return callsOfEndedSessions.get();
    }

    /**
     * Stops listening and ends every session. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            try
            {
                listener.close();
            }
            finally
            {
                if (journal != null)
                {
                    // before the sessions end: their end drops their references, and the last snapshot must keep
                    // the objects their clients will find again after a restart
                    journal.close();
                }
                for (final ServerSession session : sessions)
                {
                    session.end();
                }
                leases.interrupt();
                final FastPath fast;
                synchronized (this)
                {
                    fast = fastPath;
                }
                if (fast != null)
                {
                    fast.close();
                }
                terminated.countDown();
            }
        }
    }
}
