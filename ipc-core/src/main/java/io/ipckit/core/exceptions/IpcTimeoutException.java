package io.ipckit.core.exceptions;

/**
 * An operation that waited for another process longer than its deadline, where the API has no return value to say so.
 */
public class IpcTimeoutException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which resource, and what to do.
     */
    public IpcTimeoutException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which resource, and what to do.
     * @param cause   the underlying failure.
     */
    public IpcTimeoutException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
