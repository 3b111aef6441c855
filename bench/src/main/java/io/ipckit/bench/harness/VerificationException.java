package io.ipckit.bench.harness;

/**
 * A measurement produced a wrong result (a lost, duplicated, reordered or corrupt message, a wrong count or
 * checksum): its figures are void and the run fails.
 */
public class VerificationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong.
     */
    public VerificationException(final String message)
    {
        super(message);
    }
}
