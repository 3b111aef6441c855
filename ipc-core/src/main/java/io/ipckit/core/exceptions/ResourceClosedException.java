package io.ipckit.core.exceptions;

/**
 * An operation on a resource that this process has already closed.
 */
public class ResourceClosedException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which resource, and what to do.
     */
    public ResourceClosedException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which resource, and what to do.
     * @param cause   the underlying failure.
     */
    public ResourceClosedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
