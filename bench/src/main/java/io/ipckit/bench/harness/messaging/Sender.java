package io.ipckit.bench.harness.messaging;

import org.agrona.DirectBuffer;

/**
 * The sending end of one channel of a {@link Transport}, used by exactly one thread of one process.
 * <p>
 * A send does not return before the transport has accepted the message: it spins or blocks while the channel is
 * full, and throws {@link io.ipckit.core.exceptions.IpcTimeoutException} when the deadline given at
 * {@link Transport#openSender} passes first (so a dead receiver fails the run instead of hanging it). The hot path
 * allocates nothing.
 */
public interface Sender extends AutoCloseable
{
    /**
     * Sends one message.
     *
     * @param buffer holds the message.
     * @param offset where it starts.
     * @param length its length in bytes, at most the plan's {@link ChannelPlan#maxMessageBytes()}.
     */
    void send(DirectBuffer buffer, int offset, int length);

    /**
     * Sends {@code count} messages of {@code messageLength} bytes each, laid out back to back from {@code offset},
     * through the transport's batch form (one system call, one claim, one drain...). The receiver sees
     * {@code count} separate messages. The default sends them one by one; transports whose
     * {@link Transport#hasBatchForm()} is true override it.
     *
     * @param buffer        holds the messages.
     * @param offset        where the first starts.
     * @param messageLength the length of each.
     * @param count         how many.
     */
    default void sendBatch(final DirectBuffer buffer, final int offset, final int messageLength, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            send(buffer, offset + i * messageLength, messageLength);
        }
    }

    /**
     * Releases the channel end; idempotent. Messages already sent stay deliverable.
     */
    @Override
    void close();
}
