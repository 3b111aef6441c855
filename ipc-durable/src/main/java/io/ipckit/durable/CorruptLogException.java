package io.ipckit.durable;

import io.ipckit.core.exceptions.CorruptResourceException;

/**
 * A log's files cannot be read: a cycle file or Chronicle's metadata file is truncated, overwritten, or not a
 * Chronicle Queue file at all. The message names the file and says what to do.
 */
public class CorruptLogException extends CorruptResourceException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, on which file, and what to do.
     */
    public CorruptLogException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, on which file, and what to do.
     * @param cause   the underlying failure (often Chronicle Queue's own exception).
     */
    public CorruptLogException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
