package io.ipckit.bench.harness.messaging;

/**
 * The receiving end of one channel of a {@link Transport}, used by exactly one thread of one process.
 * <p>
 * {@link #poll} delivers what has arrived, up to a limit, and may block for a bounded time when nothing has (a
 * blocking socket read, a futex wait); the harness calls it in a loop and checks its own deadline between calls.
 * The hot path allocates nothing.
 */
public interface Receiver extends AutoCloseable
{
    /** Returned by {@link #poll} when the sender closed the channel and everything it sent has been delivered. */
    int END_OF_STREAM = -1;

    /**
     * Delivers up to {@code limit} messages to {@code handler}, each exactly once and, per sender, in order.
     *
     * @param handler receives each message.
     * @param limit   the most to deliver in this call.
     * @return how many were delivered (0 when none had arrived), or {@link #END_OF_STREAM}.
     */
    int poll(MessageHandler handler, int limit);

    /**
     * Releases the channel end; idempotent.
     */
    @Override
    void close();
}
