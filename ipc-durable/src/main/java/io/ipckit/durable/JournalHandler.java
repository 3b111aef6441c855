package io.ipckit.durable;

import io.ipckit.core.process.ProcessIdentity;
import org.agrona.DirectBuffer;

/**
 * Receives a {@link Journal}'s entries during {@link Journal#replay}: the last snapshot (if any), then every
 * mutation after the last entry it covers, in the order they were appended (for a snapshot of an earlier entry, those
 * appended before the snapshot come too). Buffers are views valid only during the call.
 */
public interface JournalHandler
{
    /**
     * A snapshot: the whole state after the last entry it covers, replacing whatever the handler built so far.
     *
     * @param index  the entry's index in the log.
     * @param buffer the snapshot's bytes.
     * @param offset where they start.
     * @param length how many.
     */
    void onSnapshot(long index, DirectBuffer buffer, int offset, int length);

    /**
     * A mutation to apply.
     *
     * @param index          the entry's index in the log.
     * @param caller         the process that asked for it.
     * @param callerSequence that process's sequence number for it (a retried request repeats it).
     * @param buffer         the mutation's bytes.
     * @param offset         where they start.
     * @param length         how many.
     */
    void onMutation(long index, ProcessIdentity caller, long callerSequence, DirectBuffer buffer, int offset, int length);
}
