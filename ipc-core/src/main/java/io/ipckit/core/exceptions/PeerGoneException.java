package io.ipckit.core.exceptions;

/**
 * The process at the other end of a resource died and no committed data is left to deliver (Python's
 * {@code BrokenPipeError}). A clean close by the other end is {@link EndOfStreamException}, a sibling.
 */
public class PeerGoneException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which resource, and what to do.
     */
    public PeerGoneException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which resource, and what to do.
     * @param cause   the underlying failure.
     */
    public PeerGoneException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
