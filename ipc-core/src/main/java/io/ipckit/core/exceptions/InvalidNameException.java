package io.ipckit.core.exceptions;

/**
 * A resource name that is not `[A-Za-z0-9][A-Za-z0-9._-]*` of at most 200 bytes. Thrown before the file system is touched.
 */
public class InvalidNameException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which resource, and what to do.
     */
    public InvalidNameException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which resource, and what to do.
     * @param cause   the underlying failure.
     */
    public InvalidNameException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
