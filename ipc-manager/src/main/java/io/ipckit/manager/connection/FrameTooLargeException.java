package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.IpcException;

/**
 * A frame announced or offered more bytes than the connection's maximum frame length. Thrown by the receiving side
 * before a byte of the payload is read (so a forged length cannot make it allocate), and by the sending side before
 * anything is written. The receiving connection cannot resynchronise afterwards and is closed.
 */
public class FrameTooLargeException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the length, the maximum and the option that sets it.
     */
    public FrameTooLargeException(final String message)
    {
        super(message);
    }
}
