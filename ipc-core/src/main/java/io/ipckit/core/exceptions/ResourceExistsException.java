package io.ipckit.core.exceptions;

/**
 * {@code create} of a name that already exists in the shared directory (Python's {@code FileExistsError}).
 */
public class ResourceExistsException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which resource, and what to do.
     */
    public ResourceExistsException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which resource, and what to do.
     * @param cause   the underlying failure.
     */
    public ResourceExistsException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
