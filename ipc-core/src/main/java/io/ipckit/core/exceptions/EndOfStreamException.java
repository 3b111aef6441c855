package io.ipckit.core.exceptions;

/**
 * The other end closed the channel in an orderly way and every message it sent has been received (Python's
 * {@code EOFError}). A sibling of {@link PeerGoneException}, not a kind of it: a clean close is not a death, so
 * {@code catch (EndOfStreamException | PeerGoneException e)} handles both and a handler for a dead peer does not
 * also catch a clean close.
 */
public class EndOfStreamException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which resource, and what to do.
     */
    public EndOfStreamException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which resource, and what to do.
     * @param cause   the underlying failure.
     */
    public EndOfStreamException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
