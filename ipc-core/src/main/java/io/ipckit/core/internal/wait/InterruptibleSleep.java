package io.ipckit.core.internal.wait;

import io.ipckit.core.internal.os.Native;

import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.spi.AbstractInterruptibleChannel;

/**
 * A futex sleep that {@link Thread#interrupt()} ends at once. A native futex call does not notice an interrupt, so a
 * thread asleep in one used to notice it only at the end of its slice (up to a liveness interval). The sleep is
 * bracketed the way the JDK brackets a blocking channel operation ({@link AbstractInterruptibleChannel#begin()} and
 * {@code end}): while it lasts, an interrupt of the sleeping thread runs {@link #implCloseChannel()} in the
 * interrupting thread, which wakes every sleeper of the word ({@code FUTEX_WAKE}); the sleeper then finds its interrupt
 * flag set, as its caller expects. The others woken look at their word and sleep again.
 * <p>
 * An interrupt that comes after the sleeper's last look at its flag and before the kernel call has begun wakes
 * nobody, and that sleep ends with its slice, as every sleep did before: a window of a few instructions (and, once per
 * thread, of the first use of its native scratch memory).
 * <p>
 * One instance per thread, used for one sleep at a time; an interrupt closes it for good (a channel's way), and the
 * thread takes a new one. Only public JDK API: no JVM flag needed.
 */
final class InterruptibleSleep extends AbstractInterruptibleChannel
{
    private static final ThreadLocal<InterruptibleSleep> CURRENT = ThreadLocal.withInitial(InterruptibleSleep::new);

    /** The futex word of the sleep under way: written by the sleeper before {@code begin()}, read by an interrupter. */
    private volatile long address;

    private InterruptibleSleep()
    {
    }

    /**
     * {@code FUTEX_WAIT} on the word at {@code address} while it holds {@code expected}, for at most {@code timeoutNs},
     * ended at once by an interrupt of this thread (its flag stays set), or not begun when the flag is set already.
     *
     * @param address   the word's address, 4-byte aligned, in memory this thread keeps mapped while it sleeps.
     * @param expected  the value the word must hold for the thread to sleep.
     * @param timeoutNs the longest sleep, in nanoseconds.
     */
    static void futexWait(final long address, final int expected, final long timeoutNs)
    {
        final InterruptibleSleep sleep = CURRENT.get();
        sleep.address = address;
        sleep.begin(); // an interrupt from now on wakes the word's sleepers; one before closes the sleep at once
        boolean completed = false;
        try
        {
            if (!Thread.currentThread().isInterrupted())
            {
                Native.futexWait(address, expected, timeoutNs);
            }
            completed = true;
        }
        finally
        {
            try
            {
                sleep.end(completed);
            }
            catch (final ClosedByInterruptException ex)
            {
                // this thread's interrupt closed it: its flag is set, and the caller throws InterruptedException
            }
            catch (final java.io.IOException ex)
            {
                // not thrown for a completed sleep; an uncompleted one is leaving with its own exception
            }
            if (!sleep.isOpen())
            {
                CURRENT.set(new InterruptibleSleep());
            }
        }
    }

    /**
     * Run by an interrupting thread while the sleep is under way (or by the sleeper, interrupted before it began):
     * wakes the word's sleepers.
     */
    @Override
    protected void implCloseChannel()
    {
        try
        {
            Native.futexWake(address, Integer.MAX_VALUE);
        }
        catch (final RuntimeException ex)
        {
            // the interrupting thread must not get it from Thread.interrupt(): the sleep then ends with its slice
        }
    }

    @Override
    public String toString()
    {
        return "InterruptibleSleep{address=" + address + ", open=" + isOpen() + "}";
    }
}
