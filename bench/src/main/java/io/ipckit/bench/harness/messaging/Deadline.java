package io.ipckit.bench.harness.messaging;

import io.ipckit.core.exceptions.IpcTimeoutException;

/**
 * Deadline checks for the spin loops of transports and workers: cheap enough to call on every idle iteration, since
 * only one call in {@value #CHECK_INTERVAL} reads the clock.
 */
public final class Deadline
{
    /** Idle iterations between two reads of the clock. */
    public static final int CHECK_INTERVAL = 1024;

    private Deadline()
    {
    }

    /**
     * Throws when {@code idleCount} is a multiple of {@value #CHECK_INTERVAL} and the deadline has passed.
     *
     * @param idleCount  how many times the caller has found nothing to do so far.
     * @param deadlineNs the {@link System#nanoTime()} deadline.
     * @param what       what the caller waits for, for the message.
     * @throws IpcTimeoutException when the deadline has passed.
     */
    public static void check(final long idleCount, final long deadlineNs, final String what)
    {
        if ((idleCount & (CHECK_INTERVAL - 1)) == 0 && System.nanoTime() - deadlineNs > 0)
        {
            throw new IpcTimeoutException("gave up waiting for " + what + ": the measurement's deadline passed " +
                "(a peer process died or hangs; see the worker logs in the results directory)");
        }
    }
}
