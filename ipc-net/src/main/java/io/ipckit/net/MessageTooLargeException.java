package io.ipckit.net;

import io.ipckit.core.exceptions.IpcException;

/**
 * The peer sent a message longer than this end accepts ({@link NetConnection#maxReceiveBytes(int)}). Thrown by the
 * receive that reached it, before the message was reassembled (so a forged length cannot make this end allocate);
 * the message is dropped and the connection stays usable: the next receive gets the next message.
 */
public class MessageTooLargeException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the connection, the length and the limit.
     */
    public MessageTooLargeException(final String message)
    {
        super(message);
    }
}
