package io.ipckit.core.exceptions;

/**
 * A name opened as a kind of resource it is not, e.g. a pipe opened as a queue.
 */
public class WrongResourceKindException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which resource, and what to do.
     */
    public WrongResourceKindException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which resource, and what to do.
     * @param cause   the underlying failure.
     */
    public WrongResourceKindException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
