package io.ipckit.manager.internal;

import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.durable.CorruptLogException;
import io.ipckit.durable.Journal;
import io.ipckit.durable.JournalHandler;
import io.ipckit.durable.SharedLogOptions;
import io.ipckit.manager.ManagerOptions;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The durability of a manager ({@link ManagerOptions#durable}): every call that changes the manager's state is
 * appended to a {@link Journal} before its caller gets the answer, a snapshot of the whole state is appended every
 * {@link ManagerOptions#snapshotEveryEntries} entries and at close, and a manager opened on a journal that holds
 * state starts from the last snapshot and the entries after it. Each entry carries its client's identity (the
 * handle's random nonce, beside the process identity in the journal's header) and the client's sequence number of
 * the call; the outcome of each journaled call is kept per client until the client says it has the reply
 * ({@code ackBelow}, or the calling thread's next call: {@link #admit}), in the snapshots too, so a call sent again
 * after a restart gets its first outcome and is not applied twice. A new client handle is journaled as it says hello
 * ({@link #join}), so that it is remembered across a restart; one that connects again is served only when remembered.
 * A client handle that leaves for good (it closes, its process dies, or, remote, it stays away past its time) is
 * forgotten, and a journal entry says so ({@link #forgetClient}): else a manager that many short-lived clients used
 * would keep each one's last outcomes for ever.
 * <p>
 * What is journaled, per call ({@link JournalModes}):
 * <ul>
 *   <li>{@code create} and {@code bind} on the manager, and every method that returns a new managed object
 *   ({@code method_to_typeid}), whatever its type: they change the object table.</li>
 *   <li>Methods that change a built-in type with durable state: everything but the read-only methods of
 *   {@link JournalModes#READ_ONLY}. Every method of a registered type, which therefore must be deterministic and
 *   {@link Serializable}.</li>
 *   <li>Nothing of locks, conditions, barriers and pools ({@link JournalModes#VOLATILE}): their state is who waits and who
 *   holds, which a restart ends, as every client's death would. Their objects survive (remade by their factory or
 *   method at restore), released; a pool's futures do not ({@link JournalModes#NOT_JOURNALED}).</li>
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
 * between its effect and its return. Thread-safe.
 */
final class ManagerJournal implements AutoCloseable
{
    /** An entry of a call, without the calling thread: written by earlier versions, still read. */
    private static final byte ENTRY_CALL = 1;
    /** An entry of a call, with the calling thread's id in the client. */
    private static final byte ENTRY_THREAD_CALL = 2;
    /** An entry saying that a client handle left for good (closed, dead, or away past its time): it is forgotten. */
    private static final byte ENTRY_CLIENT_GONE = 3;
    /** An entry saying that a new client handle said hello: remembered across a restart before its first call. */
    private static final byte ENTRY_CLIENT_JOINED = 4;
    /** An entry's kind, client nonce, ackBelow, object id and thread id, before the signature. */
    private static final int ENTRY_HEADER_LENGTH = 1 + 4 * Long.BYTES;
    /** A client-gone entry: its kind and the client's nonce. */
    private static final int CLIENT_GONE_LENGTH = 1 + Long.BYTES;
    /**
     * A client-joined entry: its kind, the client's nonce, its reconnect timeout in ms, 1 when it is of this host (then
     * its pid and start time follow) or 0.
     */
    private static final int CLIENT_JOINED_LENGTH = 1 + 2 * Long.BYTES + 1 + 2 * Long.BYTES;
    private static final Object IN_PROGRESS = new Object();
    /** {@link #admit}: a call sent again after its caller gave it up; not to be run. */
    static final Object STALE = new Object();
    /** {@link #admit}: a call of a client handle that was forgotten ({@link #forgetClient}); not to be run. */
    static final Object FORGOTTEN = new Object();
    /** How many forgotten client handles are remembered as such, the latest ({@link #forgotten}). */
    static final int FORGOTTEN_KEPT = 4096;

    /**
     * What a journaled call answered, kept until its client has the reply.
     *
     * @param value its result.
     * @param error what it threw, or null.
     */
    record Outcome(Object value, ErrorInfo error) implements Serializable
    {
    }

    private final ServerCore core;
    private final Journal journal;
    private final WireCodec snapshotCodec;
    private final long snapshotEveryEntries;
    private final ReentrantLock lock = new ReentrantLock();
    /** Per client nonce, its journaled calls: outcomes not yet acknowledged, and its threads' last calls. */
    private final Map<Long, ClientCalls> clients = new ConcurrentHashMap<>();
    private final Map<Long, JournalState.Origin> origins = new ConcurrentHashMap<>();
    /**
     * The latest {@link #FORGOTTEN_KEPT} client handles forgotten, in snapshots too: a call of theirs is refused, not
     * run ({@link #FORGOTTEN}), for it could be one applied already whose outcome is gone (a client seen dead that was
     * not); and an entry of theirs journaled after their leaving (a call that ended after it) does not bring them
     * back at replay. Added to under {@code lock}, or by the replay; {@code forgottenOrder} is the order to let go.
     */
    private final Set<Long> forgotten = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<Long> forgottenOrder = new ArrayDeque<>();
    private final UnsafeBuffer entryBuffer = new UnsafeBuffer(0, 0);
    /** An entry written under {@code lock}. */
    private final ExpandableArrayBuffer entryScratch = new ExpandableArrayBuffer(256);
    private final AtomicBoolean snapshotting = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Path directory;
    private long sinceSnapshot;
    private long replayed;
    private long replayNs;

    private ManagerJournal(final ServerCore core, final Journal journal, final Path directory,
        final ManagerOptions options)
    {
        this.core = core;
        this.journal = journal;
        this.directory = directory;
        this.snapshotEveryEntries = options.snapshotEveryEntries();
        this.snapshotCodec = new WireCodec(options.allowedClasses(), Integer.MAX_VALUE, Long.MAX_VALUE,
            "java.util.concurrent.locks.*;java.util.concurrent.atomic.*;");
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
                durable.snapshot();
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
     * Admits a journaled call: the first time, marks it running; a call sent again gets the outcome of the first.
     * Forgets the outcomes the client has the replies of: those below {@code ackBelow}, and that of the calling
     * thread's previous call ({@link ClientCalls#follow}). A call the client no longer waits for, whose outcome is not
     * kept, is {@link #STALE} ({@link ClientCalls#isStale}): its caller gave it up (its timeout) and the client's
     * reconnection sent it again; running it would apply it again if it was applied before the restart.
     *
     * @param nonce    the client.
     * @param threadId the calling thread's id in the client.
     * @param callId   its call.
     * @param ackBelow the client has the replies of all its calls below this.
     * @return null to run the call, {@link #IN_PROGRESS} when it runs already (its reply answers), its outcome, or
     * {@link #STALE}.
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
     * ({@link #forgetClient}).
     */
    int clientsRemembered()
    {
        return clients.size();
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
            if (closed.get() || !clients.containsKey(nonce))
            {
                return false;
            }
            entryScratch.putByte(0, ENTRY_CLIENT_GONE);
            entryScratch.putLong(1, nonce, ByteOrder.BIG_ENDIAN);
            append(caller, 0, CLIENT_GONE_LENGTH);
            markForgotten(nonce); // before the removal: an admission that finds no calls then sees it forgotten
            clients.remove(nonce);
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @param nonce a client handle.
     * @return true when the manager remembers it: it said hello ({@link #join}) or made journaled calls, and has not
     * been forgotten since. A handle that connects again is served only then.
     */
    boolean remembers(final long nonce)
    {
        return clients.containsKey(nonce);
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
            if (closed.get() || wasForgotten(nonce))
            {
                return false;
            }
            if (clients.containsKey(nonce))
            {
                return true;
            }
            entryScratch.putByte(0, ENTRY_CLIENT_JOINED);
            entryScratch.putLong(1, nonce, ByteOrder.BIG_ENDIAN);
            entryScratch.putLong(1 + Long.BYTES, reconnectMs, ByteOrder.BIG_ENDIAN);
            entryScratch.putByte(1 + 2 * Long.BYTES, (byte)(local ? 1 : 0));
            entryScratch.putLong(2 + 2 * Long.BYTES, local ? caller.pid() : 0, ByteOrder.BIG_ENDIAN);
            entryScratch.putLong(2 + 3 * Long.BYTES, local ? caller.startTime() : 0, ByteOrder.BIG_ENDIAN);
            append(caller, 0, CLIENT_JOINED_LENGTH);
            clients.computeIfAbsent(nonce, (n) -> new ClientCalls()).joined(reconnectMs, local ? caller : null);
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return per client nonce, the clients remembered, with what their hello said of them; for the manager's start,
     * which watches each until it connects again (a live view).
     */
    Map<Long, ClientCalls> rememberedClients()
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
     * Remembers that a client handle was forgotten, letting go of the oldest beyond {@link #FORGOTTEN_KEPT}; under
     * {@code lock}, or by the replay.
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

    /**
     * @param nonce    a client.
     * @param ackBelow the client has the replies of all its calls below this (0: none said).
     * @return the client's calls, the outcomes below {@code ackBelow} forgotten.
     */
    private ClientCalls callsOf(final long nonce, final long ackBelow)
    {
        final ClientCalls calls = clients.computeIfAbsent(nonce, (n) -> new ClientCalls());
        calls.forgetBelow(ackBelow);
        return calls;
    }

    static boolean running(final Object admitted)
    {
        return admitted == IN_PROGRESS;
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
        final ClientCalls calls = clients.get(nonce);
        final Map<Long, Object> outcomes = calls == null ? null : calls.outcomes();
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
                        append(caller, callId, entryOfFrame(nonce, ackBelow, objectId, threadId, frame));
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
                    final Wire.Out entry = entry(nonce, ackBelow, objectId, threadId, form.signature());
                    writeArgs(entry, tryArgs);
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
                        append(caller, callId, entryOfFrame(nonce, ackBelow, objectId, threadId, frame));
                        applied = true;
                        changed(managed);
                        record(outcomes, callId, result, failure);
                    }
                    finally
                    {
                        lock.unlock();
                    }
                }
                default -> throw new IllegalStateException("mode " + mode);
            }
        }
        finally
        {
            if (!applied && outcomes != null)
            {
                outcomes.remove(callId, IN_PROGRESS);
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

    private static Throwable unwrap(final Throwable failure)
    {
        return failure instanceof InvocationTargetException ex && ex.getCause() != null ? ex.getCause() : failure;
    }

    private void writeArgs(final Wire.Out out, final Object[] args)
    {
        if (args.length == 0)
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
            core.codec().write(out, args, (obj) -> obj);
        }
    }

    private static Wire.Out entry(final long nonce, final long ackBelow, final long objectId, final long threadId,
        final String signature)
    {
        return new Wire.Out(ENTRY_THREAD_CALL).putLong(nonce).putLong(ackBelow).putLong(objectId).putLong(threadId)
            .putString(signature);
    }

    private Object apply(final ObjectTable.Managed managed, final Method method, final String signature,
        final Object[] args) throws Throwable
    {
        final Object result = managed == null ? core.callManager(signature, args) : core.invoke(managed, method, args);
        if (result instanceof ProxyRef ref && JournalModes.VOLATILE.contains(ref.typeid()) && !origins.containsKey(ref.objectId()))
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

    /**
     * Writes the entry of a call into {@code entryScratch}, under the lock: its client, {@code ackBelow}, object and
     * calling thread, then the call frame's signature and arguments as they came (the entry's layout is the frame's
     * from the signature on, see {@link #entry}).
     *
     * @return the entry's length.
     */
    private int entryOfFrame(final long nonce, final long ackBelow, final long objectId, final long threadId,
        final byte[] frame)
    {
        final int rest = frame.length - Wire.CALL_SIGNATURE_OFFSET;
        entryScratch.putByte(0, ENTRY_THREAD_CALL);
        entryScratch.putLong(1, nonce, ByteOrder.BIG_ENDIAN);
        entryScratch.putLong(1 + Long.BYTES, ackBelow, ByteOrder.BIG_ENDIAN);
        entryScratch.putLong(1 + 2 * Long.BYTES, objectId, ByteOrder.BIG_ENDIAN);
        entryScratch.putLong(1 + 3 * Long.BYTES, threadId, ByteOrder.BIG_ENDIAN);
        entryScratch.putBytes(ENTRY_HEADER_LENGTH, frame, Wire.CALL_SIGNATURE_OFFSET, rest);
        return ENTRY_HEADER_LENGTH + rest;
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
        if (++sinceSnapshot >= snapshotEveryEntries && snapshotting.compareAndSet(false, true))
        {
            Thread.ofPlatform().daemon(true).name("ipckit-manager-snapshot").start(() ->
            {
                try
                {
                    snapshot();
                }
                catch (final RuntimeException ex)
                {
                    core.log("snapshot of the journal in " + directory + " failed, replay will be longer: " + ex);
                }
                finally
                {
                    snapshotting.set(false);
                }
            });
        }
    }

    /**
     * Appends a snapshot of the whole state, holding up journaled calls while it is taken.
     */
    void snapshot()
    {
        lock.lock();
        try
        {
            final JournalState.State state = JournalState.capture(core, origins, clients,
                new ArrayList<>(forgottenOrder));
            journal.snapshot(snapshotCodec.encode(state, (obj) -> obj));
            sinceSnapshot = 0;
        }
        finally
        {
            lock.unlock();
        }
    }

    private void replay()
    {
        final long start = System.nanoTime();
        replayed = journal.replay(new JournalHandler()
        {
            @Override
            public void onSnapshot(final long index, final DirectBuffer buffer, final int offset, final int length)
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                final JournalState.State state;
                try
                {
                    state = (JournalState.State)snapshotCodec.decode(bytes, 0, (obj) -> obj);
                }
                catch (final RuntimeException ex)
                {
                    throw new CorruptLogException("the snapshot at index " + Long.toHexString(index) +
                        " of the manager journal in " + directory + " cannot be read (" + ex.getMessage() + "): " +
                        "restore the directory from a copy, or move it away to start the manager empty", ex);
                }
                JournalState.restore(core, state, origins, clients);
                forgotten.clear();
                forgottenOrder.clear();
                if (state.forgotten() != null) // null in a snapshot of an earlier version
                {
                    state.forgotten().forEach(ManagerJournal.this::markForgotten);
                }
            }

            @Override
            public void onMutation(final long index, final ProcessIdentity caller, final long callerSequence,
                final DirectBuffer buffer, final int offset, final int length)
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                try
                {
                    replayEntry(callerSequence, bytes);
                }
                catch (final RuntimeException ex)
                {
                    throw new CorruptLogException("the entry at index " + Long.toHexString(index) +
                        " of the manager journal in " + directory + " cannot be replayed (" + ex.getMessage() +
                        "): restore the directory from a copy, or move it away to start the manager empty", ex);
                }
            }
        });
        replayNs = System.nanoTime() - start;
    }

    private void replayEntry(final long callId, final byte[] bytes)
    {
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        final byte kind = in.get();
        if (kind == ENTRY_CLIENT_GONE)
        {
            final long gone = in.getLong();
            clients.remove(gone);
            markForgotten(gone);
            return;
        }
        if (kind == ENTRY_CLIENT_JOINED)
        {
            final long joined = in.getLong();
            final long reconnectMs = in.getLong();
            final boolean local = in.get() == 1;
            final ProcessIdentity process = new ProcessIdentity(in.getLong(), in.getLong());
            if (!wasForgotten(joined))
            {
                clients.computeIfAbsent(joined, (n) -> new ClientCalls()).joined(reconnectMs, local ? process : null);
            }
            return;
        }
        if (kind != ENTRY_CALL && kind != ENTRY_THREAD_CALL)
        {
            throw new IllegalArgumentException("unknown entry kind " + kind);
        }
        final long nonce = in.getLong();
        final long ackBelow = in.getLong();
        final long objectId = in.getLong();
        final long threadId = kind == ENTRY_THREAD_CALL ? in.getLong() : ClientCalls.NO_THREAD;
        final String signature = Wire.getString(in);
        final byte argsKind = in.get();
        final Object[] args = switch (argsKind)
        {
            case Wire.ARGS_NONE -> new Object[0];
            case Wire.ARGS_COMPACT -> CompactValues.readArray(in);
            case Wire.ARGS_OBJECT -> (Object[])core.codec().decode(bytes, in.position(), core::resolveIncoming);
            default -> throw new IllegalArgumentException("unknown argument encoding " + argsKind);
        };
        // the call of a client that left is applied, its outcome kept nowhere (the live manager kept it in the
        // forgotten calls)
        final ClientCalls calls = wasForgotten(nonce) ? new ClientCalls() : callsOf(nonce, ackBelow);
        // an applied call: replayed whatever follow says (a timed take given up by its caller was applied after the
        // thread's next call, and is older than it)
        if (nonce != 0)
        {
            calls.follow(threadId, callId, ackBelow);
        }
        final Map<Long, Object> outcomes = calls.outcomes();
        final ObjectTable.Managed managed;
        final Method method;
        if (objectId == Wire.MANAGER_OBJECT_ID)
        {
            managed = null;
            method = null;
        }
        else
        {
            managed = core.table().get(objectId);
            if (managed == null)
            {
                throw new IllegalStateException("no managed object " + objectId);
            }
            method = Signatures.find(managed.entry.type(), signature);
            if (method == null)
            {
                throw new IllegalStateException(managed.entry.type().getName() + " has no method " + signature);
            }
        }
        Object result = null;
        ErrorInfo error = null;
        try
        {
            result = apply(managed, method, signature, args);
        }
        catch (final Throwable ex)
        {
            error = ErrorInfo.of(unwrap(ex));
        }
        if (managed != null && method.getReturnType() == void.class)
        {
            result = null;
        }
        outcomes.put(callId, new Outcome(result, error));
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
                snapshot();
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
