package io.ipckit.durable;

import org.agrona.DirectBuffer;

/**
 * Receives one record in place, as Agrona's {@code MessageHandler} does: the bytes are a view of the log's mapped
 * file, valid only during the call.
 */
@FunctionalInterface
public interface RecordHandler
{
    /**
     * @param buffer the buffer holding the record; do not keep it after returning.
     * @param offset where the record starts.
     * @param length its length in bytes.
     */
    void onMessage(DirectBuffer buffer, int offset, int length);
}
