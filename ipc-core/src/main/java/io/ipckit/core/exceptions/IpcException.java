package io.ipckit.core.exceptions;

/**
 * Root of every exception ipckit throws. Unchecked, like Agrona's and Aeron's: the operations that fail are
 * misuse, corruption or a failed peer, which callers rarely handle locally.
 * <p>
 * Messages name the resource, what went wrong and what to do about it.
 */
public class IpcException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which resource, and what to do.
     */
    public IpcException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which resource, and what to do.
     * @param cause   the underlying failure.
     */
    public IpcException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
