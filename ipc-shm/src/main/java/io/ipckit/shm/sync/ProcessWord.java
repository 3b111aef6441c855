package io.ipckit.shm.sync;

import io.ipckit.core.process.ProcessIdentity;

import java.util.Optional;

/**
 * A process identity packed into one 64-bit word, so that "who holds this" can be claimed and taken over with a
 * single compare-and-set: the pid in the low {@value #PID_BITS} bits (Linux pids are below 2<sup>22</sup>), the
 * low 42 bits of the process start time above it. 0 means "nobody". Two processes get the same word only when a
 * pid is reused by a process that started at the same clock tick modulo 2<sup>42</sup> ticks, which cannot happen.
 * <p>
 * Stateless and thread-safe.
 */
final class ProcessWord
{
    /** Bits of the word that hold the pid. */
    static final int PID_BITS = 22;
    /** Mask of the pid bits. */
    static final long PID_MASK = (1L << PID_BITS) - 1;
    /** A value that is never a live process: a slot being cleaned up after a dead process. */
    static final long RECLAIMING = -1L;

    private static final long SELF = pack(ProcessIdentity.current());

    private ProcessWord()
    {
    }

    /**
     * @return the word of this process.
     */
    static long self()
    {
        return SELF;
    }

    /**
     * @param identity a process identity.
     * @return its word, never 0.
     * @throws IllegalStateException when the pid does not fit in {@value #PID_BITS} bits.
     */
    static long pack(final ProcessIdentity identity)
    {
        if (identity.pid() <= 0 || identity.pid() > PID_MASK)
        {
            throw new IllegalStateException("pid " + identity.pid() + " does not fit in " + PID_BITS +
                " bits; ipckit's cross-process locks need pids below " + (PID_MASK + 1));
        }
        return (identity.startTime() << PID_BITS) | identity.pid();
    }

    /**
     * @param word a word from {@link #pack}.
     * @return its pid.
     */
    static long pid(final long word)
    {
        return word & PID_MASK;
    }

    /**
     * Is the process of {@code word} still running? Reads {@code /proc}, so call it only on slow paths.
     *
     * @param word a word from {@link #pack}, or {@link #RECLAIMING}.
     * @return true when that very process is alive, or when {@code word} is {@link #RECLAIMING} (someone is
     * cleaning up and will finish).
     */
    static boolean isAlive(final long word)
    {
        if (word == RECLAIMING)
        {
            return true;
        }
        if (word == SELF)
        {
            return true;
        }
        final Optional<ProcessIdentity> now = ProcessIdentity.of(pid(word));
        return now.isPresent() && pack(now.get()) == word;
    }

    /**
     * @param word a word from {@link #pack}.
     * @return {@code pid N} for messages.
     */
    static String describe(final long word)
    {
        return "pid " + pid(word);
    }
}
