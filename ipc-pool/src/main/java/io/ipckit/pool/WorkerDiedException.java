package io.ipckit.pool;

import io.ipckit.core.exceptions.PeerGoneException;

/**
 * The worker JVM running a task died (SIGKILL, {@code System.exit}, out of memory, a per-task timeout): only that
 * task fails with this exception; the pool starts a replacement and goes on.
 */
public final class WorkerDiedException extends PeerGoneException
{
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /**
     * @param message  what died, running which task, and why.
     * @param exitCode the worker's exit code, negative for a signal (-9 for SIGKILL).
     */
    public WorkerDiedException(final String message, final int exitCode)
    {
        super(message);
        this.exitCode = exitCode;
    }

    /**
     * @return the worker's exit code, negative for the signal that ended it, as Python's {@code exitcode}.
     */
    public int exitCode()
    {
        return exitCode;
    }
}
