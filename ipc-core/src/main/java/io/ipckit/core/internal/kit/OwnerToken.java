package io.ipckit.core.internal.kit;

import io.ipckit.core.process.ProcessIdentity;

/**
 * A process identity packed into one 64-bit word so that it can be claimed with a single compare-and-set: the pid
 * in the low 32 bits and the low 32 bits of the process start time in the high 32 bits. Zero means "nobody".
 * <p>
 * Two different processes get the same token only if they have the same pid and start times equal modulo 2^32
 * clock ticks (more than a year apart at 100 ticks a second), so a token outlives pid reuse.
 * <p>
 * Stateless and thread-safe.
 */
public final class OwnerToken
{
    /** The token of no process. */
    public static final long NONE = 0L;
    /**
     * A bit of the pid field that no pid reaches (Linux's largest pid is 2^22), so that no process's own token has it:
     * set in a shared table's word, it marks a slot that the process the rest of the word names is cleaning up after
     * another's death.
     */
    public static final long RECLAIM_MARK = 1L << 31;

    private static final long LOW_MASK = 0xFFFF_FFFFL;
    private static final long CURRENT = of(ProcessIdentity.current());

    private OwnerToken()
    {
    }

    /**
     * @return the token of this process; never {@link #NONE}.
     */
    public static long current()
    {
        return CURRENT;
    }

    /**
     * @param identity a process identity.
     * @return its token.
     */
    public static long of(final ProcessIdentity identity)
    {
        return ((identity.startTime() & LOW_MASK) << 32) | (identity.pid() & LOW_MASK);
    }

    /**
     * @param token a token.
     * @return the pid it names.
     */
    public static long pid(final long token)
    {
        return token & LOW_MASK;
    }

    /**
     * Reads {@code /proc} (or the process table) to tell whether the process a token names still runs. Costs a
     * file read: call it on slow paths only.
     *
     * @param token a token, possibly {@link #NONE}.
     * @return true when the very process named is alive, or when its start time cannot be read now
     * ({@link ProcessIdentity#UNKNOWN}: no proof of its death); false for {@link #NONE}, a dead process or a reused
     * pid.
     */
    public static boolean isAlive(final long token)
    {
        if (token == NONE)
        {
            return false;
        }
        if (token == CURRENT)
        {
            return true;
        }
        final long startTime = ProcessIdentity.startTimeOf(pid(token));
        return startTime == ProcessIdentity.UNKNOWN ||
            startTime != ProcessIdentity.GONE && (startTime & LOW_MASK) == token >>> 32;
    }
}
