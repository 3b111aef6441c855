package io.ipckit.manager;

import io.ipckit.core.exceptions.IpcException;

/**
 * The manager a proxy or {@link Manager} handle talks to is gone: its process died, it was shut down, or its
 * connection broke. Every call in flight fails with it as soon as the connection's end is seen (a local manager
 * killed with SIGKILL: at once, the kernel closes its socket), and every later call fails with it immediately.
 */
public class ManagerGoneException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message which manager and what was seen.
     * @param cause   the connection's failure, or null.
     */
    public ManagerGoneException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
