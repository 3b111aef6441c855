package io.ipckit.manager;

import java.util.concurrent.TimeUnit;

/**
 * A managed event flag, Python's {@code manager.Event()}. Thread- and process-safe; a {@link #set()}
 * happens-before every wait it ends.
 */
public interface ManagedEvent
{
    /** Sets the flag and wakes every waiter. */
    void set();

    /** Clears the flag. */
    void clear();

    /**
     * @return the flag.
     */
    boolean isSet();

    /**
     * Waits until the flag is set.
     *
     * @throws InterruptedException when the calling thread is interrupted while waiting.
     */
    void await() throws InterruptedException;

    /**
     * Waits at most the timeout for the flag.
     *
     * @param timeout how long; {@code <= 0} checks once.
     * @param unit    its unit.
     * @return the flag on return (Python's {@code wait(timeout)}).
     * @throws InterruptedException when the calling thread is interrupted while waiting.
     */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException;
}
