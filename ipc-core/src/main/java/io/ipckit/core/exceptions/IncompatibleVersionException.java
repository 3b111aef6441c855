package io.ipckit.core.exceptions;

/**
 * A resource file written with a layout version this library does not know (created by a newer ipckit).
 */
public class IncompatibleVersionException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which resource, and what to do.
     */
    public IncompatibleVersionException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which resource, and what to do.
     * @param cause   the underlying failure.
     */
    public IncompatibleVersionException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
