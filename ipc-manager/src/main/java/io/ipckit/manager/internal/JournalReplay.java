package io.ipckit.manager.internal;

import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.durable.CorruptLogException;
import io.ipckit.durable.JournalHandler;
import org.agrona.DirectBuffer;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * The replay of a durable manager's journal at open ({@link ManagerJournal#open}): the last snapshot puts the manager
 * back in its state ({@link JournalState#restore}), the client handles remembered and forgotten included
 * ({@link JournalClients}); then every entry after it is read in the journal's order ({@link JournalEntries}: calls,
 * and client handles that joined or left) and applied as the running manager applied it, each call's outcome kept
 * for its client, so that a call sent again after the restart gets its first outcome and is not applied twice. The
 * journal's order is the order in which calls changed the state and were given object ids, so replay gives every
 * object its id again; and a blocking call was journaled as the non-blocking form that succeeded, so replay never
 * blocks (the note to maintainers of {@link ManagerJournal}).
 * <p>
 * Runs on the thread that opens the journal, before the manager accepts clients, without the journal's {@code lock}:
 * nothing else touches the state meanwhile. Not thread-safe; one replay per instance.
 */
final class JournalReplay implements JournalHandler
{
    /**
     * How the journal applies a call: the running manager's way, so that an object a replayed call makes is recorded
     * as it was then (its origin, for a volatile one).
     */
    @FunctionalInterface
    interface Apply
    {
        /**
         * Applies a call.
         *
         * @param managed   the called object, null for the manager.
         * @param method    its method, null for the manager.
         * @param signature the method's signature.
         * @param args      the call's arguments.
         * @return the call's result.
         * @throws Throwable what it threw ({@link java.lang.reflect.InvocationTargetException} around the method's own
         *                   exception).
         */
        Object apply(ObjectTable.Managed managed, Method method, String signature, Object[] args) throws Throwable;
    }

    private final ServerCore core;
    private final WireCodec snapshotCodec;
    private final Path directory;
    private final Map<Long, JournalState.Origin> origins;
    private final JournalClients clients;
    private final Apply apply;

    /**
     * @param core          the manager, before it accepts clients.
     * @param snapshotCodec how the journal's snapshots are encoded.
     * @param directory     the journal's directory, named in errors.
     * @param origins       receives how the volatile objects were made.
     * @param clients       receives the client handles remembered and forgotten, and their calls' outcomes.
     * @param apply         how the journal applies a call.
     */
    JournalReplay(final ServerCore core, final WireCodec snapshotCodec, final Path directory,
        final Map<Long, JournalState.Origin> origins, final JournalClients clients, final Apply apply)
    {
        this.core = core;
        this.snapshotCodec = snapshotCodec;
        this.directory = directory;
        this.origins = origins;
        this.clients = clients;
        this.apply = apply;
    }

    /**
     * Puts the manager back in a snapshot's state, replacing whatever the replay built so far.
     *
     * @throws CorruptLogException when the snapshot cannot be read, naming it.
     * @throws IllegalStateException when the snapshot names a type the registry lacks.
     */
    @Override
    public void onSnapshot(final long index, final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        final JournalState.State state;
        try
        {
            state = (JournalState.State)SnapshotEncoding.decode(snapshotCodec, bytes);
        }
        catch (final RuntimeException ex)
        {
            throw new CorruptLogException("the snapshot at index " + Long.toHexString(index) +
                " of the manager journal in " + directory + " cannot be read (" + ex.getMessage() + "): " +
                "restore the directory from a copy, or move it away to start the manager empty", ex);
        }
        JournalState.restore(core, state, origins, clients.calls());
        clients.restoreForgotten(state.forgotten());
    }

    /**
     * Applies an entry of the journal again: a call, or a client handle that joined or left.
     *
     * @throws CorruptLogException when the entry cannot be read or applied, naming it.
     */
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

    private void replayEntry(final long callId, final byte[] bytes)
    {
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        final byte kind = in.get();
        if (kind == JournalEntries.CLIENT_GONE)
        {
            clients.forget(in.getLong());
            return;
        }
        if (kind == JournalEntries.CLIENT_JOINED)
        {
            final long joined = in.getLong();
            final long reconnectMs = in.getLong();
            final boolean local = in.get() == 1;
            final ProcessIdentity process = new ProcessIdentity(in.getLong(), in.getLong());
            if (!clients.wasForgotten(joined))
            {
                clients.joined(joined, reconnectMs, local ? process : null);
            }
            return;
        }
        if (kind != JournalEntries.CALL && kind != JournalEntries.THREAD_CALL)
        {
            throw new IllegalArgumentException("unknown entry kind " + kind);
        }
        final long nonce = in.getLong();
        final long ackBelow = in.getLong();
        final long objectId = in.getLong();
        final long threadId = kind == JournalEntries.THREAD_CALL ? in.getLong() : ClientCalls.NO_THREAD;
        final String signature = Wire.getString(in);
        final Object[] args = core.readArgs(in, bytes); // as the live call reads them
        // the call of a client that left is applied, its outcome kept nowhere (the live manager kept it in the
        // forgotten calls)
        final ClientCalls calls = clients.wasForgotten(nonce) ? new ClientCalls() : clients.callsOf(nonce, ackBelow);
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
            result = apply.apply(managed, method, signature, args);
        }
        catch (final Throwable ex)
        {
            error = ErrorInfo.of(ManagerJournal.unwrap(ex));
        }
        if (managed != null && method.getReturnType() == void.class)
        {
            result = null;
        }
        outcomes.put(callId, new ManagerJournal.Outcome(result, error));
    }
}
