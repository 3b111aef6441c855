package io.ipckit.manager.internal;

import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.durable.CorruptLogException;
import io.ipckit.durable.Journal;
import io.ipckit.durable.SharedLogOptions;
import io.ipckit.manager.ManagerOptions;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The durability of a manager ({@link ManagerOptions#durable}): every call that changes the manager's state is appended
 * to a {@link Journal} before its caller gets the answer, a snapshot of the whole state is appended every {@link
 * ManagerOptions#snapshotEveryEntries} entries or more ({@link JournalSnapshots}) and at close, and a manager opened on
 * a journal that holds state starts from the last snapshot and the entries after it. Each entry carries its client's
 * identity (the handle's random nonce, beside the process identity in the journal's header) and the client's sequence
 * number of the call; the outcome of each journaled call is kept per client until the client says it has the reply
 * ({@code ackBelow}, or the calling thread's next call: {@link JournalClients#admit}), in the snapshots too, so a call
 * sent again after a restart gets its first outcome and is not applied twice. A new client handle is journaled as it
 * says hello ({@link #join}), so that it is remembered across a restart; one that connects again is served only when
 * remembered. A client handle that leaves for good (it closes, its process dies, or, remote, it stays away past its
 * time) is forgotten, and a journal entry says so ({@link #forgetClient}): else a manager that many short-lived clients
 * used would keep each one's last outcomes for ever. What is remembered of the client handles is {@link
 * JournalClients}'s, the entries' layout is {@link JournalEntries}'s, and the replay at open is {@link
 * JournalReplay}'s.
 * <p>
 * What is journaled, per call ({@link JournalModes}):
 * <ul>
 *   <li>{@code create} and {@code bind} on the manager, and every method that returns a new managed object
 *   ({@code method_to_typeid}), whatever its type: they change the object table.</li>
 *   <li>Methods that change a built-in type with durable state: everything but the read-only methods of
 *   {@link JournalModes#READ_ONLY}. Every method of a registered type, which therefore must be deterministic and
 *   {@link Serializable}.</li>
 *   <li>Nothing of locks, conditions, barriers and pools ({@link JournalModes#VOLATILE}): their state is who waits and
 *   who holds, which a restart ends, as every client's death would. Their objects survive (remade by their factory
 *   or method at restore), released; a pool's futures do not ({@link JournalModes#NOT_JOURNALED}).</li>
 * </ul>
 * <p>
 * Note to maintainers: the journal's order is the order in which calls changed the state, because every journaled
 * call applies and appends under one {@code lock}. A non-blocking call appends first and applies second (a failed
 * append changes nothing; a call that throws is replayed and throws again). A blocking call on a queue or a
 * semaphore ({@link JournalModes#TRY_FORMS}) runs as its non-blocking form under the lock, waiting on the object's
 * {@link Condition} of the lock between tries, and journals the non-blocking form that succeeded, so replay never
 * blocks. Object ids are handed out under the same lock, so replay gives every object its id again; the manager's
 * id is in every snapshot (the journal starts with one), so refs held by clients stay valid. A blocking method of a
 * registered type is journaled when it returns, which orders it correctly only if it commutes with the calls
 * between its effect and its return; a snapshot is taken only while no such call is between its start and its entry
 * (it waits {@link JournalSnapshots#WAIT_FOR_CALLS_NS} for them, holding new ones, or is put off), else it could
 * hold the call's effect without its entry and a replay would apply the call twice. Thread-safe.
 */
final class ManagerJournal implements AutoCloseable
{
    /**
     * What a journaled call answered, kept until its client has the reply.
     *
     * @param value its result.
     * @param error what it threw, or null.
     */
    record Outcome(Object value, ErrorInfo error) implements Serializable
    {
    }

    /** {@link #mode} of a method not journaled, as kept in {@link #modes}. */
    private static final Object NOT_JOURNALED = new Object();

    private final ServerCore core;
    private final Journal journal;
    private final WireCodec snapshotCodec;
    private final ReentrantLock lock = new ReentrantLock();
    /** What is remembered of the client handles: their journaled calls, and the latest handles forgotten. */
    private final JournalClients clients = new JournalClients();
    private final Map<Long, JournalState.Origin> origins = new ConcurrentHashMap<>();
    /** {@link #mode} per type id and method: a {@link JournalModes.Mode}, or {@link #NOT_JOURNALED}. */
    private final Map<String, Map<Method, Object>> modes = new ConcurrentHashMap<>();
    private final UnsafeBuffer entryBuffer = new UnsafeBuffer(0, 0);
    /** An entry written under {@code lock} ({@link JournalEntries}). */
    private final ExpandableArrayBuffer entryScratch = new ExpandableArrayBuffer(256);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Path directory;
    /** The calls of mode {@link JournalModes.Mode#AFTER} between their effect and their entry. */
    private final OutsideLockCalls outsideLock = new OutsideLockCalls(lock);
    /** The snapshots of the whole state: taken, paced and counted. */
    private final JournalSnapshots snapshots;
    private long replayed;
    private long replayNs;

    private ManagerJournal(final ServerCore core, final Journal journal, final Path directory,
        final ManagerOptions options)
    {
        this.core = core;
        this.journal = journal;
        this.directory = directory;
        this.snapshotCodec = new WireCodec(options.allowedClasses(), Integer.MAX_VALUE, Long.MAX_VALUE,
            "java.util.concurrent.locks.*;java.util.concurrent.atomic.*;" + WireCodec.SNAPSHOT_CLASSES);
        this.snapshots = new JournalSnapshots(core, journal, directory, snapshotCodec, options.snapshotEveryEntries(),
            lock, outsideLock, origins, clients, closed);
    }

    /**
     * Opens the journal and brings the manager's state back from it (a new journal gets a first snapshot, holding
     * the manager's id).
     *
     * @param core    the manager, before it accepts clients.
     * @param options its options.
     * @return the journal.
     * @throws CorruptLogException when a file of the journal is corrupt or an entry cannot be read, naming it.
     */
    static ManagerJournal open(final ServerCore core, final ManagerOptions options)
    {
        final Path directory = options.journalDirectory();
        final Journal journal = Journal.openOrCreate(directory, new SharedLogOptions());
        final ManagerJournal durable = new ManagerJournal(core, journal, directory, options);
        try
        {
            durable.replay();
            if (durable.replayed == 0)
            {
                durable.snapshots.take();
            }
        }
        catch (final RuntimeException | Error ex)
        {
            journal.close();
            throw ex;
        }
        return durable;
    }

    /**
     * @return entries replayed at open (the snapshot included).
     */
    long replayed()
    {
        return replayed;
    }

    /**
     * @return how long the replay at open took, in nanoseconds.
     */
    long replayNs()
    {
        return replayNs;
    }

    /**
     * @return what is remembered of the client handles: their journaled calls' outcomes (a call's admission,
     * {@link JournalClients#admit}), and whether a handle is remembered or forgotten. Its admissions and looks are
     * thread-safe; a handle joins or is forgotten only through this journal ({@link #join}, {@link #forgetClient}),
     * which writes the entry first and changes the memory under its lock: other classes must not call
     * {@link JournalClients#joined}, {@link JournalClients#forget} or {@link JournalClients#restoreForgotten}.
     */
    JournalClients clients()
    {
        return clients;
    }

    /**
     * Forgets a client handle that left for good, and journals that it left, so that a replay forgets it too: its
     * outcomes, its threads' last calls and its acknowledgement mark. A client leaves for good when it says so as it
     * closes or asks for shutdown, when its process is dead, or, remote, when it stayed away past its time; a handle
     * that connects again after that is refused, so none of its outcomes is asked for again. A call of the client
     * that still runs meanwhile is applied; its outcome goes to the forgotten calls, and a replay drops its entry's
     * outcome too (a client that left for good by itself waits for none: {@link ClientDeparture}).
     *
     * @param caller the client's process, recorded in the journal's entry.
     * @param nonce  the client handle.
     * @return true when it was remembered and is forgotten now; false for nonce 0 (clients that sent none share it),
     * a client never remembered, or a journal closed.
     * @throws RuntimeException when the journal cannot be written (its message says why); nothing is forgotten then.
     */
    boolean forgetClient(final ProcessIdentity caller, final long nonce)
    {
        if (nonce == 0)
        {
            return false;
        }
        lock.lock();
        try
        {
            if (closed.get() || !clients.remembers(nonce))
            {
                return false;
            }
            append(caller, 0, JournalEntries.clientGone(entryScratch, nonce));
            clients.forget(nonce);
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Remembers a new client handle and journals it, so that a replay remembers it too, before its first journaled
     * call: a handle that connects again after a restart is refused unless remembered. Does nothing for a handle
     * remembered already or a journal closed.
     *
     * @param caller      the client's process, recorded in the journal's entry.
     * @param nonce       the client handle, not 0.
     * @param reconnectMs its reconnect timeout in ms, 0 when it never reconnects: a remote handle away longer than
     *                    {@link DurableClients#awayLimitNs} of it is forgotten.
     * @param local       true when the client is of this host: it is forgotten once its process is seen dead.
     * @return true when remembered (now or already); false when the journal is closed (the manager is closing) or
     * the handle was forgotten: it is not to be served.
     * @throws RuntimeException when the journal cannot be written (its message says why).
     */
    boolean join(final ProcessIdentity caller, final long nonce, final long reconnectMs, final boolean local)
    {
        lock.lock();
        try
        {
            if (closed.get() || clients.wasForgotten(nonce))
            {
                return false;
            }
            if (clients.remembers(nonce))
            {
                return true;
            }
            append(caller, 0, JournalEntries.clientJoined(entryScratch, nonce, reconnectMs, local, caller));
            clients.joined(nonce, reconnectMs, local ? caller : null);
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * How a call is journaled ({@link JournalModes#mode}), worked out once per method of each type. Thread-safe.
     *
     * @param managed   the object called, or null for the manager.
     * @param method    the method, or null for the manager.
     * @param signature its signature.
     * @return how the call is journaled, or null when it is not.
     */
    JournalModes.Mode mode(final ObjectTable.Managed managed, final Method method, final String signature)
    {
        if (managed == null)
        {
            return JournalModes.mode(null, null, signature);
        }
        // by type id: a manager's registry has one entry per id
        final Map<Method, Object> byMethod = modes.computeIfAbsent(managed.entry.typeid(),
            (typeid) -> new ConcurrentHashMap<>());
        Object mode = byMethod.get(method);
        if (mode == null)
        {
            final JournalModes.Mode found = JournalModes.mode(managed, method, signature);
            mode = found == null ? NOT_JOURNALED : found;
            byMethod.put(method, mode);
        }
        return mode == NOT_JOURNALED ? null : (JournalModes.Mode)mode;
    }

    /**
     * Runs a journaled call.
     *
     * @return its result.
     * @throws Throwable what it threw ({@link InvocationTargetException} around the method's own exception).
     */
    Object run(
        final ServerSession session,
        final long nonce,
        final long threadId,
        final long callId,
        final long ackBelow,
        final ObjectTable.Managed managed,
        final Method method,
        final String signature,
        final Object[] args,
        final byte[] frame,
        final JournalModes.Mode mode) throws Throwable
    {
        final Map<Long, Object> outcomes = clients.outcomes(nonce);
        final long objectId = managed == null ? Wire.MANAGER_OBJECT_ID : managed.id;
        final ProcessIdentity caller = session.identity();
        boolean applied = false;
        Object result = null;
        Throwable failure = null;
        try
        {
            switch (mode)
            {
                case UNDER ->
                {
                    lock.lock();
                    try
                    {
                        append(caller, callId,
                            JournalEntries.callOfFrame(entryScratch, nonce, ackBelow, objectId, threadId, frame));
                        applied = true;
                        try
                        {
                            result = apply(managed, method, signature, args);
                        }
                        catch (final Throwable ex)
                        {
                            failure = ex;
                        }
                        changed(managed);
                        record(outcomes, callId, result, failure);
                    }
                    finally
                    {
                        lock.unlock();
                    }
                }
                case TRY ->
                {
                    final JournalModes.TryForm form = JournalModes.TRY_FORMS.get(signature);
                    final Method tryMethod = Signatures.find(managed.entry.type(), form.signature());
                    final Object[] tryArgs = JournalModes.tryArgs(form, args);
                    final Wire.Out entry = JournalEntries.call(nonce, ackBelow, objectId, threadId, form.signature(),
                        tryArgs, core.codec());
                    long remainingNs = form.timed() ?
                        ((TimeUnit)args[args.length - 1]).toNanos((Long)args[args.length - 2]) : Long.MAX_VALUE;
                    lock.lockInterruptibly();
                    try
                    {
                        while (true)
                        {
                            final Object attempt = tryMethod.invoke(managed.target, tryArgs.clone());
                            if (attempt != null && !Boolean.FALSE.equals(attempt))
                            {
                                append(caller, callId, entry);
                                applied = true;
                                changed(managed);
                                result = method.getReturnType() == void.class ? null : attempt;
                                record(outcomes, callId, result, null);
                                break;
                            }
                            if (form.timed() && remainingNs <= 0)
                            {
                                result = method.getReturnType() == boolean.class ? Boolean.FALSE : null;
                                break;
                            }
                            final Condition condition = condition(managed);
                            if (remainingNs == Long.MAX_VALUE)
                            {
                                condition.await();
                            }
                            else
                            {
                                remainingNs = condition.awaitNanos(remainingNs);
                            }
                        }
                    }
                    finally
                    {
                        lock.unlock();
                    }
                }
                case AFTER ->
                {
                    outsideLock.enter();
                    boolean outside = true;
                    try
                    {
                        try
                        {
                            result = apply(managed, method, signature, args);
                        }
                        catch (final InvocationTargetException ex)
                        {
                            failure = ex;
                        }
                        lock.lock();
                        try
                        {
                            outside = false;
                            outsideLock.leave();
                            append(caller, callId,
                                JournalEntries.callOfFrame(entryScratch, nonce, ackBelow, objectId, threadId, frame));
                            applied = true;
                            changed(managed);
                            record(outcomes, callId, result, failure);
                        }
                        finally
                        {
                            lock.unlock();
                        }
                    }
                    finally
                    {
                        if (outside)
                        {
                            lock.lock();
                            try
                            {
                                outsideLock.leave();
                            }
                            finally
                            {
                                lock.unlock();
                            }
                        }
                    }
                }
                default -> throw new IllegalStateException("mode " + mode);
            }
        }
        finally
        {
            if (!applied)
            {
                JournalClients.dropMark(outcomes, callId);
            }
        }
        if (failure != null)
        {
            throw failure;
        }
        return result;
    }

    /**
     * Keeps a journaled call's outcome, under the lock: a snapshot holds either both the call's effect and its
     * outcome, or neither.
     */
    private static void record(final Map<Long, Object> outcomes, final long callId, final Object result,
        final Throwable failure)
    {
        if (outcomes != null)
        {
            outcomes.put(callId, new Outcome(result, failure == null ? null : ErrorInfo.of(unwrap(failure))));
        }
    }

    /**
     * @param failure what a call threw.
     * @return the method's own exception when it is wrapped in an {@link InvocationTargetException}, else
     * {@code failure}. Stateless.
     */
    static Throwable unwrap(final Throwable failure)
    {
        return failure instanceof InvocationTargetException ex && ex.getCause() != null ? ex.getCause() : failure;
    }

    /**
     * Applies a call, recording how a new volatile object was made: a live call's way, under the lock (or before and
     * out of it for {@link JournalModes.Mode#AFTER}), and the replay's ({@link JournalReplay.Apply}).
     */
    private Object apply(final ObjectTable.Managed managed, final Method method, final String signature,
        final Object[] args) throws Throwable
    {
        final Object result = managed == null ? core.callManager(signature, args) : core.invoke(managed, method, args);
        if (result instanceof ProxyRef ref && JournalModes.VOLATILE.contains(ref.typeid()) &&
            !origins.containsKey(ref.objectId()))
        {
            origins.put(ref.objectId(), managed == null ? new JournalState.Origin(0, ref.typeid(), (Object[])args[1]) :
                new JournalState.Origin(managed.id, signature, args.clone()));
        }
        return result;
    }

    private Condition condition(final ObjectTable.Managed managed)
    {
        if (managed.changed == null)
        {
            managed.changed = lock.newCondition();
        }
        return managed.changed;
    }

    private static void changed(final ObjectTable.Managed managed)
    {
        if (managed != null && managed.changed != null)
        {
            managed.changed.signalAll();
        }
    }

    private void append(final ProcessIdentity caller, final long callId, final Wire.Out entry)
    {
        entryBuffer.wrap(entry.array(), 0, entry.size());
        append(caller, callId, entryBuffer, entry.size());
    }

    private void append(final ProcessIdentity caller, final long callId, final int entryLength)
    {
        append(caller, callId, entryScratch, entryLength);
    }

    private void append(final ProcessIdentity caller, final long callId, final DirectBuffer entry, final int length)
    {
        journal.append(caller != null ? caller : ProcessIdentity.current(), callId, entry, 0, length);
        snapshots.entryAppended();
    }

    /**
     * @return the snapshots: how many were taken and put off, and what they cost.
     */
    JournalSnapshots snapshots()
    {
        return snapshots;
    }

    /**
     * Replays the journal at open ({@link JournalReplay}), before the manager accepts clients.
     */
    private void replay()
    {
        final long start = System.nanoTime();
        replayed = journal.replay(new JournalReplay(core, snapshotCodec, directory, origins, clients, this::apply));
        replayNs = System.nanoTime() - start;
    }

    /**
     * Checks that an object a durable manager is to keep can be snapshotted.
     *
     * @param typeid its type.
     * @param target the object.
     * @throws IllegalArgumentException when it is not serializable.
     */
    static void checkKeepable(final String typeid, final Object target)
    {
        if (!JournalModes.VOLATILE.contains(typeid) && !(target instanceof Serializable))
        {
            throw new IllegalArgumentException("a durable manager snapshots its objects, and the factory of " +
                typeid + " made a " + target.getClass().getName() + ", which is not java.io.Serializable");
        }
    }

    /**
     * Takes a last snapshot and closes the journal. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            try
            {
                snapshots.take();
            }
            catch (final RuntimeException ex)
            {
                core.log("last snapshot of the journal in " + directory + " failed: " + ex);
            }
            finally
            {
                lock.lock();
                try
                {
                    journal.close();
                }
                finally
                {
                    lock.unlock();
                }
            }
        }
    }

    @Override
    public String toString()
    {
        return "ManagerJournal{" + directory + "}";
    }
}
