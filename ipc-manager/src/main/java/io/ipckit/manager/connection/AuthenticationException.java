package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.IpcException;

/**
 * The challenge-response handshake of a {@link Listener} or {@link Client} failed: the peer does not know the
 * authkey, or it sent something that is not a handshake (Python's {@code multiprocessing.AuthenticationError}).
 * The connection is closed when this is thrown.
 */
public class AuthenticationException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and with which peer.
     */
    public AuthenticationException(final String message)
    {
        super(message);
    }
}
