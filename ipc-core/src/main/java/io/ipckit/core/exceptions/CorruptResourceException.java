package io.ipckit.core.exceptions;

/**
 * A resource file that cannot be trusted: too short, random bytes, inconsistent lengths, or a creator that died before publishing it.
 */
public class CorruptResourceException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which resource, and what to do.
     */
    public CorruptResourceException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which resource, and what to do.
     * @param cause   the underlying failure.
     */
    public CorruptResourceException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
