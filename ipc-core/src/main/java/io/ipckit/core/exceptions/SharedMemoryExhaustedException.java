package io.ipckit.core.exceptions;

/**
 * The shared directory (usually {@code /dev/shm}) has no room for a new resource; raised at creation, never later as a SIGBUS.
 */
public class SharedMemoryExhaustedException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which resource, and what to do.
     */
    public SharedMemoryExhaustedException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which resource, and what to do.
     * @param cause   the underlying failure.
     */
    public SharedMemoryExhaustedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
