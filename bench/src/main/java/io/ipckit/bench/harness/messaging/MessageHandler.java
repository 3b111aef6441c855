package io.ipckit.bench.harness.messaging;

import org.agrona.DirectBuffer;

/**
 * Receives one message from a {@link Receiver}: {@code length} bytes at {@code offset} of {@code buffer}, valid only
 * during the call (the bytes may be a view into the transport's own memory).
 */
@FunctionalInterface
public interface MessageHandler
{
    /**
     * @param buffer the buffer holding the message.
     * @param offset where the message starts.
     * @param length its length in bytes.
     */
    void onMessage(DirectBuffer buffer, int offset, int length);
}
