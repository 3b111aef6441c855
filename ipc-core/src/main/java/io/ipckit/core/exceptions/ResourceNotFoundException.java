package io.ipckit.core.exceptions;

/**
 * {@code open} of a name that does not exist in the shared directory (Python's {@code FileNotFoundError}).
 */
public class ResourceNotFoundException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which resource, and what to do.
     */
    public ResourceNotFoundException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which resource, and what to do.
     * @param cause   the underlying failure.
     */
    public ResourceNotFoundException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
