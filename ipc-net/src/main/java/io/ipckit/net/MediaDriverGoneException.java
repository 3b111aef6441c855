package io.ipckit.net;

import io.ipckit.core.exceptions.IpcException;

/**
 * The Aeron media driver under a connection (an external one, or the embedded one) stopped answering, or Aeron's
 * client of it ended (it timed out this process after a long pause): every publication and subscription of that
 * client is closed, and the connection can do nothing more but be closed. Unlike
 * {@link io.ipckit.core.exceptions.PeerGoneException}, it says nothing about the peer: it is this host's driver.
 * Close the connection, make sure the driver runs, and open a new one.
 */
public class MediaDriverGoneException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was being done, on which driver directory, and what to do.
     * @param cause   Aeron's own report (a driver timeout), or null when it has not reached this end yet.
     */
    public MediaDriverGoneException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
