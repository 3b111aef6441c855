package io.ipckit.manager;

import java.util.function.Consumer;

/**
 * Where a durable manager writes every mutating call before acknowledging it, and reads them back after a restart
 * (issue 18's durability option). <b>Not yet implemented or used by the manager</b>: this interface fixes the
 * contract that the binding to ipckit's SharedLog (Chronicle Queue) is to meet; see the module's report for what is
 * left.
 * <p>
 * Contract: {@link #append} returns only once the entry would survive a SIGKILL of the manager (written to the
 * mapped log; page cache suffices, as the host is assumed to stay up). Entries carry the client's identity and its
 * own call sequence, so that a client retrying a call whose acknowledgement it lost after a crash is recognised and
 * not applied twice. {@link #replay} hands every entry after the latest snapshot to the manager in append order.
 * Thread safety: implementations are called by many server threads at once.
 */
public interface ManagerJournal extends AutoCloseable
{
    /**
     * One journaled call.
     *
     * @param clientId   the calling client's identity (pid and start time for a local one).
     * @param clientSeq  the client's own sequence number of the call, for deduplicating retries.
     * @param objectId   the managed object called (0 for the manager: create, bind).
     * @param signature  the method's wire signature.
     * @param args       the encoded arguments.
     */
    record Entry(String clientId, long clientSeq, long objectId, String signature, byte[] args)
    {
    }

    /**
     * Appends an entry durably.
     *
     * @param entry the call.
     * @return its position in the journal.
     */
    long append(Entry entry);

    /**
     * Hands every entry since the latest snapshot to {@code handler}, in order.
     *
     * @param handler receives the entries.
     * @return how many entries were replayed.
     */
    long replay(Consumer<Entry> handler);

    /**
     * Closes the journal; entries appended so far stay durable.
     */
    @Override
    void close();
}
