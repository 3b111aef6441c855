package io.ipckit.pipe;

import org.agrona.DirectBuffer;

/**
 * Receives one whole message in place: {@code buffer} is the shared ring itself (or, for a message that was split
 * into fragments, the receiver's reassembly buffer). The bytes are valid only during the call; copy what you keep.
 * <p>
 * Implementations are called on the receiving thread, one message at a time.
 */
@FunctionalInterface
public interface BufferHandler
{
    /**
     * @param buffer holds the message.
     * @param offset where it starts.
     * @param length its length in bytes, possibly 0.
     */
    void onMessage(DirectBuffer buffer, int offset, int length);
}
